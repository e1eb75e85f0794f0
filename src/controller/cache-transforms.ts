// What the informer caches keep of each object: only the fields the controller reads, as
// controller-runtime's cache transforms do. Every object loses metadata.managedFields and
// kubectl's last-applied annotation (often larger than the rest of the object). A Node keeps
// its labels, spec, allocatable, capacity and conditions (not its image list, often tens of KB).
// A Pod keeps, per container, its name, image and resources (what its requests and its task's
// state are read from), and its status; volumes, env, probes, tolerations and affinity go.
// A transform mutates and returns the object it is given (fresh from the API, never shared).
import type { KubernetesObject, V1Container, V1Node, V1Pod } from '@kubernetes/client-node';

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

export function slimPod(pod: V1Pod): V1Pod {
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
