// One allocation cycle, in named phases over the allocator's state:
//   expire filters → find rescinds → stage 1 (unmet quota guarantees) → stage 2 (everyone).
// Each stage walks the nodes; at each node the role tree in DRF order, level by level
// (role-tree.ts), and in each role its frameworks in DRF order: the node's offerable resources
// go, whole, to the first eligible framework (whole-node offers, as Mesos does).
//
// One outstanding offer per node: a node with an offer out — made by an earlier cycle, by an
// earlier stage of this one, or restored after a restart — is passed over, so resources freed
// there wait until that offer is answered, rescinded or expired and then go out together. (Two
// offers on one node would split what the offers do not show, such as its pod slots, and an
// accept of the second could fail for want of them.) An offer made here is recorded as
// outstanding at once (it counts in the framework's share and is subtracted from the node).
//
// Reservations under one offer per node: reserved resources can go only to their role, so a
// node with an unused reservation is offered to the reserving roles first (DRF order among
// them) — a role's reservation plus the unreserved free part, trimmed for quota as any offer —
// and to the other roles, with the unreserved part only, only when no reserving role has an
// eligible framework or anything allocatable. Otherwise an unreserved role could hold the
// node's only offer while the role that alone may use the reservation waits. A second
// reserving role gets the node once the first one's offer is answered (a role whose
// reservation is all in use is no longer first in line).
//
// Demand (demand.ts): a framework that publishes what it still wants is eligible only while
// its outstanding offers do not cover all of it, and only for a node where at least one
// wanted task fits (refusals NoDemand, DemandMet, DemandUnfit); one without demand is offered
// every eligible node, as in Mesos.
//
// An offer on a node that has a task-slot resource (`pods`: one per Pod) must carry at least
// one unit of it: a framework could launch nothing from it.
//
// Revocable resources (Mesos's): in the fair stage, a framework that declares
// REVOCABLE_RESOURCES is offered, besides what anyone of its role would be, what is held back
// from its role but idle — other roles' unused reservations on the node and the quota headroom
// the offer was trimmed to keep — marked revocable (OfferDecision.revocable). Its tasks there are
// the first revoked when the owner's demand arrives (victims.ts). No offer is larger than what
// the node has free: an owner's reservation lent to another role is offered to the owner only
// as it is freed.
import { addInto, containsVec, isZeroVec, zeros, type Vec } from './vectors.ts';
import {
  addSubtreeUnmet,
  availableHeadroom,
  chainHasUnmetGuarantee,
  chainLimitReached,
  chainUnmet,
  requiredHeadroom,
  subtractOwnNeed,
  topOf,
  trimToHeadroom,
  trimToLimit,
  unreservedFree,
} from './quota.ts';
import { SELF } from './role-tree.ts';
import type { DrfSorter } from './sorter.ts';
import { findRescinds } from './rescind.ts';
import { reservedParts, unusedReservation } from './reservations.ts';
import { usesAny } from './demand.ts';
import { selectorMismatch } from '../api/selector.ts';
import type { AllocatorState, FrameworkState, NodeState, OfferState, RoleState } from './state.ts';
import type { CycleResult, OfferDecision, OfferRefusalReason, Refusal, ReservedPart } from './types.ts';

export interface CycleConfig {
  offerTimeoutMs: number;
  minAllocatable: Vec[];
  /** Indices of the task-slot resources (see AllocatorOptions.taskSlotResources). */
  taskSlots: number[];
  newOfferId: (framework: string, node: string) => string;
  /** node name → the framework revocation frees it for (see Allocator.nominate); absent when none. */
  nominations?: ReadonlyMap<string, Nomination>;
}

export interface Nomination {
  framework: string;
  /** ms; the nomination ends then, or when the framework declines an offer on the node. */
  until: number;
  cleared: boolean;
}

type Stage = 'guarantee' | 'fair';
type Pass = 'reserving' | 'others' | 'all';

class Cycle {
  private readonly s: AllocatorState;
  private readonly cfg: CycleConfig;
  private readonly now: number;
  private readonly explain: boolean;
  private readonly W: number;
  readonly offers: OfferDecision[] = [];
  readonly refusals: Refusal[] = [];
  // Scratch vectors, reused across nodes to keep the walk allocation-free.
  private readonly unres: Vec;
  private readonly reservedPart: Vec;
  private readonly off: Vec;
  private readonly required: Vec;
  private readonly available: Vec;
  private readonly requiredOthers: Vec;
  /** A revocable offer to role on the node being walked, and the part of it lent from others' reservations. */
  private readonly lendOff: Vec;
  private readonly lentReserved: Vec;
  private readonly quota: boolean;
  /** Whether every refusal at the node being walked lasts until the node or a framework changes. */
  private lasting = true;

