// The caches as the allocator's revocation view: every managed framework with its tasks (and what
// each holds) and its demand, every node's allocatable, other Pods and tasks. Revocation plans
// over it; the console and `agora status`'s fair-share column compute each framework's fair
// share from the same view.
import type { OfferObject, TaskObject } from '../api/objects.ts';
import { keyOf } from '../api/keys.ts';
import { taskHolding } from '../api/pod-resources.ts';
import { add, type ResourceList } from '../api/quantity.ts';
import type { ClusterState } from './cluster-state.ts';
import { frameworkDemand } from './demand.ts';
import { isNodeReady } from './nodes.ts';
import type { FrameworkView, NodeView, RevocationView } from './revocation-decide.ts';
import { reservationsByNode } from './reservations-by-node.ts';

export interface RevocationViewOptions {
  manages: (namespace: string | undefined) => boolean;
  now: number;
  excludedResources?: readonly string[];
  /** The task as this process knows it (a notice it wrote that the cache does not show yet). */
  overlay?: (key: string, task: TaskObject) => TaskObject;
}

export function revocationViewOf(state: ClusterState, o: RevocationViewOptions): { view: RevocationView; tasks: Map<string, TaskObject> } {
  const frameworks: FrameworkView[] = [];
  const tasks = new Map<string, TaskObject>();
  const holdings: RevocationView['tasks'] = [];
  for (const fw of state.c.frameworks.list()) {
    if (!o.manages(fw.metadata.namespace) || fw.metadata.deletionTimestamp !== undefined) continue;
    const key = keyOf(fw);
    const own: TaskObject[] = [];
    for (const k of state.taskKeysOfFramework(key)) {
      let t = state.task(k);
      if (t === undefined) continue;
      if (o.overlay !== undefined) t = o.overlay(k, t);
      own.push(t);
      tasks.set(k, t);
      let holding: ResourceList;
      try {
        holding = taskHolding(t.spec.resources);
      } catch {
        continue;
      }
      holdings.push({ key: k, task: t, holding });
    }
    const offers = (): OfferObject[] => {
      const out: OfferObject[] = [];
      for (const ok of state.offerKeysOfFramework(key)) {
        const offer = state.c.offers.get(ok);
        if (offer !== undefined) out.push(offer);
      }
      return out;
    };
    frameworks.push({ key, framework: fw, demand: frameworkDemand(fw, () => own, offers) });
  }
  const reservations = reservationsByNode(state);
  const nodes: NodeView[] = state.c.nodes.list().map((n) => {
    const name = n.metadata!.name!;
    const u = state.usage(name);
    let used: ResourceList = {};
    for (const r of u.frameworks.values()) used = add(used, r);
    const reserved = reservations.get(name);
    return {
      name,
      allocatable: u.allocatable,
      external: u.external,
      used,
      offerable: n.spec?.unschedulable !== true && isNodeReady(n),
      ...(reserved !== undefined ? { reservations: reserved.map((r) => ({ role: r.role, resources: r.resources })) } : {}),
    };
  });
  return {
    view: {
      nodes,
      roles: state.c.roles.list(),
      frameworks,
      tasks: holdings,
      now: o.now,
      ...(o.excludedResources !== undefined ? { excludedResources: o.excludedResources } : {}),
    },
    tasks,
  };
}
