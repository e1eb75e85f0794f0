// A token bucket for API requests, as client-go's flowcontrol.NewTokenBucketRateLimiter:
// `qps` tokens a second, up to `burst` saved. take() waits for a token; FIFO.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;
  /** When the last reserved token becomes available: callers queue behind it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.clock = clock;
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Reserves a token and resolves when it may be used. qps ≤ 0 means unlimited. */
  take(): Promise<void> {
    if (!(this.qps > 0)) return Promise.resolve();
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    const wait = (-this.tokens / this.qps) * 1000;
    return this.clock.sleep(wait);
  }
}
