import { describe, expect, it } from 'vitest';
import { inForce, inverseOfferPhase, windowOf } from './maintenance.ts';

describe('windowOf', () => {
  it('reads start and duration', () => {
    const m = { metadata: { name: 'm' }, spec: { nodes: ['a'], start: '2026-01-01T00:00:00Z', durationSeconds: 60 } };
    const w = windowOf(m)!;
    expect([w.start, w.end - w.start]).toEqual([Date.parse('2026-01-01T00:00:00Z'), 60_000]);
    expect(inForce(w, w.start - 1)).toBe(false);
    expect(inForce(w, w.end - 1)).toBe(true);
  });
  it('is undefined for a start that is not a time', () => {
    expect(windowOf({ metadata: { name: 'm' }, spec: { nodes: ['a'], start: 'soon', durationSeconds: 1 } })).toBeUndefined();
  });
});

describe('inverseOfferPhase', () => {
  const end = '2026-01-01T01:00:00Z';
  const before = Date.parse(end) - 1;
  it.each([
    { name: 'unanswered', answer: undefined, now: before, want: 'Pending' },
    { name: 'unanswered, window over', answer: undefined, now: Date.parse(end), want: 'Expired' },
    { name: 'accepted', answer: 'Accept' as const, now: Date.parse(end) + 1, want: 'Accepted' },
    { name: 'declined', answer: 'Decline' as const, now: before, want: 'Declined' },
  ])('$name → $want', ({ answer, now, want }) => {
    expect(inverseOfferPhase({ spec: { end, ...(answer ? { answer } : {}) } }, now)).toBe(want);
  });
});
