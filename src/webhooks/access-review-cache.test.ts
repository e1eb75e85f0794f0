import { describe, expect, it } from 'vitest';
import { AccessReviewCache, accessReviewKey, type AccessDecision, type AccessReviewSpec } from './access-review-cache.ts';

const spec = (over: Partial<AccessReviewSpec> = {}, attrs: Partial<AccessReviewSpec['resourceAttributes']> = {}): AccessReviewSpec => ({
  user: 'system:serviceaccount:team-a:sched',
  uid: 'u-1',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
  extra: { 'authentication.kubernetes.io/credential-id': ['JTI=1'] },
  resourceAttributes: { namespace: 'team-a', verb: 'create', group: '', resource: 'pods', ...attrs },
  ...over,
});

/** A fake clock, and an authorizer whose answers the test changes (as RBAC would) and whose calls it counts. */
function setup(opts: { allowedTtlMs?: number; deniedTtlMs?: number; maxEntries?: number } = {}) {
  const clock = { t: 1_000 };
  const lookups: string[] = [];
  const cache = new AccessReviewCache({ ...opts, now: () => clock.t, onLookup: (r) => lookups.push(r) });
  const authz = { allowed: true, calls: 0 };
  const ask = (s: AccessReviewSpec) => cache.review(s, async (): Promise<AccessDecision> => (authz.calls++, { allowed: authz.allowed }));
  return { clock, cache, authz, ask, lookups };
}

describe('AccessReviewCache', () => {
  it.each([
    // allowed answers live allowedTtlMs (10 s), denied ones deniedTtlMs (2 s), counted from the question
    { name: 'an allowed answer is reused within its TTL', allowed: true, askAgainAfterMs: 9_999, wantCalls: 1 },
    { name: 'an allowed answer expires at its TTL', allowed: true, askAgainAfterMs: 10_000, wantCalls: 2 },
    { name: 'a denied answer is reused within its shorter TTL', allowed: false, askAgainAfterMs: 1_999, wantCalls: 1 },
    { name: 'a denied answer expires at its TTL', allowed: false, askAgainAfterMs: 2_000, wantCalls: 2 },
  ])('$name', async ({ allowed, askAgainAfterMs, wantCalls }) => {
    const { clock, authz, ask } = setup();
    authz.allowed = allowed;
    expect((await ask(spec())).allowed).toBe(allowed);
    clock.t += askAgainAfterMs;
    expect((await ask(spec())).allowed).toBe(allowed);
    expect(authz.calls).toBe(wantCalls);
  });

  it('honours a revocation within the allowed TTL, and a grant within the denied TTL', async () => {
    const { clock, authz, ask } = setup({ allowedTtlMs: 10_000, deniedTtlMs: 2_000 });
    expect((await ask(spec())).allowed).toBe(true);
    authz.allowed = false; // the RoleBinding is deleted
    clock.t += 5_000;
    expect((await ask(spec())).allowed).toBe(true); // the window the TTL allows
    clock.t += 5_000;
    expect((await ask(spec())).allowed).toBe(false);
    authz.allowed = true; // RBAC fixed
    clock.t += 2_000;
    expect((await ask(spec())).allowed).toBe(true);
  });

  it('counts the TTL from when the question was asked, not from when the answer came', async () => {
    const { clock, cache } = setup({ allowedTtlMs: 10_000 });
    let calls = 0;
    const slow = () =>
      cache.review(spec(), async () => {
        calls++;
        clock.t += 4_000; // the API server took 4 s to answer
        return { allowed: true };
      });
    await slow();
    clock.t += 6_000; // 10 s after the question, 6 s after the answer
    await slow();
    expect(calls).toBe(2);
  });

  it.each([
    { name: 'another user', other: spec({ user: 'system:serviceaccount:team-a:other' }) },
    { name: 'another uid', other: spec({ uid: 'u-2' }) },
    { name: 'other groups', other: spec({ groups: ['system:authenticated'] }) },
    { name: 'no groups', other: spec({ groups: undefined }) },
    { name: 'other extra', other: spec({ extra: { 'authentication.kubernetes.io/credential-id': ['JTI=2'] } }) },
    { name: 'another namespace', other: spec({}, { namespace: 'team-b' }) },
    { name: 'another verb', other: spec({}, { verb: 'delete' }) },
    { name: 'another group', other: spec({}, { group: 'apps' }) },
    { name: 'another resource', other: spec({}, { resource: 'deployments' }) },
    { name: 'a subresource', other: spec({}, { subresource: 'exec' }) },
    { name: 'a name', other: spec({}, { name: 'p1' }) },
  ])('never reuses an answer for a different question: $name', async ({ other }) => {
    const { authz, ask } = setup();
    await ask(spec());
    authz.allowed = false;
    expect((await ask(other)).allowed).toBe(false);
    expect(authz.calls).toBe(2);
  });

  it('treats the same question with its fields in another order as the same', () => {
    const a = spec();
    const b: AccessReviewSpec = {
      resourceAttributes: { resource: 'pods', group: '', verb: 'create', namespace: 'team-a' },
      extra: a.extra,
      groups: a.groups,
      uid: a.uid,
      user: a.user,
    };
    expect(accessReviewKey(b)).toBe(accessReviewKey(a));
    expect(accessReviewKey({ ...a, uid: undefined })).toBe(accessReviewKey((({ uid: _uid, ...rest }) => rest)(a)));
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const { cache, authz, ask } = setup({ maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((u) => spec({ user: u }));
    await ask(a!);
    await ask(b!);
    await ask(a!); // a is now the most recently used
    await ask(c!); // evicts b
    expect(cache.size).toBe(2);
    expect(authz.calls).toBe(3);
    await ask(a!);
    expect(authz.calls).toBe(3);
    await ask(b!);
    expect(authz.calls).toBe(4);
  });

  it('does not cache errors', async () => {
    const { cache } = setup();
    let calls = 0;
    const failing = () =>
      cache.review(spec(), async () => {
        calls++;
        throw new Error('connection refused');
      });
    await expect(failing()).rejects.toThrow('connection refused');
    await expect(failing()).rejects.toThrow('connection refused');
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('shares one request between concurrent identical questions', async () => {
    const { cache, lookups } = setup();
    let calls = 0;
    let answer!: (d: AccessDecision) => void;
    const review = () => cache.review(spec(), () => (calls++, new Promise<AccessDecision>((r) => (answer = r))));
    const both = Promise.all([review(), review()]);
    answer({ allowed: true, reason: 'RBAC: allowed by RoleBinding "s"' });
    expect(await both).toEqual([
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "s"' },
      { allowed: true, reason: 'RBAC: allowed by RoleBinding "s"' },
    ]);
    expect(calls).toBe(1);
    expect(lookups).toEqual(['miss', 'hit']);
  });

  it('caches nothing with a TTL of 0', async () => {
    const { authz, ask } = setup({ allowedTtlMs: 0, deniedTtlMs: 0 });
    await ask(spec());
    await ask(spec());
    expect(authz.calls).toBe(2);
  });
});
