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
//   - its role stays at or above its guarantee in every guaranteed resource the task uses
//     (W in the same role: the resources stay in the role),
//   - within W's role, its priority is not above W's, and
//   - its framework's weighted dominant share after the move stays at or above W's after the
//     move. Every move then lifts the smaller of the two and leaves both at least as high as
//     W's new share, so the sorted vector of weighted shares grows lexicographically with every
//     revocation: no sequence of revocations can come back to where it started (no loops).
// Priority preemption comes after: within one role, demand of a higher priority may revoke
// tasks of strictly lower priority regardless of shares (lower priority can never take them
// back, so priorities cannot loop either). Pure: snapshot in, decisions out.
import type { ResourceList } from './types.ts';
import { dominantShare, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';
import {
  fairSharesOf,
  fill,
  prepare,
  type FairShare,
  type PreparedFramework,
  type PreparedRole,
  type RevocationSnapshot,
} from './fair-share.ts';

export type RevocationReason = 'FairShare' | 'Priority';

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

interface Candidate {
  node: number;
  victims: number[];
  maxPriority: number;
  oldest: number;
}

export function planRevocations(snapshot: RevocationSnapshot, options: RevocationOptions = {}): RevocationPlan {
  const p = prepare(snapshot);
  const filled = fill(p);
  const fair = fairSharesOf(p, snapshot, filled);
  const max = options.maxRevocations ?? Infinity;
  const W = p.space.size;
  const { total, taskVecs } = p;
  const tasks = snapshot.tasks;

  const nodeIndex = new Map(snapshot.nodes.map((n, i) => [n.name, i]));
  const free: Vec[] = snapshot.nodes.map((n) => {
    const v = new Float64Array(W);
    v.set(p.space.vec(n.free));
    return v;
  });
  const onNode: number[][] = snapshot.nodes.map(() => []);
  tasks.forEach((t, i) => {
    const n = nodeIndex.get(t.node);
    if (n === undefined) return;
    if (t.revoking === true) add(free[n]!, taskVecs[i]!, 1);
    else onNode[n]!.push(i);
  });

  const plans = new Map<PreparedFramework, Plan>();
  const roleAlloc = new Map<PreparedRole, Vec>();
  for (const r of p.roles.values()) roleAlloc.set(r, Float64Array.from(r.allocated));
  for (const f of p.frameworks.values()) {
    const given = filled.get(f.name)!.given;
    const alloc = Float64Array.from(f.allocated);
    plans.set(f, {
      alloc,
      budget: f.running - Math.min(given, f.running),
      waiting: Math.max(0, given - f.running),
      item: f.running,
      taken: 0,
      key: dominantShare(alloc, total) / f.role.weight,
    });
  }
  const frameworkOf = (t: number): PreparedFramework => p.frameworks.get(tasks[t]!.framework)!;
  const chosen = new Set<number>();
  const revocations: RevocationDecision[] = [];
  const touched: number[] = [];
  const cursor = new Map<string, number>();

  const nextDemand = (f: PreparedFramework, x: Plan): Vec | undefined => (x.item < f.queue.length ? f.queue[x.item]!.vec : undefined);
  const advance = (f: PreparedFramework, x: Plan): void => {
    if (++x.taken === f.queue[x.item]!.count) {
      x.item++;
      x.taken = 0;
    }
  };
  const credit = (f: PreparedFramework, x: Plan, d: Vec): void => {
    add(x.alloc, d, 1);
    add(roleAlloc.get(f.role)!, d, 1);
    x.key = dominantShare(x.alloc, total) / f.role.weight;
  };

  /** A node whose free resources hold d, preferring nodes freed this cycle; -1 if none. */
  const freeNode = (f: PreparedFramework, item: number, d: Vec): number => {
    for (const n of touched) if (fits(d, free[n]!)) return n;
    const key = `${f.name}\u0000${item}`;
    for (let n = cursor.get(key) ?? 0; n < free.length; n++) {
      if (fits(d, free[n]!)) {
        cursor.set(key, n);
        return n;
      }
    }
    cursor.set(key, free.length);
    return -1;
  };

  /** The best victim set on any node for one task d of f, or undefined. */
  const victimsFor = (f: PreparedFramework, x: Plan, d: Vec, reason: RevocationReason): Candidate | undefined => {
    const wAfter = afterKey(x.alloc, d, 1, total, f.role.weight);
    let best: Candidate | undefined;
    const room = new Float64Array(W);
    for (let n = 0; n < onNode.length; n++) {
      const list = onNode[n]!.filter((t) => !chosen.has(t) && eligible(t, f, reason));
      if (list.length === 0) continue;
      list.sort(
        (a, b) =>
          (tasks[a]!.priority ?? 0) - (tasks[b]!.priority ?? 0) ||
          tasks[b]!.startedAt - tasks[a]!.startedAt ||
          (tasks[a]!.id < tasks[b]!.id ? -1 : 1),
      );
      room.set(free[n]!);
      const set: number[] = [];
      const removed = new Map<PreparedFramework, Vec>();
      for (const t of list) {
        if (fits(d, room)) break;
        const v = frameworkOf(t);
        if (!allowed(t, v, f, d, wAfter, removed, set, reason)) continue;
        set.push(t);
        add(room, taskVecs[t]!, 1);
        let r = removed.get(v);
        if (r === undefined) removed.set(v, (r = new Float64Array(W)));
        add(r, taskVecs[t]!, 1);
      }
      if (!fits(d, room)) continue;
      // Drop members the others make unnecessary, first chosen first.
      for (let i = 0; i < set.length && set.length > 1;) {
        add(room, taskVecs[set[i]!]!, -1);
        if (fits(d, room)) set.splice(i, 1);
        else {
          add(room, taskVecs[set[i]!]!, 1);
          i++;
        }
      }
      if (reason === 'Priority' && !withinLimit(f, d, set)) continue;
      const c: Candidate = {
        node: n,
        victims: set,
        maxPriority: Math.max(...set.map((t) => tasks[t]!.priority ?? 0)),
        oldest: Math.min(...set.map((t) => tasks[t]!.startedAt)),
      };
      if (best === undefined || better(c, best)) best = c;
    }
    return best;
  };

  const eligible = (t: number, f: PreparedFramework, reason: RevocationReason): boolean => {
    const v = frameworkOf(t);
    if (v === f || !v.role.revocable) return false;
    const prio = tasks[t]!.priority ?? 0;
    if (reason === 'Priority') return v.role === f.role && prio < f.priority;
    if (v.role === f.role && prio > f.priority) return false;
    return plans.get(v)!.budget > 0;
  };

  const allowed = (
    t: number,
    v: PreparedFramework,
    f: PreparedFramework,
    d: Vec,
    wAfter: number,
    removed: Map<PreparedFramework, Vec>,
    set: number[],
    reason: RevocationReason,
  ): boolean => {
    if (reason === 'Priority') return true;
    const vx = plans.get(v)!;
    if (set.filter((s) => frameworkOf(s) === v).length >= vx.budget) return false;
    const tv = taskVecs[t]!;
    const prior = removed.get(v);
    if (v.role !== f.role && v.role.guarantee !== undefined) {
      const ra = roleAlloc.get(v.role)!;
      let sameRole: Vec | undefined;
      for (const [other, r] of removed) if (other.role === v.role) add((sameRole ??= new Float64Array(W)), r, 1);
      for (const i of v.role.guaranteeNames!) {
        if (tv[i]! <= 0) continue;
        if (ra[i]! - (sameRole?.[i] ?? 0) - tv[i]! < v.role.guarantee[i]!) return false;
      }
    }
    const after = new Float64Array(W);
    after.set(vx.alloc);
    if (prior !== undefined) add(after, prior, -1);
    add(after, tv, -1);
    return dominantShare(after, total) / v.role.weight >= wAfter;
  };

  const withinLimit = (f: PreparedFramework, d: Vec, set: number[]): boolean => {
    const l = f.role.limit;
    if (l === undefined) return true;
    const ra = roleAlloc.get(f.role)!;
    for (const i of f.role.limitNames!) {
      let after = ra[i]! + d[i]!;
      for (const t of set) after -= taskVecs[t]!.at(i) ?? 0;
      if (d[i]! > 0 && after > l[i]!) return false;
    }
    return true;
  };

  let sets = 0;
  const apply = (f: PreparedFramework, x: Plan, d: Vec, c: Candidate, reason: RevocationReason): void => {
    const n = c.node;
    const set = sets++;
    for (const t of c.victims) {
      const v = frameworkOf(t);
      const vx = plans.get(v)!;
      chosen.add(t);
      if (reason === 'FairShare') vx.budget--;
      add(vx.alloc, taskVecs[t]!, -1);
      add(roleAlloc.get(v.role)!, taskVecs[t]!, -1);
      vx.key = dominantShare(vx.alloc, total) / v.role.weight;
      add(free[n]!, taskVecs[t]!, 1);
    }
    add(free[n]!, d, -1);
    credit(f, x, d);
    if (!touched.includes(n)) touched.push(n);
    for (const t of c.victims) {
      const v = frameworkOf(t);
      revocations.push({
        task: tasks[t]!.id,
        framework: v.name,
        role: v.role.name,
        node: snapshot.nodes[n]!.name,
        for: f.name,
        forRole: f.role.name,
        reason,
        set,
        forResources: p.space.list(d),
        victimShare: plans.get(v)!.key,
        waitingShare: x.key,
      });
    }
  };

  /** Places one demand task of f: from free resources, else by revocation. false: cannot, or the budget is spent. */
  const placeOne = (f: PreparedFramework, x: Plan, reason: RevocationReason): boolean | 'stop' => {
    const d = nextDemand(f, x);
    if (d === undefined) return false;
    const n = freeNode(f, x.item, d);
    if (n >= 0) {
      add(free[n]!, d, -1);
      credit(f, x, d);
      advance(f, x);
      return true;
    }
    const c = victimsFor(f, x, d, reason);
    if (c === undefined) return false;
    if (revocations.length + c.victims.length > max) return 'stop';
    apply(f, x, d, c, reason);
    advance(f, x);
    return true;
  };

  // Fair share: the lowest weighted share first, one task at a time.
  const waiting = new MinHeap<PreparedFramework>((a, b) => {
    const ka = plans.get(a)!.key;
    const kb = plans.get(b)!.key;
    return ka < kb || (ka === kb && a.name < b.name);
  });
  for (const f of p.frameworks.values()) if (plans.get(f)!.waiting > 0 && !f.awaiting) waiting.push(f);
  while (waiting.size > 0) {
    const f = waiting.peek()!;
    const x = plans.get(f)!;
    const r = placeOne(f, x, 'FairShare');
    if (r === 'stop') return { revocations, fairShares: fair };
    if (r && --x.waiting > 0) waiting.updateTop();
    else waiting.pop();
  }

  // Priority within a role: highest priority first.
  const byPriority = [...p.frameworks.values()].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
  for (const f of byPriority) {
    const x = plans.get(f)!;
    if (f.awaiting || !hasLowerTask(f)) continue;
    for (;;) {
      const r = placeOne(f, x, 'Priority');
      if (r === 'stop') return { revocations, fairShares: fair };
      if (!r) break;
    }
  }
  return { revocations, fairShares: fair };

  function hasLowerTask(f: PreparedFramework): boolean {
    for (const o of f.role.frameworks) {
      if (o === f) continue;
      for (let i = 0; i < o.running; i++) if ((tasks[o.queue[i]!.task]!.priority ?? 0) < f.priority) return true;
    }
    return false;
  }
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.maxPriority !== b.maxPriority) return a.maxPriority < b.maxPriority;
  if (a.oldest !== b.oldest) return a.oldest > b.oldest;
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  return a.node < b.node;
}

function add(acc: Vec, v: Vec, sign: number): void {
  for (let i = 0; i < v.length; i++) acc[i]! += sign * v[i]!;
}

function fits(d: Vec, room: Vec): boolean {
  for (let i = 0; i < d.length; i++) if (d[i]! > 0 && d[i]! > room[i]!) return false;
  return true;
}

function afterKey(alloc: Vec, d: Vec, sign: number, total: Vec, weight: number): number {
  let share = 0;
  for (let i = 0; i < alloc.length; i++) {
    const t = total[i]!;
    if (t > 0) share = Math.max(share, (alloc[i]! + sign * d[i]!) / t);
  }
  return share / weight;
}
