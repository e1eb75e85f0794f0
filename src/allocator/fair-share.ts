// The DRF fair allocation of the whole cluster, by progressive filling (Ghodsi et al., NSDI
// 2011, §4), given what every framework runs and what it still wants (its demand).
//
// Each framework has a queue of tasks: its running tasks first (higher priority, then older,
// first: those it would keep longest), then its demand in the order published. Filling hands
// out queue items one at a time to the lowest share — roles by dominant share / weight, then
// frameworks within the role by dominant share — over the cluster's total capacity, until no
// one's next item fits. Guarantees are filled first (each role up to its guarantee), limits are
// never exceeded. A framework whose next item does not fit stops there: its fair allocation is
// the prefix of its queue it was given.
//
// Capacity is the cluster's aggregate: a task is counted as fitting when the sum over nodes
// has room, not a particular node — placement is the offer path's business. Runs of equal
// demand items are handed out in batches up to the next framework's share, so the cost grows
// with the number of frameworks and running tasks, not with the size of a demand's count.
import type { Demand, ResourceList, RoleInfo } from './types.ts';
import { ResourceSpace, dominantShare, grow, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';

/** What revocation needs to know of the cluster: plain data built by the controller. */
export interface RevocationSnapshot {
  nodes: RevocationNode[];
  roles?: RevocationRole[];
  frameworks: RevocationFramework[];
  tasks: RunningTask[];
}

export interface RevocationNode {
  name: string;
  /** What Agora's tasks may use: allocatable − requests of pods no framework owns. */
  capacity: ResourceList;
  /** Not requested by any non-terminal pod now. */
  free: ResourceList;
}

export interface RevocationRole extends RoleInfo {
  /** `false`: no task of this role is ever revoked (the role opted out). Default true. */
  revocable?: boolean;
}

export interface RevocationFramework {
  name: string;
  /** Default `default`. */
  role?: string;
  /** What it still wants to launch; undefined or [] wants nothing more. */
  demand?: Demand[];
  /** Priority of its demand (its tasks carry their own). Default 0. */
  priority?: number;
  /**
   * What was revoked for it is still being freed or offered: nothing more is revoked for it
   * until that settles (its demand still counts in everyone's fair share).
   */
  awaitingRevoked?: boolean;
}

export interface RunningTask {
  /** Unique, e.g. namespace/name. */
  id: string;
  framework: string;
  node: string;
  resources: ResourceList;
  /** Default 0. */
  priority?: number;
  /** ms, any clock: only compared. */
  startedAt: number;
  /** Already told it is revoked: on its way out, its resources as good as free. */
  revoking?: boolean;
}

/** One framework's place in the fair allocation. */
export interface FairShare {
  framework: string;
  role: string;
  /** Running tasks not being revoked. */
  running: number;
  /** Items of its queue (running tasks, then demand) inside the fair allocation. */
  fairTasks: number;
  /** What its running tasks use, and its dominant share of the cluster. */
  allocated: ResourceList;
  share: number;
  /** What its fair allocation uses, and that allocation's dominant share. */
  fair: ResourceList;
  fairShare: number;
}

export const DEFAULT_ROLE = 'default';

// ---------------------------------------------------------------------------------------------
// Shared preparation, also used by the victim choice.

/** A framework's queue item: `count` tasks of one shape (consecutive running tasks of one shape share one). */
export interface QueueItem {
  vec: Vec;
  count: number;
  /** Demand, not running tasks. */
  demand: boolean;
}

export interface PreparedFramework {
  name: string;
  /** Position in snapshot.frameworks; and in name order (the tie-break). */
  index: number;
  rank: number;
  awaiting: boolean;
  role: PreparedRole;
  priority: number;
  queue: QueueItem[];
  /** Running tasks (not being revoked), in the order it keeps them: indices into snapshot.tasks. */
  tasks: number[];
  /** Number of running tasks, and of the leading queue items that hold them. */
  running: number;
  runningItems: number;
  allocated: Vec;
}

export interface PreparedRole {
  name: string;
  rank: number;
  weight: number;
  guarantee?: Vec;
  guaranteeNames?: Set<number>;
  limit?: Vec;
  limitNames?: Set<number>;
  revocable: boolean;
  allocated: Vec;
  frameworks: PreparedFramework[];
}

export interface Prepared {
  space: ResourceSpace;
  total: Vec;
  roles: Map<string, PreparedRole>;
  frameworks: Map<string, PreparedFramework>;
  /** snapshot.tasks as vectors, by index. */
  taskVecs: Vec[];
}

function names(space: ResourceSpace, list: ResourceList | undefined): Set<number> | undefined {
  if (list === undefined) return undefined;
  return new Set(Object.keys(list).map((n) => space.id(n)));
}

/** Interns every resource, sums capacity, builds roles and queues. Pure. */
export function prepare(snapshot: RevocationSnapshot): Prepared {
  const space = new ResourceSpace();
  for (const n of snapshot.nodes) space.vec(n.capacity);
  for (const r of snapshot.roles ?? []) {
    space.vec(r.guarantee);
    space.vec(r.limit);
  }
  for (const f of snapshot.frameworks) for (const d of f.demand ?? []) space.vec(d.resources);
  const taskVecs = snapshot.tasks.map((t) => space.vec(t.resources));
  const W = space.size;
  const fix = (v: Vec): Vec => grow(v, W);

  const total = new Float64Array(W);
  for (const n of snapshot.nodes) {
    const c = fix(space.vec(n.capacity));
    for (let i = 0; i < W; i++) total[i]! += c[i]!;
  }

  const roles = new Map<string, PreparedRole>();
  const roleOf = (name: string): PreparedRole => {
    let r = roles.get(name);
    if (r === undefined) {
      r = { name, rank: 0, weight: 1, revocable: true, allocated: new Float64Array(W), frameworks: [] };
      roles.set(name, r);
    }
    return r;
  };
  for (const info of snapshot.roles ?? []) {
    const r = roleOf(info.name);
    if (info.weight !== undefined) {
      if (!(info.weight > 0)) throw new Error(`role ${info.name}: weight ${info.weight} is not positive`);
      r.weight = info.weight;
    }
    if (info.guarantee !== undefined) {
      r.guarantee = fix(space.vec(info.guarantee));
      r.guaranteeNames = names(space, info.guarantee);
    }
    if (info.limit !== undefined) {
      r.limit = fix(space.vec(info.limit));
      r.limitNames = names(space, info.limit);
    }
    if (info.revocable === false) r.revocable = false;
  }

  const frameworks = new Map<string, PreparedFramework>();
  for (const info of snapshot.frameworks) {
    if (frameworks.has(info.name)) throw new Error(`framework ${info.name}: listed twice`);
    const role = roleOf(info.role ?? DEFAULT_ROLE);
    const f: PreparedFramework = {
      name: info.name,
      index: frameworks.size,
      rank: 0,
      awaiting: info.awaitingRevoked === true,
      role,
      priority: info.priority ?? 0,
      queue: [],
      tasks: [],
      running: 0,
      runningItems: 0,
      allocated: new Float64Array(W),
    };
    frameworks.set(info.name, f);
    role.frameworks.push(f);
  }

  const byFramework = new Map<string, number[]>();
  snapshot.tasks.forEach((t, i) => {
    if (t.revoking === true) return;
    if (!frameworks.has(t.framework)) throw new Error(`task ${t.id}: framework ${t.framework} is not in the snapshot`);
    let list = byFramework.get(t.framework);
    if (list === undefined) byFramework.set(t.framework, (list = []));
    list.push(i);
  });
  for (const [name, list] of byFramework) {
    const f = frameworks.get(name)!;
    list.sort((a, b) => compareKeepFirst(snapshot.tasks[a]!, snapshot.tasks[b]!));
    for (const i of list) {
      const v = fix(taskVecs[i]!);
      const last = f.queue.at(-1);
      if (last !== undefined && sameVec(last.vec, v)) last.count++;
      else f.queue.push({ vec: v, count: 1, demand: false });
      for (let k = 0; k < W; k++) {
        f.allocated[k]! += v[k]!;
        f.role.allocated[k]! += v[k]!;
      }
    }
    f.tasks = list;
    f.running = list.length;
    f.runningItems = f.queue.length;
  }
  for (const info of snapshot.frameworks) {
    const f = frameworks.get(info.name)!;
    (info.demand ?? []).forEach((d, j) => {
      if (!Number.isSafeInteger(d.count) || d.count < 0)
        throw new Error(`framework ${info.name}: demand[${j}].count ${d.count} is not a non-negative integer`);
      const v = fix(space.vec(d.resources));
      if (d.count > 0 && v.some((x) => x > 0)) f.queue.push({ vec: v, count: d.count, demand: true });
    });
  }
  [...frameworks.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((f, i) => (f.rank = i));
  [...roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((r, i) => (r.rank = i));
  return { space, total, roles, frameworks, taskVecs: taskVecs.map(fix) };
}

function sameVec(a: Vec, b: Vec): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Running tasks in the order a framework keeps them: higher priority, then older, then id. */
export function compareKeepFirst(a: RunningTask, b: RunningTask): number {
  return (b.priority ?? 0) - (a.priority ?? 0) || a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Progressive filling.

export interface Filler {
  f: PreparedFramework;
  alloc: Vec;
  share: number;
  /** Queue position: item index and how many of that item were given. */
  item: number;
  taken: number;
  given: number;
}

interface RoleFiller {
  r: PreparedRole;
  alloc: Vec;
  key: number;
  heap: MinHeap<Filler>;
}

const byShare = (a: Filler, b: Filler): boolean => a.share < b.share || (a.share === b.share && a.f.rank < b.f.rank);
const byKey = (a: RoleFiller, b: RoleFiller): boolean => a.key < b.key || (a.key === b.key && a.r.rank < b.r.rank);

/** The fair allocation of every framework in the snapshot, in snapshot order. */
export function fairShares(snapshot: RevocationSnapshot): FairShare[] {
  const p = prepare(snapshot);
  return fairSharesOf(p, snapshot, fill(p));
}

export function fairSharesOf(p: Prepared, snapshot: RevocationSnapshot, filled: Map<string, Filler>): FairShare[] {
  return snapshot.frameworks.map((info) => {
    const f = p.frameworks.get(info.name)!;
    const x = filled.get(info.name)!;
    return {
      framework: f.name,
      role: f.role.name,
      running: f.running,
      fairTasks: x.given,
      allocated: p.space.list(f.allocated),
      share: dominantShare(f.allocated, p.total),
      fair: p.space.list(x.alloc),
      fairShare: x.share,
    };
  });
}

/** Runs the two phases; returns each framework's filler (alloc, share, given). */
export function fill(p: Prepared): Map<string, Filler> {
  const W = p.space.size;
  const { total } = p;
  const remaining = Float64Array.from(total);
  const fillers = new Map<string, Filler>();
  const roleFillers: RoleFiller[] = [];
  for (const r of [...p.roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rf: RoleFiller = { r, alloc: new Float64Array(W), key: 0, heap: new MinHeap(byShare) };
    roleFillers.push(rf);
    for (const f of r.frameworks) fillers.set(f.name, { f, alloc: new Float64Array(W), share: 0, item: 0, taken: 0, given: 0 });
  }

  /** How many of x's next item may be given now (0: it does not fit), bounded by `keyBound` terms. */
  const fits = (
    x: Filler,
    rf: RoleFiller,
    capTo: Vec | undefined,
    capNames: Set<number> | undefined,
    shareCap: number,
    roleKeyCap: number,
  ): number => {
    const it = x.f.queue[x.item]!;
    const v = it.vec;
    let k = it.count - x.taken;
    for (let i = 0; i < W; i++) {
      const need = v[i]!;
      if (need <= 0) continue;
      k = Math.min(k, Math.floor(remaining[i]! / need));
      const r = rf.r;
      if (r.limit !== undefined && r.limitNames!.has(i)) k = Math.min(k, Math.floor((r.limit[i]! - rf.alloc[i]!) / need));
      if (capTo !== undefined && capNames!.has(i)) k = Math.min(k, Math.floor((capTo[i]! - rf.alloc[i]!) / need));
      if (k <= 0) return 0;
    }
    // Batch only up to the point where someone else becomes lower: at least one.
    let batch = k;
    for (let i = 0; i < W; i++) {
      const need = v[i]!;
      if (need <= 0 || total[i]! <= 0) continue;
      if (Number.isFinite(shareCap)) batch = Math.min(batch, Math.floor((shareCap * total[i]! - x.alloc[i]!) / need));
      if (Number.isFinite(roleKeyCap)) batch = Math.min(batch, Math.floor((roleKeyCap * rf.r.weight * total[i]! - rf.alloc[i]!) / need));
    }
    return Math.max(1, Math.min(k, batch));
  };

  const give = (x: Filler, rf: RoleFiller, k: number): void => {
    const v = x.f.queue[x.item]!.vec;
    for (let i = 0; i < W; i++) {
      const d = k * v[i]!;
      x.alloc[i]! += d;
      rf.alloc[i]! += d;
      remaining[i]! -= d;
    }
    x.given += k;
    x.taken += k;
    if (x.taken === x.f.queue[x.item]!.count) {
      x.item++;
      x.taken = 0;
    }
    x.share = dominantShare(x.alloc, total);
    rf.key = dominantShare(rf.alloc, total) / rf.r.weight;
  };

  const nextOf = (h: MinHeap<Filler>): number => {
    const s = h.second();
    return s === undefined ? Infinity : s.share;
  };

  // Phase 1: every role up to its guarantee, frameworks within it in DRF order.
  for (const rf of roleFillers) {
    const g = rf.r.guarantee;
    if (g === undefined) continue;
    const h = new MinHeap(byShare);
    for (const f of rf.r.frameworks) {
      const x = fillers.get(f.name)!;
      if (x.item < f.queue.length) h.push(x);
    }
    while (h.size > 0) {
      const x = h.peek()!;
      const k = fits(x, rf, g, rf.r.guaranteeNames, nextOf(h), Infinity);
      if (k === 0) {
        h.pop();
        continue;
      }
      give(x, rf, k);
      if (x.item >= x.f.queue.length) h.pop();
      else h.updateTop();
    }
  }

  // Phase 2: everyone, roles by weighted share, frameworks within a role by share.
  const roles = new MinHeap(byKey);
  for (const rf of roleFillers) {
    for (const f of rf.r.frameworks) {
      const x = fillers.get(f.name)!;
      if (x.item < f.queue.length) rf.heap.push(x);
    }
    if (rf.heap.size > 0) roles.push(rf);
  }
  while (roles.size > 0) {
    const rf = roles.peek()!;
    const x = rf.heap.peek()!;
    const nextRole = roles.second();
    const k = fits(x, rf, undefined, undefined, nextOf(rf.heap), nextRole === undefined ? Infinity : nextRole.key);
    if (k === 0 || (give(x, rf, k), x.item >= x.f.queue.length)) rf.heap.pop();
    else rf.heap.updateTop();
    if (rf.heap.size === 0) roles.pop();
    else roles.updateTop();
  }
  return fillers;
}
