// The webhooks' cached lookups against the real API server: Frameworks and Task names come from
// watches once synced, and whatever the cache does not have (yet) is asked of the API server.
import { CoreV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import { cachedLookups, type CachedLookups } from '../../src/webhooks/cached-lookups.ts';
import type { AdmissionLookups } from '../../src/webhooks/handlers.ts';
import { kubeLookups } from '../../src/webhooks/lookups.ts';
import { custom, eventually, kubeConfig, tokenKubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('lookups');
const ROLE = `lookups-${process.pid}`;

async function create(plural: string, name: string, spec: object): Promise<void> {
  const kind = plural === PLURAL.Framework ? 'Framework' : 'Task';
  await custom().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural,
    body: { apiVersion: API_VERSION, kind, metadata: { name }, spec },
  });
}

/** A ResourceRole for namespaces labelled team=`team`, guaranteeing nothing: it holds nothing back from the roles of tests running beside this one. */
function createRole(name: string, team: string): Promise<unknown> {
  return custom().createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL.ResourceRole,
    body: {
      apiVersion: API_VERSION,
      kind: 'ResourceRole',
      metadata: { name },
      spec: { guarantee: { cpu: '0' }, namespaceSelector: { matchLabels: { team } } },
    },
  });
}

describe('cached admission lookups', () => {
  const asked: string[] = [];
  let lookups: CachedLookups;

  beforeAll(async () => {
    const direct = kubeLookups(kubeConfig());
    // Every question that reaches the API server is recorded.
    const counting: AdmissionLookups = {
      ...direct,
      getFramework: (n, name) => (asked.push(`getFramework ${name}`), direct.getFramework(n, name)),
      existingTasks: (n, names) => (asked.push(`existingTasks ${names.join(',')}`), direct.existingTasks(n, names)),
      namespaceLabels: (n) => (asked.push(`namespaceLabels ${n}`), direct.namespaceLabels(n)),
      roleNamespaceSelector: (r) => (asked.push(`roleNamespaceSelector ${r}`), direct.roleNamespaceSelector(r)),
      roleGuarantees: () => (asked.push('roleGuarantees'), direct.roleGuarantees()),
    };
    await createRole(ROLE, 'lookups');
    await create(PLURAL.Framework, 'early', { serviceAccountName: 'sa-early' });
    lookups = cachedLookups(kubeConfig(), counting, { namespaces: [ns.name], log: pino({ level: 'silent' }) });
    await lookups.start();
  });

  afterAll(async () => {
    await lookups.stop();
    await custom()
      .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole, name: ROLE })
      .catch(() => undefined);
  });

  it('answers ResourceRoles from the watch, and asks the API server for one it does not have', async () => {
    asked.length = 0;
    expect(await lookups.roleNamespaceSelector(ROLE)).toEqual({ exists: true, selector: { matchLabels: { team: 'lookups' } } });
    expect((await lookups.roleGuarantees()).get(ROLE)).toEqual({ cpu: 0 });
    expect(asked).toEqual([]);
    expect(await lookups.roleNamespaceSelector(`${ROLE}-missing`)).toEqual({ exists: false });
    expect(asked).toEqual([`roleNamespaceSelector ${ROLE}-missing`]);
  });

  it('asks the API server about a role with no ResourceRole once; one made later comes through the watch', async () => {
    const role = `${ROLE}-later`;
    asked.length = 0;
    expect(await lookups.roleNamespaceSelector(role)).toEqual({ exists: false });
    expect(await lookups.roleNamespaceSelector(role)).toEqual({ exists: false });
    expect(asked).toEqual([`roleNamespaceSelector ${role}`]);
    await createRole(role, 'later');
    try {
      await eventually('the watch delivered the new ResourceRole', async () => (await lookups.roleNamespaceSelector(role)).exists);
      expect(await lookups.roleNamespaceSelector(role)).toEqual({ exists: true, selector: { matchLabels: { team: 'later' } } });
      expect(asked).toEqual([`roleNamespaceSelector ${role}`]);
    } finally {
      await custom()
        .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole, name: role })
        .catch(() => undefined);
    }
  });

  it("follows a namespace's labels as they change, without asking the API server", async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNamespace(
      { name: ns.name, body: { metadata: { labels: { 'agora-test/changed': 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    asked.length = 0;
    await eventually('the watch delivered the label', async () => (await lookups.namespaceLabels(ns.name))['agora-test/changed'] === 'yes');
    expect(asked).toEqual([]);
  });

  it('answers Frameworks and Task names from the watch, without asking the API server', async () => {
    await create(PLURAL.Framework, 'late', { serviceAccountName: 'sa-late' });
    await create(PLURAL.Task, 'taken', {
      framework: 'late',
      nodeName: 'n',
      resources: { cpu: '1' },
      containers: [{ name: 'c', image: 'i' }],
    });
    await eventually('the watch delivered both', async () => (await lookups.existingTasks(ns.name, ['taken'])).length === 1);
    asked.length = 0;
    expect(await lookups.getFramework(ns.name, 'early')).toEqual({ name: 'early', serviceAccountName: 'sa-early' });
    expect(await lookups.getFramework(ns.name, 'late')).toEqual({ name: 'late', serviceAccountName: 'sa-late' });
    expect(await lookups.frameworksOfServiceAccount(ns.name, 'sa-late')).toEqual(['late']);
    expect(await lookups.existingTasks(ns.name, ['taken', 'free'])).toEqual(['taken']);
    expect(asked).toEqual([]);
  });

  it('asks the API server for a Framework the cache does not have', async () => {
    asked.length = 0;
    expect(await lookups.getFramework(ns.name, 'missing')).toBeUndefined();
    expect(asked).toEqual(['getFramework missing']);
  });

  it("reads a namespace's labels from the API server's watch cache", async () => {
    asked.length = 0;
    expect((await lookups.namespaceLabels(ns.name))['kubernetes.io/metadata.name']).toBe(ns.name);
    expect(asked).toEqual([]);
  });

  it("reads a namespace's labels by name as an identity that may get namespaces but not list them", async () => {
    const admin = kubeConfig();
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const core = admin.makeApiClient(CoreV1Api);
    const name = `agora-test-${ns.name}-ns-get`;
    await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'ns-getter' } } });
    await rbac.createClusterRole({ body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }] } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name: 'ns-getter', namespace: ns.name }],
      },
    });
    const getter = cachedLookups(await tokenKubeConfig(ns.name, 'ns-getter'), kubeLookups(await tokenKubeConfig(ns.name, 'ns-getter')), {
      namespaces: [ns.name],
      log: pino({ level: 'silent' }),
    });
    try {
      // Twice: the first finds the list forbidden, the second goes straight to the read by name.
      for (let i = 0; i < 2; i++) expect((await getter.namespaceLabels(ns.name))['kubernetes.io/metadata.name']).toBe(ns.name);
    } finally {
      await rbac.deleteClusterRoleBinding({ name });
      await rbac.deleteClusterRole({ name });
    }
  });
});
