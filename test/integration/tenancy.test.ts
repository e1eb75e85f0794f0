// Tenant isolation, as a hostile tenant tries it (issue #13): two tenant namespaces, each with a
// ServiceAccount bound to the Role a framework reasonably needs, and Frameworks naming them. Every
// attack is made with a tenant's real ServiceAccount token through the API server and the
// registered webhooks; each must be denied with the field named, and leave nothing behind — no
// Task, no Pod, the Offer or Framework unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import { startWebhooks, type RunningWebhooks } from '../../src/webhooks/index.ts';
import { waitUntilEnforced } from '../../src/webhooks/probe.ts';
import { custom, eventually, kubeConfig, rejection, tokenKubeConfig, useNamespace } from './support/kube.ts';
import { malformedTask, random } from './support/malformed.ts';

const nsA = useNamespace('tenant-a');
const nsB = useNamespace('tenant-b');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: GROUP, version: VERSION };
const main = { name: 'main', image: 'busybox' };
const withContainer = (c: Record<string, unknown>) => [{ name: 't1', resources: { cpu: '1' }, containers: [{ ...main, ...c }] }];
const sc = (securityContext: Record<string, unknown>) => withContainer({ securityContext });
const C = 'spec.accept.tasks[0].containers[0]';

function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) v = { seLinuxOptions: v };
  return v;
}

/** A client authenticated with a real token of the ServiceAccount. */
const tokenClient = async (namespace: string, name: string): Promise<CustomObjectsApi> =>
  (await tokenKubeConfig(namespace, name)).makeApiClient(CustomObjectsApi);

