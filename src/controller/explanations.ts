// The allocator's explanation of every framework's refusals (Allocator.explain), computed at
// most once per interval and shared: by the framework reconciler (the OffersAvailable
// condition) and the console. One explanation runs a whole cycle on a copy of the allocator, so
// it is not computed per framework or per request.
import type { Allocator, Explanation } from '../allocator/index.ts';
import type { Clock } from '../api/clock.ts';

export class Explanations {
  private readonly allocator: Pick<Allocator, 'explain'>;
  private readonly clock: Clock;
  private readonly maxAgeMs: number;
  private last: { at: number; explanation: Explanation } | undefined;

  constructor(allocator: Pick<Allocator, 'explain'>, clock: Clock, maxAgeMs: number) {
    this.allocator = allocator;
    this.clock = clock;
    this.maxAgeMs = maxAgeMs;
  }

  /** Every framework's refusals and the offers a cycle would make, no older than maxAgeMs. */
  all(): Explanation {
    const now = this.clock.now();
    if (this.last === undefined || now - this.last.at >= this.maxAgeMs) this.last = { at: now, explanation: this.allocator.explain(now) };
    return this.last.explanation;
  }
}
