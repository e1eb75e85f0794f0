// allocate(snapshot, now): the stateless form of the allocator, for callers that rebuild
// everything each time (tests, tools, a first controller). It loads a fresh Allocator and runs
// one cycle. The long-lived Allocator is the better choice in the controller: it keeps the
// sorter's allocation counts (a tie-break) and re-sorts only what changed between cycles.
import { Allocator } from './allocator.ts';
import type { AllocatorOptions, CycleOptions, CycleResult, FrameworkInfo, NodeInfo, OfferInfo, ResourceList, RoleInfo } from './types.ts';

export interface Snapshot {
  nodes: NodeInfo[];
  frameworks: FrameworkInfo[];
  roles?: RoleInfo[];
  /** Resources of each framework's tasks per node. */
  allocations?: { framework: string; node: string; resources: ResourceList }[];
  /** Outstanding offers. */
  offers?: OfferInfo[];
  /** Active decline filters. */
  filters?: { framework: string; node: string; resources: ResourceList; until: number }[];
}

export function allocate(snapshot: Snapshot, now: number, options: AllocatorOptions & CycleOptions = {}): CycleResult {
  const a = new Allocator(options);
  for (const r of snapshot.roles ?? []) a.upsertRole(r);
  for (const n of snapshot.nodes) a.upsertNode(n);
  for (const f of snapshot.frameworks) a.upsertFramework(f);
  for (const x of snapshot.allocations ?? []) a.setAllocation(x.framework, x.node, x.resources);
  for (const o of snapshot.offers ?? []) a.upsertOffer(o);
  for (const f of snapshot.filters ?? []) a.addFilter(f.framework, f.node, f.resources, f.until);
  return a.allocate(now, { explain: options.explain });
}
