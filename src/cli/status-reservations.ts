// `agora status`: dynamic reservations — what frameworks reserved for their roles, per node
// (Reservation objects; the operator's static ones are in the ResourceRoles).
import type { IReservation } from '../api/index.ts';
import { plain, table, type Style } from './output.ts';

export interface ReservationRow {
  name: string;
  role: string;
  node: string;
  resources: Record<string, string>;
}

export function reservationRows(reservations: readonly IReservation[]): ReservationRow[] {
  return reservations
    .map((r) => ({
      name: r.metadata?.name ?? '',
      role: r.spec.role,
      node: r.spec.nodeName,
      resources: Object.fromEntries(Object.entries(r.spec.resources).map(([k, v]) => [k, String(v)])),
    }))
    .sort((a, b) => a.role.localeCompare(b.role) || a.node.localeCompare(b.node));
}

export function renderReservations(rows: readonly ReservationRow[], style: Style = plain): string {
  return table(
    ['ROLE', 'NODE', 'RESERVED'],
    rows.map((r) => [
      r.role,
      r.node,
      Object.entries(r.resources)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ]),
    { style },
  );
}
