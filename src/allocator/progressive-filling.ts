// The fair allocation by progressive filling as the DRF paper states it (Ghodsi et al., NSDI
// 2011, §4): one task (or a run of equal tasks up to the next framework's share) per step to
// the lowest share. It is the specification src/allocator/water-level.ts must match: the
// randomised test in water-level.test.ts compares the two on every case. Nothing else runs it —
// it costs one step per task handed out, too slow for a whole cluster.
import type { Filler, PreparedRole, Prepared } from './fair-share.ts';
import { dominantShare, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';

interface RoleFiller {
  r: PreparedRole;
  alloc: Vec;
  key: number;
  heap: MinHeap<Filler>;
}

const byShare = (a: Filler, b: Filler): boolean => a.share < b.share || (a.share === b.share && a.f.rank < b.f.rank);
const byKey = (a: RoleFiller, b: RoleFiller): boolean => a.key < b.key || (a.key === b.key && a.r.rank < b.r.rank);

/** Runs the two phases; returns each framework's filler (alloc, share, given). */
export function progressiveFill(p: Prepared): Map<string, Filler> {
  const W = p.space.size;
  const { shareTotal } = p;
  const remaining = Float64Array.from(p.total);
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
      if (need <= 0 || shareTotal[i]! <= 0) continue;
      if (Number.isFinite(shareCap)) batch = Math.min(batch, Math.floor((shareCap * shareTotal[i]! - x.alloc[i]!) / need));
      if (Number.isFinite(roleKeyCap))
        batch = Math.min(batch, Math.floor((roleKeyCap * rf.r.weight * shareTotal[i]! - rf.alloc[i]!) / need));
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
    x.share = dominantShare(x.alloc, shareTotal);
    rf.key = dominantShare(rf.alloc, shareTotal) / rf.r.weight;
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
