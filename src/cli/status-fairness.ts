// Pure: the fair share of each framework and the tasks being revoked, for `agora status` — the
// same revocation snapshot the controller builds (controller/revocation-decide.ts), from the
// objects the command listed, and the allocator's fair allocation over it.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { fairShares, type Demand } from '../allocator/index.ts';
import type { IFramework, IOffer, IResourceRole, ITask } from '../api/index.ts';
import type { FrameworkObject, OfferObject, RoleObject, TaskObject } from '../api/objects.ts';
import { keyOf } from '../api/keys.ts';
import { isPodActive, podRequests, taskHolding } from '../api/pod-resources.ts';
import { add, formatQuantity, parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import { frameworkDemand } from '../controller/demand.ts';
import { isNodeReady } from '../controller/nodes.ts';
import { revocationSnapshot, type RevocationView } from '../controller/revocation-decide.ts';
import { isTerminal } from '../api/group.ts';

export interface Fairness {
  /** framework key → fair dominant share (0..1) and its demand in words. */
  frameworks: Map<string, { fairShare: number; demand?: string }>;
}

type Meta = { name?: string; namespace?: string; creationTimestamp?: string | Date };
function meta(m: Meta | undefined): { name: string; namespace: string; creationTimestamp?: Date } {
  return {
    name: m?.name ?? '',
    namespace: m?.namespace ?? '',
    ...(m?.creationTimestamp !== undefined ? { creationTimestamp: new Date(m.creationTimestamp) } : {}),
  };
}

/** `3 × cpu 1, memory 1Gi; 1 × cpu 4` */
export function demandSummary(demand: readonly Demand[] | undefined): string | undefined {
  if (demand === undefined) return undefined;
  if (demand.length === 0) return 'none';
  return demand
    .map(
      (d) =>
        `${d.count} × ${Object.entries(d.resources)
          .filter(([k]) => k !== 'pods')
          .map(([k, v]) => `${k} ${formatQuantity(v, k)}`)
          .join(', ')}`,
    )
    .join('; ');
}

/** The objects `agora status` listed that the fair shares are computed from. */
export interface FairnessInput {
  frameworks: readonly IFramework[];
  offers: readonly IOffer[];
  tasks: readonly ITask[];
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
  /** ResourceRoles (weights, guarantees, limits). */
  roles?: readonly IResourceRole[];
  now: number;
  /** The controller's --fair-sharing-excluded-resources: left out of every dominant share, as the allocator does. */
  excludedResources?: readonly string[];
}

export function fairness(input: FairnessInput): Fairness {
  const tasks: TaskObject[] = input.tasks.map((t) => ({ ...t, metadata: meta(t.metadata) }));
  const offers: OfferObject[] = input.offers.map((o) => ({ ...o, metadata: meta(o.metadata) }));
  const taskKeys = new Set(tasks.map((t) => keyOf(t)));
  const used = new Map<string, ResourceList>();
  const external = new Map<string, ResourceList>();
  const holdings: RevocationView['tasks'] = [];
  for (const t of tasks) {
    if (isTerminal(t.status?.state)) continue;
    let holding: ResourceList;
    try {
      holding = taskHolding(t.spec.resources);
    } catch {
      continue;
    }
    holdings.push({ key: keyOf(t), task: t, holding });
    used.set(t.spec.nodeName, add(used.get(t.spec.nodeName) ?? {}, holding));
  }
  for (const p of input.pods) {
    const node = p.spec?.nodeName;
    if (!node || !isPodActive(p) || taskKeys.has(keyOf(p))) continue;
    external.set(node, add(external.get(node) ?? {}, podRequests(p)));
  }
  const frameworks: RevocationView['frameworks'] = input.frameworks.map((f) => {
    const fw: FrameworkObject = { ...f, metadata: meta(f.metadata) };
    const key = keyOf(fw);
    const mine = <T extends { metadata: { namespace: string }; spec: { framework: string } }>(x: T) =>
      x.metadata.namespace === fw.metadata.namespace && x.spec.framework === fw.metadata.name;
    return {
      key,
      framework: fw,
      demand: frameworkDemand(
        fw,
        () => tasks.filter(mine),
        () => offers.filter(mine),
      ),
    };
  });
  const view: RevocationView = {
    nodes: input.nodes.map((n) => {
      const name = n.metadata?.name ?? '';
      return {
        name,
        allocatable: parseResourceListLenient(n.status?.allocatable as Record<string, unknown> | undefined),
        external: external.get(name) ?? {},
        used: used.get(name) ?? {},
        offerable: n.spec?.unschedulable !== true && isNodeReady(n),
      };
    }),
    roles: (input.roles ?? []).map((r): RoleObject => ({ ...r, metadata: { name: r.metadata?.name ?? '' } })),
    frameworks,
    tasks: holdings,
    now: input.now,
    ...(input.excludedResources !== undefined ? { excludedResources: input.excludedResources } : {}),
  };
  const shares = fairShares(revocationSnapshot(view));
  const demandOf = new Map(frameworks.map((f) => [f.key, demandSummary(f.demand)]));
  return { frameworks: new Map(shares.map((s) => [s.framework, { fairShare: s.fairShare, demand: demandOf.get(s.framework) }])) };
}
