// The allocator's public face, after Mesos's HierarchicalDRFAllocator: the controller tells
// it what exists (nodes, frameworks, roles, task allocations, outstanding offers) and what
// frameworks said (decline, accept, suppress, revive); allocate(now) returns decisions.
// Pure: no I/O, no timers, no clock of its own, no randomness — same calls, same decisions.
import { nodeFree } from '../api/fit.ts';
import { DEFAULT_REFUSE_SECONDS } from '../api/group.ts';
import type { ResourceList } from '../api/quantity.ts';
import { runCycle, type Nomination } from './cycle.ts';
import { addInto, dominantShare, grow, zeros } from './vectors.ts';
import { AllocatorState, type FrameworkState, type OfferState } from './state.ts';
import { DEFAULT_ROLE } from '../api/role-names.ts';
import type {
  AllocatorOptions,
  CycleOptions,
  CycleResult,
  Demand,
  Explanation,
  FrameworkInfo,
  FrameworkStanding,
  NodeInfo,
  OfferInfo,
  RoleInfo,
  RoleStanding,
  Snapshot,
} from './types.ts';

/** Mesos's default --min_allocatable_resources: cpus:0.01|mem:32 (MB). */
export const DEFAULT_MIN_ALLOCATABLE: readonly ResourceList[] = [{ cpu: 10 }, { memory: 32 * 2 ** 20 }];
/** Mesos's --filter_gpu_resources, on by default. */
export const DEFAULT_SCARCE_RESOURCES: readonly string[] = ['nvidia.com/gpu'];
/** Kubernetes's per-node Pod count: every task is a Pod. */
export const DEFAULT_TASK_SLOT_RESOURCES: readonly string[] = ['pods'];
/** Mesos's default refuse_seconds for a decline without one. */

export class Allocator {
  private readonly options: AllocatorOptions;
  private readonly s: AllocatorState;
  /** What upsertFramework and upsertRole were last told, for snapshot(). */
  private readonly frameworkInfos = new Map<string, FrameworkInfo>();
  private readonly roleInfos = new Map<string, RoleInfo>();
  private readonly nominations = new Map<string, Nomination>();
  private readonly offerTimeoutMs: number;
  private readonly minAllocatable: readonly ResourceList[];
  private readonly offerId: (framework: string, node: string, seq: number) => string;
  private seq = 0;

  constructor(options: AllocatorOptions = {}) {
    this.options = options;
    this.s = new AllocatorState(
      [...(options.scarceResources ?? DEFAULT_SCARCE_RESOURCES)],
      options.taskSlotResources ?? DEFAULT_TASK_SLOT_RESOURCES,
      options.fairSharingExcludedResources ?? [],
    );
    this.offerTimeoutMs = options.offerTimeoutMs ?? Infinity;
    this.minAllocatable = options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE;
    this.offerId = options.offerId ?? ((_f, _n, seq) => `offer-${seq}`);
  }

  // ---- what exists ----------------------------------------------------------------------

  /** Adds or replaces a node (allocatable, external use, labels, reservations, readiness). */
  upsertNode(info: NodeInfo): void {
    this.s.declareNode(info);
  }

  /** The node is gone: its outstanding offers are rescinded (NodeGone) at the next cycle. */
  removeNode(name: string): void {
    this.s.undeclareNode(name);
  }

  /**
   * Adds or replaces a framework. Turning `suppressed` off (or a role's suppression) is a
   * revive: its filters in that role go. A role it no longer lists keeps the allocations
   * charged to it until they are set to zero (its offers there are rescinded, FrameworkGone).
   */
  upsertFramework(info: FrameworkInfo): void {
    this.frameworkInfos.set(info.name, info);
    for (const f of this.s.declareFramework(info)) this.s.clearFilters(f);
  }

  /** The framework is gone: its offers are rescinded (FrameworkGone); its tasks stay counted until set to zero. */
  removeFramework(name: string): void {
    this.frameworkInfos.delete(name);
    this.s.undeclareFramework(name);
  }

  upsertRole(info: RoleInfo): void {
    this.roleInfos.set(info.name, info);
    this.s.declareRole(info);
  }

  /** Forgets the role's weight and quota (frameworks may still name it: weight 1, no quota). */
  removeRole(name: string): void {
    this.roleInfos.delete(name);
    this.s.undeclareRole(name);
  }

