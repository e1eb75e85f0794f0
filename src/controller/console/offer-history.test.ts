import { describe, expect, it } from 'vitest';
import { OfferHistory, type OfferSighting } from './offer-history.ts';

const S = 1000;
const offer = (o: Partial<OfferSighting> = {}): OfferSighting => ({ framework: 'ns/a', phase: 'Outstanding', createdAt: 0, ...o });

describe('OfferHistory', () => {
  it('counts an offer once when made and once when it ends, in the buckets of those times', () => {
    const h = new OfferHistory(60 * S, 10 * S);
    h.observe('o1', offer({ createdAt: 1 * S }), 1 * S);
    h.observe('o1', offer({ createdAt: 1 * S }), 2 * S); // seen again, unchanged
    h.observe('o1', offer({ createdAt: 1 * S, phase: 'Declined', endedAt: 12 * S, refuseSeconds: 30 }), 12 * S);
    h.observe('o1', offer({ createdAt: 1 * S, phase: 'Declined', endedAt: 12 * S, refuseSeconds: 30 }), 13 * S);
    h.observe('o2', offer({ createdAt: 15 * S }), 15 * S);
    h.observe('o2', offer({ createdAt: 15 * S, phase: 'Declined', endedAt: 16 * S, refuseSeconds: 10 }), 16 * S);
    h.observe('o3', offer({ createdAt: 21 * S, phase: 'Expired', endedAt: 51 * S }), 52 * S);
    h.observe('o1', undefined, 70 * S); // deleted: its counts stay
    const s = h.series('ns/a', 59 * S);
    // Six 10 s buckets: [0,10) [10,20) [20,30) [30,40) [40,50) [50,60).
    expect(s.times).toEqual([0, 10, 20, 30, 40, 50].map((t) => t * S));
    expect(s.made).toEqual([1, 1, 1, 0, 0, 0]);
    expect(s.declined).toEqual([0, 2, 0, 0, 0, 0]);
    // (30 + 10) / 2 declines
    expect(s.refuseSeconds).toEqual([null, 20, null, null, null, null]);
    expect(s.expired).toEqual([0, 0, 0, 0, 0, 1]);
    expect(s.totals).toEqual({ made: 3, accepted: 0, declined: 2, rescinded: 0, expired: 1, refuseSeconds: 20 });
    expect(h.series('ns/other', 59 * S).totals.made).toBe(0);
  });

  it('keeps only the window: older buckets fall off, and an offer made before the window is not counted', () => {
    const h = new OfferHistory(30 * S, 10 * S);
    h.observe('o1', offer({ createdAt: 0 }), 0);
    h.observe('o2', offer({ createdAt: 45 * S, phase: 'Accepted', endedAt: 46 * S }), 46 * S);
    // A new leader's first list: an offer made long ago, rescinded just now.
    h.observe('o3', offer({ createdAt: 1 * S, phase: 'Rescinded' }), 47 * S);
    const s = h.series('ns/a', 47 * S);
    expect(s.times).toEqual([20 * S, 30 * S, 40 * S]);
    expect(s.made).toEqual([0, 0, 1]);
    expect(s.accepted).toEqual([0, 0, 1]);
    expect(s.rescinded).toEqual([0, 0, 1]);
  });

  it('forgets a deleted framework, and refuses a window shorter than a bucket', () => {
    const h = new OfferHistory(30 * S, 10 * S);
    h.observe('o1', offer(), 0);
    h.forget('ns/a');
    expect(h.series('ns/a', 0).totals.made).toBe(0);
    expect(() => new OfferHistory(5 * S, 10 * S)).toThrow(/bucketMs <= windowMs/);
  });
});
