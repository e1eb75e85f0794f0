// The allocator's explanation of every framework's refusals (Allocator.explain), computed at
// most once per interval and shared: by the framework reconciler (the OffersAvailable
// condition) and the console. One explanation runs a whole cycle on a copy of the allocator, so
// it is not computed per framework or per request.
import { whyNoOffers, type Allocator, type Explanation, type Refusal, type WhyNoOffers } from '../allocator/index.ts';
import type { Clock } from '../api/clock.ts';

/** One explanation, its refusals grouped by the framework they concern (undefined: every framework). */
interface Indexed {
  at: number;
  explanation: Explanation;
  refusals: Map<string | undefined, Refusal[]>;
  offered: Set<string>;
  why: Map<string, WhyNoOffers>;
}

export class Explanations {
  private readonly allocator: Pick<Allocator, 'explain'>;
  private readonly clock: Clock;
  private readonly maxAgeMs: number;
  private last: Indexed | undefined;

  constructor(allocator: Pick<Allocator, 'explain'>, clock: Clock, maxAgeMs: number) {
    this.allocator = allocator;
    this.clock = clock;
    this.maxAgeMs = maxAgeMs;
  }

  /** Every framework's refusals and the offers a cycle would make, no older than maxAgeMs. */
  all(): Explanation {
    return this.current().explanation;
  }

  /**
   * Why `framework` gets offers or not (whyNoOffers of the shared explanation), or undefined when
   * the explanation was computed before the framework was known: it names other frameworks,
   * never this one. Each framework's answer is worked out once per explanation, from its own
   * refusals and the node-wide ones only (at 1,000 nodes an explanation holds tens of thousands).
   */
  why(framework: string): WhyNoOffers | undefined {
    const x = this.current();
    const cached = x.why.get(framework);
    if (cached !== undefined) return cached;
    const own = x.refusals.get(framework);
    const namesOthers = x.refusals.size > (x.refusals.has(undefined) ? 1 : 0) || x.explanation.offers.length > 0;
    if (own === undefined && !x.offered.has(framework) && namesOthers) return undefined;
    const why = whyNoOffers({ offers: x.explanation.offers, refusals: [...(x.refusals.get(undefined) ?? []), ...(own ?? [])] }, framework);
    x.why.set(framework, why);
    return why;
  }

  private current(): Indexed {
    const now = this.clock.now();
    if (this.last === undefined || now - this.last.at >= this.maxAgeMs) {
      const explanation = this.allocator.explain(now);
      const refusals = new Map<string | undefined, Refusal[]>();
      for (const r of explanation.refusals) {
        const l = refusals.get(r.framework);
        if (l === undefined) refusals.set(r.framework, [r]);
        else l.push(r);
      }
      this.last = { at: now, explanation, refusals, offered: new Set(explanation.offers.map((o) => o.framework)), why: new Map() };
    }
    return this.last;
  }
}
