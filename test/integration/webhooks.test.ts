// The admission webhooks through the real API server: the server runs in this process, is
// registered against the local control plane (scoped to this file's namespace, so other tests
// sharing the cluster are unaffected), and answers are written as the frameworks' own
// ServiceAccounts, with merge patches as `kubectl patch --type merge` sends them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import { DEFAULT_ACCESS_REVIEW_CACHE } from '../../src/webhooks/access-review-cache.ts';
import { startWebhooks, type RunningWebhooks } from '../../src/webhooks/index.ts';
import { waitUntilEnforced } from '../../src/webhooks/probe.ts';
import { toolPath } from '../../scripts/cluster/index.ts';
import { custom, kubeConfig, rejection, useNamespace } from './support/kube.ts';
import { run, type RunResult } from './support/run.ts';

const ns = useNamespace('webhooks');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: GROUP, version: VERSION };
const main = { name: 'main', image: 'busybox' };
const task = (name: string, resources: Record<string, string>, containers: object[] = [main]) => ({ name, resources, containers });

/** A client (and a kubeconfig file, for kubectl) authenticated as a ServiceAccount of the namespace. */
async function asServiceAccount(name: string, dir: string): Promise<{ kc: KubeConfig; file: string }> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const tr = await core.createNamespacedServiceAccountToken({
    name,
    namespace: ns.name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...kubeConfig().getCurrentCluster()!, name: 'local' }],
    users: [{ name, token: tr.status!.token }],
    contexts: [{ name, cluster: 'local', user: name, namespace: ns.name }],
    currentContext: name,
  });
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(file, dump(JSON.parse(kc.exportConfig())), { mode: 0o600 });
  return { kc, file };
}

/** Runs kubectl asynchronously: the webhook server answering it lives in this process's event loop. */
function kubectl(kubeconfig: string, args: string[], input?: string): Promise<RunResult> {
  return run(toolPath('kubectl'), ['--kubeconfig', kubeconfig, '-n', ns.name, ...args], { input: input ?? '' });
}

