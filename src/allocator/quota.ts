// Quota: guarantees and limits of roles.
//
// Guarantee: a role with an unmet guarantee is offered first (stage 1 of a cycle), and the
// resources still needed to meet every unmet guarantee ("required headroom") are held back
// from offers to anyone else: an offer's unreserved part is trimmed so that the unreserved,
// unoffered, unallocated resources left in the cluster ("available headroom") stay at least
// the required headroom. Limit: a role whose consumption has reached its limit in any resource
// is skipped, and an offer to a role with a limit is trimmed so consumption + offer ≤ limit.
// Consumption = what the frameworks of the role's subtree hold (tasks + offers) + the unused
// reservations in its subtree.
//
// Over the role tree (Mesos's nested quota): a parent's guarantee and limit bound the sum of its
// subtree. A role is limited by its own limit and every ancestor's; it is served in the
// guarantee stage while it or an ancestor has an unmet guarantee, up to the largest unmet
// amount on its chain. The headroom a subtree still needs is, per resource, the larger of its
// root's own unmet guarantee and the sum of what its child subtrees need (a child's consumption
// counts towards its parent's guarantee, so the two are not added).
import type { NodeState, RoleState } from './state.ts';
import { zeros, type Vec } from './vectors.ts';

/** Σ over the top-level roles of what their subtrees' guarantees still need, into `out`; returns whether any role has a guarantee. */
export function requiredHeadroom(roles: Iterable<RoleState>, out: Vec): boolean {
  out.fill(0);
  let any = false;
  for (const r of roles) {
    if (r.guarantee !== undefined) any = true;
    if (r.parent === undefined) addSubtreeUnmet(r, out, 1);
  }
  return any;
}

/** out += sign · max(0, guarantee − consumed) of r alone. */
function addUnmet(r: RoleState, out: Vec, sign: number): void {
  const g = r.guarantee;
  if (g === undefined) return;
  for (let i = 0; i < g.length; i++) {
    const c = i < r.consumed.length ? r.consumed[i]! : 0;
    if (g[i]! > c) out[i]! += sign * (g[i]! - c);
  }
}

/** out += sign · what the guarantees in r's subtree still need (see the header). */
export function addSubtreeUnmet(r: RoleState, out: Vec, sign: number): void {
  if (r.childRoles.length === 0) addUnmet(r, out, sign);
  else {
    const need = subtreeNeed(r, undefined, out.length);
    for (let i = 0; i < out.length; i++) out[i]! += sign * need[i]!;
  }
}

/**
 * others −= what an offer to leaf could meet of the headroom: the need of its top-level
 * subtree, less that need with leaf's chain's own guarantees left out (what its siblings'
 * guarantees would still need).
 */
export function subtractOwnNeed(leaf: RoleState, others: Vec): void {
  const top = topOf(leaf);
  if (top.childRoles.length === 0) {
    addUnmet(top, others, -1);
    return;
  }
  const all = subtreeNeed(top, undefined, others.length);
  const rest = subtreeNeed(top, leaf, others.length);
  for (let i = 0; i < others.length; i++) others[i]! -= all[i]! - rest[i]!;
}

/** Per resource: max(r's own unmet guarantee, Σ children's need); roles on `skipChainOf`'s chain count no own need. */
function subtreeNeed(r: RoleState, skipChainOf: RoleState | undefined, W: number): Vec {
  const out = zeros(W);
  for (const c of r.childRoles) {
    const n = subtreeNeed(c, skipChainOf, W);
    for (let i = 0; i < W; i++) out[i]! += n[i]!;
  }
  if (r.guarantee !== undefined && !onChain(r, skipChainOf)) {
    const own = zeros(W);
    addUnmet(r, own, 1);
    for (let i = 0; i < W; i++) if (own[i]! > out[i]!) out[i] = own[i]!;
  }
  return out;
}

function onChain(r: RoleState, leaf: RoleState | undefined): boolean {
  for (let a = leaf; a !== undefined; a = a.parent) if (a === r) return true;
  return false;
}

export function topOf(r: RoleState): RoleState {
  let t = r;
  while (t.parent !== undefined) t = t.parent;
  return t;
}

/** Has r or an ancestor an unmet guarantee? */
export function chainHasUnmetGuarantee(r: RoleState): boolean {
  for (let a: RoleState | undefined = r; a !== undefined; a = a.parent) if (hasUnmetGuarantee(a)) return true;
  return false;
}

/** The largest unmet guarantee of resource i on r's chain, or -1 when no role of it guarantees i. */
export function chainUnmet(r: RoleState, i: number): number {
  let best = -1;
  for (let a: RoleState | undefined = r; a !== undefined; a = a.parent) {
    const g = a.guarantee;
    if (g === undefined || i >= g.length || g[i]! <= 0) continue;
    best = Math.max(best, Math.max(0, g[i]! - (i < a.consumed.length ? a.consumed[i]! : 0)));
  }
  return best;
}

/** The first role of r's chain (r first) at its limit, and the resource; undefined when none is. */
export function chainLimitReached(r: RoleState): { role: RoleState; resource: number } | undefined {
  for (let a: RoleState | undefined = r; a !== undefined; a = a.parent) {
    const i = limitReached(a);
    if (i >= 0) return { role: a, resource: i };
  }
  return undefined;
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
