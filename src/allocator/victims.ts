// Victim choice: which running tasks to revoke so that frameworks below their fair share get
// what free resources cannot give them.
//
// For each waiting framework W (fair allocation beyond what it runs), lowest weighted share
// first, one task of its demand at a time: if the task fits in a node's free resources (free
// now, plus what tasks already being revoked will free) nothing is revoked. Otherwise, on each
// node, the candidate victims are tasks of frameworks over their fair share (never more of a
// framework's tasks than it runs beyond its fair allocation), taken lower priority first, then
// youngest, until the node has room for W's task; the node whose set is best — lowest highest
// priority, then youngest oldest task, then fewest tasks, then name — is chosen. A victim is
// allowed only if
//   - its role allows revocation,
//   - its role, and every role up its chain (a guarantee is of a subtree), stays at or above
//     its guarantee in every guaranteed resource the task uses (W in that subtree too: the
//     resources stay in it),
//   - within W's role, its priority is not above W's, and
//   - its framework's weighted dominant share after the move stays at or above W's after the
//     move. Every move then lifts the smaller of the two and leaves both at least as high as
//     W's new share, so the sorted vector of weighted shares grows lexicographically with every
//     revocation: no sequence of revocations can come back to where it started (no loops).
// Revocable tasks go first (Mesos's revocable resources): before any priority or fair-share
// choice, a framework whose demand fits in no node's free resources takes back, from tasks
// launched on revocable offers, what is held back for it — its role chain's reservation on a
// node (while not all in use by that role's subtree), or a guarantee of its chain not yet met —
// with no fair-share condition: those tasks were lent what was never their share. Lower
// priority, then youngest, then the fewest, as below.
// Priority preemption comes after: within one role, demand of a higher priority may revoke
// tasks of strictly lower priority regardless of shares (lower priority can never take them
// back, so priorities cannot loop either). Pure: snapshot in, decisions out.
import type { ResourceList } from './types.ts';
import { addInto, containsVec, dominantShare, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';
import { fill } from './water-level.ts';
import { hasNestedRoles } from './nested-filling.ts';
import {
  fairSharesOf,
  prepare,
  type FairShare,
  type Filler,
  type Prepared,
  type PreparedFramework,
  type PreparedRole,
  type RevocationSnapshot,
} from './fair-share.ts';

export type RevocationReason = 'FairShare' | 'Priority' | 'Revocable';

export interface RevocationDecision {
  /** The victim task (RunningTask.id), its framework, role and node. */
  task: string;
  framework: string;
  role: string;
  node: string;
  /** The waiting framework the resources are freed for. */
  for: string;
  forRole: string;
  reason: RevocationReason;
  /** Tasks revoked together, to make room for one task of the waiting framework, share a set number. */
  set: number;
  /** One task of the waiting framework's demand, which the victims make room for. */
  forResources: ResourceList;
  /** Weighted dominant shares after the move: the victim's never below the waiting one's (FairShare). */
  victimShare: number;
  waitingShare: number;
}

export interface RevocationOptions {
  /** Stop once this many tasks are chosen (a set that would pass it is not taken). Default no limit. */
  maxRevocations?: number;
}

export interface RevocationPlan {
  revocations: RevocationDecision[];
  fairShares: FairShare[];
}

interface Plan {
  alloc: Vec;
  /** Running tasks it may still lose: beyond its fair allocation. */
  budget: number;
  /** Demand tasks still to place in fair-share mode. */
  waiting: number;
  /** Next demand item (queue index) and how many of it were placed. */
  item: number;
  taken: number;
  key: number;
}

/** A place in the role tree: a role's subtree, or (own) the role's own frameworks. */
interface Place {
  role: PreparedRole;
  own: boolean;
}

interface Candidate {
  node: number;
  victims: number[];
  maxPriority: number;
  oldest: number;
}

export function planRevocations(snapshot: RevocationSnapshot, options: RevocationOptions = {}): RevocationPlan {
  const p = prepare(snapshot);
  const filled = fill(p);
  const fairShares = fairSharesOf(p, snapshot, filled);
  const planner = new Planner(p, snapshot, filled, options.maxRevocations ?? Infinity);
  // Revocable tasks first: what was lent goes back to whom it is held for. Then priority within
  // a role: what is free goes to higher-priority demand before lower-priority demand of the
  // role is placed by fair share (which would then leave the higher priority nothing but
  // revocation).
  if (planner.placeRevocable() && planner.placeByPriority()) planner.placeByFairShare();
  return { revocations: planner.revocations, fairShares };
}

/** Each node's running tasks, grouped by node in the order victims are taken, and the nodes' free resources. */
interface NodeLayout {
  /** Free now plus what tasks already being revoked will free, by node index (views of one buffer). */
  free: Vec[];
  /** By task index: its node's index (-1: on no known node, or being revoked). */
  nodeOf: Int32Array;
  /** Node n's tasks are onNodes[at[n]] .. onNodes[at[n + 1] - 1]: lower priority first, then youngest. */
  at: Int32Array;
  onNodes: Int32Array;
  /** Nodes with tasks, by the best victim set they could hold (see scanOrder). */
  scan: number[];
}

function layoutNodes(p: Prepared, snapshot: RevocationSnapshot): NodeLayout {
  const W = p.space.size;
  const { taskVecs, priority: prio, startedAt: start } = p;
  const tasks = snapshot.tasks;
  const count = snapshot.nodes.length;
  const nodeIndex = new Map(snapshot.nodes.map((n, i) => [n.name, i]));
  // Every node's free vector a view of one buffer: one allocation, not one per node.
  const freeAll = new Float64Array(count * W);
  const free: Vec[] = snapshot.nodes.map((n, i) => {
    const v = freeAll.subarray(i * W, (i + 1) * W);
    p.space.addList(v, n.free);
    return v;
  });
  const nodeOf = new Int32Array(tasks.length).fill(-1);
  const at = new Int32Array(count + 1);
  tasks.forEach((t, i) => {
    const n = nodeIndex.get(t.node);
    if (n === undefined) return;
    if (t.revoking === true) addInto(free[n]!, taskVecs[i]!, 1);
    else {
      nodeOf[i] = n;
      at[n + 1]!++;
    }
  });
  for (let n = 0; n < count; n++) at[n + 1]! += at[n]!;
  const onNodes = new Int32Array(at[count]!);
  const next = at.slice(0, count);
  nodeOf.forEach((n, i) => {
    if (n >= 0) onNodes[next[n]!++] = i;
  });
  // Each node's tasks once, in the order victims are taken: lower priority, then youngest.
  for (let n = 0; n < count; n++)
    onNodes
      .subarray(at[n]!, at[n + 1]!)
      .sort((a, b) => prio[a]! - prio[b]! || start[b]! - start[a]! || (tasks[a]!.id < tasks[b]!.id ? -1 : 1));
  return { free, nodeOf, at, onNodes, scan: scanOrder(p, at, onNodes) };
}

/**
 * Nodes with tasks, by the best victim set they could hold: a set's highest priority is at
 * least its node's first task's, and at that priority its oldest task is no younger. Scanned in
 * this order, the search stops at the first node that cannot beat the best set found.
 */
function scanOrder(p: Prepared, at: Int32Array, onNodes: Int32Array): number[] {
  const { priority: prio, startedAt: start } = p;
  const scan: number[] = [];
  for (let n = 0; n + 1 < at.length; n++) if (at[n + 1]! > at[n]!) scan.push(n);
  const bound = (n: number): number => onNodes[at[n]!]!;
  scan.sort((a, b) => prio[bound(a)]! - prio[bound(b)]! || start[bound(b)]! - start[bound(a)]! || a - b);
  return scan;
}

/** By node index: each role's reservation there (empty when no node has any). */
function reservationsByNode(p: Prepared, snapshot: RevocationSnapshot): Map<PreparedRole, Vec>[] {
  if (!snapshot.nodes.some((n) => (n.reservations ?? []).length > 0)) return [];
  return snapshot.nodes.map((n) => {
    const m = new Map<PreparedRole, Vec>();
    for (const r of n.reservations ?? []) {
      const role = p.roles.get(r.role);
      if (role === undefined) continue;
      const v = m.get(role) ?? new Float64Array(p.space.size);
      p.space.addList(v, r.resources);
      m.set(role, v);
    }
    return m;
  });
}

/** By framework index: the lowest priority of its running tasks. */
function lowestPriorities(p: Prepared): Float64Array {
  const minPriority = new Float64Array(p.frameworks.size).fill(Infinity);
  for (const f of p.frameworks.values()) for (const t of f.tasks) minPriority[f.index] = Math.min(minPriority[f.index]!, p.priority[t]!);
  return minPriority;
}

/** By framework index: what it holds, what it may lose and what it waits for, from its fair allocation. */
function initialPlans(p: Prepared, filled: Map<string, Filler>): Plan[] {
  const plans: Plan[] = new Array(p.frameworks.size);
  for (const f of p.frameworks.values()) {
    const given = filled.get(f.name)!.given;
    const alloc = Float64Array.from(f.allocated);
    plans[f.index] = {
      alloc,
      budget: f.running - Math.min(given, f.running),
      waiting: Math.max(0, given - f.running),
      item: f.runningItems,
      taken: 0,
      key: dominantShare(alloc, p.shareTotal) / f.role.weight,
    };
  }
  return plans;
}

/** By role: what its subtree holds (a role's guarantee and limit are of its subtree), and what its own frameworks hold. */
class RoleHoldings {
  readonly subtree = new Map<PreparedRole, Vec>();
  private readonly own = new Map<PreparedRole, Vec>();

  constructor(p: Prepared) {
    const W = p.space.size;
    for (const r of p.roles.values()) {
      this.subtree.set(r, new Float64Array(W));
      this.own.set(r, new Float64Array(W));
    }
    for (const r of p.roles.values()) this.add(r, r.allocated, 1);
  }

  /** Adds d (sign -1: removes it) to the role's own frameworks and to every subtree up its chain. */
  add(role: PreparedRole, d: Vec, sign: number): void {
    addInto(this.own.get(role)!, d, sign);
    for (let r: PreparedRole | undefined = role; r !== undefined; r = r.parent) addInto(this.subtree.get(r)!, d, sign);
  }

  of(place: Place): Vec {
    return (place.own ? this.own : this.subtree).get(place.role)!;
  }
}

/** The victim search and its bookkeeping: what is free, held and chosen as revocations are planned. */
class Planner {
  readonly revocations: RevocationDecision[] = [];
  private readonly W: number;
  /** Shares are taken of shareTotal (resources excluded from fair sharing count zero). */
  private readonly total: Vec;
  private readonly nested: boolean;
  private readonly layout: NodeLayout;
  private readonly minPriority: Float64Array;
  private readonly plans: Plan[];
  private readonly roles: RoleHoldings;
  /**
   * Reservations by node and role. A task within a reservation of its role's chain runs on what
   * only that role's subtree may use: fair share never takes it for a framework outside it (the
   * resources could not go to that framework — only be lent back to it, revocably, and taken
   * back again: a loop).
   */
  private readonly reservedOn: Map<PreparedRole, Vec>[];
  /** What the running tasks of a role's subtree hold on a node (running tasks do not change during the plan). */
  private readonly subtreeUse = new Map<string, Vec>();
  /** What the revocable phase placed, by node and role: it takes up the role's reservation there. */
  private readonly placedOn = new Map<string, Vec>();
  private readonly chosen = new Set<number>();
  /** Nodes freed by a revocation this cycle, searched first. */
  private readonly touched: number[] = [];
  /** Per demand shape: the first node that may still hold it (see freeNode). */
  private readonly cursor = new Map<string, number>();
  // Scratch for the search: the room a set makes on its node and what it takes from each framework (vector and count).
  private readonly room: Vec;
  private readonly removedVec = new Map<PreparedFramework, Vec>();
  private readonly removedCount = new Map<PreparedFramework, number>();
  private sets = 0;

  private readonly p: Prepared;
  private readonly snapshot: RevocationSnapshot;
  /** Stop once this many tasks are chosen. */
  private readonly max: number;

  constructor(p: Prepared, snapshot: RevocationSnapshot, filled: Map<string, Filler>, max: number) {
    this.p = p;
    this.snapshot = snapshot;
    this.max = max;
    this.W = p.space.size;
    this.total = p.shareTotal;
    this.nested = hasNestedRoles(p);
    this.layout = layoutNodes(p, snapshot);
    this.minPriority = lowestPriorities(p);
    this.plans = initialPlans(p, filled);
    this.roles = new RoleHoldings(p);
    this.reservedOn = reservationsByNode(p, snapshot);
    this.room = new Float64Array(this.W);
  }

  /**
   * Revocable tasks go back first: a framework whose demand fits in no node's free resources
   * takes back, from tasks launched on revocable offers, what is held back for it (its chain's
   * reservation on a node, or a guarantee not yet met). false: the revocation limit was reached.
   */
  placeRevocable(): boolean {
    if (!this.snapshot.tasks.some((t) => t.revocable === true && t.revoking !== true)) return true;
    const owners = [...this.p.frameworks.values()]
      .filter((f) => !f.awaiting && this.planOf(f).item < f.queue.length && this.holdsBack(f))
      .sort((a, b) => this.planOf(a).key - this.planOf(b).key || a.rank - b.rank);
    const { free } = this.layout;
    for (const f of owners) {
      const x = this.planOf(f);
      for (let d = this.nextDemand(f, x); d !== undefined; d = this.nextDemand(f, x)) {
        const n = this.freeNode(d);
        if (n >= 0) {
          // The offer path gives it; its later tasks may still need what was lent.
          addInto(free[n]!, d, -1);
          this.credit(f, x, d);
          this.advance(f, x);
          if (x.waiting > 0) x.waiting--;
          continue;
        }
        const found = this.lentBack(f, d);
        if (found === undefined) break;
        if (this.revocations.length + found.c.victims.length > this.max) return false;
        this.apply(f, x, d, found.c, 'Revocable');
        const key = `${found.c.node}\u0000${found.owner.name}`;
        const placed = this.placedOn.get(key) ?? new Float64Array(this.W);
        addInto(placed, d, 1);
        this.placedOn.set(key, placed);
        this.advance(f, x);
        if (x.waiting > 0) x.waiting--;
      }
    }
    return true;
  }

  /**
   * Priority within a role, highest priority first; what it places counts as fair-share
   * placements too. false: the revocation limit was reached.
   */
  placeByPriority(): boolean {
    const byPriority = [...this.p.frameworks.values()].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
    for (const f of byPriority) {
      const x = this.planOf(f);
      if (f.awaiting || !this.hasLowerTask(f)) continue;
      for (;;) {
        const r = this.placeOne(f, x, 'Priority');
        if (r === 'stop') return false;
        if (!r) break;
        if (x.waiting > 0) x.waiting--;
      }
    }
    return true;
  }

  /** Fair share: the lowest weighted share first, one task at a time. */
  placeByFairShare(): void {
    const waiting = new MinHeap<PreparedFramework>((a, b) => {
      const ka = this.planOf(a).key;
      const kb = this.planOf(b).key;
      return ka < kb || (ka === kb && a.rank < b.rank);
    });
    for (const f of this.p.frameworks.values()) if (this.planOf(f).waiting > 0 && !f.awaiting) waiting.push(f);
    while (waiting.size > 0) {
      const f = waiting.peek()!;
      const x = this.planOf(f);
      const r = this.placeOne(f, x, 'FairShare');
      if (r === 'stop') return;
      if (r && --x.waiting > 0) waiting.updateTop();
      else waiting.pop();
    }
  }

  private planOf(f: PreparedFramework): Plan {
    return this.plans[f.index]!;
  }

  private frameworkOf(t: number): PreparedFramework {
    return this.p.taskFrameworks[t]!;
  }

  private hasLowerTask(f: PreparedFramework): boolean {
    for (const o of f.role.frameworks) if (o !== f && this.minPriority[o.index]! < f.priority) return true;
    return false;
  }

  /** Places one demand task of f: from free resources, else by revocation. false: cannot; 'stop': the limit is reached. */
  private placeOne(f: PreparedFramework, x: Plan, reason: RevocationReason): boolean | 'stop' {
    const d = this.nextDemand(f, x);
    if (d === undefined) return false;
    const n = this.freeNode(d);
    if (n >= 0) {
      addInto(this.layout.free[n]!, d, -1);
      this.credit(f, x, d);
      this.advance(f, x);
      return true;
    }
    const c = this.victimsFor(f, x, d, reason);
    if (c === undefined) return false;
    if (this.revocations.length + c.victims.length > this.max) return 'stop';
    this.apply(f, x, d, c, reason);
    this.advance(f, x);
    return true;
  }

  private nextDemand(f: PreparedFramework, x: Plan): Vec | undefined {
    return x.item < f.queue.length ? f.queue[x.item]!.vec : undefined;
  }

  private advance(f: PreparedFramework, x: Plan): void {
    if (++x.taken === f.queue[x.item]!.count) {
      x.item++;
      x.taken = 0;
    }
  }

  private credit(f: PreparedFramework, x: Plan, d: Vec): void {
    addInto(x.alloc, d, 1);
    this.roles.add(f.role, d, 1);
    x.key = dominantShare(x.alloc, this.total) / f.role.weight;
  }

  /**
   * A node whose free resources hold d, preferring nodes freed this cycle; -1 if none. Outside
   * the nodes freed this cycle free resources only shrink, so a node that did not hold a shape
   * never will: one cursor per shape, shared by every framework that wants it (a hundred
   * newcomers of one shape scan the nodes once, not a hundred times).
   */
  private freeNode(d: Vec): number {
    const { free } = this.layout;
    for (const n of this.touched) if (containsVec(free[n]!, d)) return n;
    const key = d.join();
    for (let n = this.cursor.get(key) ?? 0; n < free.length; n++) {
      if (containsVec(free[n]!, d)) {
        this.cursor.set(key, n);
        return n;
      }
    }
    this.cursor.set(key, free.length);
    return -1;
  }

  private scratch(v: PreparedFramework): Vec {
    let r = this.removedVec.get(v);
    if (r === undefined) this.removedVec.set(v, (r = new Float64Array(this.W)));
    return r;
  }

  /** The best victim set on any node for one task d of f, or undefined. */
  private victimsFor(f: PreparedFramework, x: Plan, d: Vec, reason: RevocationReason): Candidate | undefined {
    const wAfter = afterKey(x.alloc, d, 1, this.total, f.role.weight);
    if (!this.anyVictim(f, wAfter, reason)) return undefined;
    const { priority: prio, startedAt: start } = this.p;
    const { at, onNodes } = this.layout;
    let best: Candidate | undefined;
    for (const n of this.layout.scan) {
      const t0 = onNodes[at[n]!]!;
      if (best !== undefined && (prio[t0]! > best.maxPriority || (prio[t0] === best.maxPriority && start[t0]! < best.oldest))) break;
      const set = this.setOn(n, f, d, wAfter, reason);
      if (set === undefined) continue;
      let maxPriority = -Infinity;
      let oldest = Infinity;
      for (const t of set) {
        if (prio[t]! > maxPriority) maxPriority = prio[t]!;
        if (start[t]! < oldest) oldest = start[t]!;
      }
      const c: Candidate = { node: n, victims: set, maxPriority, oldest };
      if (best === undefined || better(c, best)) best = c;
    }
    return best;
  }

  /** The tasks on node n to revoke so that d fits there, none of them unnecessary; undefined: no such set. */
  private setOn(n: number, f: PreparedFramework, d: Vec, wAfter: number, reason: RevocationReason): number[] | undefined {
    const { at, onNodes, free } = this.layout;
    const { room, removedVec, removedCount } = this;
    const taskVecs = this.p.taskVecs;
    room.set(free[n]!);
    const set: number[] = [];
    for (const v of removedCount.keys()) removedVec.get(v)!.fill(0);
    removedCount.clear();
    for (let k = at[n]!; k < at[n + 1]!; k++) {
      const t = onNodes[k]!;
      if (containsVec(room, d)) break;
      if (this.chosen.has(t)) continue;
      const v = this.frameworkOf(t);
      if (!this.eligible(t, v, f, reason) || !this.allowed(t, v, f, d, wAfter, reason)) continue;
      set.push(t);
      addInto(room, taskVecs[t]!, 1);
      addInto(this.scratch(v), taskVecs[t]!, 1);
      removedCount.set(v, (removedCount.get(v) ?? 0) + 1);
    }
    if (set.length === 0 || !containsVec(room, d)) return undefined;
    this.dropUnneeded(set, d);
    if (reason === 'Priority' && !this.withinLimit(f, d, set)) return undefined;
    return set;
  }

  /** Drops the members of a set that the others make unnecessary for d (room holds the set's room), first chosen first. */
  private dropUnneeded(set: number[], d: Vec): void {
    const { room } = this;
    const { taskVecs } = this.p;
    for (let i = 0; i < set.length && set.length > 1;) {
      addInto(room, taskVecs[set[i]!]!, -1);
      if (containsVec(room, d)) set.splice(i, 1);
      else {
        addInto(room, taskVecs[set[i]!]!, 1);
        i++;
      }
    }
  }

  /** Could any framework give f a task at all (a necessary condition, checked before scanning nodes)? */
  private anyVictim(f: PreparedFramework, wAfter: number, reason: RevocationReason): boolean {
    const { minPriority } = this;
    for (const v of this.p.frameworks.values()) {
      if (v === f || !v.role.revocable || v.running === 0) continue;
      if (reason === 'Priority') {
        if (v.role === f.role && minPriority[v.index]! < f.priority) return true;
      } else if (
        this.planOf(v).budget > 0 &&
        ((this.nested && v.role !== f.role) || this.planOf(v).key >= wAfter) &&
        (v.role !== f.role || minPriority[v.index]! <= f.priority)
      )
        return true;
    }
    return false;
  }

  private eligible(t: number, v: PreparedFramework, f: PreparedFramework, reason: RevocationReason): boolean {
    if (v === f || !v.role.revocable) return false;
    const pr = this.p.priority[t]!;
    if (reason === 'Priority') return v.role === f.role && pr < f.priority;
    if (v.role === f.role && pr > f.priority) return false;
    return this.planOf(v).budget > 0 && !this.onOwnReservation(t, v, f);
  }

  /** What the running tasks of role g's subtree hold on node n. */
  private useOf(n: number, g: PreparedRole): Vec {
    const key = `${n}\u0000${g.name}`;
    let use = this.subtreeUse.get(key);
    if (use === undefined) {
      use = new Float64Array(this.W);
      const { at, onNodes } = this.layout;
      for (let k = at[n]!; k < at[n + 1]!; k++) {
        const t = onNodes[k]!;
        if (inSubtree(this.frameworkOf(t).role, g)) addInto(use, this.p.taskVecs[t]!, 1);
      }
      this.subtreeUse.set(key, use);
    }
    return use;
  }

  /** Task t of v runs within a reservation of v's chain that f is outside of. */
  private onOwnReservation(t: number, v: PreparedFramework, f: PreparedFramework): boolean {
    const n = this.layout.nodeOf[t]!;
    const m = this.reservedOn[n];
    if (m === undefined || m.size === 0) return false;
    const tv = this.p.taskVecs[t]!;
    for (let g: PreparedRole | undefined = v.role; g !== undefined; g = g.parent) {
      const reserved = m.get(g);
      if (reserved === undefined || inSubtree(f.role, g)) continue;
      const use = this.useOf(n, g);
      for (let i = 0; i < this.W; i++) if (tv[i]! > 0 && reserved[i]! > 0 && use[i]! <= reserved[i]!) return true;
    }
    return false;
  }

  /** Does f's role chain hold anything back for it (a guarantee, or a reservation on some node)? */
  private holdsBack(f: PreparedFramework): boolean {
    for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
      if (g.guarantee !== undefined) return true;
      for (const m of this.reservedOn) if (m.has(g)) return true;
    }
    return false;
  }

  /** The role of f's chain that holds back room for d on node n (reservation) or anywhere (guarantee), if any. */
  private ownerFor(f: PreparedFramework, d: Vec, n: number): PreparedRole | undefined {
    const { W } = this;
    const { at, onNodes } = this.layout;
    for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
      const reserved = this.reservedOn[n]?.get(g);
      if (reserved === undefined) continue;
      const use = new Float64Array(W);
      for (let k = at[n]!; k < at[n + 1]!; k++) {
        const t = onNodes[k]!;
        if (!this.chosen.has(t) && inSubtree(this.frameworkOf(t).role, g)) addInto(use, this.p.taskVecs[t]!, 1);
      }
      const placed = this.placedOn.get(`${n}\u0000${g.name}`);
      if (placed !== undefined) addInto(use, placed, 1);
      for (let i = 0; i < W; i++) if (d[i]! > 0 && reserved[i]! - use[i]! > 0) return g;
    }
    for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
      if (g.guarantee === undefined) continue;
      const ra = this.roles.subtree.get(g)!;
      let some = false;
      let within = true;
      for (const i of g.guaranteeNames!) {
        if (d[i]! <= 0) continue;
        some = true;
        if (ra[i]! + d[i]! > g.guarantee[i]!) within = false;
      }
      if (some && within) return g;
    }
    return undefined;
  }

  /** The best set of revocable tasks (not of owner's subtree) on any node making room for d. */
  private lentBack(f: PreparedFramework, d: Vec): { c: Candidate; owner: PreparedRole } | undefined {
    const { room } = this;
    const { taskVecs, priority: prio, startedAt: start } = this.p;
    const { at, onNodes, free } = this.layout;
    const tasks = this.snapshot.tasks;
    let best: { c: Candidate; owner: PreparedRole } | undefined;
    const set: number[] = [];
    for (const n of this.layout.scan) {
      const owner = this.ownerFor(f, d, n);
      if (owner === undefined) continue;
      room.set(free[n]!);
      set.length = 0;
      for (let k = at[n]!; k < at[n + 1]! && !containsVec(room, d); k++) {
        const t = onNodes[k]!;
        if (this.chosen.has(t) || tasks[t]!.revocable !== true) continue;
        const v = this.frameworkOf(t);
        if (v === f || inSubtree(v.role, owner)) continue;
        set.push(t);
        addInto(room, taskVecs[t]!, 1);
      }
      if (set.length === 0 || !containsVec(room, d)) continue;
      this.dropUnneeded(set, d);
      let maxPriority = -Infinity;
      let oldest = Infinity;
      for (const t of set) {
        maxPriority = Math.max(maxPriority, prio[t]!);
        oldest = Math.min(oldest, start[t]!);
      }
      const c: Candidate = { node: n, victims: [...set], maxPriority, oldest };
      if (best === undefined || better(c, best.c)) best = { c, owner };
    }
    return best;
  }

  private allowed(t: number, v: PreparedFramework, f: PreparedFramework, d: Vec, wAfter: number, reason: RevocationReason): boolean {
    if (reason === 'Priority') return true;
    const { removedVec, removedCount, total, W } = this;
    const vx = this.planOf(v);
    if ((removedCount.get(v) ?? 0) >= vx.budget) return false;
    const tv = this.p.taskVecs[t]!;
    const prior = removedCount.has(v) ? removedVec.get(v) : undefined;
    // Every guarantee up the victim's chain protects its subtree, unless the waiting framework
    // is in that subtree too (the resources stay in it).
    for (let g: PreparedRole | undefined = v.role; g !== undefined; g = g.parent) {
      if (g.guarantee === undefined || inSubtree(f.role, g)) continue;
      const ra = this.roles.subtree.get(g)!;
      for (const i of g.guaranteeNames!) {
        if (tv[i]! <= 0) continue;
        let fromSubtree = 0;
        for (const other of removedCount.keys()) if (inSubtree(other.role, g)) fromSubtree += removedVec.get(other)![i]!;
        if (ra[i]! - fromSubtree - tv[i]! < g.guarantee[i]!) return false;
      }
    }
    if (this.nested && v.role !== f.role) return this.meetsAbove(v, f, tv, d);
    let share = 0;
    for (let i = 0; i < W; i++) {
      const tt = total[i]!;
      if (tt <= 0) continue;
      const left = (vx.alloc[i]! - (prior === undefined ? 0 : prior[i]!) - tv[i]!) / tt;
      if (left > share) share = left;
    }
    return share / v.role.weight >= wAfter;
  }

  /**
   * Nested roles, victim and waiting framework in different roles: their shares are compared
   * where their chains meet, as the fair allocation compares them — the keys (dominant share ÷
   * weight) of the two places under the lowest common role (a child role's subtree, or that
   * role's own frameworks, of weight 1), after the move.
   */
  private meetsAbove(v: PreparedFramework, f: PreparedFramework, tv: Vec, d: Vec): boolean {
    const lca = commonRole(v.role, f.role);
    const pv = placeUnder(v.role, lca);
    const pf = placeUnder(f.role, lca);
    let vShare = 0;
    let fShare = 0;
    const va = this.roles.of(pv);
    const fa = this.roles.of(pf);
    for (let i = 0; i < this.W; i++) {
      const tt = this.total[i]!;
      if (tt <= 0) continue;
      let removed = 0;
      for (const other of this.removedCount.keys()) if (inPlace(other.role, pv)) removed += this.removedVec.get(other)![i]!;
      vShare = Math.max(vShare, (va[i]! - removed - tv[i]!) / tt);
      fShare = Math.max(fShare, (fa[i]! + d[i]!) / tt);
    }
    return vShare / placeWeight(pv) >= fShare / placeWeight(pf);
  }

  /** Priority: the set (of f's own role) makes room for d within the limit of every role up f's chain. */
  private withinLimit(f: PreparedFramework, d: Vec, set: number[]): boolean {
    for (let r: PreparedRole | undefined = f.role; r !== undefined; r = r.parent) {
      const l = r.limit;
      if (l === undefined) continue;
      const ra = this.roles.subtree.get(r)!;
      for (const i of r.limitNames!) {
        let after = ra[i]! + d[i]!;
        for (const t of set) after -= this.p.taskVecs[t]!.at(i) ?? 0;
        if (d[i]! > 0 && after > l[i]!) return false;
      }
    }
    return true;
  }

  /** Revokes the candidate's victims for one task d of f, and places d on the node. */
  private apply(f: PreparedFramework, x: Plan, d: Vec, c: Candidate, reason: RevocationReason): void {
    const n = c.node;
    const set = this.sets++;
    const { taskVecs } = this.p;
    const free = this.layout.free;
    for (const t of c.victims) {
      const v = this.frameworkOf(t);
      const vx = this.planOf(v);
      this.chosen.add(t);
      // Any task taken from it counts against what it runs beyond its fair allocation.
      if (vx.budget > 0) vx.budget--;
      addInto(vx.alloc, taskVecs[t]!, -1);
      this.roles.add(v.role, taskVecs[t]!, -1);
      vx.key = dominantShare(vx.alloc, this.total) / v.role.weight;
      addInto(free[n]!, taskVecs[t]!, 1);
    }
    addInto(free[n]!, d, -1);
    this.credit(f, x, d);
    if (!this.touched.includes(n)) this.touched.push(n);
    for (const t of c.victims) {
      const v = this.frameworkOf(t);
      this.revocations.push({
        task: this.snapshot.tasks[t]!.id,
        framework: v.name,
        role: v.role.name,
        node: this.snapshot.nodes[n]!.name,
        for: f.name,
        forRole: f.role.name,
        reason,
        set,
        forResources: this.p.space.list(d),
        victimShare: this.planOf(v).key,
        waitingShare: x.key,
      });
    }
  }
}