  constructor(s: AllocatorState, cfg: CycleConfig, now: number, explain: boolean) {
    this.s = s;
    this.cfg = cfg;
    this.now = now;
    this.explain = explain;
    const W = (this.W = s.width);
    this.unres = zeros(W);
    this.reservedPart = zeros(W);
    this.off = zeros(W);
    this.required = zeros(W);
    this.available = zeros(W);
    this.requiredOthers = zeros(W);
    this.lendOff = zeros(W);
    this.lentReserved = zeros(W);
    this.quota = requiredHeadroom(s.roles.values(), this.required);
    if (this.quota) availableHeadroom(s.nodeWalk(), this.available, zeros(W));
  }

  run(): void {
    const nodes = this.s.nodeWalk();
    if (this.quota && [...this.s.roles.values()].some((r) => r.members > 0 && chainHasUnmetGuarantee(r))) {
      for (const n of nodes) if (n.schedulable && n.ready && n.offers.length === 0) this.node(n, 'guarantee');
    }
    for (const n of nodes) {
      if (!n.schedulable || !n.ready) {
        if (this.explain) {
          this.refuse({ node: n.name, reason: n.schedulable ? 'NodeNotReady' : 'NodeUnschedulable' });
          this.refuseConstraints(n);
        }
        continue;
      }
      // One outstanding offer per node: what is free here waits for that offer's answer. (Removing
      // the offer bumps the node's epoch, so the memo below does not hide the node then.)
      if (n.offers.length > 0) {
        if (this.explain) {
          this.refuse({ node: n.name, reason: 'OfferOutstanding' });
          this.refuseConstraints(n);
        }
        continue;
      }
      // Nothing about the node or the frameworks changed since a walk found no taker.
      if (!this.explain && n.idleEpoch === n.epoch && n.idleFrameworksEpoch === this.s.frameworksEpoch) continue;
      this.node(n, 'fair');
    }
  }

  /** Offers node n's free resources, in one offer, to the roles in DRF order, reserving roles first. */
  private node(n: NodeState, stage: Stage): void {
    const unres = unreservedFree(n, this.unres);
    const hasReservations = n.reserved.size > 0;
    if (!hasReservations && !this.allocatable(unres, n)) {
      if (stage === 'fair') {
        if (this.explain) {
          this.refuse({ ...this.belowMinimum(unres, n), node: n.name });
          this.refuseConstraints(n);
        }
        this.markIdle(n);
      }
      return;
    }
    this.lasting = true;
    const top = this.s.roleSorter;
    const offered = hasReservations
      ? this.roles(top, undefined, n, stage, 'reserving') || this.roles(top, undefined, n, stage, 'others')
      : this.roles(top, undefined, n, stage, 'all');
    if (stage === 'fair' && !offered && this.lasting) this.markIdle(n);
  }

  /**
   * Walks one level of the role tree (the roles in `sorter`, children of `owner`) in DRF order,
   * depth first, until a role of the pass takes the node; returns whether one did.
   */
  private roles(sorter: DrfSorter, owner: RoleState | undefined, n: NodeState, stage: Stage, pass: Pass): boolean {
    sorter.sort();
    for (let ri = 0; ri < sorter.size; ri++) {
      const id = sorter.idAt(ri);
      const role = id === SELF ? owner! : this.s.roleById_(id);
      const taken =
        id !== SELF && role.children !== undefined && role.children.size > 0
          ? this.roles(role.children, role, n, stage, pass)
          : this.leaf(role, n, stage, pass);
      if (taken) return true;
    }
    return false;
  }

  /** Offers node n to role's own frameworks if the role is in the pass; returns whether one took it. */
  private leaf(role: RoleState, n: NodeState, stage: Stage, pass: Pass): boolean {
    if (pass !== 'all' && (pass === 'reserving') !== unusedReservation(n, role, this.reservedPart)) return false;
    if (stage === 'guarantee' && !chainHasUnmetGuarantee(role)) return false;
    return this.role(n, role, stage);
  }

