// A token bucket for API writes, as client-go's flowcontrol.NewTokenBucketRateLimiter (`qps`
// tokens a second, up to `burst` saved), with three lanes: `high` (launching accepted tasks,
// killing, freeing resources), `normal` (making, withdrawing and recording answers to offers:
// work in hand is finished before more is handed out) and `low` (mirroring status). Lanes are
// served in that order, except that a lane kept waiting gets a share: every SHARE_EVERY-th token
// handed out while `low` waits goes to `low`, and likewise for `normal`. Under load launches
// keep most of the rate, and status lags by a bounded amount instead of waiting for every
// launch to be done (re-computed when their turn comes, status writes still coalesce).

import type { SleepingClock } from '../api/clock.ts';

export type Priority = 'high' | 'normal' | 'low';
const LANES: readonly Priority[] = ['high', 'normal', 'low'];
/** A waiting lane gets at least one token in this many. */
const SHARE_EVERY = 4;

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: SleepingClock;
  private tokens: number;
  private last: number;
  private readonly waiting: Record<Priority, (() => void)[]> = { high: [], normal: [], low: [] };
  private armed = false;
  /** Tokens handed to other lanes since each lane was last served while it waited. */
  private readonly passedOver: Record<Priority, number> = { high: 0, normal: 0, low: 0 };

  constructor(qps: number, burst: number, clock: SleepingClock) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.clock = clock;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  get unlimited(): boolean {
    return !(this.qps > 0);
  }

  /** Resolves when a token is the caller's. qps ≤ 0 means unlimited. */
  take(priority: Priority = 'high'): Promise<void> {
    if (this.unlimited) return Promise.resolve();
    this.refill();
    if (this.queued() === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting[priority].push(resolve);
      this.arm();
    });
  }

  /** Returns a token taken but not used (a write that turned out unnecessary). */
  giveBack(): void {
    if (this.unlimited) return;
    this.refill();
    this.tokens = Math.min(this.burst, this.tokens + 1);
    if (this.queued() > 0) this.arm();
  }

  /** Callers waiting for a token, all lanes. */
  queued(): number {
    return this.waiting.high.length + this.waiting.normal.length + this.waiting.low.length;
  }

  private next(): (() => void) | undefined {
    let lane = LANES.find((l) => this.waiting[l].length > 0);
    if (lane === undefined) return undefined;
    for (const starved of ['low', 'normal'] as const) {
      if (this.waiting[starved].length > 0 && this.passedOver[starved] >= SHARE_EVERY - 1) {
        lane = starved;
        break;
      }
    }
    for (const l of LANES) {
      if (l === lane || this.waiting[l].length === 0) this.passedOver[l] = 0;
      else this.passedOver[l]++;
    }
    return this.waiting[lane].shift();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    const wait = Math.max(0, ((1 - this.tokens) / this.qps) * 1000);
    void this.clock.sleep(wait).then(() => {
      this.armed = false;
      this.refill();
      while (this.tokens >= 1) {
        const next = this.next();
        if (next === undefined) break;
        this.tokens -= 1;
        next();
      }
      if (this.queued() > 0) this.arm();
    });
  }
}
