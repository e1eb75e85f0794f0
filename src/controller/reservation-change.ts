// What an accept's RESERVE / UNRESERVE does to its role's Reservation on the node — pure, beside
// its writer (reservation-writer.ts). The Reservation records the last offer applied to it, so
// an accept applied again (after a restart, or a failed status write) changes nothing twice.
import { add, compact, formatResourceList, parseResourceListLenient, subtract, type ResourceList } from '../api/quantity.ts';
import type { ReservationObject } from '../api/objects.ts';

/** On a Reservation: the uid of the last offer whose RESERVE / UNRESERVE it reflects. */
export const LAST_OFFER_ANNOTATION = 'agora.dev/last-offer';

export type ReservationChange =
  { kind: 'none'; why: 'applied' | 'nothing' } | { kind: 'create' | 'update'; resources: Record<string, string> } | { kind: 'delete' };

/**
 * The change that applies `reserve` and `unreserve` (amounts) of the offer `offerUid` to
 * `current` (undefined: the role has no Reservation on the node). An UNRESERVE of more than is
 * reserved gives back what there is.
 */
export function reservationChange(
  current: ReservationObject | undefined,
  offerUid: string,
  reserve: ResourceList,
  unreserve: ResourceList,
): ReservationChange {
  if (current?.metadata.annotations?.[LAST_OFFER_ANNOTATION] === offerUid) return { kind: 'none', why: 'applied' };
  const before = parseResourceListLenient(current?.spec.resources as Record<string, unknown> | undefined);
  const after = compact(subtract(add(before, reserve), unreserve));
  if (Object.keys(after).length === 0) return current === undefined ? { kind: 'none', why: 'nothing' } : { kind: 'delete' };
  return { kind: current === undefined ? 'create' : 'update', resources: formatResourceList(after) };
}
