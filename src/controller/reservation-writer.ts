// Applies an accept's RESERVE / UNRESERVE (spec.accept.reserve / .unreserve) to the Reservation
// of the offer's role on the offer's node, before its tasks launch (Mesos applies an accept's
// operations in order: RESERVE, then LAUNCH into what it reserved). The webhook has bounded the
// amounts and checked the writer's verbs; this writes the change (reservation-change.ts), read
// fresh from the API and conditional on what it read, and tells ClusterState at once, so that
// the next cycle offers the reservation to its role alone.
import type { Logger } from 'pino';
import { API_VERSION, GROUP, LABEL, PLURAL, VERSION } from '../api/index.ts';
import { isNotFound } from '../api/errors.ts';
import type { OfferObject, ReservationObject } from '../api/objects.ts';
import { MANAGED_BY } from '../api/pod.ts';
import { formatResourceList, isZero } from '../api/quantity.ts';
import { operationTotal, reservationName } from '../api/reservations.ts';
import type { Context } from './context.ts';
import { LAST_OFFER_ANNOTATION, reservationChange } from './reservation-change.ts';

/** Applies the offer's reservation operations for `role`; returns what was done, in words (undefined: it has none). */
export async function applyReservationOperations(ctx: Context, offer: OfferObject, role: string, log: Logger): Promise<string | undefined> {
  const reserve = operationTotal(offer.spec.accept?.reserve);
  const unreserve = operationTotal(offer.spec.accept?.unreserve);
  if (isZero(reserve) && isZero(unreserve)) return undefined;
  const nodeName = offer.spec.nodeName;
  // A reservation is of a node: none is made for one that is gone (its tasks are lost too).
  if (!isZero(reserve) && ctx.state.c.nodes.get(nodeName) === undefined) return `nothing reserved: node ${nodeName} is gone`;
  const name = reservationName(role, nodeName);
  let current: ReservationObject | undefined;
  try {
    current = (await ctx.kube.custom.getClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL.Reservation,
      name,
    })) as ReservationObject;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const change = reservationChange(current, offer.metadata.uid!, reserve, unreserve);
  const words = describe(role, reserve, unreserve);
  if (change.kind === 'none') return words;
  const annotations = { ...(current?.metadata.annotations ?? {}), [LAST_OFFER_ANNOTATION]: offer.metadata.uid! };
  if (change.kind === 'delete') {
    try {
      await ctx.kube.deleteClusterCustom('Reservation', name, current!.metadata.resourceVersion);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    ctx.state.assumeReservation(name, nodeName, null);
  } else if (change.kind === 'update') {
    const body: ReservationObject = {
      ...current!,
      metadata: { ...current!.metadata, annotations },
      spec: { ...current!.spec, resources: change.resources },
    };
    ctx.state.assumeReservation(name, nodeName, await ctx.kube.replaceClusterCustom<ReservationObject>('Reservation', name, body));
  } else {
    const node = ctx.state.c.nodes.get(nodeName);
    const uid = node?.metadata?.uid;
    const body: ReservationObject = {
      apiVersion: API_VERSION,
      kind: 'Reservation',
      metadata: {
        name,
        labels: { [LABEL.managedBy]: MANAGED_BY },
        annotations,
        // Goes with its node (the garbage collector deletes it when the Node is deleted).
        ...(uid !== undefined ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }] } : {}),
      },
      spec: { role, nodeName, resources: change.resources },
    };
    ctx.state.assumeReservation(name, nodeName, await ctx.kube.createClusterCustom<ReservationObject>('Reservation', body));
  }
  log.info({ reservation: name, role, node: nodeName, change: change.kind }, 'reservation changed');
  return words;
}

function describe(role: string, reserve: Record<string, number>, unreserve: Record<string, number>): string {
  const text = (r: Record<string, number>) =>
    Object.entries(formatResourceList(r))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const parts: string[] = [];
  if (!isZero(reserve)) parts.push(`reserved ${text(reserve)}`);
  if (!isZero(unreserve)) parts.push(`unreserved ${text(unreserve)}`);
  return `${parts.join(' and ')} for role ${role}`;
}