  /**
   * The resources of `framework`'s tasks on `node` (absolute, not a delta; `{}` = none).
   * Level-triggered: call it with the sum of the requests of the framework's non-terminal
   * Pods on that node launched in `role` (default: its first role). Either may be unknown yet.
   */
  setAllocation(framework: string, node: string, resources: ResourceList, role?: string): void {
    const f = this.s.client(framework, role);
    const n = this.s.node(node);
    this.s.setAllocation(f, n, this.s.space.vec(resources));
    this.s.forgetNodeIfUnused(n);
    this.s.forgetFrameworkIfUnused(f);
  }

  // ---- offers ---------------------------------------------------------------------------

  /**
   * Records an outstanding offer the allocator did not make in this process (after a
   * restart, from Offer objects). Idempotent for an offer it already knows.
   */
  upsertOffer(offer: OfferInfo): void {
    const existing = this.s.offers.get(offer.id);
    const f = this.s.client(offer.framework, offer.role);
    if (existing !== undefined) {
      if (existing.framework === f && existing.node.name === offer.node) return;
      this.s.removeOffer(existing);
    }
    const n = this.s.node(offer.node);
    this.s.addOffer({
      id: offer.id,
      framework: f,
      node: n,
      role: f.role,
      resources: this.s.space.vec(offer.resources),
      createdAt: offer.createdAt,
      nodeSlot: -1,
      frameworkSlot: -1,
    });
  }

  /**
   * The offer reached its framework at `at` (its object was written): its timeout counts from
   * then, not from the cycle that decided it, so a write delayed by the client's rate limit does
   * not shorten the framework's time to answer.
   */
  offerPublished(offerId: string, at: number): void {
    const o = this.s.offers.get(offerId);
    if (o !== undefined && at > o.createdAt) o.createdAt = at;
  }

  /** The offer is no longer outstanding (accepted, declined, rescinded, expired, deleted). */
  removeOffer(offerId: string): void {
    const o = this.s.offers.get(offerId);
    if (o !== undefined) this.s.removeOffer(o);
  }

  /**
   * DECLINE: the offer's resources go back, and the node is not offered to the framework
   * again for refuseSeconds (Infinity: until revive) unless its free resources grow beyond
   * what was declined. refuseSeconds 0 installs no filter.
   */
  decline(offerId: string, now: number, refuseSeconds = DEFAULT_REFUSE_SECONDS): void {
    const o = this.s.offers.get(offerId);
    if (o === undefined) return;
    const nom = this.nominations.get(o.node.name);
    if (nom !== undefined && nom.framework === o.framework.name) nom.cleared = true;
    this.s.removeOffer(o);
    if (refuseSeconds > 0 && o.framework.declared) {
      this.s.filters.add(o.framework.id, o.node.id, o.resources, now + refuseSeconds * 1000);
    }
  }

  /**
   * ACCEPT: `used` (the launched tasks' resources) is added to the framework's allocation on
   * the node, the rest goes back at once; with refuseSeconds, the rest is also filtered as if
   * declined (Mesos does so with a 5 s default; here it is opt-in).
   */
  accept(offerId: string, now: number, used: ResourceList, refuseSeconds = 0): void {
    const o = this.s.offers.get(offerId);
    if (o === undefined) throw new Error(`accept: no outstanding offer ${offerId}`);
    const usedVec = this.s.space.vec(used);
    for (let i = 0; i < usedVec.length; i++) {
      if (usedVec[i]! > (i < o.resources.length ? o.resources[i]! : 0)) {
        throw new Error(`accept ${offerId}: ${this.s.space.names[i]} ${usedVec[i]} exceeds the offered ${o.resources[i] ?? 0}`);
      }
    }
    this.s.removeOffer(o);
    // The tasks are the role's the offer was made for (Mesos: the offer's allocation role).
    const f = this.s.client(o.framework.name, o.role.name);
    const n = this.s.node(o.node.name);
    const current = grow(n.allocations.get(f.id) ?? zeros(0), this.s.width);
    const next = new Float64Array(current);
    addInto(next, usedVec);
    this.s.setAllocation(f, n, next);
    if (refuseSeconds > 0 && f.declared) {
      const rest = new Float64Array(grow(o.resources, this.s.width));
      addInto(rest, usedVec, -1);
      this.s.filters.add(f.id, n.id, rest, now + refuseSeconds * 1000);
    }
  }

  /** Installs a refuse filter directly (e.g. rebuilt from a recent decline after failover); per role (default its first). */
  addFilter(framework: string, node: string, resources: ResourceList, until: number, role?: string): void {
    const f = this.declaredIn(framework, role)[0];
    const n = this.s.nodes.get(node);
    if (f === undefined || n === undefined) return;
    this.s.filters.add(f.id, n.id, this.s.space.vec(resources), until);
  }