/** The place under role `lca` (undefined: the top) that `role` is in: a child role's subtree, or `lca`'s own frameworks. */
function placeUnder(role: PreparedRole, lca: PreparedRole | undefined): Place {
  if (role === lca) return { role, own: true };
  let r = role;
  while (r.parent !== lca) r = r.parent!;
  return { role: r, own: false };
}

function inPlace(role: PreparedRole, place: Place): boolean {
  return place.own ? role === place.role : inSubtree(role, place.role);
}

function placeWeight(place: Place): number {
  return place.own ? 1 : place.role.weight;
}

/** The lowest role both are in (undefined: only the top). */
function commonRole(a: PreparedRole, b: PreparedRole): PreparedRole | undefined {
  for (let r: PreparedRole | undefined = a; r !== undefined; r = r.parent) if (inSubtree(b, r)) return r;
  return undefined;
}

/** Is `role` the role `of` or below it? */
function inSubtree(role: PreparedRole, of: PreparedRole): boolean {
  for (let r: PreparedRole | undefined = role; r !== undefined; r = r.parent) if (r === of) return true;
  return false;
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.maxPriority !== b.maxPriority) return a.maxPriority < b.maxPriority;
  if (a.oldest !== b.oldest) return a.oldest > b.oldest;
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  return a.node < b.node;
}

function afterKey(alloc: Vec, d: Vec, sign: number, total: Vec, weight: number): number {
  let share = 0;
  for (let i = 0; i < alloc.length; i++) {
    const t = total[i]!;
    if (t > 0) share = Math.max(share, (alloc[i]! + sign * d[i]!) / t);
  }
  return share / weight;
}
