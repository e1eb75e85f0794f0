// The local control plane behaves as a real cluster: Ready kwok nodes, Pods that run and finish,
// ServiceAccount tokens, RBAC, and the real /version.
import { AuthenticationV1Api, CoreV1Api, KubeConfig, VersionApi, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { clusterPaths, deleteNode, ensureFakeNode, isAlive, isReady, startExtraScheduler, up } from '../../scripts/cluster/index.ts';
import { eventually, kubeConfig, rejection, useNamespace } from './support/kube.ts';

const ns = useNamespace('cp');

const pod = (name: string, node: string, annotations: Record<string, string> = {}): V1Pod => ({
  metadata: { name, annotations },
  spec: {
    nodeName: node,
    restartPolicy: 'Never',
    containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
  },
});

describe('local control plane', () => {
  const core = () => kubeConfig().makeApiClient(CoreV1Api);

  it('reports the pinned Kubernetes release', async () => {
    const v = await kubeConfig().makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toBe('v1.34.4');
  });

  it('has Ready fake nodes managed by kwok', async () => {
    const nodes = (await core().listNode({ labelSelector: 'type=kwok' })).items;
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    expect(nodes.filter(isReady).length).toBe(nodes.length);
  });

  it('runs a Pod bound to a fake node', async () => {
    await core().createNamespacedPod({ namespace: ns.name, body: pod('runs', 'agora-node-1') });
    const phase = await eventually('pod Running', async () => {
      const p = await core().readNamespacedPod({ name: 'runs', namespace: ns.name });
      return p.status?.phase === 'Running' && p.status.podIP ? p.status.phase : undefined;
    });
    expect(phase).toBe('Running');
  });

  it.each([
    { name: 'finishes', exitCode: '0', wantPhase: 'Succeeded', wantExit: 0 },
    { name: 'crashes', exitCode: '3', wantPhase: 'Failed', wantExit: 3 },
  ])('simulates a task that $name (exit $exitCode)', async ({ name, exitCode, wantPhase, wantExit }) => {
    await core().createNamespacedPod({
      namespace: ns.name,
      body: pod(name, 'agora-node-2', { 'agora.dev/sim-exit-code': exitCode, 'agora.dev/sim-run-duration': '500ms' }),
    });
    const p = await eventually(`pod ${wantPhase}`, async () => {
      const got = await core().readNamespacedPod({ name, namespace: ns.name });
      return got.status?.phase === wantPhase ? got : undefined;
    });
    expect(p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(wantExit);
  });

  it('restarts kwok on reuse when its stages changed since it started', async () => {
    const paths = clusterPaths();
    type State = { processes: { name: string; pid: number }[]; kwokConfigDigest?: string };
    const read = (): State => JSON.parse(readFileSync(paths.state, 'utf8')) as State;
    const kwokPid = () => read().processes.find((p) => p.name === 'kwok')!.pid;
    const before = read();
    const oldPid = kwokPid();
    // As a kwok started from an older checkout's hack/kwok files would be recorded.
    writeFileSync(paths.state, JSON.stringify({ ...before, kwokConfigDigest: 'older-stages' }, null, 2));
    const lines: string[] = [];
    const again = await up({ log: (l) => lines.push(l) });
    expect(again.reused).toBe(true);
    expect(lines.join('\n')).toMatch(/kwok's configuration \(hack\/kwok\) changed since it started: restarting kwok/);
    expect(kwokPid()).not.toBe(oldPid);
    expect(isAlive(kwokPid())).toBe(true);
    expect(read().kwokConfigDigest).toBe(before.kwokConfigDigest);
    // The new kwok runs Pods, and a second reuse leaves it alone.
    await core().createNamespacedPod({ namespace: ns.name, body: pod('after-restart', 'agora-node-1') });
    await eventually('pod Running after the restart', async () => {
      const p = await core().readNamespacedPod({ name: 'after-restart', namespace: ns.name });
      return p.status?.phase === 'Running' || undefined;
    });
    const pid = kwokPid();
    lines.length = 0;
    await up({ log: (l) => lines.push(l) });
    expect(lines.join('\n')).not.toMatch(/restarting kwok/);
    expect(kwokPid()).toBe(pid);
  });

  it('issues ServiceAccount tokens that authenticate and are bound by RBAC', async () => {
    await core().createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'robot' } } });
    const tr = await core().createNamespacedServiceAccountToken({
      name: 'robot',
      namespace: ns.name,
      body: { spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    expect(token).toMatch(/^ey/);
    const admin = kubeConfig();
    const asRobot = new KubeConfig();
    asRobot.loadFromOptions({
      clusters: [{ ...admin.getCurrentCluster()!, name: 'local' }],
      users: [{ name: 'robot', token }],
      contexts: [{ name: 'robot', cluster: 'local', user: 'robot' }],
      currentContext: 'robot',
    });
    const review = await asRobot.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns.name}:robot`);
    // RBAC: a fresh ServiceAccount may not list nodes.
    expect(await rejection(asRobot.makeApiClient(CoreV1Api).listNode())).toMatch(/forbidden/);
  });

  it('adds a GPU node with extended resources and removes it', async () => {
    const kc = kubeConfig();
    await ensureFakeNode(kc, { name: 'gpu-test-node', cpu: '16', memory: '64Gi', gpus: 2, labels: { 'agora.dev/pool': 'gpu-test' } });
    const node = await eventually('GPU node Ready', async () => {
      const n = await core().readNode({ name: 'gpu-test-node' });
      return isReady(n) ? n : undefined;
    });
    expect(node.status?.allocatable?.['nvidia.com/gpu']).toBe('2');
    expect(node.metadata?.labels?.['agora.dev/gpu']).toBe('true');
    await deleteNode(kc, 'gpu-test-node');
  });

  it('runs an extra kube-scheduler that places its own Pods, recorded for cluster:down while it runs', async () => {
    const extras = () => (JSON.parse(readFileSync(clusterPaths().state, 'utf8')) as { extras?: { pid: number }[] }).extras ?? [];
    const sched = await startExtraScheduler({ schedulerName: `extra-${ns.name}`, qps: 10, burst: 20 });
    const [proc] = extras().filter((p) => isAlive(p.pid));
    try {
      expect(proc).toBeDefined();
      const body = pod('extra', 'unused');
      delete body.spec!.nodeName;
      body.spec!.schedulerName = sched.schedulerName;
      body.spec!.nodeSelector = { 'kubernetes.io/hostname': 'agora-node-1' };
      await core().createNamespacedPod({ namespace: ns.name, body });
      const node = await eventually(
        'Pod bound by the extra scheduler',
        async () => (await core().readNamespacedPod({ name: 'extra', namespace: ns.name })).spec?.nodeName,
      );
      expect(node).toBe('agora-node-1');
    } finally {
      await sched.stop();
    }
    expect(isAlive(proc!.pid)).toBe(false);
    expect(extras().map((p) => p.pid)).not.toContain(proc!.pid);
  });
});
