// Static reservations: part of a node set aside for one role — and, roles being a tree, for its
// subtree (Mesos's hierarchical reservations): the frameworks of `eng/ml` may use what is
// reserved for `eng`. A role's use of a node is charged to the nearest reservation up its chain
// first (its own, then its parent's, …); what a role has not used of its reservation is
// "unused reserved": offered only to its subtree, kept from everyone else, and counted in its
// quota consumption (not in its DRF share), as Mesos does.
import { addInto, zeros, type Vec } from './vectors.ts';
import type { NodeState, RoleState } from './state.ts';

/** Fills `out` with what role's frameworks may use of reservations on n (its chain's unused parts); returns whether any. */
export function unusedReservation(n: NodeState, role: RoleState, out: Vec): boolean {
  out.fill(0);
  if (n.unusedByRole.size === 0) return false;
  let any = false;
  for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
    const left = n.unusedByRole.get(r.id);
    if (left === undefined) continue;
    for (let i = 0; i < left.length && i < out.length; i++) {
      if (left[i]! > 0) {
        out[i]! += left[i]!;
        any = true;
      }
    }
  }
  return any;
}

/**
 * What each reserving role has not used of its reservation on n, from what each reserving
 * role's subtree holds there (n.roleUse). Deepest roles first: a role's use is absorbed by the
 * reservations below it in its subtree, and only what they do not absorb falls on its own.
 */
export function nestedUnusedReservations(n: NodeState, roleById: (id: number) => RoleState, W: number): Map<number, Vec> {
  const out = new Map<number, Vec>();
  if (n.reserved.size === 0) return out;
  const roles = [...n.reserved.keys()].map(roleById).sort((a, b) => b.depth - a.depth);
  /** Per reserving role: the part of its subtree's use absorbed by reservations in its subtree. */
  const absorbed = new Map<number, Vec>();
  for (const r of roles) {
    const below = zeros(W);
    for (const d of roles) if (d !== r && nearestReserving(n, d) === r) addInto(below, absorbed.get(d.id)!);
    const reserved = n.reserved.get(r.id)!;
    const use = n.roleUse.get(r.id);
    const unused = zeros(W);
    for (let i = 0; i < W; i++) {
      const res = i < reserved.length ? reserved[i]! : 0;
      const own = Math.min(res, Math.max(0, (use !== undefined && i < use.length ? use[i]! : 0) - below[i]!));
      unused[i] = res - own;
      below[i]! += own;
    }
    absorbed.set(r.id, below);
    out.set(r.id, unused);
  }
  return out;
}

/** The nearest strict ancestor of r with a reservation on n. */
function nearestReserving(n: NodeState, r: RoleState): RoleState | undefined {
  for (let a = r.parent; a !== undefined; a = a.parent) if (n.reserved.has(a.id)) return a;
  return undefined;
}

/**
 * The reserved parts of an offer to `role` on n — what unusedReservation adds to it — per role
 * of the chain, split into the dynamic part (the unused amount up to the role's dynamic
 * reservations: idle dynamic reservations are what a framework can UNRESERVE) and the static rest.
 */
export function reservedParts(n: NodeState, role: RoleState, W: number): { role: RoleState; dynamic: Vec; static: Vec }[] {
  const out: { role: RoleState; dynamic: Vec; static: Vec }[] = [];
  if (n.unusedByRole.size === 0) return out;
  for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
    const left = n.unusedByRole.get(r.id);
    if (left === undefined) continue;
    const dyn = n.dynamicReserved.get(r.id);
    const dynamic = zeros(W);
    const rest = zeros(W);
    for (let i = 0; i < left.length && i < W; i++) {
      const unused = Math.max(0, left[i]!);
      dynamic[i] = Math.min(unused, dyn !== undefined && i < dyn.length ? dyn[i]! : 0);
      rest[i] = unused - dynamic[i]!;
    }
    out.push({ role: r, dynamic, static: rest });
  }
  return out;
}