  /** Offers node n to the first eligible framework of role; returns whether one took it. */
  private role(n: NodeState, role: RoleState, stage: Stage): boolean {
    // A role at its limit may still be offered its unused reservation: using it does not add to
    // its consumption, which counts the reservation already (Mesos does the same).
    const limited = chainLimitReached(role);
    if (limited !== undefined && !unusedReservation(n, role, this.reservedPart)) {
      this.lasting = false;
      if (this.explain) {
        const { role: r, resource: li } = limited;
        this.refuseRole(role, n, {
          reason: 'RoleLimit',
          resource: this.s.space.names[li]!,
          limit: r.limit![li]!,
          allocated: at(r.consumed, li),
          ...(r !== role ? { limitedBy: r.name } : {}),
        });
      }
      return false;
    }
    const cut = this.buildOffer(n, role, stage);
    if (cut !== undefined) this.lasting = false;
    const plain = this.allocatable(this.off, n);
    // Whether a revocable offer can be made here: worked out only when needed (no plain offer,
    // or a framework that may take one).
    let lend = !plain && stage === 'fair' && this.lendable(n, role);
    let lendKnown = !plain;
    if (!plain && !lend) {
      if (this.explain) this.refuseRole(role, n, cut ?? this.belowMinimum(this.off, n));
      return false;
    }
    const fws = role.frameworks;
    fws.sort();
    for (let fi = 0; fi < fws.size; fi++) {
      const f = this.s.frameworkById_(fws.idAt(fi))!;
      if (f.revocable && !lendKnown) {
        lend = stage === 'fair' && this.lendable(n, role);
        lendKnown = true;
      }
      const revocable = lend && f.revocable;
      if (!revocable && !plain) {
        if (this.explain) this.refuse({ ...(cut ?? this.belowMinimum(this.off, n)), node: n.name, framework: f.name, role: role.name });
        continue;
      }
      const why = this.ineligible(f, n, revocable ? this.lendOff : this.off);
      if (why !== undefined) {
        if (this.explain) this.refuse({ ...this.details(why, f, n), node: n.name, framework: f.name, role: role.name });
        continue;
      }
      this.offer(f, n, role, revocable);
      return true;
    }
    return false;
  }

