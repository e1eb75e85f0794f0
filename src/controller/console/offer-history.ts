// Each framework's offers over the last minutes: how many were made, accepted, declined (and
// for how long it refused the node), rescinded and expired, counted into fixed time buckets of
// a ring buffer from the Offers the cache shows — what a framework page's "offers over time"
// chart draws. In memory only (never in etcd): an Offer is deleted a minute after it ends, its
// history stays here; a new leader starts with the Offers still in its cache.
import type { OfferPhase } from '../../api/group.ts';

export const OFFER_OUTCOMES = ['made', 'accepted', 'declined', 'rescinded', 'expired'] as const;
export type OfferOutcome = (typeof OFFER_OUTCOMES)[number];

const OUTCOME_OF: Partial<Record<OfferPhase, OfferOutcome>> = {
  Accepted: 'accepted',
  Declined: 'declined',
  Rescinded: 'rescinded',
  Expired: 'expired',
};

/** What the history reads of an Offer. */
export interface OfferSighting {
  framework: string;
  phase: OfferPhase;
  /** ms since the epoch. */
  createdAt: number;
  /** When it was answered or ended (ms), when known. */
  endedAt?: number;
  /** A decline's refuse time. */
  refuseSeconds?: number;
}

export interface OfferSeries {
  /** Bucket start times, ms since the epoch, oldest first. */
  times: number[];
  bucketSeconds: number;
  made: number[];
  accepted: number[];
  declined: number[];
  rescinded: number[];
  expired: number[];
  /** The mean refuse time of the bucket's declines (null: none declined). */
  refuseSeconds: (number | null)[];
  /** Totals over the whole window. */
  totals: Record<OfferOutcome, number> & { refuseSeconds: number | null };
}

type Bucket = Record<OfferOutcome, number> & { refuseSum: number };
const emptyBucket = (): Bucket => ({ made: 0, accepted: 0, declined: 0, rescinded: 0, expired: 0, refuseSum: 0 });

export class OfferHistory {
  private readonly buckets: number;
  private readonly bucketMs: number;
  /** framework → bucket index (time / bucketMs) → counts; only the last `buckets` indexes are kept. */
  private readonly counts = new Map<string, Map<number, Bucket>>();
  /** Offers seen, by key: whether their end was counted. */
  private readonly seen = new Map<string, { ended: boolean }>();

  constructor(windowMs: number, bucketMs: number) {
    if (!(bucketMs > 0) || !(windowMs >= bucketMs)) throw new Error(`need 0 < bucketMs <= windowMs, got ${bucketMs} and ${windowMs}`);
    this.bucketMs = bucketMs;
    this.buckets = Math.ceil(windowMs / bucketMs);
  }

  /** An Offer as the cache shows it now (undefined: deleted). Counted once made and once ended. */
  observe(key: string, offer: OfferSighting | undefined, now: number): void {
    if (offer === undefined) {
      this.seen.delete(key);
      return;
    }
    let s = this.seen.get(key);
    if (s === undefined) {
      s = { ended: false };
      this.seen.set(key, s);
      this.count(offer.framework, 'made', offer.createdAt, now);
    }
    const outcome = OUTCOME_OF[offer.phase];
    if (outcome !== undefined && !s.ended) {
      s.ended = true;
      const b = this.count(offer.framework, outcome, offer.endedAt ?? now, now);
      if (b !== undefined && outcome === 'declined') b.refuseSum += offer.refuseSeconds ?? 0;
    }
  }

  /** Forgets a framework's history (it was deleted). */
  forget(framework: string): void {
    this.counts.delete(framework);
  }

  private count(framework: string, outcome: OfferOutcome, at: number, now: number): Bucket | undefined {
    const index = Math.floor(at / this.bucketMs);
    const newest = Math.floor(now / this.bucketMs);
    if (index <= newest - this.buckets) return undefined; // before the window
    let fw = this.counts.get(framework);
    if (fw === undefined) this.counts.set(framework, (fw = new Map()));
    for (const i of fw.keys()) if (i <= newest - this.buckets) fw.delete(i);
    let b = fw.get(Math.min(index, newest));
    if (b === undefined) fw.set(Math.min(index, newest), (b = emptyBucket()));
    b[outcome]++;
    return b;
  }

  /** A framework's buckets over the window ending now, oldest first (empty buckets as zeros). */
  series(framework: string, now: number): OfferSeries {
    const newest = Math.floor(now / this.bucketMs);
    const fw = this.counts.get(framework);
    const out: OfferSeries = {
      times: [],
      bucketSeconds: this.bucketMs / 1000,
      made: [],
      accepted: [],
      declined: [],
      rescinded: [],
      expired: [],
      refuseSeconds: [],
      totals: { made: 0, accepted: 0, declined: 0, rescinded: 0, expired: 0, refuseSeconds: null },
    };
    let refuseSum = 0;
    for (let i = newest - this.buckets + 1; i <= newest; i++) {
      const b = fw?.get(i) ?? emptyBucket();
      out.times.push(i * this.bucketMs);
      for (const o of OFFER_OUTCOMES) {
        out[o].push(b[o]);
        out.totals[o] += b[o];
      }
      out.refuseSeconds.push(b.declined === 0 ? null : b.refuseSum / b.declined);
      refuseSum += b.refuseSum;
    }
    if (out.totals.declined > 0) out.totals.refuseSeconds = refuseSum / out.totals.declined;
    return out;
  }
}
