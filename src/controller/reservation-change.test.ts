import { describe, expect, it } from 'vitest';
import type { ReservationObject } from '../api/objects.ts';
import type { ResourceList } from '../api/quantity.ts';
import { LAST_OFFER_ANNOTATION, reservationChange } from './reservation-change.ts';

const reservation = (resources: Record<string, string>, lastOffer = 'older'): ReservationObject => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Reservation',
  metadata: { name: 'r', annotations: { [LAST_OFFER_ANNOTATION]: lastOffer } },
  spec: { role: 'db', nodeName: 'n', resources },
});

describe('reservationChange', () => {
  it.each<{ name: string; current: ReservationObject | undefined; reserve: ResourceList; unreserve: ResourceList; want: unknown }>([
    {
      name: 'a first RESERVE creates',
      current: undefined,
      reserve: { cpu: 2000 },
      unreserve: {},
      want: { kind: 'create', resources: { cpu: '2' } },
    },
    {
      name: 'a RESERVE adds to what the role holds',
      current: reservation({ cpu: '1', memory: '1Gi' }),
      reserve: { cpu: 500 },
      unreserve: {},
      want: { kind: 'update', resources: { cpu: '1500m', memory: '1Gi' } },
    },
    {
      name: 'an UNRESERVE of part shrinks',
      current: reservation({ cpu: '2', memory: '1Gi' }),
      reserve: {},
      unreserve: { memory: 2 ** 30 },
      want: { kind: 'update', resources: { cpu: '2' } },
    },
    {
      name: 'an UNRESERVE of everything deletes',
      current: reservation({ cpu: '2' }),
      reserve: {},
      unreserve: { cpu: 2000 },
      want: { kind: 'delete' },
    },
    {
      name: 'more than is reserved gives back what there is',
      current: reservation({ cpu: '1' }),
      reserve: {},
      unreserve: { cpu: 5000 },
      want: { kind: 'delete' },
    },
    { name: 'nothing to unreserve', current: undefined, reserve: {}, unreserve: { cpu: 1000 }, want: { kind: 'none', why: 'nothing' } },
    {
      name: 'the same offer applied again (a restart mid-accept) changes nothing',
      current: reservation({ cpu: '3' }, 'this-offer'),
      reserve: { cpu: 1000 },
      unreserve: {},
      want: { kind: 'none', why: 'applied' },
    },
  ])('$name', ({ current, reserve, unreserve, want }) => {
    expect(reservationChange(current, 'this-offer', reserve, unreserve)).toEqual(want);
  });
});
