// The chart's RBAC is enough, and no more: the chart is installed, the controller runs out of
// cluster as the chart's ServiceAccount (a TokenRequest token in a kubeconfig) with the exact
// command line of the chart's Deployment, and plays the DRF paper's scenario to the end; the API
// server's authorizer refuses that identity what least privilege says it must not have.
//
// Shared cluster: the controller is scoped to this test's namespace (controller.namespaces) and to
// its own fake node (controller.nodeSelector); the webhooks are off (this controller does not serve
// them here); the chart's own Pods sit on tainted nodes of this test.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../src/api/index.ts';
import { deleteNode, ensureFakeNode, repoRoot } from '../../scripts/cluster/index.ts';
import { useChartNodes } from './support/chart-nodes.ts';
import { CHART, helm } from './support/helm.ts';
import { custom, eventually, kubeConfig, rejection, useNamespace } from './support/kube.ts';

const system = useNamespace('chart-rbac'); // the release namespace: ServiceAccount, leader Lease
const frameworks = useNamespace('chart-rbac-fw'); // where the frameworks run
const chartNodes = useChartNodes(1);
const id = randomBytes(3).toString('hex');
const release = `rbac-${id}`;
const sa = `${release}-agora-controller`;
const user = () => `system:serviceaccount:${system.name}:${sa}`;
const POOL_LABEL = 'agora.dev/test-pool';
const drfNode = `drf-${id}`;

/** A kubeconfig that authenticates with a bound token of the chart's ServiceAccount. */
async function serviceAccountKubeconfig(dir: string): Promise<string> {
  const admin = kubeConfig();
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: sa,
    namespace: system.name,
    body: { spec: { expirationSeconds: 3600, audiences: [] } },
  });
  const cluster = admin.getCurrentCluster()!;
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'local',
          cluster: {
            server: cluster.server,
            ...(cluster.caFile ? { 'certificate-authority': cluster.caFile } : { 'certificate-authority-data': cluster.caData }),
          },
        },
      ],
      users: [{ name: sa, user: { token: token.status?.token } }],
      contexts: [{ name: 'sa', context: { cluster: 'local', user: sa } }],
      'current-context': 'sa',
    }),
    { mode: 0o600 },
  );
  return file;
}

const builtin = (name: string, resources: Record<string, string>) => ({
  apiVersion: API_VERSION,
  kind: 'Framework',
  metadata: { name },
  spec: { builtin: { tasks: 10, template: { resources, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } } },
});

interface FrameworkStatus {
  status?: { tasks?: Record<string, number>; dominantShare?: number; allocated?: Record<string, string> };
}

