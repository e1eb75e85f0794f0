// A token bucket for API writes, as client-go's flowcontrol.NewTokenBucketRateLimiter (`qps`
// tokens a second, up to `burst` saved), with three lanes served strictly in order: `high`
// (launching accepted tasks, killing, freeing resources), `normal` (making, withdrawing and
// recording answers to offers: work in hand is finished before more is handed out) and `low`
// (mirroring status). Under load launches keep the full rate and status writes wait — and,
// re-computed when their turn comes, coalesce.

import type { SleepingClock } from '../api/clock.ts';

export type Priority = 'high' | 'normal' | 'low';
const LANES: readonly Priority[] = ['high', 'normal', 'low'];

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: SleepingClock;
  private tokens: number;
  private last: number;
  private readonly waiting: Record<Priority, (() => void)[]> = { high: [], normal: [], low: [] };
  private armed = false;

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

  private queued(): number {
    return this.waiting.high.length + this.waiting.normal.length + this.waiting.low.length;
  }

  private next(): (() => void) | undefined {
    for (const lane of LANES) {
      const w = this.waiting[lane].shift();
      if (w !== undefined) return w;
    }
    return undefined;
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