  /** REVIVE: clears the framework's filters and un-suppresses it, in `role` or (none named) in all of its roles. */
  revive(framework: string, role?: string): void {
    for (const f of this.declaredIn(framework, role, true)) {
      f.suppressed = false;
      this.s.clearFilters(f);
    }
  }

  /** SUPPRESS: the framework is offered nothing in `role` or (none named) in any role, until revived. */
  suppress(framework: string, role?: string): void {
    for (const f of this.declaredIn(framework, role, true)) {
      if (f.suppressed) continue;
      f.suppressed = true;
      this.s.frameworksEpoch++;
    }
  }

  /** The declared framework in `role`; with no role, its first role, or (`all`) every role. */
  private declaredIn(framework: string, role: string | undefined, all = false): FrameworkState[] {
    const g = this.s.frameworks.get(framework);
    if (g === undefined) return [];
    if (role === undefined) return all ? g.roles : g.roles.slice(0, 1);
    return g.roles.filter((f) => f.role.name === role);
  }

  // ---- the cycle ------------------------------------------------------------------------

  /**
   * One allocation cycle at time `now` (ms). Apply `rescinds` first, then `offers`. A node
   * with an outstanding offer gets no other until that one is gone (see cycle.ts).
   */
  allocate(now: number, options: CycleOptions = {}): CycleResult {
    const minAllocatable = this.minAllocatable.map((m) => this.s.space.vec(m));
    const taskSlots = this.s.taskSlots(); // a name no node has is not in the space
    for (const [node, nom] of this.nominations) if (nom.until <= now) this.nominations.delete(node);
    return runCycle(
      this.s,
      {
        offerTimeoutMs: this.offerTimeoutMs,
        minAllocatable,
        taskSlots,
        newOfferId: (f, n) => this.offerId(f, n, ++this.seq),
        nominations: this.nominations.size > 0 ? this.nominations : undefined,
      },
      now,
      options.explain === true,
    );
  }

  /**
   * Why `framework` (every framework when none is named) would get no offer if a cycle ran at
   * `now`: the cycle is run, with refusals collected, on a copy loaded from snapshot(), so this
   * allocator — its offers, filters, sorter counts and memos — is left exactly as it was. The
   * copy starts its DRF tie-break counts at zero, so between frameworks of equal share it may
   * pick another one than the next real cycle would.
   */
  explain(now: number, framework?: string): Explanation {
    const copy = Allocator.from(this.snapshot(), { ...this.options, offerId: (_f, _n, seq) => `explain-${seq}` });
    const r = copy.allocate(now, { explain: true });
    const concerns = (x: { framework?: string }) => framework === undefined || x.framework === undefined || x.framework === framework;
    return { offers: r.offers, refusals: (r.refusals ?? []).filter(concerns) };
  }

  /** A new allocator that knows what `snapshot` says. */
  static from(snapshot: Snapshot, options: AllocatorOptions = {}): Allocator {
    const a = new Allocator(options);
    for (const r of snapshot.roles ?? []) a.upsertRole(r);
    for (const n of snapshot.nodes) a.upsertNode(n);
    for (const f of snapshot.frameworks) a.upsertFramework(f);
    for (const x of snapshot.allocations ?? []) a.setAllocation(x.framework, x.node, x.resources, x.role);
    for (const o of snapshot.offers ?? []) a.upsertOffer(o);
    for (const f of snapshot.filters ?? []) a.addFilter(f.framework, f.node, f.resources, f.until, f.role);
    for (const { node, ...nomination } of snapshot.nominations ?? []) a.nominations.set(node, nomination);
    return a;
  }

  /**
   * Revocation frees resources on `node` for `framework` (kube-scheduler's nominatedNodeName):
   * until `until` (ms) the node is offered to no other framework, and the framework gets it
   * in its DRF turn; declining an offer on the node ends the nomination. Nominating the same
   * framework with the same `until` again changes nothing (a declined one stays ended).
   */
  nominate(node: string, framework: string, until: number): void {
    const cur = this.nominations.get(node);
    if (cur !== undefined && cur.framework === framework && cur.until === until) return;
    if (cur !== undefined && !cur.cleared && cur.until > until) return;
    this.nominations.set(node, { framework, until, cleared: false });
  }

  // ---- what it knows --------------------------------------------------------------------