describe('admission webhooks (registered with the API server)', () => {
  let webhooks: RunningWebhooks;
  let tlsDir = '';
  let kubeconfigDir = '';
  const as: Record<string, { kc: KubeConfig; file: string }> = {};

  const frameworkBody = (name: string, spec: object) => ({ apiVersion: API_VERSION, kind: 'Framework', metadata: { name }, spec });
  const createAsAdmin = (plural: string, body: object) =>
    custom().createNamespacedCustomObject({ ...api, namespace: ns.name, plural, body });

  /** Creates an Outstanding offer as the controller would (admin plays the controller). */
  async function offer(
    name: string,
    framework: string,
    opts: { cpu?: string; memory?: string; expiresInSeconds?: number; phase?: string; reason?: string } = {},
  ) {
    const expiresAt = new Date(Date.now() + (opts.expiresInSeconds ?? 60) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    await createAsAdmin(PLURAL.Offer, {
      apiVersion: API_VERSION,
      kind: 'Offer',
      metadata: { name },
      spec: { framework, nodeName: 'agora-node-1', resources: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi' }, expiresAt },
    });
    await custom().patchNamespacedCustomObjectStatus(
      {
        ...api,
        namespace: ns.name,
        plural: PLURAL.Offer,
        name,
        body: { status: { phase: opts.phase ?? 'Outstanding', ...(opts.reason ? { reason: opts.reason } : {}) } },
      },
      MERGE,
    );
  }

  const patchAs = (who: string, plural: string, name: string, body: object) =>
    as[who]!.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...api, namespace: ns.name, plural, name, body }, MERGE);
  const accept = (who: string, name: string, tasks: object[]) => patchAs(who, PLURAL.Offer, name, { spec: { accept: { tasks } } });

  beforeAll(async () => {
    const admin = kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    // Framework schedulers: may read and answer offers, kill tasks, create frameworks and pods.
    // `no-pods` may answer offers but not create Pods; `nobody` may create Frameworks but not Pods;
    // `revocable` answers like `no-pods` and is given (then denied) Pods by its test.
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: 'scheduler' },
        rules: [
          {
            apiGroups: [GROUP],
            resources: ['offers', 'tasks', 'frameworks', 'inverseoffers'],
            verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
          },
          { apiGroups: [GROUP], resources: ['offers/status'], verbs: ['update', 'patch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list'] },
        ],
      },
    });
    await rbac.createNamespacedRole({
      namespace: ns.name,
      body: {
        metadata: { name: 'answerer' },
        rules: [{ apiGroups: [GROUP], resources: ['offers', 'frameworks'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }],
      },
    });
    kubeconfigDir = mkdtempSync(join(tmpdir(), 'agora-webhooks-kc-'));
    for (const sa of ['sched-a', 'sched-b', 'open', 'no-pods', 'revocable']) {
      await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: sa } } });
      await rbac.createNamespacedRoleBinding({
        namespace: ns.name,
        body: {
          metadata: { name: sa },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'Role',
            name: sa === 'no-pods' || sa === 'revocable' ? 'answerer' : 'scheduler',
          },
          subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns.name }],
        },
      });
      as[sa] = await asServiceAccount(sa, kubeconfigDir);
    }

    tlsDir = mkdtempSync(join(tmpdir(), 'agora-webhooks-tls-'));
    webhooks = await startWebhooks({
      kubeConfig: admin,
      logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
      tlsDir,
      registration: {
        name: `agora-test-${ns.name}`,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } },
        clusterObjectSelector: { matchLabels: { 'agora.dev/webhook-test': ns.name } },
      },
    });
    await webhooks.register();
    await waitUntilEnforced(admin, ns.name);

    await createAsAdmin(PLURAL.Framework, frameworkBody('fw-a', { serviceAccountName: 'sched-a' }));
    await createAsAdmin(PLURAL.Framework, frameworkBody('fw-b', { serviceAccountName: 'sched-b' }));
    await createAsAdmin(PLURAL.Framework, frameworkBody('fw-open', {}));
  });

  afterAll(async () => {
    await webhooks?.unregister();
    await webhooks?.stop();
    for (const dir of [tlsDir, kubeconfigDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('answers', () => {
    it('lets a framework accept its own offer with tasks that fit exactly', async () => {
      await offer('fits', 'fw-a');
      expect(
        await rejection(
          accept('sched-a', 'fits', [task('fits-1', { cpu: '1500m', memory: '1Gi' }), task('fits-2', { cpu: '500m', memory: '3Gi' })]),
        ),
      ).toBe('');
      const got = (await custom().getNamespacedCustomObject({ ...api, namespace: ns.name, plural: PLURAL.Offer, name: 'fits' })) as {
        spec: { accept?: { tasks: unknown[] } };
      };
      expect(got.spec.accept?.tasks).toHaveLength(2);
    });

    it('lets a framework decline its own offer, and anyone RBAC allows answer a framework without a ServiceAccount', async () => {
      await offer('declined', 'fw-a');
      expect(await rejection(patchAs('sched-a', PLURAL.Offer, 'declined', { spec: { decline: { refuseSeconds: 10 } } }))).toBe('');
      await offer('open-offer', 'fw-open');
      expect(await rejection(accept('open', 'open-offer', [task('open-1', { cpu: '1' })]))).toBe('');
    });

    it('rejects an over-accept, naming the task and resource, with the totals', async () => {
      await offer('over', 'fw-a');
      expect(await rejection(accept('sched-a', 'over', [task('over-1', { cpu: '1500m' }), task('over-2', { cpu: '1' })]))).toMatch(
        /^admission webhook "offers\.agora\.dev" denied the request: spec\.accept\.tasks\[1\]\.resources\.cpu: the 2 tasks ask for 2500m cpu in total but the offer has 2 \(over by 500m\); accept fewer or smaller tasks$/,
      );
    });

    it('rejects a task that asks for a resource the offer lacks, or for none of one', async () => {
      await offer('gpu', 'fw-a');
      expect(await rejection(accept('sched-a', 'gpu', [task('gpu-1', { cpu: '1', 'nvidia.com/gpu': '1' })]))).toMatch(
        /spec\.accept\.tasks\[0\]\.resources\[nvidia\.com\/gpu\]: the offer has no nvidia\.com\/gpu; ask only for offered resources \(cpu 2, memory 4Gi\)/,
      );
      expect(await rejection(accept('sched-a', 'gpu', [task('gpu-1', { cpu: '0' })]))).toMatch(
        /spec\.accept\.tasks\[0\]\.resources\.cpu: must be positive, got "0"/,
      );
    });

    it('rejects a second answer', async () => {
      await offer('twice', 'fw-a');
      expect(await rejection(accept('sched-a', 'twice', [task('twice-1', { cpu: '1' })]))).toBe('');
      // The CRD's transition rule answers before the webhook is asked; either way the change is refused.
      expect(await rejection(accept('sched-a', 'twice', [task('twice-2', { cpu: '1' })]))).toMatch(
        /spec\.accept: .*(written once|already accepted)/,
      );
      expect(await rejection(patchAs('sched-a', PLURAL.Offer, 'twice', { spec: { decline: {} } }))).toMatch(
        /accept or decline, not both|already accepted/,
      );
    });

    it('rejects an accept of an expired offer, and of a rescinded one', async () => {
      await offer('expired', 'fw-a', { expiresInSeconds: -5 });
      expect(await rejection(accept('sched-a', 'expired', [task('expired-1', { cpu: '1' })]))).toMatch(
        /spec\.accept: the offer expired at \S+ \(\d+s ago\); only an unexpired offer can be answered/,
      );
      await offer('rescinded', 'fw-a', { phase: 'Rescinded', reason: 'NodeLost' });
      expect(await rejection(accept('sched-a', 'rescinded', [task('rescinded-1', { cpu: '1' })]))).toMatch(
        /spec\.accept: the offer is Rescinded \(NodeLost\); only an Outstanding offer can be answered/,
      );
    });

    it("rejects a framework answering another framework's offer", async () => {
      await offer('not-yours', 'fw-a');
      expect(await rejection(accept('sched-b', 'not-yours', [task('steal-1', { cpu: '1' })]))).toMatch(
        new RegExp(
          `denied the request: spec\\.accept: user "system:serviceaccount:${ns.name}:sched-b" may not answer this offer: framework "fw-a" is answered only by its ServiceAccount "sched-a"`,
        ),
      );
      await offer('open-2', 'fw-open');
      expect(await rejection(patchAs('sched-b', PLURAL.Offer, 'open-2', { spec: { decline: {} } }))).toMatch(
        /spec\.decline: user "\S+:sched-b" is the ServiceAccount of framework "fw-b" and may not answer this offer for framework "fw-open"/,
      );
    });

    it('lets a framework answer only its own inverse offers, and creates none', async () => {
      const body = {
        apiVersion: API_VERSION,
        kind: 'InverseOffer',
        metadata: { name: 'fw-a.disk.node-1' },
        spec: { framework: 'fw-a', nodeName: 'node-1', maintenance: 'disk', start: '2030-01-01T00:00:00Z', end: '2030-01-01T01:00:00Z' },
      };
      expect(
        await rejection(
          as['sched-a']!.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
            ...api,
            namespace: ns.name,
            plural: PLURAL.InverseOffer,
            body: { ...body, metadata: { name: 'forged' } },
          }),
        ),
      ).toMatch(/spec: user "\S+:sched-a" may not create InverseOffers/);
      await createAsAdmin(PLURAL.InverseOffer, body);
      expect(await rejection(patchAs('sched-b', PLURAL.InverseOffer, body.metadata.name, { spec: { answer: 'Accept' } }))).toMatch(
        /spec\.answer: user "\S+:sched-b" may not answer this inverse offer: framework "fw-a" is answered only by its ServiceAccount "sched-a"/,
      );
      expect(
        await rejection(patchAs('sched-a', PLURAL.InverseOffer, body.metadata.name, { spec: { answer: 'Decline', message: 'we stay' } })),
      ).toBe('');
    });

    it('rejects an accept by a writer who may not create pods', async () => {
      await offer('no-pods', 'fw-open');
      expect(await rejection(accept('no-pods', 'no-pods', [task('np-1', { cpu: '1' })]))).toMatch(
        /spec\.accept: user "\S+:no-pods" may not create pods in namespace "\S+", so it may not launch tasks there/,
      );
    });

    it("honours a revocation of create pods within the cached answer's TTL", async () => {
      // `revocable` answers offers through the `answerer` Role and creates Pods through its own
      // binding; deleting that binding must show within DEFAULT_ACCESS_REVIEW_CACHE.allowedTtlMs.
      const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace: ns.name,
        body: { metadata: { name: 'pod-creator' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }] },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns.name,
        body: {
          metadata: { name: 'revocable-pods' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-creator' },
          subjects: [{ kind: 'ServiceAccount', name: 'revocable', namespace: ns.name }],
        },
      });
      await createAsAdmin(PLURAL.Framework, frameworkBody('fw-rev', { serviceAccountName: 'revocable' }));
      await offer('rev-0', 'fw-rev');
      expect(await rejection(accept('revocable', 'rev-0', [task('rev-0-t', { cpu: '1' })]))).toBe('');

      await rbac.deleteNamespacedRoleBinding({ name: 'revocable-pods', namespace: ns.name });
      const revokedAt = Date.now();
      let message = '';
      for (let i = 1; message === ''; i++) {
        await offer(`rev-${i}`, 'fw-rev');
        message = await rejection(accept('revocable', `rev-${i}`, [task(`rev-${i}-t`, { cpu: '1' })]));
        if (message === '') await sleep(250);
      }
      const tookMs = Date.now() - revokedAt;
      expect(message).toMatch(/spec\.accept: user "\S+:revocable" may not create pods in namespace/);
      // The TTL, plus what one offer round trip can take on a loaded machine.
      expect(tookMs).toBeLessThan(DEFAULT_ACCESS_REVIEW_CACHE.allowedTtlMs + 5_000);
    }, 60_000);

    it('rejects a smuggled privileged pod, unless the namespace allows it', async () => {
      await offer('smuggle', 'fw-a');
      const privileged = { ...main, securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } };
      expect(await rejection(accept('sched-a', 'smuggle', [task('smuggle-1', { cpu: '1' }, [privileged])]))).toMatch(
        /spec\.accept\.tasks\[0\]\.containers\[0\]\.securityContext\.privileged: privileged containers are not allowed in namespace "\S+" \(an administrator can allow it with the namespace label agora\.dev\/allow-privileged=true or pod-security\.kubernetes\.io\/enforce=privileged\); spec\.accept\.tasks\[0\]\.containers\[0\]\.securityContext\.capabilities\.add\[0\]: adding capability SYS_ADMIN is not allowed/,
      );
      expect(await rejection(accept('sched-a', 'smuggle', [task('smuggle-1', { cpu: '1' }, [{ ...main, hostNetwork: true }])]))).toMatch(
        /containers\[0\]\.hostNetwork: hostNetwork is a Pod field, not a container field/,
      );
      await kubeConfig()
        .makeApiClient(CoreV1Api)
        .patchNamespace({ name: ns.name, body: { metadata: { labels: { 'agora.dev/allow-privileged': 'true' } } } }, MERGE);
      try {
        expect(await rejection(accept('sched-a', 'smuggle', [task('smuggle-1', { cpu: '1' }, [privileged])]))).toBe('');
      } finally {
        await kubeConfig()
          .makeApiClient(CoreV1Api)
          .patchNamespace({ name: ns.name, body: { metadata: { labels: { 'agora.dev/allow-privileged': null } } } }, MERGE);
      }
    });

    it('rejects a framework changing what only the controller writes, or creating offers', async () => {
      await offer('extend', 'fw-a');
      expect(await rejection(patchAs('sched-a', PLURAL.Offer, 'extend', { spec: { expiresAt: '2099-01-01T00:00:00Z' } }))).toMatch(
        /spec\.expiresAt: user "\S+" may not change an Offer's spec\.expiresAt: only the Agora controller may/,
      );
      const create = as['sched-a']!.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...api,
        namespace: ns.name,
        plural: PLURAL.Offer,
        body: {
          apiVersion: API_VERSION,
          kind: 'Offer',
          metadata: { name: 'self-made' },
          spec: { framework: 'fw-a', nodeName: 'agora-node-1', resources: { cpu: '64' } },
        },
      });
      expect(await rejection(create)).toMatch(/may not create Offers: offers are made by the Agora controller/);
      // RBAC would normally keep offers/status from a framework; this role grants it, so the webhook has to.
      const status = as['sched-a']!.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
        { ...api, namespace: ns.name, plural: PLURAL.Offer, name: 'extend', body: { status: { phase: 'Accepted' } } },
        MERGE,
      );
      expect(await rejection(status)).toMatch(
        /denied the request: status: user "\S+:sched-a" may not write offers\/status: only the Agora controller does/,
      );
    });

    it('shows kubectl users the same one-line message', async () => {
      await offer('kubectl', 'fw-a');
      const patch = JSON.stringify({ spec: { accept: { tasks: [task('k-1', { cpu: '3' })] } } });
      const res = await kubectl(as['sched-a']!.file, ['patch', 'offer', 'kubectl', '--type', 'merge', '-p', patch]);
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(
        'The request is invalid: admission webhook "offers.agora.dev" denied the request: spec.accept.tasks[0].resources.cpu: the task asks for 3 cpu in total but the offer has 2 (over by 1); accept fewer or smaller tasks',
      );
    });
  });

  describe('tasks', () => {
    beforeAll(async () => {
      await createAsAdmin(PLURAL.Task, {
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: { name: 'running' },
        spec: { framework: 'fw-a', nodeName: 'agora-node-1', resources: { cpu: '1' }, containers: [main] },
      });
    });

    it('rejects a Task created by a framework', async () => {
      const create = as['sched-a']!.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...api,
        namespace: ns.name,
        plural: PLURAL.Task,
        body: {
          apiVersion: API_VERSION,
          kind: 'Task',
          metadata: { name: 'sneaky' },
          spec: { framework: 'fw-a', nodeName: 'agora-node-1', resources: { cpu: '64' }, containers: [main] },
        },
      });
      expect(await rejection(create)).toMatch(
        /admission webhook "tasks\.agora\.dev" denied the request: spec: user "\S+" may not create Tasks: tasks are made by the Agora controller from an accepted offer/,
      );
    });

    it("lets only the task's framework kill it", async () => {
      expect(await rejection(patchAs('sched-b', PLURAL.Task, 'running', { spec: { kill: true } }))).toMatch(
        /spec\.kill: user "\S+:sched-b" may not kill this task: framework "fw-a" is answered only by its ServiceAccount "sched-a"/,
      );
      expect(await rejection(patchAs('sched-a', PLURAL.Task, 'running', { spec: { kill: true } }))).toBe('');
    });

    it('rejects a task name that is already taken', async () => {
      await offer('dup-task', 'fw-a');
      expect(await rejection(accept('sched-a', 'dup-task', [task('running', { cpu: '1' })]))).toMatch(
        /spec\.accept\.tasks\[0\]\.name: a Task named "running" already exists/,
      );
    });
  });

  describe('frameworks', () => {
    it('fills in defaults', async () => {
      const created = (await createAsAdmin(
        PLURAL.Framework,
        frameworkBody('defaults', { defaultRefuseSeconds: 12, builtin: { tasks: 0 } }),
      )) as { spec: { role: string; builtin: { tasksPerOffer: number; refuseSeconds: number } } };
      expect(created.spec.role).toBe('default');
      expect(created.spec.builtin).toMatchObject({ tasksPerOffer: 1, refuseSeconds: 12 });
    });

    it("rejects a built-in template that asks for more than its writer's rights", async () => {
      const body = frameworkBody('escalate', {
        builtin: { tasks: 1, template: { resources: { cpu: '1' }, containers: [{ ...main, securityContext: { privileged: true } }] } },
      });
      const asSched = as['sched-a']!.kc.makeApiClient(CustomObjectsApi);
      expect(await rejection(asSched.createNamespacedCustomObject({ ...api, namespace: ns.name, plural: PLURAL.Framework, body }))).toMatch(
        /admission webhook "frameworks\.agora\.dev" denied the request: spec\.builtin\.template\.containers\[0\]\.securityContext\.privileged: privileged containers are not allowed/,
      );
      const plain = frameworkBody('no-pods-template', { builtin: { tasks: 1, template: { resources: { cpu: '1' }, containers: [main] } } });
      expect(
        await rejection(
          as['no-pods']!.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
            ...api,
            namespace: ns.name,
            plural: PLURAL.Framework,
            body: plain,
          }),
        ),
      ).toMatch(/spec\.builtin\.template: user "\S+:no-pods" may not create pods in namespace/);
      expect(
        await rejection(asSched.createNamespacedCustomObject({ ...api, namespace: ns.name, plural: PLURAL.Framework, body: plain })),
      ).toBe('');
    });

    it('warns that a failover timeout does nothing for a built-in framework', async () => {
      const manifest = JSON.stringify(frameworkBody('builtin-failover', { failoverTimeoutSeconds: 30, builtin: { tasks: 0 } }));
      const res = await kubectl(as['sched-a']!.file, ['create', '-f', '-'], manifest);
      expect(res.code).toBe(0);
      expect(res.stderr.trim()).toBe('Warning: spec.failoverTimeoutSeconds is ignored for a built-in framework (spec.builtin is set)');
    });
  });
});
