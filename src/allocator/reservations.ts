// Static reservations: part of a node set aside for one role. A role's use of a node is
// charged to its reservation first; what it has not used of the reservation is
// "unused reserved": offered only to that role, kept from everyone else, and counted in the
// role's consumption (so in its DRF share and against its quota), as Mesos does.
import type { Vec } from './resources.ts';

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
