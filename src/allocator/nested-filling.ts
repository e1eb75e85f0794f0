// The fair allocation over a role tree (Mesos's nested roles: `eng/ml` is a child of `eng`):
// progressive filling as progressive-filling.ts states it, with the next task chosen level by
// level as the allocator's cycle walks the tree (role-tree.ts) — among the top-level roles the
// one whose subtree has the lowest dominant share ÷ weight, then inside it among its children
// the same way, down to a role's own frameworks by dominant share (ties by name). A role with
// frameworks of its own and child roles too takes part among its children as one more child of
// weight 1 holding what its own frameworks hold (Mesos's virtual leaf "."), so its own weight
// counts only among its siblings.
//
// Guarantees and limits are of a subtree: phase 1 fills each role with a guarantee (by name, so
// a parent before its children) up to it, choosing inside its subtree in the same tree order;
// phase 2 fills everyone. A task fits when the cluster has room and no role of its framework's
// chain would pass its limit (nor, in phase 1, the role being filled its guarantee). A framework
// whose next task does not fit stops there, as in the flat filling.
//
// One task per step: the water levels of water-level.ts compare role keys in one dimension and do
// not carry over to a tree, so a snapshot with nested roles costs a step per task handed out
// (fill() in water-level.ts picks this only then). On a flat tree it gives exactly what
// progressive filling gives (nested-filling.test.ts checks it on the random clusters).
import type { Filler, Prepared, PreparedRole } from './fair-share.ts';
import { dominantShare, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';

/** A place in the tree: a role (its subtree), or a role's own frameworks (`own`). */
interface Place {
  role: PreparedRole | undefined;
  /** Ties among siblings by name; a role's own frameworks sort before its children (`.`). */
  name: string;
  weight: number;
  /** What the frameworks below it were given. */
  alloc: Vec;
  key: number;
  parent: Place | undefined;
  children: Place[];
  /** Leaves: the role's own frameworks, lowest share first. */
  heap: MinHeap<Filler> | undefined;
  /** Nothing below it can be given more in this phase. */
  done: boolean;
}

const byShare = (a: Filler, b: Filler): boolean => a.share < b.share || (a.share === b.share && a.f.rank < b.f.rank);

/** Are any of the prepared roles nested (a name with `/`)? */
export function hasNestedRoles(p: Prepared): boolean {
  for (const r of p.roles.values()) if (r.parent !== undefined) return true;
  return false;
}

/** Runs the two phases over the role tree; returns each framework's filler (alloc, share, given). */
export function nestedFill(p: Prepared): Map<string, Filler> {
  const W = p.space.size;
  const { shareTotal } = p;
  const remaining = Float64Array.from(p.total);
  const fillers = new Map<string, Filler>();
  /** The place a role's own frameworks are in (the role's own place when it has no child roles). */
  const leafOf = new Map<PreparedRole, Place>();
  const placeOf = new Map<PreparedRole, Place>();

  const place = (role: PreparedRole | undefined, name: string, weight: number, parent: Place | undefined): Place => ({
    role,
    name,
    weight,
    alloc: new Float64Array(W),
    key: 0,
    parent,
    children: [],
    heap: undefined,
    done: false,
  });
  const build = (r: PreparedRole, parent: Place): Place => {
    const at = place(r, r.name, r.weight, parent);
    placeOf.set(r, at);
    const kids = [...r.children].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (kids.length === 0) leafOf.set(r, at);
    else {
      if (r.frameworks.length > 0) {
        const own = place(undefined, `${r.name}/.`, 1, at);
        at.children.push(own);
        leafOf.set(r, own);
      }
      for (const c of kids) at.children.push(build(c, at));
    }
    return at;
  };
  const root = place(undefined, '', 1, undefined);
  for (const r of [...p.roles.values()].filter((x) => x.parent === undefined).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    root.children.push(build(r, root));
  }
  for (const r of p.roles.values()) {
    for (const f of r.frameworks) fillers.set(f.name, { f, alloc: new Float64Array(W), share: 0, item: 0, taken: 0, given: 0 });
  }

  /** Every leaf's heap holds its frameworks with tasks left; every place is open again. */
  const reset = (): void => {
    const open = (x: Place): void => {
      x.done = false;
      for (const c of x.children) open(c);
    };
    open(root);
    for (const [r, leaf] of leafOf) {
      leaf.heap = new MinHeap(byShare);
      for (const f of r.frameworks) {
        const x = fillers.get(f.name)!;
        if (x.item < f.queue.length) leaf.heap.push(x);
      }
    }
  };

  /** The framework filling gives to next below `at`, or undefined (marking spent places done). */
  const pick = (at: Place): Filler | undefined => {
    for (;;) {
      if (at.done) return undefined;
      if (at.heap !== undefined && at.children.length === 0) {
        const x = at.heap.peek();
        if (x === undefined) at.done = true;
        return x;
      }
      let best: Place | undefined;
      for (const c of at.children) {
        if (c.done) continue;
        if (best === undefined || c.key < best.key || (c.key === best.key && c.name < best.name)) best = c;
      }
      if (best === undefined) {
        at.done = true;
        return undefined;
      }
      const x = pick(best);
      if (x !== undefined) return x;
    }
  };

  /** Does x's next task fit: the cluster's room, its chain's limits, phase 1's guarantee? */
  const fits = (x: Filler, cap: Place | undefined): boolean => {
    const v = x.f.queue[x.item]!.vec;
    for (let i = 0; i < W; i++) {
      const need = v[i]!;
      if (need <= 0) continue;
      if (need > remaining[i]!) return false;
      for (let r: PreparedRole | undefined = x.f.role; r !== undefined; r = r.parent) {
        if (r.limit !== undefined && r.limitNames!.has(i) && need > r.limit[i]! - placeOf.get(r)!.alloc[i]!) return false;
      }
      const g = cap?.role;
      if (g !== undefined && g.guaranteeNames!.has(i) && need > g.guarantee![i]! - cap!.alloc[i]!) return false;
    }
    return true;
  };

  const give = (x: Filler): void => {
    const it = x.f.queue[x.item]!;
    const v = it.vec;
    for (let i = 0; i < W; i++) {
      x.alloc[i]! += v[i]!;
      remaining[i]! -= v[i]!;
    }
    x.given++;
    if (++x.taken === it.count) {
      x.item++;
      x.taken = 0;
    }
    x.share = dominantShare(x.alloc, shareTotal);
    for (let at: Place | undefined = leafOf.get(x.f.role); at !== undefined && at !== root; at = at.parent) {
      for (let i = 0; i < W; i++) at.alloc[i]! += v[i]!;
      at.key = dominantShare(at.alloc, shareTotal) / at.weight;
    }
  };

  /** Hands out tasks below `top` until nothing more fits (cap: phase 1's role, bounded by its guarantee). */
  const phase = (top: Place, cap: Place | undefined): void => {
    reset();
    for (;;) {
      const x = pick(top);
      if (x === undefined) return;
      const heap = leafOf.get(x.f.role)!.heap!;
      if (!fits(x, cap)) {
        heap.pop();
        continue;
      }
      give(x);
      if (x.item >= x.f.queue.length) heap.pop();
      else heap.updateTop();
    }
  };

  for (const r of [...p.roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (r.guarantee !== undefined) phase(placeOf.get(r)!, placeOf.get(r)!);
  }
  phase(root, undefined);
  return fillers;
}
