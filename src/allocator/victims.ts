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
import { fairSharesOf, prepare, type FairShare, type PreparedFramework, type PreparedRole, type RevocationSnapshot } from './fair-share.ts';

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
  const fair = fairSharesOf(p, snapshot, filled);
  const max = options.maxRevocations ?? Infinity;
  const W = p.space.size;
  // Shares are taken of shareTotal (resources excluded from fair sharing count zero).
  const { shareTotal: total, taskVecs } = p;
  const tasks = snapshot.tasks;

  const nodeIndex = new Map(snapshot.nodes.map((n, i) => [n.name, i]));
  // Every node's free vector a view of one buffer: one allocation, not one per node.
  const freeAll = new Float64Array(snapshot.nodes.length * W);
  const free: Vec[] = snapshot.nodes.map((n, i) => {
    const v = freeAll.subarray(i * W, (i + 1) * W);
    p.space.addList(v, n.free);
    return v;
  });
  // By task index: its framework (undefined: being revoked), priority and start.
  const taskFw = p.taskFrameworks;
  const { priority: prio, startedAt: start } = p;
  // Each node's running tasks, as one list grouped by node (node n's: at[n] .. at[n + 1]).
  const nodeOf = new Int32Array(tasks.length).fill(-1);
  const at = new Int32Array(snapshot.nodes.length + 1);
  tasks.forEach((t, i) => {
    const n = nodeIndex.get(t.node);
    if (n === undefined) return;
    if (t.revoking === true) addInto(free[n]!, taskVecs[i]!, 1);
    else {
      nodeOf[i] = n;
      at[n + 1]!++;
    }
  });
  for (let n = 0; n < snapshot.nodes.length; n++) at[n + 1]! += at[n]!;
  const onNodes = new Int32Array(at[snapshot.nodes.length]!);
  const next = at.slice(0, snapshot.nodes.length);
  nodeOf.forEach((n, i) => {
    if (n >= 0) onNodes[next[n]!++] = i;
  });
  // Each node's tasks once, in the order victims are taken: lower priority, then youngest.
  for (let n = 0; n < snapshot.nodes.length; n++)
    onNodes
      .subarray(at[n]!, at[n + 1]!)
      .sort((a, b) => prio[a]! - prio[b]! || start[b]! - start[a]! || (tasks[a]!.id < tasks[b]!.id ? -1 : 1));
  // Nodes with tasks, by the best victim set they could hold: a set's highest priority is at
  // least its node's first task's, and at that priority its oldest task is no younger. Scanned
  // in this order, the search stops at the first node that cannot beat the best set found.
  const scan: number[] = [];
  for (let n = 0; n < snapshot.nodes.length; n++) if (at[n + 1]! > at[n]!) scan.push(n);
  const bound = (n: number): number => onNodes[at[n]!]!;
  scan.sort((a, b) => prio[bound(a)]! - prio[bound(b)]! || start[bound(b)]! - start[bound(a)]! || a - b);

  // By framework index: the lowest priority of its running tasks.
  const minPriority = new Float64Array(p.frameworks.size).fill(Infinity);
  for (const f of p.frameworks.values()) for (const t of f.tasks) minPriority[f.index] = Math.min(minPriority[f.index]!, prio[t]!);

  const plans: Plan[] = new Array(p.frameworks.size);
  // By role: what its subtree holds (a role's guarantee and limit are of its subtree), and what
  // its own frameworks hold.
  const nested = hasNestedRoles(p);
  const roleAlloc = new Map<PreparedRole, Vec>();
  const ownAlloc = new Map<PreparedRole, Vec>();
  for (const r of p.roles.values()) {
    roleAlloc.set(r, new Float64Array(W));
    ownAlloc.set(r, new Float64Array(W));
  }
  for (const r of p.roles.values()) chainAdd(r, r.allocated, 1);
  for (const f of p.frameworks.values()) {
    const given = filled.get(f.name)!.given;
    const alloc = Float64Array.from(f.allocated);
    plans[f.index] = {
      alloc,
      budget: f.running - Math.min(given, f.running),
      waiting: Math.max(0, given - f.running),
      item: f.runningItems,
      taken: 0,
      key: dominantShare(alloc, total) / f.role.weight,
    };
  }
  const planOf = (f: PreparedFramework): Plan => plans[f.index]!;
  const frameworkOf = (t: number): PreparedFramework => taskFw[t]!;
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
  function chainAdd(role: PreparedRole, d: Vec, sign: number): void {
    addInto(ownAlloc.get(role)!, d, sign);
    for (let r: PreparedRole | undefined = role; r !== undefined; r = r.parent) addInto(roleAlloc.get(r)!, d, sign);
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
  function placeAlloc(place: Place): Vec {
    return (place.own ? ownAlloc : roleAlloc).get(place.role)!;
  }
  function placeWeight(place: Place): number {
    return place.own ? 1 : place.role.weight;
  }
  const credit = (f: PreparedFramework, x: Plan, d: Vec): void => {
    addInto(x.alloc, d, 1);
    chainAdd(f.role, d, 1);
    x.key = dominantShare(x.alloc, total) / f.role.weight;
  };

  /**
   * A node whose free resources hold d, preferring nodes freed this cycle; -1 if none. Outside
   * the nodes freed this cycle free resources only shrink, so a node that did not hold a shape
   * never will: one cursor per shape, shared by every framework that wants it (a hundred
   * newcomers of one shape scan the nodes once, not a hundred times).
   */
  const freeNode = (d: Vec): number => {
    for (const n of touched) if (containsVec(free[n]!, d)) return n;
    const key = d.join();
    for (let n = cursor.get(key) ?? 0; n < free.length; n++) {
      if (containsVec(free[n]!, d)) {
        cursor.set(key, n);
        return n;
      }
    }
    cursor.set(key, free.length);
    return -1;
  };

  // Scratch for the search: what the set takes from each framework (vector and count).
  const room = new Float64Array(W);
  const removedVec = new Map<PreparedFramework, Vec>();
  const removedCount = new Map<PreparedFramework, number>();
  const scratch = (v: PreparedFramework): Vec => {
    let r = removedVec.get(v);
    if (r === undefined) removedVec.set(v, (r = new Float64Array(W)));
    return r;
  };

  /** The best victim set on any node for one task d of f, or undefined. */
  const victimsFor = (f: PreparedFramework, x: Plan, d: Vec, reason: RevocationReason): Candidate | undefined => {
    const wAfter = afterKey(x.alloc, d, 1, total, f.role.weight);
    let best: Candidate | undefined;
    const set: number[] = [];
    if (!anyVictim(f, wAfter, reason)) return undefined;
    for (const n of scan) {
      const t0 = bound(n);
      if (best !== undefined && (prio[t0]! > best.maxPriority || (prio[t0] === best.maxPriority && start[t0]! < best.oldest))) break;
      room.set(free[n]!);
      set.length = 0;
      for (const v of removedCount.keys()) removedVec.get(v)!.fill(0);
      removedCount.clear();
      for (let k = at[n]!; k < at[n + 1]!; k++) {
        const t = onNodes[k]!;
        if (containsVec(room, d)) break;
        if (chosen.has(t)) continue;
        const v = frameworkOf(t);
        if (!eligible(t, v, f, reason) || !allowed(t, v, f, d, wAfter, reason)) continue;
        set.push(t);
        addInto(room, taskVecs[t]!, 1);
        addInto(scratch(v), taskVecs[t]!, 1);
        removedCount.set(v, (removedCount.get(v) ?? 0) + 1);
      }
      if (set.length === 0 || !containsVec(room, d)) continue;
      // Drop members the others make unnecessary, first chosen first.
      for (let i = 0; i < set.length && set.length > 1;) {
        addInto(room, taskVecs[set[i]!]!, -1);
        if (containsVec(room, d)) set.splice(i, 1);
        else {
          addInto(room, taskVecs[set[i]!]!, 1);
          i++;
        }
      }
      if (reason === 'Priority' && !withinLimit(f, d, set)) continue;
      let maxPriority = -Infinity;
      let oldest = Infinity;
      for (const t of set) {
        if (prio[t]! > maxPriority) maxPriority = prio[t]!;
        if (start[t]! < oldest) oldest = start[t]!;
      }
      const c: Candidate = { node: n, victims: set, maxPriority, oldest };
      if (best === undefined || better(c, best)) best = { ...c, victims: [...set] };
    }
    return best;
  };

  /** Could any framework give f a task at all (a necessary condition, checked before scanning nodes)? */
  const anyVictim = (f: PreparedFramework, wAfter: number, reason: RevocationReason): boolean => {
    for (const v of p.frameworks.values()) {
      if (v === f || !v.role.revocable || v.running === 0) continue;
      if (reason === 'Priority') {
        if (v.role === f.role && minPriority[v.index]! < f.priority) return true;
      } else if (
        planOf(v).budget > 0 &&
        ((nested && v.role !== f.role) || planOf(v).key >= wAfter) &&
        (v.role !== f.role || minPriority[v.index]! <= f.priority)
      )
        return true;
    }
    return false;
  };

  const eligible = (t: number, v: PreparedFramework, f: PreparedFramework, reason: RevocationReason): boolean => {
    if (v === f || !v.role.revocable) return false;
    const pr = prio[t]!;
    if (reason === 'Priority') return v.role === f.role && pr < f.priority;
    if (v.role === f.role && pr > f.priority) return false;
    return planOf(v).budget > 0 && !onOwnReservation(t, v, f);
  };

  // Reservations by node and role. A task within a reservation of its role's chain runs on what
  // only that role's subtree may use: fair share never takes it for a framework outside it (the
  // resources could not go to that framework — only be lent back to it, revocably, and taken
  // back again: a loop).
  const reservedOn = snapshot.nodes.some((n) => (n.reservations ?? []).length > 0)
    ? snapshot.nodes.map((n) => {
        const m = new Map<PreparedRole, Vec>();
        for (const r of n.reservations ?? []) {
          const role = p.roles.get(r.role);
          if (role === undefined) continue;
          const v = m.get(role) ?? new Float64Array(W);
          p.space.addList(v, r.resources);
          m.set(role, v);
        }
        return m;
      })
    : [];
  /** What the running tasks of role g's subtree hold on node n (cached: running tasks do not change during the plan). */
  const subtreeUse = new Map<string, Vec>();
  const useOf = (n: number, g: PreparedRole): Vec => {
    const key = `${n}\u0000${g.name}`;
    let use = subtreeUse.get(key);
    if (use === undefined) {
      use = new Float64Array(W);
      for (let k = at[n]!; k < at[n + 1]!; k++) {
        const t = onNodes[k]!;
        if (inSubtree(frameworkOf(t).role, g)) addInto(use, taskVecs[t]!, 1);
      }
      subtreeUse.set(key, use);
    }
    return use;
  };
  const onOwnReservation = (t: number, v: PreparedFramework, f: PreparedFramework): boolean => {
    const n = nodeOf[t]!;
    const m = reservedOn[n];
    if (m === undefined || m.size === 0) return false;
    const tv = taskVecs[t]!;
    for (let g: PreparedRole | undefined = v.role; g !== undefined; g = g.parent) {
      const reserved = m.get(g);
      if (reserved === undefined || inSubtree(f.role, g)) continue;
      const use = useOf(n, g);
      for (let i = 0; i < W; i++) if (tv[i]! > 0 && reserved[i]! > 0 && use[i]! <= reserved[i]!) return true;
    }
    return false;
  };

  const allowed = (t: number, v: PreparedFramework, f: PreparedFramework, d: Vec, wAfter: number, reason: RevocationReason): boolean => {
    if (reason === 'Priority') return true;
    const vx = planOf(v);
    if ((removedCount.get(v) ?? 0) >= vx.budget) return false;
    const tv = taskVecs[t]!;
    const prior = removedCount.has(v) ? removedVec.get(v) : undefined;
    // Every guarantee up the victim's chain protects its subtree, unless the waiting framework
    // is in that subtree too (the resources stay in it).
    for (let g: PreparedRole | undefined = v.role; g !== undefined; g = g.parent) {
      if (g.guarantee === undefined || inSubtree(f.role, g)) continue;
      const ra = roleAlloc.get(g)!;
      for (const i of g.guaranteeNames!) {
        if (tv[i]! <= 0) continue;
        let fromSubtree = 0;
        for (const other of removedCount.keys()) if (inSubtree(other.role, g)) fromSubtree += removedVec.get(other)![i]!;
        if (ra[i]! - fromSubtree - tv[i]! < g.guarantee[i]!) return false;
      }
    }
    if (nested && v.role !== f.role) return meetsAbove(v, f, tv, d);
    let share = 0;
    for (let i = 0; i < W; i++) {
      const tt = total[i]!;
      if (tt <= 0) continue;
      const left = (vx.alloc[i]! - (prior === undefined ? 0 : prior[i]!) - tv[i]!) / tt;
      if (left > share) share = left;
    }
    return share / v.role.weight >= wAfter;
  };

  /**
   * Nested roles, victim and waiting framework in different roles: their shares are compared
   * where their chains meet, as the fair allocation compares them — the keys (dominant share ÷
   * weight) of the two places under the lowest common role (a child role's subtree, or that
   * role's own frameworks, of weight 1), after the move.
   */
  const meetsAbove = (v: PreparedFramework, f: PreparedFramework, tv: Vec, d: Vec): boolean => {
    const lca = commonRole(v.role, f.role);
    const pv = placeUnder(v.role, lca);
    const pf = placeUnder(f.role, lca);
    let vShare = 0;
    let fShare = 0;
    const va = placeAlloc(pv);
    const fa = placeAlloc(pf);
    for (let i = 0; i < W; i++) {
      const tt = total[i]!;
      if (tt <= 0) continue;
      let removed = 0;
      for (const other of removedCount.keys()) if (inPlace(other.role, pv)) removed += removedVec.get(other)![i]!;
      vShare = Math.max(vShare, (va[i]! - removed - tv[i]!) / tt);
      fShare = Math.max(fShare, (fa[i]! + d[i]!) / tt);
    }
    return vShare / placeWeight(pv) >= fShare / placeWeight(pf);
  };

  /** Priority: the set (of f's own role) makes room for d within the limit of every role up f's chain. */
  const withinLimit = (f: PreparedFramework, d: Vec, set: number[]): boolean => {
    for (let r: PreparedRole | undefined = f.role; r !== undefined; r = r.parent) {
      const l = r.limit;
      if (l === undefined) continue;
      const ra = roleAlloc.get(r)!;
      for (const i of r.limitNames!) {
        let after = ra[i]! + d[i]!;
        for (const t of set) after -= taskVecs[t]!.at(i) ?? 0;
        if (d[i]! > 0 && after > l[i]!) return false;
      }
    }
    return true;
  };

  let sets = 0;
  const apply = (f: PreparedFramework, x: Plan, d: Vec, c: Candidate, reason: RevocationReason): void => {
    const n = c.node;
    const set = sets++;
    for (const t of c.victims) {
      const v = frameworkOf(t);
      const vx = planOf(v);
      chosen.add(t);
      // Any task taken from it counts against what it runs beyond its fair allocation.
      if (vx.budget > 0) vx.budget--;
      addInto(vx.alloc, taskVecs[t]!, -1);
      chainAdd(v.role, taskVecs[t]!, -1);
      vx.key = dominantShare(vx.alloc, total) / v.role.weight;
      addInto(free[n]!, taskVecs[t]!, 1);
    }
    addInto(free[n]!, d, -1);
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
        victimShare: planOf(v).key,
        waitingShare: x.key,
      });
    }
  };

  /** Places one demand task of f: from free resources, else by revocation. false: cannot, or the budget is spent. */
  const placeOne = (f: PreparedFramework, x: Plan, reason: RevocationReason): boolean | 'stop' => {
    const d = nextDemand(f, x);
    if (d === undefined) return false;
    const n = freeNode(d);
    if (n >= 0) {
      addInto(free[n]!, d, -1);
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

  // Revocable tasks first: what was lent goes back to whom it is held for.
  if (tasks.some((t) => t.revocable === true && t.revoking !== true)) {
    // What this phase placed, by node and role: it takes up the role's reservation there.
    const placedOn = new Map<string, Vec>();
    /** The role of f's chain that holds back room for d on node n (reservation) or anywhere (guarantee), if any. */
    const ownerFor = (f: PreparedFramework, d: Vec, n: number): PreparedRole | undefined => {
      for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
        const reserved = reservedOn[n]?.get(g);
        if (reserved === undefined) continue;
        const use = new Float64Array(W);
        for (let k = at[n]!; k < at[n + 1]!; k++) {
          const t = onNodes[k]!;
          if (!chosen.has(t) && inSubtree(frameworkOf(t).role, g)) addInto(use, taskVecs[t]!, 1);
        }
        const placed = placedOn.get(`${n}\u0000${g.name}`);
        if (placed !== undefined) addInto(use, placed, 1);
        for (let i = 0; i < W; i++) if (d[i]! > 0 && reserved[i]! - use[i]! > 0) return g;
      }
      for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
        if (g.guarantee === undefined) continue;
        const ra = roleAlloc.get(g)!;
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
    };
    /** The best set of revocable tasks (not of owner's subtree) on any node making room for d. */
    const lentBack = (f: PreparedFramework, d: Vec): { c: Candidate; owner: PreparedRole } | undefined => {
      let best: { c: Candidate; owner: PreparedRole } | undefined;
      const set: number[] = [];
      for (const n of scan) {
        const owner = ownerFor(f, d, n);
        if (owner === undefined) continue;
        room.set(free[n]!);
        set.length = 0;
        for (let k = at[n]!; k < at[n + 1]! && !containsVec(room, d); k++) {
          const t = onNodes[k]!;
          if (chosen.has(t) || tasks[t]!.revocable !== true) continue;
          const v = frameworkOf(t);
          if (v === f || inSubtree(v.role, owner)) continue;
          set.push(t);
          addInto(room, taskVecs[t]!, 1);
        }
        if (set.length === 0 || !containsVec(room, d)) continue;
        for (let i = 0; i < set.length && set.length > 1;) {
          addInto(room, taskVecs[set[i]!]!, -1);
          if (containsVec(room, d)) set.splice(i, 1);
          else {
            addInto(room, taskVecs[set[i]!]!, 1);
            i++;
          }
        }
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
    };
    const holdsBack = (f: PreparedFramework): boolean => {
      for (let g: PreparedRole | undefined = f.role; g !== undefined; g = g.parent) {
        if (g.guarantee !== undefined) return true;
        for (const m of reservedOn) if (m.has(g)) return true;
      }
      return false;
    };
    const owners = [...p.frameworks.values()]
      .filter((f) => !f.awaiting && planOf(f).item < f.queue.length && holdsBack(f))
      .sort((a, b) => planOf(a).key - planOf(b).key || a.rank - b.rank);
    for (const f of owners) {
      const x = planOf(f);
      for (let d = nextDemand(f, x); d !== undefined; d = nextDemand(f, x)) {
        const n = freeNode(d);
        if (n >= 0) {
          // The offer path gives it; its later tasks may still need what was lent.
          addInto(free[n]!, d, -1);
          credit(f, x, d);
          advance(f, x);
          if (x.waiting > 0) x.waiting--;
          continue;
        }
        const found = lentBack(f, d);
        if (found === undefined) break;
        if (revocations.length + found.c.victims.length > max) return { revocations, fairShares: fair };
        apply(f, x, d, found.c, 'Revocable');
        const key = `${found.c.node}\u0000${found.owner.name}`;
        const placed = placedOn.get(key) ?? new Float64Array(W);
        addInto(placed, d, 1);
        placedOn.set(key, placed);
        advance(f, x);
        if (x.waiting > 0) x.waiting--;
      }
    }
  }

  // Priority within a role first, highest priority first: what is free goes to higher-priority
  // demand before lower-priority demand of the role is placed by fair share (which would then
  // leave the higher priority nothing but revocation). What it places counts as fair-share
  // placements too.
  const byPriority = [...p.frameworks.values()].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
  for (const f of byPriority) {
    const x = planOf(f);
    if (f.awaiting || !hasLowerTask(f)) continue;
    for (;;) {
      const r = placeOne(f, x, 'Priority');
      if (r === 'stop') return { revocations, fairShares: fair };
      if (!r) break;
      if (x.waiting > 0) x.waiting--;
    }
  }

  // Fair share: the lowest weighted share first, one task at a time.
  const waiting = new MinHeap<PreparedFramework>((a, b) => {
    const ka = planOf(a).key;
    const kb = planOf(b).key;
    return ka < kb || (ka === kb && a.rank < b.rank);
  });
  for (const f of p.frameworks.values()) if (planOf(f).waiting > 0 && !f.awaiting) waiting.push(f);
  while (waiting.size > 0) {
    const f = waiting.peek()!;
    const x = planOf(f);
    const r = placeOne(f, x, 'FairShare');
    if (r === 'stop') return { revocations, fairShares: fair };
    if (r && --x.waiting > 0) waiting.updateTop();
    else waiting.pop();
  }

  return { revocations, fairShares: fair };

  function hasLowerTask(f: PreparedFramework): boolean {
    for (const o of f.role.frameworks) if (o !== f && minPriority[o.index]! < f.priority) return true;
    return false;
  }
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