describe('the chart ServiceAccount runs the controller, and only that', () => {
  const admin = kubeConfig();
  const authz = admin.makeApiClient(AuthorizationV1Api);
  const dir = mkdtempSync(join(tmpdir(), 'agora-chart-rbac-'));
  let kubeconfig = '';
  let controller: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    await ensureFakeNode(admin, { name: drfNode, cpu: '9', memory: '18Gi', labels: { [POOL_LABEL]: id } });
    await helm([
      'install',
      release,
      CHART,
      '--kubeconfig',
      inject('kubeconfig'),
      '--namespace',
      system.name,
      '--skip-crds',
      '--set',
      'webhooks.enabled=false',
      '--set-json',
      `controller.namespaces=${JSON.stringify([frameworks.name])}`,
      '--set',
      `controller.nodeSelector=${POOL_LABEL}=${id}`,
      '--set',
      'controller.allocationInterval=250ms',
      '--set-json',
      `nodeSelector=${JSON.stringify(chartNodes.placement.nodeSelector)}`,
      '--set-json',
      `tolerations=${JSON.stringify(chartNodes.placement.tolerations)}`,
    ]);
    kubeconfig = await serviceAccountKubeconfig(dir);
  }, 120_000);

  afterAll(async () => {
    if (controller && controller.exitCode === null) {
      const exited = new Promise((resolve) => controller!.once('exit', resolve));
      controller.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (controller.exitCode === null) controller.kill('SIGKILL');
    }
    await helm(['uninstall', release, '--kubeconfig', inject('kubeconfig'), '--namespace', system.name, '--ignore-not-found']).catch(
      () => undefined,
    );
    await deleteNode(admin, drfNode);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  describe('what the API server authorizes for the chart ServiceAccount (SubjectAccessReview)', () => {
    const review = async (attrs: {
      verb: string;
      resource: string;
      group?: string;
      namespace?: string;
      subresource?: string;
      name?: string;
    }) => {
      const r = await authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user(),
            groups: ['system:serviceaccounts', `system:serviceaccounts:${system.name}`, 'system:authenticated'],
            resourceAttributes: {
              group: attrs.group ?? '',
              ...attrs,
              namespace: attrs.namespace === 'SYSTEM' ? system.name : attrs.namespace === 'FW' ? frameworks.name : attrs.namespace,
            },
          },
        },
      });
      return r.status?.allowed === true;
    };

    it.each([
      { what: 'watch nodes', verb: 'watch', resource: 'nodes' },
      { what: 'list pods in every namespace', verb: 'list', resource: 'pods' },
      { what: 'create pods in the framework namespace', verb: 'create', resource: 'pods', namespace: 'FW' },
      { what: 'delete pods in the framework namespace', verb: 'delete', resource: 'pods', namespace: 'FW' },
      { what: 'create offers', verb: 'create', resource: 'offers', group: GROUP, namespace: 'FW' },
      { what: 'patch task status', verb: 'patch', resource: 'tasks', subresource: 'status', group: GROUP, namespace: 'FW' },
      { what: 'update task finalizers', verb: 'update', resource: 'tasks', subresource: 'finalizers', group: GROUP, namespace: 'FW' },
      { what: 'patch frameworks', verb: 'patch', resource: 'frameworks', group: GROUP, namespace: 'FW' },
      { what: 'watch framework leases', verb: 'watch', resource: 'leases', group: 'coordination.k8s.io', namespace: 'FW' },
      { what: 'create events', verb: 'create', resource: 'events', namespace: 'FW' },
      { what: 'watch resourceroles', verb: 'watch', resource: 'resourceroles', group: GROUP },
      { what: 'watch maintenance windows', verb: 'watch', resource: 'maintenances', group: GROUP },
      { what: "apply frameworks' reservations", verb: 'update', resource: 'reservations', group: GROUP },
      { what: 'create inverse offers', verb: 'create', resource: 'inverseoffers', group: GROUP, namespace: 'FW' },
      { what: 'patch resourcerole status', verb: 'patch', resource: 'resourceroles', subresource: 'status', group: GROUP },
      {
        what: 'update its own leader Lease',
        verb: 'update',
        resource: 'leases',
        group: 'coordination.k8s.io',
        namespace: 'SYSTEM',
        name: 'RELEASE_LEASE',
      },
      { what: 'create SubjectAccessReviews', verb: 'create', resource: 'subjectaccessreviews', group: 'authorization.k8s.io' },
      { what: "read a Framework's PriorityClass", verb: 'get', resource: 'priorityclasses', group: 'scheduling.k8s.io' },
      { what: 'read namespaces', verb: 'get', resource: 'namespaces' },
      { what: 'watch namespaces (their labels, for the webhooks)', verb: 'watch', resource: 'namespaces' },
    ])('allows: $what', async ({ what: _, ...attrs }) => {
      expect(await review({ ...attrs, name: attrs.name === 'RELEASE_LEASE' ? sa : attrs.name })).toBe(true);
    });

    it.each([
      { what: 'read Secrets in its own namespace', verb: 'get', resource: 'secrets', namespace: 'SYSTEM' },
      { what: 'list Secrets anywhere', verb: 'list', resource: 'secrets' },
      { what: 'read ConfigMaps', verb: 'get', resource: 'configmaps', namespace: 'kube-system' },
      { what: 'create pods in kube-system', verb: 'create', resource: 'pods', namespace: 'kube-system' },
      { what: 'create pods in a namespace it does not manage', verb: 'create', resource: 'pods', namespace: 'default' },
      { what: 'exec into pods', verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'FW' },
      { what: 'delete nodes', verb: 'delete', resource: 'nodes' },
      { what: 'patch nodes', verb: 'patch', resource: 'nodes' },
      { what: 'update node status', verb: 'update', resource: 'nodes', subresource: 'status' },
      { what: 'create Deployments', verb: 'create', resource: 'deployments', group: 'apps', namespace: 'FW' },
      { what: 'create or delete Frameworks (users do that)', verb: 'create', resource: 'frameworks', group: GROUP, namespace: 'FW' },
      { what: 'delete Frameworks', verb: 'delete', resource: 'frameworks', group: GROUP, namespace: 'FW' },
      { what: 'offers outside its namespaces', verb: 'create', resource: 'offers', group: GROUP, namespace: 'default' },
      { what: 'write ResourceRoles', verb: 'update', resource: 'resourceroles', group: GROUP },
      { what: 'schedule maintenance (operators do that)', verb: 'create', resource: 'maintenances', group: GROUP },
      {
        what: 'write leases in framework namespaces (their schedulers heartbeat there)',
        verb: 'update',
        resource: 'leases',
        group: 'coordination.k8s.io',
        namespace: 'FW',
      },
      {
        what: 'take another Lease in its own namespace',
        verb: 'update',
        resource: 'leases',
        group: 'coordination.k8s.io',
        namespace: 'SYSTEM',
        name: 'someone-else',
      },
      { what: 'create ServiceAccount tokens', verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'FW' },
      { what: 'bind ClusterRoles', verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
      { what: 'impersonate users', verb: 'impersonate', resource: 'users' },
      {
        what: 'change webhook configurations',
        verb: 'update',
        resource: 'validatingwebhookconfigurations',
        group: 'admissionregistration.k8s.io',
      },
      { what: 'change CRDs', verb: 'update', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' },
    ])('denies: $what', async ({ what: _, ...attrs }) => {
      expect(await review(attrs)).toBe(false);
    });
  });

  it('the token is that identity: real calls with it are refused where the review said so', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    expect(await rejection(core.listNamespacedSecret({ namespace: system.name }))).toMatch(
      new RegExp(`"${user()}" cannot list resource "secrets"`),
    );
    expect(await rejection(core.deleteNode({ name: drfNode }))).toMatch(/cannot delete resource "nodes"/);
    const pod: V1Pod = { metadata: { name: 'probe' }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } };
    expect(await rejection(core.createNamespacedPod({ namespace: 'kube-system', body: pod, dryRun: 'All' }))).toMatch(
      /cannot create resource "pods" in API group "" in the namespace "kube-system"/,
    );
    expect(await rejection(core.createNamespacedPod({ namespace: frameworks.name, body: pod, dryRun: 'All' }))).toBe('');
    expect((await core.listNode({ labelSelector: `${POOL_LABEL}=${id}` })).items.map((n) => n.metadata?.name)).toEqual([drfNode]);
  });

  it('runs the DRF paper scenario with the chart command line: <1 CPU, 4Gi> x3 and <3 CPU, 1Gi> x2 on a 9 CPU / 18Gi node', async () => {
    const dep = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: sa, namespace: system.name });
    const chartArgs = dep.spec!.template.spec!.containers[0]!.args!;
    expect(chartArgs[0]).toBe('controller');
    // The Deployment's flags as they are, but the listeners on loopback with free ports (several
    // tests may run controllers on this machine at once).
    const loopback = ['--metrics-addr=', '--health-addr=', '--ui-addr='];
    const args = chartArgs.map((a) => {
      const flag = loopback.find((f) => a.startsWith(f));
      return flag === undefined ? a : `${flag}127.0.0.1:0`;
    });
    // This process plays one of the chart's (fake) Pods: it labels that Pod as the leader.
    const core = admin.makeApiClient(CoreV1Api);
    const chartPod = await eventually('a Pod of the chart running with an IP', async () => {
      const list = await core.listNamespacedPod({ namespace: system.name, labelSelector: `app.kubernetes.io/instance=${release}` });
      return list.items.find((p) => p.status?.phase === 'Running' && p.status.podIP);
    });
    controller = spawn(join(repoRoot, 'node_modules/.bin/node'), ['src/cli/main.ts', ...args, `--kubeconfig=${kubeconfig}`], {
      cwd: repoRoot,
      env: { ...process.env, POD_NAMESPACE: system.name, POD_NAME: chartPod.metadata!.name!, KUBECONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    controller.stdout!.on('data', collect);
    controller.stderr!.on('data', collect);
    const exited = new Promise<number | null>((resolve) => controller!.once('exit', resolve));

    const api = custom();
    for (const [name, resources] of [
      ['fw-a', { cpu: '1', memory: '4Gi' }],
      ['fw-b', { cpu: '3', memory: '1Gi' }],
    ] as const) {
      await api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: frameworks.name,
        plural: 'frameworks',
        body: builtin(name, resources),
      });
    }
    const read = async (name: string) =>
      (await api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: frameworks.name,
        plural: 'frameworks',
        name,
      })) as FrameworkStatus;

    // Shares count outstanding offers too (as in Mesos), so wait until the leftover <0 CPU, 4Gi>
    // is not on offer to anyone: then both dominant shares are exactly those of the running tasks.
    let last: unknown;
    await Promise.race([
      eventually(
        'A running 3 and B running 2, dominant shares 2/3 each',
        async () => {
          const [a, b] = await Promise.all([read('fw-a'), read('fw-b')]);
          last = { a: a.status, b: b.status };
          return (
            a.status?.tasks?.running === 3 &&
            b.status?.tasks?.running === 2 &&
            // A: 3 x <1 CPU, 4Gi> = <3/9 CPU, 12/18 memory> -> dominant share 2/3 (memory).
            Math.abs((a.status.dominantShare ?? 0) - 2 / 3) < 1e-3 &&
            // B: 2 x <3 CPU, 1Gi> = <6/9 CPU, 2/18 memory> -> dominant share 2/3 (CPU).
            Math.abs((b.status.dominantShare ?? 0) - 2 / 3) < 1e-3
          );
        },
        60_000,
      ),
      exited.then((code) => {
        throw new Error(`the controller exited (${code}) before the scenario settled`);
      }),
    ]).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}\nlast framework status: ${JSON.stringify(last)}\ncontroller output:\n${output.slice(-4000)}`,
      );
    });

    const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: frameworks.name });
    const running = pods.items.filter((p) => p.status?.phase === 'Running');
    expect(running).toHaveLength(5);
    for (const p of running) expect(p.spec?.nodeName).toBe(drfNode);
    // Leader election went through the chart's Role: the Lease is held by this process.
    const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: sa, namespace: system.name });
    expect(lease.spec?.holderIdentity).toBeTruthy();
    // The leader labelled its Pod through the chart's console Role, and the chart's console
    // Service routes to that Pod alone (not to the other replica's).
    const labelled = await core.listNamespacedPod({ namespace: system.name, labelSelector: 'agora.dev/leader=true' });
    expect(labelled.items.map((p) => p.metadata?.name)).toEqual([chartPod.metadata!.name]);
    const routed = await eventually('the console Service routes to the leader Pod', async () => {
      const slices = await admin
        .makeApiClient(DiscoveryV1Api)
        .listNamespacedEndpointSlice({ namespace: system.name, labelSelector: `kubernetes.io/service-name=${release}-agora-console` });
      const ips = slices.items.flatMap((x) => x.endpoints ?? []).flatMap((e) => e.addresses);
      return ips.length > 0 && ips;
    });
    expect(routed).toEqual([chartPod.status!.podIP]);
    // Nothing it tried was refused.
    expect(output).not.toMatch(/forbidden|cannot (get|list|watch|create|patch|update|delete) resource/i);
  }, 120_000);
});
