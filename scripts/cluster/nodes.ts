// Fake nodes managed by kwok: a Node object with the kwok annotation; kwok makes it Ready,
// heartbeats it and runs the Pods bound to it.
import { CoordinationV1Api, CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';

export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

export interface FakeNodeSpec {
  name: string;
  cpu: string;
  memory: string;
  pods?: string;
  gpus?: number;
  labels?: Record<string, string>;
}

export function fakeNode(spec: FakeNodeSpec): V1Node {
  const resources: Record<string, string> = { cpu: spec.cpu, memory: spec.memory, pods: spec.pods ?? '110', 'ephemeral-storage': '100Gi' };
  if (spec.gpus) resources['nvidia.com/gpu'] = String(spec.gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...(spec.gpus ? { 'agora.dev/gpu': 'true' } : {}),
        ...spec.labels,
      },
    },
    status: { capacity: resources, allocatable: resources },
  };
}

/** Creates the node, or brings an existing one's labels and resources to the spec. */
export async function ensureFakeNode(kc: KubeConfig, spec: FakeNodeSpec): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const want = fakeNode(spec);
  try {
    await core.createNode({ body: want });
    return;
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await core.patchNode(
    { name: spec.name, body: { metadata: { labels: want.metadata!.labels, annotations: want.metadata!.annotations } } },
    merge,
  );
  await core.patchNodeStatus({ name: spec.name, body: { status: want.status } }, merge);
}

/** The annotation by which hack/kwok/stages.yaml makes a fake node's Ready condition False or Unknown. */
export const SIM_NODE_READY_ANNOTATION = 'agora.dev/sim-node-ready';

/**
 * Makes a fake node not Ready ('False': its kubelet says so; 'Unknown': it stopped posting
 * status, as the node lifecycle controller marks it) or Ready again ('True'). kwok applies it
 * (stage agora-node-not-ready) within moments; it stays until changed here.
 */
export async function setFakeNodeReady(kc: KubeConfig, name: string, ready: 'True' | 'False' | 'Unknown'): Promise<void> {
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const value = ready === 'True' ? null : ready;
  await kc.makeApiClient(CoreV1Api).patchNode({ name, body: { metadata: { annotations: { [SIM_NODE_READY_ANNOTATION]: value } } } }, merge);
}

export async function deleteNode(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.deleteNode({ name });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

/** Ready as the controller reads it (one definition for tests, tools and the controller). */
export { isNodeReady as isReady } from '../../src/controller/nodes.ts';

/**
 * Leases in kube-node-lease that name no Node: kwok still renewing a deleted fake node's Lease
 * (and the garbage collector deleting it again), or one not yet collected.
 */
export async function strayNodeLeases(kc: KubeConfig): Promise<number> {
  const nodes = new Set((await kc.makeApiClient(CoreV1Api).listNode({ resourceVersion: '0' })).items.map((n) => n.metadata!.name!));
  const leases = (await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: 'kube-node-lease', resourceVersion: '0' }))
    .items;
  return leases.filter((l) => !nodes.has(l.metadata!.name!)).length;
}

/**
 * Deletes the fake nodes' Leases (this control plane runs no kubelet: kwok holds them all). A
 * kwok that starts while another kwok's Leases are still valid leaves those nodes, and the Pods
 * on them, alone until the Leases run out (--node-lease-duration-seconds); without them it takes
 * every node at once.
 */
export async function releaseNodeLeases(kc: KubeConfig): Promise<void> {
  await kc.makeApiClient(CoordinationV1Api).deleteCollectionNamespacedLease({ namespace: 'kube-node-lease' });
}
