import { describe, expect, it } from 'vitest';
import type { FieldError } from './field-errors.ts';
import { validateOffer, type AnswerFacts, type OfferReview } from './offer.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const NS = 'team-a';
const SA_A = 'system:serviceaccount:team-a:sched-a';
const main = { name: 'main', image: 'busybox' };

/** An offer of 4 CPUs and 8Gi to role db, 1 CPU of it db's idle dynamic reservation and 1 CPU its static one. */
function offer(
  reserved: unknown[] | null = [
    { role: 'db', type: 'Static', resources: { cpu: '1' } },
    { role: 'db', type: 'Dynamic', resources: { cpu: '1' } },
  ],
) {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Offer',
    metadata: { name: 'o1', namespace: NS },
    spec: {
      framework: 'fw-a',
      nodeName: 'node-1',
      role: 'db',
      resources: { cpu: '4', memory: '8Gi' },
      expiresAt: '2030-01-01T00:00:30Z',
      ...(reserved ? { reserved } : {}),
    },
    status: { phase: 'Outstanding' },
  };
}

const facts = (over: Partial<AnswerFacts> = {}): AnswerFacts => ({
  framework: { name: 'fw-a', serviceAccountName: 'sched-a' },
  frameworksOfWriter: ['fw-a'],
  allowPrivileged: false,
  canCreatePods: { allowed: true },
  reservations: { reserve: { allowed: true }, unreserve: { allowed: true } },
  ...over,
});

function accept(a: Record<string, unknown>, over: Partial<OfferReview> = {}, old = offer()): OfferReview {
  return {
    operation: 'UPDATE',
    namespace: NS,
    old,
    offer: { ...old, spec: { ...old.spec, accept: { tasks: [], ...a } } },
    writer: { username: SA_A, privileged: false },
    now: NOW,
    facts: facts(),
    ...over,
  };
}

const paths = (errors: FieldError[]) => errors.map((e) => `${e.reason ?? 'Invalid'} ${e.path}`);

describe('RESERVE and UNRESERVE in an accept', () => {
  it.each([
    {
      name: 'a reserve of the unreserved part, alone',
      review: accept({ reserve: [{ resources: { cpu: '2', memory: '8Gi' } }] }),
      want: [],
    },
    {
      // Mesos's RESERVE then LAUNCH in one accept: tasks may use what the accept reserves.
      name: 'reserve and launch into it in one accept',
      review: accept({ reserve: [{ resources: { cpu: '2' } }], tasks: [{ name: 't1', resources: { cpu: '2' }, containers: [main] }] }),
      want: [],
    },
    { name: 'unreserve the idle dynamic part', review: accept({ unreserve: [{ resources: { cpu: '1' } }] }), want: [] },
    {
      // HierarchicalAllocatorTest.UpdateAvailableFail: a reservation of resources that are not
      // available (here: beyond the offer's unreserved 2 CPUs) fails.
      name: 'HierarchicalAllocatorTest.UpdateAvailableFail: reserving beyond the unreserved part',
      review: accept({ reserve: [{ resources: { cpu: '1' } }, { resources: { cpu: '1500m' } }] }),
      want: ['Invalid spec.accept.reserve[1].resources.cpu'],
    },
    {
      name: 'reserving a resource the offer lacks',
      review: accept({ reserve: [{ resources: { 'nvidia.com/gpu': 1 } }] }),
      want: ['Invalid spec.accept.reserve[0].resources[nvidia.com/gpu]'],
    },
    {
      name: 'unreserving the static part (only dynamic reservations can be unreserved)',
      review: accept({ unreserve: [{ resources: { cpu: '2' } }] }),
      want: ['Invalid spec.accept.unreserve[0].resources.cpu'],
    },
    {
      name: 'unreserving from an offer that carries no reservation',
      review: accept({ unreserve: [{ resources: { cpu: '1' } }] }, {}, offer(null)),
      want: ['Invalid spec.accept.unreserve[0].resources.cpu'],
    },
    {
      name: 'zero and malformed amounts',
      review: accept({ reserve: [{ resources: { cpu: '0' } }, { resources: { memory: 'lots' } }] }),
      want: ['Invalid spec.accept.reserve[0].resources.cpu', 'Invalid spec.accept.reserve[1].resources.memory'],
    },
    {
      name: 'a writer without the reserve verb on the role',
      review: accept({ reserve: [{ resources: { cpu: '1' } }] }, { facts: facts({ reservations: { reserve: { allowed: false } } }) }),
      want: ['Forbidden spec.accept.reserve'],
    },
    {
      name: 'a writer without the unreserve verb: no create-pods needed when no task is launched',
      review: accept(
        { unreserve: [{ resources: { cpu: '1' } }] },
        { facts: facts({ canCreatePods: { allowed: false }, reservations: { unreserve: { allowed: false } } }) },
      ),
      want: ['Forbidden spec.accept.unreserve'],
    },
    { name: 'an accept that does nothing', review: accept({}), want: ['Invalid spec.accept.tasks'] },
    {
      name: 'the controller (privileged) is not asked for the verbs, but bounds still apply',
      review: accept(
        { reserve: [{ resources: { cpu: '3' } }] },
        { writer: { username: 'system:serviceaccount:agora-system:agora-controller', privileged: true }, facts: undefined },
      ),
      want: ['Invalid spec.accept.reserve[0].resources.cpu'],
    },
  ])('$name', ({ review, want }) => {
    expect(paths(validateOffer(review))).toEqual(want);
  });

  it('says what was asked and what the bound is', () => {
    const [e] = validateOffer(accept({ reserve: [{ resources: { cpu: '3' } }] }));
    expect(e!.message).toBe("reserves 3 cpu, more than the 2 of the offer's unreserved part");
    const [f] = validateOffer(
      accept({ reserve: [{ resources: { cpu: '1' } }] }, { facts: facts({ reservations: { reserve: { allowed: false } } }) }),
    );
    expect(f!.message).toMatch(/may not reserve for role "db" \(grant it the "reserve" verb on resourceroles "db" in group agora.dev\)/);
  });
});