  /**
   * Fills this.lendOff with a revocable offer to role on n: the unreserved free resources not
   * trimmed for quota headroom, plus other roles' unused reservations there, within the node's
   * free resources and the limits of role's chain, plus role's own reservation part (as in
   * this.off); this.lentReserved with the part lent from others' reservations. Whether it holds
   * more than this.off and is allocatable. Called after buildOffer.
   */
  private lendable(n: NodeState, role: RoleState): boolean {
    const W = this.W;
    const lo = this.lendOff;
    const lent = this.lentReserved;
    const rp = this.reservedPart;
    for (let i = 0; i < W; i++) {
      const free = Math.max(0, at(n.total, i) - at(n.external, i) - at(n.used, i));
      lent[i] = Math.min(Math.max(0, at(n.unusedReserved, i) - rp[i]!), free);
      lo[i] = Math.min(this.unres[i]! + lent[i]!, free);
    }
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) trimToLimit(r, lo);
    let more = false;
    for (let i = 0; i < W; i++) {
      lent[i] = Math.min(lent[i]!, lo[i]!);
      lo[i]! += rp[i]!;
      if (lo[i]! > this.off[i]!) more = true;
    }
    return more && this.allocatable(lo, n);
  }

  private markIdle(n: NodeState): void {
    n.idleEpoch = n.epoch;
    n.idleFrameworksEpoch = this.s.frameworksEpoch;
  }

  /**
   * Fills this.off with what node n can offer to role: its unused reservation there plus the
   * unreserved free resources, trimmed for quota (guarantee stage: to the unmet guarantee;
   * otherwise: to keep the headroom other roles' guarantees need) and for the role's limit.
   * Returns why something was cut, if anything was.
   */
  private buildOffer(n: NodeState, role: RoleState, stage: Stage): Omit<Refusal, 'node'> | undefined {
    const W = this.W;
    const off = this.off;
    off.set(this.unres);
    let cut: Omit<Refusal, 'node'> | undefined;
    if (this.quota) {
      // The headroom the other roles' guarantees need: all of it, less what this role's part of
      // the tree needs and an offer to it would meet.
      const others = this.requiredOthers;
      others.set(this.required);
      subtractOwnNeed(role, others);
      if (stage === 'guarantee') {
        for (let i = 0; i < W; i++) {
          const unmet = chainUnmet(role, i);
          if (unmet >= 0) off[i] = Math.min(off[i]!, unmet);
          else off[i] = Math.min(off[i]!, Math.max(0, this.available[i]! - others[i]!));
        }
      } else {
        const i = trimToHeadroom(off, this.available, others);
        if (i >= 0) cut = { reason: 'QuotaHeadroom', resource: this.s.space.names[i]! };
      }
    }
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
      if (!trimToLimit(r, off) || cut !== undefined) continue;
      const i = firstLimited(r, off);
      cut = {
        reason: 'RoleLimit',
        resource: i < 0 ? undefined : this.s.space.names[i],
        limit: i < 0 ? undefined : r.limit![i],
        allocated: i < 0 ? undefined : at(r.consumed, i),
        ...(r !== role ? { limitedBy: r.name } : {}),
      };
    }
    const rp = this.reservedPart;
    if (unusedReservation(n, role, rp)) {
      addInto(off, rp);
      // What others hold of the reservation (lent as revocable) is not free: never offered twice.
      for (let i = 0; i < W; i++) off[i] = Math.min(off[i]!, Math.max(0, at(n.total, i) - at(n.external, i) - at(n.used, i)));
    }
    return cut;
  }

  /** Why f may not have n now (offered `off`), if it may not; cheap and allocation-free (the hot path). */
  private ineligible(f: FrameworkState, n: NodeState, off: Vec): OfferRefusalReason | undefined {
    if (f.suppressed) return 'Suppressed';
    // Before demand: a node outside its constraints is never its node, whatever it wants (and the
    // explanation should say so rather than that its tasks do not fit there).
    if (f.constraints !== undefined && selectorMismatch(f.constraints, n.labels) !== undefined) return 'Constraint';
    const d = f.demand;
    if (d !== undefined) {
      if (d.total === 0) return 'NoDemand';
      if (d.uncovered === 0) {
        // Answers to its outstanding offers change this, not this node or the frameworks.
        this.lasting = false;
        return 'DemandMet';
      }
      if (!usesAny(off, d, this.cfg.taskSlots, n.total)) {
        // Lasting only while no shape is covered: an answer can uncover one that fits here.
        if (d.uncovered !== d.total) this.lasting = false;
        return 'DemandUnfit';
      }
    }
    if (f.minOffer !== undefined && belowEvery(off, f.minOffer)) return 'BelowFrameworkMinimum';
    if (n.scarce && !f.gpu) return 'GpuCapability';
    if (this.s.filters.blocksOrLifts(n.id, f.id, off, this.now)) return 'Refused';
    const nom = this.cfg.nominations?.get(n.name);
    if (nom !== undefined && !nom.cleared && nom.until > this.now && nom.framework !== f.name) {
      this.lasting = false;
      return 'Nominated';
    }
    return undefined;
  }

  /** The structured refusal for `reason` (explain mode only). */
  private details(reason: OfferRefusalReason, f: FrameworkState, n: NodeState): Omit<Refusal, 'node'> {
    if (reason === 'Constraint') return { reason, label: selectorMismatch(f.constraints, n.labels)! };
    if (reason === 'Refused') return { reason, until: this.s.filters.get(n.id, f.id)!.until };
    if (reason === 'BelowFrameworkMinimum') {
      const i = firstShort(this.off, f.minOffer![0]!);
      return i < 0 ? { reason } : { reason, resource: this.s.space.names[i]! };
    }
    return { reason };
  }

  private offer(f: FrameworkState, n: NodeState, role: RoleState, revocable: boolean): void {
    const s = this.s;
    const resources = new Float64Array(revocable ? this.lendOff : this.off);
    if (this.quota) {
      // Headroom bookkeeping: the unreserved part leaves the pool; the role's unmet guarantee
      // (part of the required headroom) shrinks by what it now consumes.
      for (let i = 0; i < this.W; i++)
        this.available[i]! -= resources[i]! - this.reservedPart[i]! - (revocable ? this.lentReserved[i]! : 0);
      addSubtreeUnmet(topOf(role), this.required, -1);
    }
    const reserved = this.reserved(n, role);
    const state: OfferState = {
      id: this.cfg.newOfferId(f.name, n.name),
      framework: f,
      node: n,
      role,
      resources,
      createdAt: this.now,
      nodeSlot: -1,
      frameworkSlot: -1,
    };
    s.addOffer(state);
    const decision: OfferDecision = {
      offerId: state.id,
      framework: f.name,
      role: role.name,
      node: n.name,
      resources: s.space.list(resources),
    };
    if (reserved.length > 0) decision.reserved = reserved;
    if (revocable) decision.revocable = true;
    this.offers.push(decision);
    s.offered(role);
    role.frameworks.allocated(f.id);
    if (this.quota) addSubtreeUnmet(topOf(role), this.required, 1);
  }

  /** The reserved parts of an offer to role on n (computed before the offer is counted as held). */
  private reserved(n: NodeState, role: RoleState): ReservedPart[] {
    const out: ReservedPart[] = [];
    for (const p of reservedParts(n, role, this.W)) {
      if (!isZeroVec(p.static)) out.push({ role: p.role.name, type: 'Static', resources: this.s.space.list(p.static) });
      if (!isZeroVec(p.dynamic)) out.push({ role: p.role.name, type: 'Dynamic', resources: this.s.space.list(p.dynamic) });
    }
    return out;
  }

  /**
   * Mesos's min_allocatable_resources: non-empty and containing one of the lists in full; and,
   * on a node with a task-slot resource, at least one slot.
   */
  private allocatable(v: Vec, n: NodeState): boolean {
    if (isZeroVec(v) || this.missingSlot(v, n) >= 0) return false;
    const mins = this.cfg.minAllocatable;
    return mins.length === 0 || !belowEvery(v, mins);
  }

  /** The first task-slot resource node n has but v has none of, or -1. */
  private missingSlot(v: Vec, n: NodeState): number {
    const slots = this.cfg.taskSlots;
    for (let k = 0; k < slots.length; k++) {
      const i = slots[k]!;
      if (at(n.total, i) > 0 && at(v, i) < 1) return i;
    }
    return -1;
  }

  /** Why v, on node n, is not allocatable (explain mode only). */
  private belowMinimum(v: Vec, n: NodeState): Omit<Refusal, 'node'> {
    const i = this.missingSlot(v, n);
    return i < 0 ? { reason: 'BelowMinimum' } : { reason: 'BelowMinimum', resource: this.s.space.names[i]! };
  }

  /**
   * A node refused to everyone (not ready, offer outstanding, too little free) is also refused,
   * for what it is, to each framework whose constraints exclude it: that lasts whatever happens
   * to the node, and it is why a framework that matches no node gets nothing.
   */
  private refuseConstraints(n: NodeState): void {
    for (const g of this.s.frameworks.values()) {
      for (const f of g.roles) {
        const label = f.constraints === undefined ? undefined : selectorMismatch(f.constraints, n.labels);
        if (label !== undefined) this.refuse({ node: n.name, framework: f.name, role: f.role.name, reason: 'Constraint', label });
      }
    }
  }

  private refuse(r: Refusal): void {
    this.refusals.push(r);
  }

  private refuseRole(role: RoleState, n: NodeState, why: Omit<Refusal, 'node'>): void {
    for (const e of role.frameworks.entries()) {
      this.refuse({ ...why, node: n.name, framework: this.s.frameworkById_(e.id)!.name, role: role.name });
    }
  }
}

