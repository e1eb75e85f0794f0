// Who may reserve for which role, through the API server and the registered webhooks: a tenant's
// real ServiceAccount token answers offers with RESERVE / UNRESERVE. Without the "reserve" verb
// on the role's ResourceRole it is refused, with the field named; with it, an accept that
// reserves more than the offer's unreserved part, or unreserves what is not the role's idle
// dynamic reservation, is refused with the field path of the amount.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import { roleObjectName } from '../../src/api/role-names.ts';
import { startWebhooks, type RunningWebhooks } from '../../src/webhooks/index.ts';
import { waitUntilEnforced } from '../../src/webhooks/probe.ts';
import { custom, kubeConfig, rejection, useNamespace } from './support/kube.ts';

const ns = useNamespace('reserve-authz');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: GROUP, version: VERSION };
const role = `db-${Math.random().toString(16).slice(2, 8)}`;
const clusterRole = `agora-test-reserve-${role}`;

/** A client authenticated with a real token of the ServiceAccount. */
async function tokenClient(namespace: string, name: string): Promise<CustomObjectsApi> {
  const tr = await kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...kubeConfig().getCurrentCluster()!, name: 'local' }],
    users: [{ name, token: tr.status!.token }],
    contexts: [{ name, cluster: 'local', user: name, namespace }],
    currentContext: name,
  });
  return kc.makeApiClient(CustomObjectsApi);
}

describe('RESERVE / UNRESERVE admission (as tenant ServiceAccounts, through the API server)', () => {
  let webhooks: RunningWebhooks;
  let tlsDir = '';
  const tenant: Record<string, CustomObjectsApi> = {};
  let offers = 0;

  /** An Outstanding offer of 4 CPUs to `framework`, 1 CPU of it the role's static reservation and 1 its dynamic one. */
  async function offer(framework: string): Promise<string> {
    const name = `o-${++offers}`;
    const expiresAt = new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await custom().createNamespacedCustomObject({
      ...api,
      namespace: ns.name,
      plural: PLURAL.Offer,
      body: {
        apiVersion: API_VERSION,
        kind: 'Offer',
        metadata: { name, labels: { 'agora.dev/framework': framework } },
        spec: {
          framework,
          nodeName: 'agora-node-1',
          role,
          resources: { cpu: '4', memory: '4Gi' },
          reserved: [
            { role, type: 'Static', resources: { cpu: '1' } },
            { role, type: 'Dynamic', resources: { cpu: '1' } },
          ],
          expiresAt,
        },
      },
    });
    await custom().patchNamespacedCustomObjectStatus(
      { ...api, namespace: ns.name, plural: PLURAL.Offer, name, body: { status: { phase: 'Outstanding' } } },
      MERGE,
    );
    return name;
  }

  const answer = (who: string, name: string, accept: object) =>
    rejection(
      tenant[who]!.patchNamespacedCustomObject(
        { ...api, namespace: ns.name, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks: [], ...accept } } } },
        MERGE,
      ),
    );

  beforeAll(async () => {
    const admin = kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: 'framework' },
        rules: [
          { apiGroups: [GROUP], resources: ['offers'], verbs: ['get', 'list', 'watch', 'patch'] },
          { apiGroups: [GROUP], resources: ['frameworks'], verbs: ['create'] },
        ],
      },
    });
    for (const sa of ['plain', 'reserver']) {
      await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: sa } } });
      await rbac.createNamespacedRoleBinding({
        namespace: ns.name,
        body: {
          metadata: { name: sa },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'framework' },
          subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns.name }],
        },
      });
    }
    // Who may reserve for the role: the "reserve" and "unreserve" verbs on its ResourceRole.
    await rbac.createClusterRole({
      body: {
        metadata: { name: clusterRole },
        rules: [
          { apiGroups: [GROUP], resources: ['resourceroles'], resourceNames: [roleObjectName(role)], verbs: ['reserve', 'unreserve'] },
        ],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: clusterRole },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
        subjects: [{ kind: 'ServiceAccount', name: 'reserver', namespace: ns.name }],
      },
    });
    for (const [fw, sa] of [
      ['fw-plain', 'plain'],
      ['fw-reserver', 'reserver'],
    ] as const) {
      await custom().createNamespacedCustomObject({
        ...api,
        namespace: ns.name,
        plural: PLURAL.Framework,
        body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name: fw }, spec: { role, serviceAccountName: sa } },
      });
    }
    tenant.plain = await tokenClient(ns.name, 'plain');
    tenant.reserver = await tokenClient(ns.name, 'reserver');

    tlsDir = mkdtempSync(join(tmpdir(), 'agora-reserve-tls-'));
    webhooks = await startWebhooks({
      kubeConfig: admin,
      logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
      tlsDir,
      registration: {
        name: `agora-test-${ns.name}`,
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns.name] }] },
        clusterObjectSelector: { matchLabels: { 'agora.dev/webhook-test': ns.name } },
      },
    });
    await webhooks.register();
    await waitUntilEnforced(admin, ns.name);
  });

  afterAll(async () => {
    await webhooks?.unregister();
    await webhooks?.stop();
    const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.deleteClusterRoleBinding({ name: clusterRole }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: clusterRole }).catch(() => undefined);
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });

  it('refuses a RESERVE by a tenant without the reserve verb on the role, naming the field', async () => {
    const why = await answer('plain', await offer('fw-plain'), { reserve: [{ resources: { cpu: '1' } }] });
    expect(why).toContain('spec.accept.reserve');
    expect(why).toContain(`may not reserve for role "${role}"`);
  });

  it('refuses an UNRESERVE by a tenant without the unreserve verb', async () => {
    const why = await answer('plain', await offer('fw-plain'), { unreserve: [{ resources: { cpu: '1' } }] });
    expect(why).toContain('spec.accept.unreserve');
    expect(why).toContain('may not unreserve');
  });

  it('admits a RESERVE of the unreserved part, and an UNRESERVE of the idle dynamic part, by a tenant with the verbs', async () => {
    expect(await answer('reserver', await offer('fw-reserver'), { reserve: [{ resources: { cpu: '2' } }] })).toBe('');
    expect(await answer('reserver', await offer('fw-reserver'), { unreserve: [{ resources: { cpu: '1' } }] })).toBe('');
  });

  it('refuses a RESERVE beyond the unreserved part, and an UNRESERVE of the static part, with the field path of the amount', async () => {
    const over = await answer('reserver', await offer('fw-reserver'), { reserve: [{ resources: { cpu: '3' } }] });
    expect(over).toContain('spec.accept.reserve[0].resources.cpu');
    expect(over).toContain("more than the 2 of the offer's unreserved part");
    const statics = await answer('reserver', await offer('fw-reserver'), { unreserve: [{ resources: { cpu: '2' } }] });
    expect(statics).toContain('spec.accept.unreserve[0].resources.cpu');
  });

  it('spec.builtin.reserve: a tenant without the reserve verb may not make the built-in scheduler reserve; one with it may', async () => {
    const create = (who: string, name: string) =>
      rejection(
        tenant[who]!.createNamespacedCustomObject({
          ...api,
          namespace: ns.name,
          plural: PLURAL.Framework,
          body: {
            apiVersion: API_VERSION,
            kind: 'Framework',
            metadata: { name },
            spec: { role, serviceAccountName: who, builtin: { tasks: 0, reserve: true } },
          },
        }),
      );
    const why = await create('plain', 'builtin-plain');
    expect(why).toContain('spec.builtin.reserve');
    expect(why).toContain(`may not reserve for role "${role}"`);
    expect(await create('reserver', 'builtin-reserver')).toBe('');
  });
});
