// A keyed work queue, as client-go's: a key is queued at most once, never processed by two
// workers at once (a key added while it is processed runs again after), retried with
// per-key exponential backoff when the handler throws, and delayed adds coalesce.
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../api/clock.ts';
import { errorSummary } from '../api/errors.ts';

export interface WorkQueueOptions {
  name: string;
  concurrency: number;
  handler: (key: string) => Promise<void>;
  log: Logger;
  /** Backoff after the n-th consecutive failure of a key, ms. Default 50·2^n capped at 30 s. */
  backoff?: (failures: number) => number;
  onError?: (key: string, err: unknown) => void;
  /** Times delayed adds; default the system clock. */
  clock?: Clock;
}

export class WorkQueue {
  private readonly o: WorkQueueOptions;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private running = 0;
  private stopped = false;
  /** Keys are collected but not processed until start(). */
  private paused = true;
  private idleWaiters: (() => void)[] = [];

  constructor(o: WorkQueueOptions) {
    this.o = o;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after `ms` (an earlier pending delayed add wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = (this.o.clock ?? systemClock).now() + ms;
    const pending = this.timers.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { timer, at });
  }

  start(): void {
    this.paused = false;
    this.pump();
  }

  /** Keys queued and not yet being processed. */
  get waiting(): number {
    return this.queue.length;
  }

  get length(): number {
    return this.queue.length + this.running;
  }

  /** Resolves when nothing is queued or running (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    while (!this.stopped && !this.paused && this.running < this.o.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.process(key);
    }
    if (this.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      await this.o.handler(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.o.onError?.(key, err);
      const delay = this.o.backoff ? this.o.backoff(n) : Math.min(30_000, 50 * 2 ** n);
      this.o.log.warn({ queue: this.o.name, key, failures: n, retryInMs: delay, err: errorSummary(err) }, 'reconcile failed');
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }
}
