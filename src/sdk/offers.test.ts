import { describe, expect, it } from 'vitest';
import { classifyAnswerFailure, dynamicReservation, isOpen, offerPhase, unreservedResources } from './offers.ts';
import type { OfferObject } from './types.ts';

function offer(
  over: {
    phase?: NonNullable<OfferObject['status']>['phase'];
    accept?: boolean;
    decline?: boolean;
    expiresAt?: string;
    message?: string;
  } = {},
): OfferObject {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Offer',
    metadata: { name: 'o1', namespace: 'ns', resourceVersion: '7' },
    spec: {
      framework: 'fw',
      nodeName: 'n1',
      resources: { cpu: '4', memory: '8Gi' },
      ...(over.expiresAt ? { expiresAt: over.expiresAt } : {}),
      ...(over.accept ? { accept: { tasks: [{ name: 't', resources: { cpu: '1' }, containers: [{ name: 'c', image: 'i' }] }] } } : {}),
      ...(over.decline ? { decline: {} } : {}),
    },
    ...(over.phase ? { status: { phase: over.phase, ...(over.message ? { message: over.message } : {}) } } : {}),
  };
}

describe('offerPhase / isOpen', () => {
  it.each([
    { name: 'no status yet', o: offer(), wantPhase: 'Outstanding', wantOpen: true },
    { name: 'outstanding', o: offer({ phase: 'Outstanding' }), wantPhase: 'Outstanding', wantOpen: true },
    { name: 'answered, not yet processed', o: offer({ phase: 'Outstanding', accept: true }), wantPhase: 'Outstanding', wantOpen: false },
    { name: 'rescinded', o: offer({ phase: 'Rescinded' }), wantPhase: 'Rescinded', wantOpen: false },
    {
      name: 'past expiresAt',
      o: offer({ phase: 'Outstanding', expiresAt: '2020-01-01T00:00:00Z' }),
      wantPhase: 'Outstanding',
      wantOpen: false,
    },
    {
      name: 'before expiresAt',
      o: offer({ phase: 'Outstanding', expiresAt: '2030-01-01T00:00:00Z' }),
      wantPhase: 'Outstanding',
      wantOpen: true,
    },
  ])('$name', ({ o, wantPhase, wantOpen }) => {
    expect(offerPhase(o)).toBe(wantPhase);
    expect(isOpen(o, new Date('2025-06-01T00:00:00Z'))).toBe(wantOpen);
  });
});

describe('classifyAnswerFailure', () => {
  it.each([
    { name: 'deleted (404)', code: 404, current: undefined, want: 'Gone' },
    {
      name: 'rescinded while answering (409)',
      code: 409,
      current: offer({ phase: 'Rescinded', message: 'node lost' }),
      want: 'Rescinded',
      wantMessage: 'node lost',
    },
    { name: 'expired, webhook refused (403)', code: 403, current: offer({ phase: 'Expired' }), want: 'Expired' },
    {
      name: 'answered by someone else (422 CEL)',
      code: 422,
      current: offer({ phase: 'Outstanding', decline: true }),
      want: 'AlreadyAnswered',
    },
    { name: 'already accepted', code: 409, current: offer({ phase: 'Accepted', accept: true }), want: 'AlreadyAnswered' },
    { name: 'conflict on an open offer: retry', code: 409, current: offer({ phase: 'Outstanding' }), want: undefined },
    {
      name: 'invalid answer on an open offer',
      code: 422,
      current: offer({ phase: 'Outstanding' }),
      want: 'Rejected',
      wantMessage: 'too big',
    },
  ])('$name → $want', ({ code, current, want, wantMessage }) => {
    const got = classifyAnswerFailure(code, 'too big', current);
    expect(got?.reason).toBe(want);
    if (wantMessage) expect(got?.message).toBe(wantMessage);
  });
});

describe('an offer’s reserved parts', () => {
  const offer = {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Offer',
    metadata: { name: 'o', namespace: 'ns' },
    spec: {
      framework: 'fw',
      nodeName: 'n',
      role: 'eng/db',
      resources: { cpu: '4', memory: '8Gi' },
      reserved: [
        { role: 'eng/db', type: 'Dynamic' as const, resources: { cpu: '1', memory: '1Gi' } },
        { role: 'eng/db', type: 'Static' as const, resources: { cpu: '500m' } },
        { role: 'eng', type: 'Dynamic' as const, resources: { cpu: '1' } },
      ],
    },
  } as OfferObject;

  it('dynamicReservation: the offer role’s own dynamic part (an ancestor’s is not its to unreserve)', () => {
    expect(dynamicReservation(offer)).toEqual({ cpu: '1', memory: '1Gi' });
    expect(dynamicReservation({ ...offer, spec: { ...offer.spec, reserved: undefined } })).toEqual({});
  });

  it('unreservedResources: the offer less every reserved part', () => {
    expect(unreservedResources(offer)).toEqual({ cpu: '1500m', memory: '7Gi' });
  });
});
