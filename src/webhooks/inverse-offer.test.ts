import { describe, expect, it } from 'vitest';
import { validateInverseOffer, type InverseOfferReview } from './inverse-offer.ts';

const NS = 'team-a';
const SA_A = 'system:serviceaccount:team-a:sched-a';
const SA_B = 'system:serviceaccount:team-a:sched-b';
const io = (s: Record<string, unknown> = {}) => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'InverseOffer',
  metadata: { name: 'fw-a.disk.node-1', labels: { 'agora.dev/framework': 'fw-a' } },
  spec: { framework: 'fw-a', nodeName: 'node-1', maintenance: 'disk', start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z', ...s },
});
const factsA = { framework: { name: 'fw-a', serviceAccountName: 'sched-a' }, frameworksOfWriter: [] };
const answer = (change: Record<string, unknown>, over: Partial<InverseOfferReview> = {}): InverseOfferReview => ({
  operation: 'UPDATE',
  namespace: NS,
  old: io(),
  inverseOffer: io(change),
  writer: { username: SA_A, privileged: false },
  facts: factsA,
  ...over,
});
const paths = (r: InverseOfferReview) => validateInverseOffer(r).map((e) => e.path);

describe('validateInverseOffer', () => {
  it.each([
    { name: 'the framework ServiceAccount accepts', review: answer({ answer: 'Accept', message: 'moving' }), want: [] },
    { name: 'the framework ServiceAccount declines', review: answer({ answer: 'Decline' }), want: [] },
    {
      name: 'the controller creates one',
      review: { operation: 'CREATE' as const, namespace: NS, inverseOffer: io(), writer: { username: 'ctl', privileged: true } },
      want: [],
    },
    {
      name: 'anyone else creates one',
      review: { operation: 'CREATE' as const, namespace: NS, inverseOffer: io(), writer: { username: SA_A, privileged: false } },
      want: ['spec'],
    },
    {
      name: "another framework's ServiceAccount answers",
      review: answer({ answer: 'Accept' }, { writer: { username: SA_B, privileged: false } }),
      want: ['spec.answer'],
    },
    {
      name: 'an answer for a framework that does not exist',
      review: answer({ answer: 'Accept' }, { facts: { framework: undefined, frameworksOfWriter: [] } }),
      want: ['spec.answer'],
    },
    { name: 'a framework moves the window', review: answer({ start: '2027-01-01T00:00:00Z', answer: 'Accept' }), want: ['spec.start'] },
    {
      name: "a framework changes Agora's label",
      review: answer(
        { answer: 'Accept' },
        { inverseOffer: { ...io({ answer: 'Accept' }), metadata: { name: 'fw-a.disk.node-1', labels: {} } } },
      ),
      want: ['metadata.labels[agora.dev/framework]'],
    },
  ])('$name', ({ review, want }) => {
    expect(paths(review)).toEqual(want);
  });
});
