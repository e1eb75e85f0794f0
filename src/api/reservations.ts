// Dynamic reservations (Mesos's RESERVE / UNRESERVE) — what the controller, the webhooks and the
// SDK all read the same way: a Reservation's name, an accept's operations summed, and the parts
// of an offer that are reserved.
import { createHash } from 'node:crypto';
import { add, parseResourceListLenient, subtract, type ResourceList } from './quantity.ts';

/** The one Reservation of `role` on `node`: a hash of the two (both may be 253 characters long). */
export function reservationName(role: string, node: string): string {
  return `resv-${createHash('sha256').update(`${role}\n${node}`).digest('hex').slice(0, 32)}`;
}

/** What an Offer says of its reserved parts (spec.reserved). */
export interface ReservedEntry {
  role: string;
  type: 'Static' | 'Dynamic';
  resources: Record<string, unknown>;
}

/** The sum of a list of operations' resources (spec.accept.reserve or .unreserve); `{}` when none. */
export function operationTotal(ops: readonly { resources: Record<string, unknown> }[] | undefined): ResourceList {
  return (ops ?? []).reduce<ResourceList>((sum, op) => add(sum, parseResourceListLenient(op.resources)), {});
}

/** The offer's unreserved part: its resources less every reserved part it carries. */
export function unreservedPart(resources: ResourceList, reserved: readonly ReservedEntry[] | undefined): ResourceList {
  return (reserved ?? []).reduce<ResourceList>((rest, r) => subtract(rest, parseResourceListLenient(r.resources)), resources);
}

/** What the offer carries of `role`'s own dynamic reservation: at most what an UNRESERVE on it may give back. */
export function dynamicPart(reserved: readonly ReservedEntry[] | undefined, role: string): ResourceList {
  return (reserved ?? [])
    .filter((r) => r.role === role && r.type === 'Dynamic')
    .reduce<ResourceList>((sum, r) => add(sum, parseResourceListLenient(r.resources)), {});
}
