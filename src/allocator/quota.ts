// Quota: guarantees and limits of roles.
//
// Guarantee: a role with an unmet guarantee is offered first (stage 1 of a cycle), and the
// resources still needed to meet every unmet guarantee ("required headroom") are held back
// from offers to anyone else: an offer's unreserved part is trimmed so that the unreserved,
// unoffered, unallocated resources left in the cluster ("available headroom") stay at least
// the required headroom. Limit: a role whose consumption has reached its limit in any resource
// is skipped, and an offer to a role with a limit is trimmed so consumption + offer ≤ limit.
// Consumption = what the role's frameworks hold (tasks + offers) + its unused reservations.
import type { NodeState, RoleState } from './state.ts';
import type { Vec } from './vectors.ts';

/** Σ over roles with a guarantee of max(0, guarantee − consumed), into `out`. */
export function requiredHeadroom(roles: Iterable<RoleState>, out: Vec): boolean {
  out.fill(0);
  let any = false;
  for (const r of roles) {
    if (r.guarantee === undefined) continue;
    any = true;
    addUnmet(r, out, 1);
  }
  return any;
}

/** out += sign · max(0, guarantee − consumed). */
export function addUnmet(r: RoleState, out: Vec, sign: number): void {
  const g = r.guarantee;
  if (g === undefined) return;
  for (let i = 0; i < g.length; i++) {
    const c = i < r.consumed.length ? r.consumed[i]! : 0;
    if (g[i]! > c) out[i]! += sign * (g[i]! - c);
  }
}

export function hasUnmetGuarantee(r: RoleState): boolean {
  const g = r.guarantee;
  if (g === undefined) return false;
  for (let i = 0; i < g.length; i++) if (g[i]! > (i < r.consumed.length ? r.consumed[i]! : 0)) return true;
  return false;
}

/** Unreserved resources neither held nor offered, on declared schedulable nodes, into `out`. */
export function availableHeadroom(nodes: readonly NodeState[], out: Vec, scratch: Vec): void {
  out.fill(0);
  for (const n of nodes) {
    if (!n.schedulable || !n.ready) continue;
    unreservedFree(n, scratch);
    for (let i = 0; i < out.length; i++) out[i]! += scratch[i]!;
  }
}

/** total − external − used − unused reservations, clamped at zero, into `out`. */
export function unreservedFree(n: NodeState, out: Vec): Vec {
  const W = out.length;
  const t = n.total;
  const e = n.external;
  const u = n.used;
  const r = n.unusedReserved;
  for (let i = 0; i < W; i++) {
    const v = (i < t.length ? t[i]! : 0) - (i < e.length ? e[i]! : 0) - (i < u.length ? u[i]! : 0) - (i < r.length ? r[i]! : 0);
    out[i] = Math.max(v, 0);
  }
  return out;
}

/** The first resource in which the role's consumption has reached its limit, or -1. */
export function limitReached(r: RoleState): number {
  const l = r.limit;
  if (l === undefined) return -1;
  for (let i = 0; i < l.length; i++) {
    if (!isLimited(r, i)) continue;
    if ((i < r.consumed.length ? r.consumed[i]! : 0) >= l[i]!) return i;
  }
  return -1;
}

/** A limit names the resources it limits; the others (zero entries of unnamed ones) are free. */
export function isLimited(r: RoleState, i: number): boolean {
  return r.limitNames?.has(i) === true;
}

/** Trims `offer` (its unreserved part) so consumed + offer ≤ limit; returns whether it cut. */
export function trimToLimit(r: RoleState, offer: Vec): boolean {
  const l = r.limit;
  if (l === undefined) return false;
  let cut = false;
  for (let i = 0; i < offer.length && i < l.length; i++) {
    if (!isLimited(r, i)) continue;
    const room = Math.max(0, l[i]! - (i < r.consumed.length ? r.consumed[i]! : 0));
    if (offer[i]! > room) {
      offer[i] = room;
      cut = true;
    }
  }
  return cut;
}

/**
 * Trims `offer` so available − offer ≥ required in every resource with required > 0; returns
 * the first resource cut, or -1.
 */
export function trimToHeadroom(offer: Vec, available: Vec, required: Vec): number {
  let cut = -1;
  for (let i = 0; i < offer.length; i++) {
    const need = required[i]!;
    if (need <= 0) continue;
    const spare = Math.max(0, available[i]! - need);
    if (offer[i]! > spare) {
      offer[i] = spare;
      if (cut < 0) cut = i;
    }
  }
  return cut;
}