/** Does v contain none of the lists in full? */
function belowEvery(v: Vec, mins: Vec[]): boolean {
  for (let k = 0; k < mins.length; k++) if (containsVec(v, mins[k]!)) return false;
  return true;
}

/** The first resource of which v has less than min, or -1. */
function firstShort(v: Vec, min: Vec): number {
  for (let i = 0; i < min.length; i++) if (min[i]! > at(v, i)) return i;
  return -1;
}

function at(v: Vec, i: number): number {
  return i < v.length ? v[i]! : 0;
}

function firstLimited(role: RoleState, off: Vec): number {
  const l = role.limit!;
  for (let i = 0; i < l.length && i < off.length; i++) {
    if (role.limitNames!.has(i) && off[i]! >= l[i]! - at(role.consumed, i)) return i;
  }
  return -1;
}

export function runCycle(s: AllocatorState, cfg: CycleConfig, now: number, explain: boolean): CycleResult {
  s.filters.expire(now, (id) => {
    const n = s.nodeById(id);
    if (n !== undefined) n.epoch++;
  });
  const rescinds = findRescinds(s, now, cfg.offerTimeoutMs);
  const c = new Cycle(s, cfg, now, explain);
  c.run();
  const out: CycleResult = { offers: c.offers, rescinds };
  if (explain) out.refusals = c.refusals;
  return out;
}