describe('tenant isolation (as a tenant ServiceAccount, through the API server)', () => {
  let webhooks: RunningWebhooks;
  let tlsDir = '';
  const role = `gold-${Math.random().toString(16).slice(2, 8)}`;
  const tenant: Record<string, CustomObjectsApi> = {};
  let offers = 0;

  const get = (namespace: string, plural: string, name: string) =>
    custom().getNamespacedCustomObject({ ...api, namespace, plural, name }) as Promise<{
      metadata: { resourceVersion: string; finalizers?: string[]; ownerReferences?: unknown[]; labels?: Record<string, string> };
      spec: Record<string, unknown>;
    }>;
  const createAsAdmin = (namespace: string, plural: string, body: object) =>
    custom().createNamespacedCustomObject({ ...api, namespace, plural, body });
  const framework = (name: string, spec: object) => ({ apiVersion: API_VERSION, kind: 'Framework', metadata: { name }, spec });

  async function offer(framework = 'fw-a'): Promise<string> {
    const name = `o-${++offers}`;
    const expiresAt = new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await createAsAdmin(nsA.name, PLURAL.Offer, {
      apiVersion: API_VERSION,
      kind: 'Offer',
      metadata: { name, labels: { 'agora.dev/framework': framework } },
      spec: { framework, nodeName: 'agora-node-1', resources: { cpu: '2', memory: '4Gi' }, expiresAt },
    });
    await custom().patchNamespacedCustomObjectStatus(
      { ...api, namespace: nsA.name, plural: PLURAL.Offer, name, body: { status: { phase: 'Outstanding' } } },
      MERGE,
    );
    return name;
  }

  async function nothingCreated(namespace = nsA.name): Promise<void> {
    const tasks = (await custom().listNamespacedCustomObject({ ...api, namespace, plural: PLURAL.Task })) as { items: unknown[] };
    const pods = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
    expect(tasks.items.filter((t) => (t as { metadata: { name: string } }).metadata.name !== 'running')).toEqual([]);
    expect(pods.items).toEqual([]);
  }

  beforeAll(async () => {
    const admin = kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    // What a framework reasonably needs (issue #13): read/patch its offers, read its tasks, patch
    // tasks to kill them, create/get/update Frameworks, create pods.
    const frameworkRules = [
      { apiGroups: [GROUP], resources: ['offers'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: [GROUP], resources: ['tasks'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
      { apiGroups: [GROUP], resources: ['frameworks'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create'] },
    ];
    for (const ns of [nsA.name, nsB.name]) {
      await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'framework' }, rules: frameworkRules } });
      // `scaler` may update Frameworks but not create Pods.
      await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'scaler' }, rules: [frameworkRules[2]!] } });
      for (const [sa, roleName] of [
        ['sched-a', 'framework'],
        ['sched-b', 'framework'],
        ['scaler', 'scaler'],
      ] as const) {
        await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
        await rbac.createNamespacedRoleBinding({
          namespace: ns,
          body: {
            metadata: { name: sa },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
            subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
          },
        });
      }
    }
    // `deployer` may act as sched-b (impersonate that ServiceAccount only) and write Frameworks.
    await rbac.createNamespacedRole({
      namespace: nsA.name,
      body: {
        metadata: { name: 'deployer' },
        rules: [
          frameworkRules[2]!,
          { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['sched-b'] },
        ],
      },
    });
    await core.createNamespacedServiceAccount({ namespace: nsA.name, body: { metadata: { name: 'deployer' } } });
    await rbac.createNamespacedRoleBinding({
      namespace: nsA.name,
      body: {
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: nsA.name }],
      },
    });
    tenant.deployer = await tokenClient(nsA.name, 'deployer');
    tenant.a = await tokenClient(nsA.name, 'sched-a');
    tenant.scaler = await tokenClient(nsA.name, 'scaler');

    tlsDir = mkdtempSync(join(tmpdir(), 'agora-tenancy-tls-'));
    webhooks = await startWebhooks({
      kubeConfig: admin,
      logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
      tlsDir,
      registration: {
        name: `agora-test-${nsA.name}`,
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [nsA.name, nsB.name] }] },
        clusterObjectSelector: { matchLabels: { 'agora.dev/webhook-test': nsA.name } },
      },
    });
    await webhooks.register();
    await waitUntilEnforced(admin, nsA.name);
    await waitUntilEnforced(admin, nsB.name);

    await custom().createClusterCustomObject({
      ...api,
      plural: PLURAL.ResourceRole,
      body: {
        apiVersion: API_VERSION,
        kind: 'ResourceRole',
        metadata: { name: role },
        spec: { weight: 3, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': nsB.name } } },
      },
    });
    const fwA = (await createAsAdmin(nsA.name, PLURAL.Framework, framework('fw-a', { serviceAccountName: 'sched-a' }))) as {
      metadata: { uid: string };
    };
    await createAsAdmin(nsA.name, PLURAL.Framework, framework('fw-b', { serviceAccountName: 'sched-b' }));
    const builtin = { tasks: 1, template: { resources: { cpu: '100m' }, containers: [main] } };
    await createAsAdmin(nsA.name, PLURAL.Framework, framework('fw-builtin', { builtin }));
    await createAsAdmin(nsA.name, PLURAL.Framework, framework('fw-a-builtin', { serviceAccountName: 'sched-a', builtin }));
    await createAsAdmin(nsA.name, PLURAL.Framework, framework('fw-never', { builtin: { ...builtin, restartPolicy: 'Never' } }));
    await createAsAdmin(nsA.name, PLURAL.Task, {
      apiVersion: API_VERSION,
      kind: 'Task',
      metadata: {
        name: 'running',
        labels: { 'agora.dev/framework': 'fw-a' },
        finalizers: ['agora.dev/test'],
        // A real owner: the garbage collector deletes an object whose owner does not exist.
        ownerReferences: [{ apiVersion: API_VERSION, kind: 'Framework', name: 'fw-a', uid: fwA.metadata.uid }],
      },
      spec: { framework: 'fw-a', nodeName: 'agora-node-1', resources: { cpu: '1' }, containers: [main] },
    });
  });

  afterAll(async () => {
    await webhooks?.unregister();
    await webhooks?.stop();
    await custom()
      .patchNamespacedCustomObject(
        { ...api, namespace: nsA.name, plural: PLURAL.Task, name: 'running', body: { metadata: { finalizers: null } } },
        MERGE,
      )
      .catch(() => undefined);
    for (const name of [role, `${role}-q`, `${role}-q.a`]) {
      await custom()
        .deleteClusterCustomObject({ ...api, plural: PLURAL.ResourceRole, name })
        .catch(() => undefined);
    }
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });

  it('admits the normal accept of a tenant (the table below is not denied for being wrong in some other way)', async () => {
    const name = await offer();
    const patch = tenant.a!.patchNamespacedCustomObject(
      { ...api, namespace: nsA.name, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks: withContainer({}) } } } },
      MERGE,
    );
    expect(await rejection(patch)).toBe('');
  });

  // Accepts: each is the Pod the controller would create, checked as a valid Pod within the Pod
  // Security baseline (every control a task's fields can reach).
  it.each([
    ['resizePolicy as an object (issue 1)', withContainer({ resizePolicy: { resourceName: 'cpu' } }), `${C}.resizePolicy: must be a list`],
    ['a 100-deep securityContext (issue 1)', sc(nested(100)), `nests objects and lists more than 32 levels deep`],
    [
      'capabilities.add as a string (issue 8)',
      sc({ capabilities: { add: 'SYS_ADMIN' } }),
      `${C}.securityContext.capabilities.add: must be a list`,
    ],
    ['a 1 MiB image name (issue 8)', withContainer({ image: 'a'.repeat(1 << 20) }), `${C}.image: is 1048576 characters long; at most 512`],
    [
      'the AppArmor annotation (issue 2)',
      [{ ...withContainer({})[0], annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } }],
      'spec.accept.tasks[0].annotations[container.apparmor.security.beta.kubernetes.io/main]: the AppArmor profile unconfined is not allowed',
    ],
    [
      'a liveness probe host (issue 3)',
      withContainer({ livenessProbe: { httpGet: { host: '169.254.169.254', port: 80 } } }),
      `${C}.livenessProbe.httpGet.host: a httpGet host (169.254.169.254) is not allowed`,
    ],
    [
      'a postStart hook host (issue 3)',
      withContainer({ lifecycle: { postStart: { httpGet: { host: '169.254.169.254', port: 80 } } } }),
      `${C}.lifecycle.postStart.httpGet.host: a httpGet host`,
    ],
    [
      'a preStop tcpSocket host',
      withContainer({ lifecycle: { preStop: { tcpSocket: { host: '10.0.0.1', port: 22 } } } }),
      `${C}.lifecycle.preStop.tcpSocket.host`,
    ],
    ['PSS: privileged', sc({ privileged: true }), `${C}.securityContext.privileged: privileged containers are not allowed`],
    [
      'PSS: capabilities',
      sc({ capabilities: { add: ['SYS_ADMIN'] } }),
      `${C}.securityContext.capabilities.add[0]: adding capability SYS_ADMIN`,
    ],
    [
      'PSS: host ports',
      withContainer({ ports: [{ containerPort: 80, hostPort: 80 }] }),
      `${C}.ports[0].hostPort: host ports are not allowed`,
    ],
    ['PSS: host network', withContainer({ hostNetwork: true }), `${C}.hostNetwork: hostNetwork is a Pod field`],
    ['PSS: host PID', withContainer({ hostPID: true }), `${C}.hostPID: hostPID is a Pod field`],
    ['PSS: host IPC', withContainer({ hostIPC: true }), `${C}.hostIPC: hostIPC is a Pod field`],
    ['PSS: hostPath volumes', withContainer({ volumes: [{ name: 'h', hostPath: { path: '/' } }] }), `${C}.volumes: volumes is a Pod field`],
    ['PSS: sysctls', withContainer({ sysctls: [{ name: 'kernel.msgmax', value: '1' }] }), `${C}.sysctls: unknown container field`],
    [
      'PSS: HostProcess',
      sc({ windowsOptions: { hostProcess: true } }),
      `${C}.securityContext.windowsOptions.hostProcess: host process containers`,
    ],
    [
      'PSS: AppArmor field',
      sc({ appArmorProfile: { type: 'Unconfined' } }),
      `${C}.securityContext.appArmorProfile.type: an AppArmor profile of type Unconfined`,
    ],
    [
      'PSS: seccomp',
      sc({ seccompProfile: { type: 'Unconfined' } }),
      `${C}.securityContext.seccompProfile.type: a seccomp profile of type Unconfined`,
    ],
    [
      'PSS: seccomp annotation',
      [{ ...withContainer({})[0], annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }],
      'spec.accept.tasks[0].annotations[seccomp.security.alpha.kubernetes.io/pod]: the seccomp profile unconfined',
    ],
    ['PSS: SELinux type', sc({ seLinuxOptions: { type: 'spc_t' } }), `${C}.securityContext.seLinuxOptions.type: the SELinux type spc_t`],
    ['PSS: SELinux user', sc({ seLinuxOptions: { user: 'root' } }), `${C}.securityContext.seLinuxOptions.user: a custom SELinux user`],
    ['PSS: SELinux role', sc({ seLinuxOptions: { role: 'sysadm_r' } }), `${C}.securityContext.seLinuxOptions.role: a custom SELinux role`],
    ['PSS: /proc mount', sc({ procMount: 'Unmasked' }), `${C}.securityContext.procMount: procMount Unmasked`],
  ])('denies an accept with %s, and nothing is created', async (_name, tasks, want) => {
    const name = await offer();
    const before = await get(nsA.name, PLURAL.Offer, name);
    const patch = tenant.a!.patchNamespacedCustomObject(
      { ...api, namespace: nsA.name, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks } } } },
      MERGE,
    );
    const message = await rejection(patch);
    expect(message).toContain('admission webhook "offers.agora.dev" denied the request: ');
    expect(message).toContain(want);
    const after = await get(nsA.name, PLURAL.Offer, name);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec.accept).toBeUndefined();
    await nothingCreated();
  });

  it('denies each of 30 seeded malformed accepts naming a task field, never failing itself, and creates nothing', async () => {
    const r = random(7);
    for (let i = 0; i < 30; i++) {
      const name = await offer();
      const tasks = [malformedTask(`fz-${i}`, r)];
      const message = await rejection(
        tenant.a!.patchNamespacedCustomObject(
          { ...api, namespace: nsA.name, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks } } } },
          MERGE,
        ),
      );
      expect(message, JSON.stringify(tasks).slice(0, 300)).toMatch(
        /^admission webhook "offers\.agora\.dev" denied the request: spec\.accept\.tasks\[0\]\./,
      );
    }
    await nothingCreated();
  });

  it('lets a namespace opt in (Pod Security admission enforcing "privileged"), and holds it to the baseline again once it opts out', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const label = (value: string | null) =>
      core.patchNamespace({ name: nsA.name, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': value } } } }, MERGE);
    const acceptPrivileged = async () => {
      const name = await offer();
      const tasks = sc({ privileged: true });
      return rejection(
        tenant.a!.patchNamespacedCustomObject(
          { ...api, namespace: nsA.name, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks } } } },
          MERGE,
        ),
      );
    };
    const denied = `${C}.securityContext.privileged: privileged containers are not allowed in namespace "${nsA.name}"`;
    expect(await acceptPrivileged()).toContain(denied);
    // A stricter level is no opt-in.
    await label('baseline');
    try {
      expect(await acceptPrivileged()).toContain(denied);
      await label('privileged');
      // Namespace labels are read from the API server's watch cache: milliseconds stale.
      await eventually('the privileged accept to be admitted', async () => (await acceptPrivileged()) === '', 10_000);
    } finally {
      await label(null);
    }
    await eventually('the baseline to apply again', async () => (await acceptPrivileged()).includes(denied), 10_000);
  });

  // Metadata of the controller's objects (issue 5).
  it.each([
    ["removes a Task's ownerReferences", PLURAL.Task, 'running', { metadata: { ownerReferences: null } }, 'metadata.ownerReferences'],
    [
      'adds a finalizer to a Task',
      PLURAL.Task,
      'running',
      { metadata: { finalizers: ['agora.dev/test', 'tenant.io/keep'] } },
      'metadata.finalizers',
    ],
    [
      "relabels a Task's framework",
      PLURAL.Task,
      'running',
      { metadata: { labels: { 'agora.dev/framework': 'fw-b' } } },
      'metadata.labels[agora.dev/framework]',
    ],
    ['adds a finalizer to an Offer', PLURAL.Offer, '', { metadata: { finalizers: ['tenant.io/keep'] } }, 'metadata.finalizers'],
  ])('denies a framework that %s', async (_name, plural, fixed, body, wantPath) => {
    const name = fixed || (await offer());
    const before = await get(nsA.name, plural, name);
    const message = await rejection(tenant.a!.patchNamespacedCustomObject({ ...api, namespace: nsA.name, plural, name, body }, MERGE));
    expect(message).toContain(`denied the request: ${wantPath}: user "system:serviceaccount:${nsA.name}:sched-a" may not change`);
    expect((await get(nsA.name, plural, name)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  // Frameworks: identity (issue 4), roles (issue 6), scaling (issue 7), templates.
  const template = (over: Record<string, unknown> = {}) => ({ resources: { cpu: '100m' }, containers: [main], ...over });
  it.each([
    [
      "sets another framework's ServiceAccount to its own",
      'a',
      'fw-b',
      { spec: { serviceAccountName: 'sched-a' } },
      'spec: user "system:serviceaccount:NS:sched-a" may not change framework "fw-b": it runs as ServiceAccount "sched-b"',
    ],
    [
      'suppresses another framework',
      'a',
      'fw-b',
      { spec: { suppressed: true } },
      'spec: user "system:serviceaccount:NS:sched-a" may not change framework "fw-b"',
    ],
    ["changes another framework's role", 'a', 'fw-b', { spec: { role: 'other' } }, 'may not change framework "fw-b"'],
    [
      'names another ServiceAccount for its own framework',
      'a',
      'fw-a',
      { spec: { serviceAccountName: 'sched-b' } },
      'spec.serviceAccountName: user "system:serviceaccount:NS:sched-a" may not make framework "fw-a" run as ServiceAccount "sched-b"',
    ],
    [
      'uses a role limited to another namespace',
      'a',
      'fw-a',
      { spec: { role: 'ROLE' } },
      'spec.role: role "ROLE" may not be used in namespace "NS"',
    ],
    [
      "scales another's built-in framework without create pods",
      'scaler',
      'fw-builtin',
      { spec: { builtin: { tasks: 12 } } },
      'spec.builtin.template: user "system:serviceaccount:NS:scaler" may not create pods',
    ],
    [
      "makes another's built-in framework replace failed tasks without create pods",
      'scaler',
      'fw-never',
      { spec: { builtin: { restartPolicy: 'OnFailure' } } },
      'spec.builtin.template: user "system:serviceaccount:NS:scaler" may not create pods',
    ],
    [
      'gives a built-in template the AppArmor annotation',
      'a',
      'fw-a-builtin',
      {
        spec: { builtin: { template: template({ annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } }) } },
      },
      'spec.builtin.template.annotations[container.apparmor.security.beta.kubernetes.io/main]: the AppArmor profile unconfined',
    ],
    [
      'gives a built-in template resizePolicy as an object',
      'a',
      'fw-a-builtin',
      { spec: { builtin: { template: template({ containers: [{ ...main, resizePolicy: { resourceName: 'cpu' } }] }) } } },
      'spec.builtin.template.containers[0].resizePolicy: must be a list',
    ],
  ])('denies a framework that %s', async (_name, who, name, body, want) => {
    const before = await get(nsA.name, PLURAL.Framework, name);
    const message = await rejection(
      tenant[who]!.patchNamespacedCustomObject(
        { ...api, namespace: nsA.name, plural: PLURAL.Framework, name, body: JSON.parse(JSON.stringify(body).replaceAll('ROLE', role)) },
        MERGE,
      ),
    );
    expect(message).toContain('admission webhook "frameworks.agora.dev" denied the request: ');
    expect(message).toContain(want.replaceAll('NS', nsA.name).replaceAll('ROLE', role));
    expect((await get(nsA.name, PLURAL.Framework, name)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    await nothingCreated();
  });

  it("denies a child role's guarantee beyond its parent's, naming the field", async () => {
    const createRole = (name: string, spec: object) =>
      custom().createClusterCustomObject({
        ...api,
        plural: PLURAL.ResourceRole,
        body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name, labels: { 'agora.dev/webhook-test': nsA.name } }, spec },
      });
    expect(await rejection(createRole(`${role}-q`, { guarantee: { cpu: '4' } }))).toBe('');
    expect(await rejection(createRole(`${role}-q.a`, { guarantee: { cpu: '5' } }))).toContain(
      `spec.guarantee.cpu: the children of "${role}-q" would be guaranteed 5 cpu in all (this role 5, its siblings 0), more than "${role}-q" guarantees (4)`,
    );
    expect(await rejection(createRole(`${role}-q.a`, { guarantee: { cpu: '3' } }))).toBe('');
  });

  it('denies creating a built-in Framework whose template is no valid Pod, breaks the baseline, or that its writer may not launch; creates none', async () => {
    const create = (who: string, name: string, containers: object[], serviceAccountName?: string) =>
      rejection(
        tenant[who]!.createNamespacedCustomObject({
          ...api,
          namespace: nsA.name,
          plural: PLURAL.Framework,
          body: framework(name, {
            ...(serviceAccountName ? { serviceAccountName } : {}),
            builtin: { tasks: 1, template: template({ containers }) },
          }),
        }),
      );
    const T = 'spec.builtin.template.containers[0]';
    expect(await create('a', 'tpl-priv', [{ ...main, securityContext: { privileged: true } }], 'sched-a')).toContain(
      `${T}.securityContext.privileged: privileged containers are not allowed in namespace "${nsA.name}"`,
    );
    expect(await create('a', 'tpl-probe', [{ ...main, startupProbe: { tcpSocket: { host: '10.0.0.1', port: 22 } } }], 'sched-a')).toContain(
      `${T}.startupProbe.tcpSocket.host: a tcpSocket host (10.0.0.1) is not allowed`,
    );
    expect(await create('a', 'tpl-type', [{ ...main, securityContext: { capabilities: { add: 'SYS_ADMIN' } } }], 'sched-a')).toContain(
      `${T}.securityContext.capabilities.add: must be a list`,
    );
    expect(await create('scaler', 'tpl-nopods', [main])).toContain(
      `spec.builtin.template: user "system:serviceaccount:${nsA.name}:scaler" may not create pods in namespace "${nsA.name}"`,
    );
    for (const name of ['tpl-priv', 'tpl-probe', 'tpl-type', 'tpl-nopods']) {
      expect(await rejection(get(nsA.name, PLURAL.Framework, name))).toMatch(/not found/);
    }
    await nothingCreated();
  });

  it('lets an identity allowed to impersonate a ServiceAccount name it and change its framework, and no other', async () => {
    const deployer = tenant.deployer!;
    const create = (name: string, serviceAccountName: string) =>
      deployer.createNamespacedCustomObject({
        ...api,
        namespace: nsA.name,
        plural: PLURAL.Framework,
        body: framework(name, { serviceAccountName }),
      });
    const who = `user "system:serviceaccount:${nsA.name}:deployer"`;
    expect(await rejection(create('as-b', 'sched-b'))).toBe('');
    expect(await rejection(create('as-a', 'sched-a'))).toContain(
      `spec.serviceAccountName: ${who} may not make framework "as-a" run as ServiceAccount "sched-a": name your own ServiceAccount, or get permission to impersonate "sched-a"`,
    );
    expect(await rejection(get(nsA.name, PLURAL.Framework, 'as-a'))).toMatch(/not found/);
    const change = (name: string, spec: object) =>
      rejection(
        deployer.patchNamespacedCustomObject({ ...api, namespace: nsA.name, plural: PLURAL.Framework, name, body: { spec } }, MERGE),
      );
    // fw-b runs as sched-b, which the deployer may act as; fw-a runs as sched-a, which it may not.
    expect(await change('fw-b', { suppressed: true })).toBe('');
    expect(await change('fw-b', { suppressed: false })).toBe('');
    expect(await change('fw-a', { suppressed: true })).toContain(
      `spec: ${who} may not change framework "fw-a": it runs as ServiceAccount "sched-a"`,
    );
    expect(await change('as-b', { serviceAccountName: 'sched-a' })).toContain(
      `spec.serviceAccountName: ${who} may not make framework "as-b" run as ServiceAccount "sched-a"`,
    );
  });

  it('denies creating a Framework that names another ServiceAccount or a role of another namespace, and creates none', async () => {
    const create = (spec: object) =>
      tenant.a!.createNamespacedCustomObject({ ...api, namespace: nsA.name, plural: PLURAL.Framework, body: framework('intruder', spec) });
    expect(await rejection(create({ serviceAccountName: 'sched-b' }))).toContain(
      'spec.serviceAccountName: user "system:serviceaccount:' +
        nsA.name +
        ':sched-a" may not make framework "intruder" run as ServiceAccount "sched-b"',
    );
    expect(await rejection(create({ role }))).toContain(`spec.role: role "${role}" may not be used in namespace "${nsA.name}"`);
    // A subrole would use the role's reservations and quota: its namespaceSelector applies too.
    expect(await rejection(create({ role: `${role}/batch` }))).toContain(
      `spec.role: role "${role}/batch" may not be used in namespace "${nsA.name}": the ResourceRole of its ancestor "${role}" (${role}):`,
    );
    // A multi-role framework: each role is checked, and the error names its index in spec.roles.
    expect(await rejection(create({ roles: ['default', role] }))).toContain(
      `spec.roles[1]: role "${role}" may not be used in namespace "${nsA.name}"`,
    );
    expect(await rejection(get(nsA.name, PLURAL.Framework, 'intruder'))).toMatch(/not found/);
    // Its own ServiceAccount, a role without a selector: fine.
    expect(await rejection(create({ serviceAccountName: 'sched-a', role: 'default' }))).toBe('');
    // In the namespace the role selects, the same role is admitted.
    const b = await tokenClient(nsB.name, 'sched-b');
    expect(
      await rejection(
        b.createNamespacedCustomObject({
          ...api,
          namespace: nsB.name,
          plural: PLURAL.Framework,
          body: framework('gold', { serviceAccountName: 'sched-b', role }),
        }),
      ),
    ).toBe('');
  });
});
