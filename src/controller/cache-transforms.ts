// What the informer caches keep of each object: only the fields the controller reads, as
// controller-runtime's cache transforms do. Every object loses metadata.managedFields and
// kubectl's last-applied annotation (often larger than the rest of the object). A Node keeps
// its labels, spec, allocatable, capacity and conditions (not its image list, often tens of KB).
// A task's Pod keeps, per container, its name, image and resources (what its requests and its
// task's state are read from), and its status; volumes, env, probes, tolerations and affinity go.
// Any other Pod only holds resources on its node (as in kube-scheduler's NodeInfo): it is kept as
// a new, small object of its identity, node, requests, overhead and phase — most Pods of a big
// cluster are not Agora's, and those are most of the controller's heap.
// A transform may mutate the object it is given (fresh from the API, never shared).
import type { KubernetesObject, V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import { GROUP, LABEL } from '../api/group.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function slimMeta<T extends KubernetesObject>(obj: T): T {
  const m = obj.metadata;
  if (m !== undefined) {
    delete m.managedFields;
    if (m.annotations !== undefined && LAST_APPLIED in m.annotations) delete m.annotations[LAST_APPLIED];
  }
  return obj;
}

export function slimNode(node: V1Node): V1Node {
  slimMeta(node);
  const s = node.status;
  if (s !== undefined) {
    delete s.images;
    delete s.volumesAttached;
    delete s.volumesInUse;
    delete s.daemonEndpoints;
    delete s.nodeInfo;
    delete s.config;
  }
  return node;
}

function slimContainer(c: V1Container): V1Container {
  return {
    name: c.name,
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(c.resources !== undefined ? { resources: c.resources } : {}),
  };
}

/** A Pod of one of Agora's tasks: labelled by the controller, or owned by a Task. */
export function isTaskPod(pod: V1Pod): boolean {
  const m = pod.metadata;
  if (m?.labels?.[LABEL.task] !== undefined) return true;
  return (m?.ownerReferences ?? []).some((r) => r.kind === 'Task' && r.apiVersion.startsWith(`${GROUP}/`));
}

function requestsOnly(c: V1Container): V1Container {
  const requests = c.resources?.requests;
  return { name: c.name, ...(requests !== undefined ? { resources: { requests } } : {}) };
}

export function slimPod(pod: V1Pod): V1Pod {
  if (!isTaskPod(pod)) {
    const m = pod.metadata ?? {};
    const s = pod.spec;
    return {
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: m.deletionTimestamp } : {}),
      },
      ...(s !== undefined
        ? {
            spec: {
              ...(s.nodeName !== undefined ? { nodeName: s.nodeName } : {}),
              containers: (s.containers ?? []).map(requestsOnly),
              ...(s.initContainers !== undefined ? { initContainers: s.initContainers.map(requestsOnly) } : {}),
              ...(s.overhead !== undefined ? { overhead: s.overhead } : {}),
            },
          }
        : {}),
      ...(pod.status?.phase !== undefined ? { status: { phase: pod.status.phase } } : {}),
    };
  }
  slimMeta(pod);
  const s = pod.spec;
  if (s !== undefined) {
    s.containers = (s.containers ?? []).map(slimContainer);
    if (s.initContainers !== undefined) s.initContainers = s.initContainers.map(slimContainer);
    delete s.ephemeralContainers;
    delete s.volumes;
    delete s.tolerations;
    delete s.affinity;
    delete s.topologySpreadConstraints;
    delete s.securityContext;
    delete s.readinessGates;
    delete s.resourceClaims;
  }
  return pod;
}
