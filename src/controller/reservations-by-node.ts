// Every reservation in the caches, by node: static ones (ResourceRoles' spec.reservations) and
// dynamic ones (Reservations). The offer path gives them to the allocator; revocation reads them
// to know what a role may take back from revocable tasks.
import type { Reservation } from '../allocator/index.ts';
import { parseResourceListLenient } from '../api/quantity.ts';
import { roleOfObject } from '../api/role-names.ts';
import type { ClusterState } from './cluster-state.ts';

export function reservationsByNode(state: ClusterState): Map<string, Reservation[]> {
  const out = new Map<string, Reservation[]>();
  const put = (node: string, r: Reservation) => {
    let l = out.get(node);
    if (l === undefined) out.set(node, (l = []));
    l.push(r);
  };
  for (const r of state.c.roles.list()) {
    for (const res of r.spec?.reservations ?? []) {
      put(res.nodeName, {
        role: roleOfObject(r.metadata.name),
        resources: parseResourceListLenient(res.resources as Record<string, string>),
      });
    }
  }
  for (const r of state.reservations()) {
    put(r.spec.nodeName, {
      role: r.spec.role,
      resources: parseResourceListLenient(r.spec.resources as Record<string, unknown>),
      dynamic: true,
    });
  }
  return out;
}
