// A short-lived cache of SubjectAccessReview answers, so that a framework accepting offer after
// offer does not cost one SAR round trip per accept.
//
// It must never widen access. The key is the whole review as sent — user, uid, groups, extra and
// every resource attribute — as the kube-apiserver's webhook authorizer keys its own cache, so no
// answer is reused for a request the authorizer might have judged differently. What remains is
// time: after an RBAC revocation an "allowed" answer is reused for at most `allowedTtlMs`. The
// defaults, and why they are far below the kube-apiserver's webhook authorizer cache (authorized
// 5m, unauthorized 30s, tuned for an authorizer consulted on every API request):
// - allowed 10 s: the controller creates Pods on the framework's behalf, so this TTL is how long a
//   revoked framework may still launch tasks through it. Accepts come in bursts (an allocation
//   cycle offers many nodes at once, every second by default), so 10 s already saves nearly every
//   SAR of a busy framework, and it is a third of the default offer timeout.
// - denied 2 s: reusing a denial can only refuse more, never allow more; it just absorbs a
//   misconfigured framework's retries, while a fix to its RBAC takes effect almost at once.
// Errors are never cached; concurrent identical reviews share one request.

/** The SubjectAccessReview spec fields the answer depends on (authorization.k8s.io/v1). */
export interface AccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes: {
    namespace?: string;
    verb: string;
    group?: string;
    resource: string;
    subresource?: string;
    name?: string;
  };
}

export interface AccessDecision {
  allowed: boolean;
  reason?: string;
}

export interface AccessReviewCacheOptions {
  /** How long an allowed answer is reused: the longest an RBAC revocation can go unnoticed. Default 10 s. */
  allowedTtlMs?: number;
  /** How long a denied answer is reused. Default 2 s. */
  deniedTtlMs?: number;
  /** The most answers kept; the least recently used go first. Default 1024. */
  maxEntries?: number;
  /** A monotonic clock in ms (default performance.now: a wall-clock step cannot stretch a TTL). */
  now?: () => number;
  /** Called with each lookup's outcome (metrics). */
  onLookup?: (result: 'hit' | 'miss') => void;
}

export const DEFAULT_ACCESS_REVIEW_CACHE = { allowedTtlMs: 10_000, deniedTtlMs: 2_000, maxEntries: 1024 } as const;

interface Entry {
  decision: AccessDecision;
  expiresAt: number;
}

/** The spec as a string with object keys sorted, so equal reviews give equal keys. */
export function accessReviewKey(spec: AccessReviewSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export class AccessReviewCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<AccessDecision>>();
  private readonly allowedTtlMs: number;
  private readonly deniedTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly onLookup: (result: 'hit' | 'miss') => void;

  constructor(opts: AccessReviewCacheOptions = {}) {
    this.allowedTtlMs = opts.allowedTtlMs ?? DEFAULT_ACCESS_REVIEW_CACHE.allowedTtlMs;
    this.deniedTtlMs = opts.deniedTtlMs ?? DEFAULT_ACCESS_REVIEW_CACHE.deniedTtlMs;
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_ACCESS_REVIEW_CACHE.maxEntries);
    this.now = opts.now ?? (() => performance.now());
    this.onLookup = opts.onLookup ?? (() => {});
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `spec`, or `review()`'s (cached for its TTL). */
  async review(spec: AccessReviewSpec, review: () => Promise<AccessDecision>): Promise<AccessDecision> {
    const key = accessReviewKey(spec);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      if (hit.expiresAt > this.now()) {
        this.entries.set(key, hit);
        this.onLookup('hit');
        return hit.decision;
      }
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.onLookup('hit');
      return pending;
    }
    this.onLookup('miss');
    // The TTL runs from when the question was asked: the answer may reflect RBAC as it was then.
    const askedAt = this.now();
    const p = review().then(
      (decision) => {
        this.inFlight.delete(key);
        this.store(key, decision, askedAt);
        return decision;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }

  private store(key: string, decision: AccessDecision, askedAt: number): void {
    const ttl = decision.allowed ? this.allowedTtlMs : this.deniedTtlMs;
    if (ttl <= 0) return;
    this.entries.set(key, { decision, expiresAt: askedAt + ttl });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
