// Static reservations: part of a node set aside for one role. A role's use of a node is
// charged to its reservation first; what it has not used of the reservation is
// "unused reserved": offered only to that role, kept from everyone else, and counted in the
// role's consumption (so in its DRF share and against its quota), as Mesos does.
import type { Vec } from './vectors.ts';
import type { NodeState, RoleState } from './state.ts';

/** Fills `out` with what role has not used of its reservation on n; returns whether anything is left. */
export function unusedReservation(n: NodeState, role: RoleState, out: Vec): boolean {
  out.fill(0);
  const reserved = n.reserved.get(role.id);
  if (reserved === undefined) return false;
  const use = n.roleUse.get(role.id);
  let any = false;
  for (let i = 0; i < reserved.length && i < out.length; i++) {
    const left = reserved[i]! - (use !== undefined && i < use.length ? use[i]! : 0);
    if (left > 0) {
      out[i] = left;
      any = true;
    }
  }
  return any;
}

/**
 * The change in unused reservation when a role's use of a node goes from `before` to
 * `before + sign·delta`: new − old of max(0, reserved − use), added into `acc`.
 */
export function unusedReservedDelta(reserved: Vec, before: Vec, delta: Vec, sign: number, acc: Vec): void {
  const n = Math.min(reserved.length, delta.length);
  for (let i = 0; i < n; i++) {
    const r = reserved[i]!;
    if (r === 0) continue;
    const b = i < before.length ? before[i]! : 0;
    const a = b + sign * delta[i]!;
    acc[i]! += Math.max(0, r - a) - Math.max(0, r - b);
  }
}
