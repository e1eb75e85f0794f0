// Demand: what a framework still wants to launch, as task shapes with counts. A framework that
// publishes demand is offered only what that demand can use: each outstanding offer *covers*
// as many of its wanted tasks as fit in it (greedily, shape by shape, at most `perOffer` of a
// shape), and once its offers cover all it wants it is offered nothing more until an offer is
// answered or its demand grows. Without demand a framework gets Mesos's push model.
//
// Pure vector arithmetic over the allocator's resource space; the state keeps the counts.
import type { Vec } from './vectors.ts';

export interface DemandShape {
  /** One task's resources (task slots such as `pods` excluded: every task takes one). */
  readonly vec: Vec;
  readonly count: number;
  /** At most this many of the shape from one offer (Infinity: no limit). */
  readonly perOffer: number;
}

export interface DemandState {
  readonly shapes: DemandShape[];
  /** Per shape: tasks covered by the framework's outstanding offers. */
  readonly covered: number[];
  /** Σ count. */
  readonly total: number;
  /** Σ max(0, count − covered): tasks no outstanding offer covers yet. */
  uncovered: number;
}

export function newDemandState(shapes: DemandShape[]): DemandState {
  const total = shapes.reduce((n, s) => n + s.count, 0);
  return { shapes, covered: shapes.map(() => 0), total, uncovered: total };
}

/**
 * How many copies of `shape` fit in `space`; on a node that has a task-slot resource (index in
 * `slots` with a non-zero `nodeTotal`), each copy also takes one slot.
 */
export function copiesThatFit(space: Vec, shape: Vec, slots: readonly number[], nodeTotal: Vec): number {
  let n = Infinity;
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i]!;
    if (want <= 0) continue;
    const have = i < space.length ? space[i]! : 0;
    n = Math.min(n, Math.floor(have / want));
    if (n === 0) return 0;
  }
  for (const i of slots) {
    if (i < nodeTotal.length && nodeTotal[i]! > 0) n = Math.min(n, i < space.length ? space[i]! : 0);
  }
  return n === Infinity ? 0 : Math.max(0, Math.floor(n));
}

/**
 * Tasks of each shape that an offer of `offer` would cover, given what is still uncovered:
 * shapes in order, each taking what it can of what the previous ones left.
 */
export function coverage(offer: Vec, d: DemandState, slots: readonly number[], nodeTotal: Vec): number[] {
  const left = new Float64Array(offer);
  const out: number[] = [];
  for (let s = 0; s < d.shapes.length; s++) {
    const shape = d.shapes[s]!;
    const want = Math.max(0, shape.count - d.covered[s]!);
    let k = want === 0 ? 0 : Math.min(want, shape.perOffer, copiesThatFit(left, shape.vec, slots, nodeTotal));
    if (!Number.isFinite(k)) k = 0;
    out.push(k);
    if (k === 0) continue;
    for (let i = 0; i < shape.vec.length && i < left.length; i++) left[i]! -= k * shape.vec[i]!;
    for (const i of slots) if (i < nodeTotal.length && nodeTotal[i]! > 0 && i < left.length) left[i]! -= k;
  }
  return out;
}

/** Adds (sign 1) or removes (sign −1) an offer's coverage. */
export function applyCoverage(d: DemandState, covers: readonly number[], sign: 1 | -1): void {
  for (let s = 0; s < covers.length && s < d.covered.length; s++) d.covered[s]! += sign * covers[s]!;
  let u = 0;
  for (let s = 0; s < d.shapes.length; s++) u += Math.max(0, d.shapes[s]!.count - d.covered[s]!);
  d.uncovered = u;
}

/** Whether at least one still-uncovered task fits in `offer`. */
export function usesAny(offer: Vec, d: DemandState, slots: readonly number[], nodeTotal: Vec): boolean {
  for (let s = 0; s < d.shapes.length; s++) {
    const shape = d.shapes[s]!;
    if (shape.count - d.covered[s]! <= 0) continue;
    if (copiesThatFit(offer, shape.vec, slots, nodeTotal) > 0) return true;
  }
  return false;
}