  /** What this allocator knows, as plain data (Allocator.from(snapshot()) decides as it would). Reads only. */
  snapshot(): Snapshot {
    const { s } = this;
    const nodes: NodeInfo[] = [];
    const allocations: NonNullable<Snapshot['allocations']> = [];
    for (const n of s.nodes.values()) {
      if (n.declared && n.info !== undefined) nodes.push(n.info);
      for (const [id, v] of n.allocations) {
        const f = s.frameworkById_(id)!;
        allocations.push({ framework: f.name, node: n.name, resources: s.space.list(v), role: f.role.name });
      }
    }
    const frameworks: FrameworkInfo[] = [];
    for (const g of s.frameworks.values()) {
      if (!g.declared) continue;
      // suppress() and revive() change each role's `suppressed` after upsertFramework.
      const suppressedRoles = g.roles.filter((f) => f.suppressed).map((f) => f.role.name);
      frameworks.push({ ...(this.frameworkInfos.get(g.name) ?? { name: g.name }), suppressed: false, suppressedRoles });
    }
    const filters = s.filters.list().map((x) => {
      const f = s.frameworkById_(x.framework)!;
      return { framework: f.name, node: s.nodeById(x.node)!.name, resources: s.space.list(x.resources), until: x.until, role: f.role.name };
    });
    const nominations = [...this.nominations].map(([node, n]) => ({ node, ...n }));
    return { nodes, frameworks, roles: [...this.roleInfos.values()], allocations, offers: this.offers(), filters, nominations };
  }

  /** Σ allocatable of the known nodes. */
  clusterTotal(): ResourceList {
    return this.s.space.list(this.s.total);
  }

  frameworkStatus(name: string): FrameworkStanding | undefined {
    const g = this.s.frameworks.get(name);
    if (g === undefined) return undefined;
    const { space, shareTotal, width } = this.s;
    const allocated = zeros(width);
    const offered = zeros(width);
    const held = zeros(width);
    const roles: FrameworkStanding['roles'] = [];
    // Its declared roles in order, then any it left that still hold something.
    const clients = [...g.roles, ...[...g.clients.values()].filter((f) => !f.declared)];
    for (const f of clients) {
      const inRole = zeros(width);
      for (const o of f.offers) addInto(inRole, o.resources);
      addInto(offered, inRole);
      addInto(allocated, f.allocated);
      addInto(held, f.held);
      roles.push({
        role: f.role.name,
        allocated: space.list(f.allocated),
        offered: space.list(inRole),
        dominantShare: dominantShare(f.held, shareTotal),
        suppressed: f.suppressed,
      });
    }
    return {
      name,
      role: g.roles[0]?.role.name ?? clients[0]?.role.name ?? DEFAULT_ROLE,
      roles,
      allocated: space.list(allocated),
      offered: space.list(offered),
      dominantShare: dominantShare(held, shareTotal),
      demand: g.demand?.shapes.map((d) => {
        const out: Demand = { resources: this.s.space.list(d.vec), count: d.count };
        if (Number.isFinite(d.perOffer)) out.perOffer = d.perOffer;
        return out;
      }),
    };
  }

  roleStatus(name: string): RoleStanding | undefined {
    const r = this.s.roles.get(name);
    if (r === undefined) return undefined;
    const { space, shareTotal } = this.s;
    const unused = new Float64Array(r.consumed);
    addInto(unused, r.subtreeAllocated, -1);
    return {
      name,
      weight: r.weight,
      allocated: space.list(r.subtreeAllocated),
      unusedReserved: space.list(unused),
      consumed: space.list(r.consumed),
      share: dominantShare(r.subtreeAllocated, shareTotal) / r.weight,
    };
  }

  /** The roles with frameworks, in the order the next cycle would offer to them: DRF level by level. */
  roleOrder(): string[] {
    return this.s.roleOrder().map((r) => r.name);
  }

  /** allocatable − other pods − tasks − outstanding offers (reserved parts included). */
  nodeFree(name: string): ResourceList | undefined {
    const n = this.s.nodes.get(name);
    if (n === undefined || !n.declared) return undefined;
    const { space } = this.s;
    return nodeFree(space.list(n.total), [space.list(n.external), space.list(n.used)]);
  }

  /** The outstanding offers on one node (at most one, see cycle.ts). */
  nodeOffers(node: string): OfferInfo[] {
    return (this.s.nodes.get(node)?.offers ?? []).map((o) => this.offerInfo(o));
  }

  offers(): OfferInfo[] {
    return [...this.s.offers.values()].map((o) => this.offerInfo(o));
  }

  getOffer(id: string): OfferInfo | undefined {
    const o = this.s.offers.get(id);
    return o === undefined ? undefined : this.offerInfo(o);
  }

  private offerInfo(o: OfferState): OfferInfo {
    return {
      id: o.id,
      framework: o.framework.name,
      role: o.role.name,
      node: o.node.name,
      resources: this.s.space.list(o.resources),
      createdAt: o.createdAt,
    };
  }
}
