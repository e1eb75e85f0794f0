// Resource vectors: the allocator's hot-path form of a ResourceList.
//
// Each resource name gets a small integer index; a vector is a Float64Array holding the
// amount of resource i at [i]. Amounts are exact integers (millicores, bytes, counts): a
// double represents every integer up to 2^53 exactly, and sums stay exact while they stay
// below that. Allocator.upsertNode enforces that the cluster total of each resource is at
// most Number.MAX_SAFE_INTEGER; every allocation, offer, reservation and free amount is a
// part of that total, so no sum or difference computed here ever leaves the exact range.
//
// Vectors may be shorter than the number of known resources (a vector built before a new
// resource name appeared): a missing entry reads as zero. Mutable accumulators are grown with
// `grow` before being written.
import type { ResourceList } from '../api/quantity.ts';

export type Vec = Float64Array;

export class ResourceSpace {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.names.length;
  }

  /** The index of `name`, interning it if new. */
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }

  lookup(name: string): number | undefined {
    return this.index.get(name);
  }

  /** A vector of `list`, interning its names. Negative or non-integer amounts are rejected. */
  vec(list: ResourceList | undefined): Vec {
    if (list !== undefined) for (const name of Object.keys(list)) this.id(name);
    const v = new Float64Array(this.names.length);
    if (list === undefined) return v;
    for (const [name, amount] of Object.entries(list)) {
      if (!Number.isSafeInteger(amount) || amount < 0) {
        throw new Error(`resource ${name}: amount ${amount} is not a non-negative safe integer`);
      }
      v[this.index.get(name)!] = amount;
    }
    return v;
  }

  /** acc += `list` (its names interned, amounts checked as in vec), without a vector per list. */
  addList(acc: Vec, list: ResourceList | undefined): void {
    if (list === undefined) return;
    for (const name in list) {
      const amount = list[name]!;
      if (!Number.isSafeInteger(amount) || amount < 0) {
        throw new Error(`resource ${name}: amount ${amount} is not a non-negative safe integer`);
      }
      acc[this.id(name)]! += amount;
    }
  }

  /** The ResourceList of `v`, without zero entries. */
  list(v: Vec): ResourceList {
    const out: ResourceList = {};
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) out[this.names[i]!] = v[i]!;
    return out;
  }
}

export function zeros(n: number): Vec {
  return new Float64Array(n);
}

/** `v` padded with zeros to length n (v itself when long enough). */
export function grow(v: Vec, n: number): Vec {
  if (v.length >= n) return v;
  const out = new Float64Array(n);
  out.set(v);
  return out;
}

/** acc += sign * v. acc must be at least as long as v. */
export function addInto(acc: Vec, v: Vec, sign = 1): void {
  for (let i = 0; i < v.length; i++) acc[i]! += sign * v[i]!;
}

/** Does `big` contain `small` (every entry of small ≤ big's)? */
export function containsVec(big: Vec, small: Vec): boolean {
  for (let i = 0; i < small.length; i++) {
    const s = small[i]!;
    if (s > 0 && s > (i < big.length ? big[i]! : 0)) return false;
  }
  return true;
}

export function isZeroVec(v: Vec): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/** max over i of v[i] / total[i] (resources with a zero total are ignored). */
export function dominantShare(v: Vec, total: Vec): number {
  let share = 0;
  const n = Math.min(v.length, total.length);
  for (let i = 0; i < n; i++) {
    const t = total[i]!;
    if (t > 0) {
      const s = v[i]! / t;
      if (s > share) share = s;
    }
  }
  return share;
}
