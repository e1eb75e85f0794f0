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
// has room, not a particular node — placement is the offer path's business. This file defines
// the input and its preparation; water-level.ts computes the filling (the same result as
// progressive-filling.ts, without a step per task).
import { DEFAULT_ROLE, parentRole } from '../api/role-names.ts';
import type { Demand, ResourceList, RoleInfo } from './types.ts';
import { ResourceSpace, dominantShare, grow, type Vec } from './vectors.ts';
import { fill } from './water-level.ts';

/** What revocation needs to know of the cluster: plain data built by the controller. */
export interface RevocationSnapshot {
  nodes: RevocationNode[];
  roles?: RevocationRole[];
  frameworks: RevocationFramework[];
  tasks: RunningTask[];
  /**
   * Resources left out of every dominant share (the allocator's fairSharingExcludedResources,
   * Mesos's --fair_sharing_excluded_resource_names); they still bound what fits.
   */
  excludedResources?: string[];
}

export interface RevocationNode {
  name: string;
  /** What Agora's tasks may use: allocatable − requests of pods no framework owns. */
  capacity: ResourceList;
  /** Not requested by any non-terminal pod now. */
  free: ResourceList;
  /** Reservations on it (static and dynamic alike): what their roles may take back from revocable tasks. */
  reservations?: { role: string; resources: ResourceList }[];
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
  /** Launched from a revocable offer: the first victim when an owner wants its resources back. */
  revocable?: boolean;
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
  /** Roles form a tree by name (`eng/ml` is a child of `eng`); every ancestor of a role here is here too. */
  parent: PreparedRole | undefined;
  children: PreparedRole[];
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
  /** The cluster's capacity: what fits. */
  total: Vec;
  /** What dominant shares are taken of: total with the excluded resources zero. */
  shareTotal: Vec;
  roles: Map<string, PreparedRole>;
  frameworks: Map<string, PreparedFramework>;
  /** snapshot.tasks as vectors, and their frameworks (undefined: being revoked), by index. */
  taskVecs: Vec[];
  taskFrameworks: (PreparedFramework | undefined)[];
  /** snapshot.tasks' priorities (default 0) and starts, by index. */
  priority: Float64Array;
  startedAt: Float64Array;
}

function names(space: ResourceSpace, list: ResourceList | undefined): Set<number> | undefined {
  if (list === undefined) return undefined;
  return new Set(Object.keys(list).map((n) => space.id(n)));
}

/** Interns every resource, sums capacity, builds roles and queues. Pure. */
export function prepare(snapshot: RevocationSnapshot): Prepared {
  const space = new ResourceSpace();
  for (const n of snapshot.nodes) for (const name in n.capacity) space.id(name);
  for (const r of snapshot.roles ?? []) {
    space.vec(r.guarantee);
    space.vec(r.limit);
  }
  for (const f of snapshot.frameworks) for (const d of f.demand ?? []) space.vec(d.resources);
  // Tasks come in few shapes: one vector per shape, shared (queue items of one shape compare by
  // identity). Recent shapes are compared by content, without building a key per task.
  const shapes: { list: ResourceList; vec: Vec }[] = [];
  const recent: number[] = [];
  const shapeOf = snapshot.tasks.map((t) => {
    for (let k = 0; k < recent.length; k++) {
      const s = recent[k]!;
      if (sameList(shapes[s]!.list, t.resources)) {
        if (k > 0) {
          recent.splice(k, 1);
          recent.unshift(s);
        }
        return s;
      }
    }
    shapes.push({ list: t.resources, vec: space.vec(t.resources) });
    recent.unshift(shapes.length - 1);
    if (recent.length > RECENT_SHAPES) recent.pop();
    return shapes.length - 1;
  });
  const W = space.size;
  const fix = (v: Vec): Vec => grow(v, W);
  for (const s of shapes) s.vec = fix(s.vec);
  const taskVecs = shapeOf.map((s) => shapes[s]!.vec);

  const total = new Float64Array(W);
  for (const n of snapshot.nodes) space.addList(total, n.capacity);
  const shareTotal = Float64Array.from(total);
  for (const name of snapshot.excludedResources ?? []) {
    const i = space.lookup(name);
    if (i !== undefined && i < W) shareTotal[i] = 0;
  }

  const roles = new Map<string, PreparedRole>();
  const roleOf = (name: string): PreparedRole => {
    let r = roles.get(name);
    if (r === undefined) {
      const up = parentRole(name);
      const parent = up === undefined ? undefined : roleOf(up);
      r = { name, rank: 0, parent, children: [], weight: 1, revocable: true, allocated: new Float64Array(W), frameworks: [] };
      parent?.children.push(r);
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

  const taskFrameworks: (PreparedFramework | undefined)[] = new Array(snapshot.tasks.length);
  const priority = new Float64Array(snapshot.tasks.length);
  const startedAt = new Float64Array(snapshot.tasks.length);
  // Each framework's tasks collect in f.tasks. A framework's tasks usually come together (the
  // controller lists them framework by framework): the last one looked up is tried first.
  let last: PreparedFramework | undefined;
  const tasks = snapshot.tasks;
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i]!;
    priority[i] = t.priority ?? 0;
    startedAt[i] = t.startedAt;
    if (t.revoking === true) continue;
    const f = last !== undefined && last.name === t.framework ? last : frameworks.get(t.framework);
    if (f === undefined) throw new Error(`task ${t.id}: framework ${t.framework} is not in the snapshot`);
    last = f;
    taskFrameworks[i] = f;
    f.tasks.push(i);
  }
  for (const f of frameworks.values()) {
    const list = f.tasks;
    if (list.length === 0) continue;
    // The order compareKeepFirst states, on the arrays.
    list.sort(
      (a, b) => priority[b]! - priority[a]! || startedAt[a]! - startedAt[b]! || compareKeepFirst(snapshot.tasks[a]!, snapshot.tasks[b]!),
    );
    for (const i of list) {
      const v = taskVecs[i]!;
      const last = f.queue.at(-1);
      if (last !== undefined && (last.vec === v || sameVec(last.vec, v))) last.count++;
      else f.queue.push({ vec: v, count: 1, demand: false });
    }
    for (const { vec, count } of f.queue) {
      for (let k = 0; k < W; k++) {
        f.allocated[k]! += count * vec[k]!;
        f.role.allocated[k]! += count * vec[k]!;
      }
    }
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
  return { space, total, shareTotal, roles, frameworks, taskVecs, taskFrameworks, priority, startedAt };
}

const RECENT_SHAPES = 16;

function sameList(a: ResourceList, b: ResourceList): boolean {
  let n = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    n++;
  }
  for (const _ in b) if (--n < 0) return false;
  return n === 0;
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
// The filling's result (src/allocator/water-level.ts computes it).

/** One framework's part of the fair allocation: its queue position and what it was given. */
export interface Filler {
  f: PreparedFramework;
  alloc: Vec;
  share: number;
  /** Queue position: item index and how many of that item were given. */
  item: number;
  taken: number;
  given: number;
}

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
      share: dominantShare(f.allocated, p.shareTotal),
      fair: p.space.list(x.alloc),
      fairShare: x.share,
    };
  });
}
