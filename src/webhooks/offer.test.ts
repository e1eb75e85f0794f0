import { describe, expect, it } from 'vitest';
import type { FieldError } from './field-errors.ts';
import { acceptedTaskNames, answeredBy, validateOffer, type AnswerFacts, type OfferReview } from './offer.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const NS = 'team-a';
const SA_A = 'system:serviceaccount:team-a:sched-a';
const SA_B = 'system:serviceaccount:team-a:sched-b';

const main = { name: 'main', image: 'busybox' };
const task = (name: string, resources: Record<string, unknown>, containers: unknown[] = [main]) => ({ name, resources, containers });

function offer(spec: Record<string, unknown> = {}, status: Record<string, unknown> | undefined = { phase: 'Outstanding' }) {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Offer',
    metadata: { name: 'o1', namespace: NS },
    spec: { framework: 'fw-a', nodeName: 'node-1', resources: { cpu: '2', memory: '4Gi' }, expiresAt: '2030-01-01T00:00:30Z', ...spec },
    ...(status ? { status } : {}),
  };
}

const facts = (over: Partial<AnswerFacts> = {}): AnswerFacts => ({
  framework: { name: 'fw-a', serviceAccountName: 'sched-a' },
  frameworksOfWriter: ['fw-a'],
  allowPrivileged: false,
  canCreatePods: { allowed: true },
  ...over,
});

/** An update from `old` to `old` + spec changes, by the framework's ServiceAccount by default. */
function answer(change: Record<string, unknown>, over: Partial<OfferReview> = {}, old = offer()): OfferReview {
  return {
    operation: 'UPDATE',
    namespace: NS,
    old,
    offer: { ...old, spec: { ...old.spec, ...change } },
    writer: { username: SA_A, privileged: false },
    now: NOW,
    facts: facts(),
    ...over,
  };
}

const privileged = { writer: { username: 'system:serviceaccount:agora-system:agora-controller', privileged: true } };
const shape = (errors: FieldError[]) => errors.map((e) => ({ path: e.path, reason: e.reason ?? 'Invalid' }));

describe('validateOffer', () => {
  it.each([
    {
      name: 'an accept that fits, by the framework ServiceAccount',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1', memory: '1Gi' }), task('t2', { cpu: '1000m' })] } }),
      wantPaths: [],
    },
    { name: 'a decline by the framework ServiceAccount', review: answer({ decline: { refuseSeconds: 10 } }), wantPaths: [] },
    {
      name: 'an accept of as many tasks as the offer has pod slots',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, {}, offer({ podSlots: 1 })),
      wantPaths: [],
    },
    {
      name: 'an accept that uses everything, exactly',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1.5', memory: '4096Mi' }), task('t2', { cpu: '500m' })] } }),
      wantPaths: [],
    },
    {
      name: 'an accept of an offer whose phase is not set yet',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, {}, offer({}, undefined)),
      wantPaths: [],
    },
    {
      name: 'a framework without a ServiceAccount answered by anyone RBAC allows',
      review: answer(
        { decline: {} },
        { writer: { username: 'alice', privileged: false }, facts: facts({ framework: { name: 'fw-a' }, frameworksOfWriter: [] }) },
      ),
      wantPaths: [],
    },
    {
      name: 'a privileged container in a namespace that allows it',
      review: answer(
        { accept: { tasks: [task('t1', { cpu: '1' }, [{ ...main, securityContext: { privileged: true } }])] } },
        { facts: facts({ allowPrivileged: true }) },
      ),
      wantPaths: [],
    },
    {
      name: 'a privileged container accepted by the controller',
      review: answer(
        { accept: { tasks: [task('t1', { cpu: '1' }, [{ ...main, securityContext: { privileged: true } }])] } },
        { ...privileged, facts: undefined },
      ),
      wantPaths: [],
    },
    {
      name: 'baseline capabilities and harmless fields',
      review: answer({
        accept: {
          tasks: [
            task('t1', { cpu: '1' }, [
              {
                ...main,
                command: ['sh', '-c', 'sleep 1'],
                env: [{ name: 'A_B', value: 'x' }],
                ports: [{ containerPort: 8080, name: 'http' }],
                securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, runAsNonRoot: true },
              },
            ]),
          ],
        },
      }),
      wantPaths: [],
    },
    {
      name: 'a revocable accept by a framework with REVOCABLE_RESOURCES',
      review: answer(
        { accept: { tasks: [task('t1', { cpu: '1' })] } },
        { facts: facts({ framework: { name: 'fw-a', serviceAccountName: 'sched-a', capabilities: ['REVOCABLE_RESOURCES'] } }) },
        offer({ revocable: true }),
      ),
      wantPaths: [],
    },
    {
      name: 'a decline of a revocable offer needs no capability',
      review: answer({ decline: {} }, {}, offer({ revocable: true })),
      wantPaths: [],
    },
  ])('admits $name', ({ review, wantPaths }) => {
    expect(validateOffer(review).map((e) => e.path)).toEqual(wantPaths);
  });

  it.each([
    {
      name: 'over-accept: two tasks need more cpu than offered',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1500m' }), task('t2', { cpu: '1' })] } }),
      want: [{ path: 'spec.accept.tasks[1].resources.cpu', reason: 'Invalid' }],
      wantMessage: /the 2 tasks ask for 2500m cpu in total but the offer has 2 \(over by 500m\); accept fewer or smaller tasks/,
    },
    {
      name: "more tasks than the offer's pod slots",
      review: answer({ accept: { tasks: [task('t1', { cpu: '500m' }), task('t2', { cpu: '500m' })] } }, {}, offer({ podSlots: 1 })),
      want: [{ path: 'spec.accept.tasks', reason: 'Invalid' }],
      wantMessage:
        /the accept launches 2 tasks but the offer has 1 pod slots \(spec\.podSlots: its node takes only that many more Pods\); accept at most 1/,
    },
    {
      name: 'over-accept: one task, memory, exact bytes',
      review: answer({ accept: { tasks: [task('t1', { memory: '4294967297' })] } }),
      want: [{ path: 'spec.accept.tasks[0].resources.memory', reason: 'Invalid' }],
      wantMessage: /the task asks for 4294967297 memory in total but the offer has 4Gi \(over by 1\)/,
    },
    {
      name: 'a resource the offer does not have',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1', 'nvidia.com/gpu': '1' })] } }),
      want: [{ path: 'spec.accept.tasks[0].resources[nvidia.com/gpu]', reason: 'Invalid' }],
      wantMessage: /the offer has no nvidia\.com\/gpu; ask only for offered resources \(cpu 2, memory 4Gi\)/,
    },
    {
      name: 'a zero resource',
      review: answer({ accept: { tasks: [task('t1', { cpu: '0' })] } }),
      want: [{ path: 'spec.accept.tasks[0].resources.cpu', reason: 'Invalid' }],
      wantMessage: /must be positive, got "0"/,
    },
    {
      name: 'a malformed quantity',
      review: answer({ accept: { tasks: [task('t1', { memory: '1Gb' })] } }),
      want: [{ path: 'spec.accept.tasks[0].resources.memory', reason: 'Invalid' }],
      wantMessage: /unknown suffix "Gb"/,
    },
    {
      name: 'duplicate task names',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' }), task('t1', { cpu: '1' })] } }),
      want: [{ path: 'spec.accept.tasks[1].name', reason: 'Invalid' }],
      wantMessage: /duplicate task name "t1" \(also spec\.accept\.tasks\[0\]\)/,
    },
    {
      name: 'a task name already taken by a Task',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { existingTasks: ['t1'] }),
      want: [{ path: 'spec.accept.tasks[0].name', reason: 'Invalid' }],
      wantMessage: /a Task named "t1" already exists in namespace "team-a"/,
    },
    {
      name: 'an empty accept',
      review: answer({ accept: { tasks: [] } }),
      want: [{ path: 'spec.accept.tasks', reason: 'Invalid' }],
      wantMessage: /to launch nothing, decline the offer instead/,
    },
    {
      name: 'accepting twice (changing the accept)',
      review: answer(
        { accept: { tasks: [task('t2', { cpu: '1' })] } },
        {},
        offer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { phase: 'Accepted' }),
      ),
      want: [{ path: 'spec.accept', reason: 'Invalid' }],
      wantMessage: /the offer was already accepted; an answer is written once and cannot be changed or removed/,
    },
    {
      name: 'declining an accepted offer',
      review: answer({ decline: {} }, {}, offer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { phase: 'Outstanding' })),
      want: [{ path: 'spec.decline', reason: 'Invalid' }],
      wantMessage: /the offer was already accepted; an offer is answered once/,
    },
    {
      name: 'accept and decline together',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] }, decline: {} }),
      want: [{ path: 'spec', reason: 'Invalid' }],
      wantMessage: /answered with spec\.accept or spec\.decline, not both/,
    },
    {
      name: 'answering a rescinded offer',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, {}, offer({}, { phase: 'Rescinded', reason: 'NodeLost' })),
      want: [{ path: 'spec.accept', reason: 'Invalid' }],
      wantMessage: /the offer is Rescinded \(NodeLost\); only an Outstanding offer can be answered/,
    },
    {
      name: 'answering an offer past expiresAt (phase still Outstanding)',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { now: new Date('2030-01-01T00:00:35Z') }),
      want: [{ path: 'spec.accept', reason: 'Invalid' }],
      wantMessage: /the offer expired at 2030-01-01T00:00:30Z \(5s ago\)/,
    },
    {
      name: 'answering at the exact expiry instant',
      review: answer({ decline: {} }, { now: new Date('2030-01-01T00:00:30Z') }),
      want: [{ path: 'spec.decline', reason: 'Invalid' }],
      wantMessage: /expired at/,
    },
    {
      name: 'the controller is held to expiry too',
      review: answer(
        { accept: { tasks: [task('t1', { cpu: '1' })] } },
        { ...privileged, facts: undefined },
        offer({}, { phase: 'Expired' }),
      ),
      want: [{ path: 'spec.accept', reason: 'Invalid' }],
      wantMessage: /the offer is Expired/,
    },
    {
      name: 'the controller is held to fit too',
      review: answer({ accept: { tasks: [task('t1', { cpu: '3' })] } }, { ...privileged, facts: undefined }),
      want: [{ path: 'spec.accept.tasks[0].resources.cpu', reason: 'Invalid' }],
      wantMessage: /over by 1/,
    },
    {
      name: 'a framework changing what was offered',
      review: answer({ resources: { cpu: '64', memory: '4Gi' }, accept: { tasks: [task('t1', { cpu: '32' })] } }),
      want: [{ path: 'spec.resources', reason: 'Forbidden' }],
      wantMessage:
        /may not change an Offer's spec\.resources: only the Agora controller may; a framework only sets spec\.accept or spec\.decline/,
    },
    {
      name: 'a framework extending its offer',
      review: answer({ expiresAt: '2031-01-01T00:00:00Z' }),
      want: [{ path: 'spec.expiresAt', reason: 'Forbidden' }],
      wantMessage: /spec\.expiresAt/,
    },
    {
      name: 'a framework creating an offer',
      review: { operation: 'CREATE' as const, namespace: NS, offer: offer(), writer: { username: SA_A, privileged: false }, now: NOW },
      want: [{ path: 'spec', reason: 'Forbidden' }],
      wantMessage: /may not create Offers: offers are made by the Agora controller/,
    },
    {
      name: 'another framework answering',
      review: answer(
        { accept: { tasks: [task('t1', { cpu: '1' })] } },
        { writer: { username: SA_B, privileged: false }, facts: facts({ framework: { name: 'fw-a' }, frameworksOfWriter: ['fw-b'] }) },
      ),
      want: [{ path: 'spec.accept', reason: 'Forbidden' }],
      wantMessage:
        /user "system:serviceaccount:team-a:sched-b" is the ServiceAccount of framework "fw-b" and may not answer this offer for framework "fw-a"/,
    },
    {
      name: 'someone other than the framework ServiceAccount answering',
      review: answer({ decline: {} }, { writer: { username: 'alice', privileged: false }, facts: facts({ frameworksOfWriter: [] }) }),
      want: [{ path: 'spec.decline', reason: 'Forbidden' }],
      wantMessage:
        /framework "fw-a" is answered only by its ServiceAccount "sched-a" \(system:serviceaccount:team-a:sched-a\) or the Agora controller/,
    },
    {
      name: 'answering for a framework that does not exist',
      review: answer({ decline: {} }, { facts: facts({ framework: undefined }) }),
      want: [{ path: 'spec.decline', reason: 'Forbidden' }],
      wantMessage: /framework "fw-a" does not exist in namespace "team-a"/,
    },
    {
      name: 'a revocable accept by a framework without REVOCABLE_RESOURCES',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, {}, offer({ revocable: true })),
      want: [{ path: 'spec.revocable', reason: 'Forbidden' }],
      wantMessage: /the offer is revocable and framework "fw-a" does not declare REVOCABLE_RESOURCES in its spec\.capabilities/,
    },
    {
      name: 'a RESERVE of a revocable offer',
      review: answer(
        { accept: { tasks: [], reserve: [{ resources: { cpu: '1' } }] } },
        { facts: facts({ framework: { name: 'fw-a', serviceAccountName: 'sched-a', capabilities: ['REVOCABLE_RESOURCES'] } }) },
        offer({ revocable: true, role: 'r' }),
      ),
      want: [{ path: 'spec.accept.reserve', reason: 'Invalid' }],
      wantMessage: /a revocable offer lends resources held back for others: they cannot be reserved/,
    },
    {
      name: 'an accept by a user who may not create pods',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { facts: facts({ canCreatePods: { allowed: false } }) }),
      want: [{ path: 'spec.accept', reason: 'Forbidden' }],
      wantMessage: /may not create pods in namespace "team-a", so it may not launch tasks there/,
    },
    {
      name: 'a smuggled privileged container',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' }, [{ ...main, securityContext: { privileged: true } }])] } }),
      want: [{ path: 'spec.accept.tasks[0].containers[0].securityContext.privileged', reason: 'Forbidden' }],
      wantMessage:
        /privileged containers are not allowed in namespace "team-a" \(an administrator can allow it with the namespace label agora\.dev\/allow-privileged=true or pod-security\.kubernetes\.io\/enforce=privileged\)/,
    },
    {
      name: 'an added capability beyond baseline',
      review: answer({
        accept: {
          tasks: [task('t1', { cpu: '1' }, [{ ...main, securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } } }])],
        },
      }),
      want: [{ path: 'spec.accept.tasks[0].containers[0].securityContext.capabilities.add[1]', reason: 'Forbidden' }],
      wantMessage: /adding capability SYS_ADMIN is not allowed/,
    },
    {
      name: 'a host port',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' }, [{ ...main, ports: [{ containerPort: 80, hostPort: 80 }] }])] } }),
      want: [{ path: 'spec.accept.tasks[0].containers[0].ports[0].hostPort', reason: 'Forbidden' }],
      wantMessage: /host ports are not allowed/,
    },
    {
      name: 'host namespaces and hostPath volumes put on a container',
      review: answer({
        accept: {
          tasks: [task('t1', { cpu: '1' }, [{ ...main, hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] }])],
        },
      }),
      want: [
        { path: 'spec.accept.tasks[0].containers[0].hostNetwork', reason: 'Invalid' },
        { path: 'spec.accept.tasks[0].containers[0].volumes', reason: 'Invalid' },
      ],
      wantMessage: /hostNetwork is a Pod field, not a container field: tasks cannot use the host's network namespace/,
    },
    {
      name: 'a container that sets its own resources',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' }, [{ ...main, resources: { limits: { cpu: '64' } } }])] } }),
      want: [{ path: 'spec.accept.tasks[0].containers[0].resources', reason: 'Invalid' }],
      wantMessage: /resources is set by Agora from the task's resources/,
    },
    {
      name: 'duplicate container names and a bad port',
      review: answer({ accept: { tasks: [task('t1', { cpu: '1' }, [main, { ...main, ports: [{ containerPort: 70000 }] }])] } }),
      want: [
        { path: 'spec.accept.tasks[0].containers[1].name', reason: 'Invalid' },
        { path: 'spec.accept.tasks[0].containers[1].ports[0].containerPort', reason: 'Invalid' },
      ],
      wantMessage: /duplicate container name "main"/,
    },
  ])('rejects $name', ({ review, want, wantMessage }) => {
    const errors = validateOffer(review);
    expect(shape(errors)).toEqual(want);
    expect(errors[0]!.message).toMatch(wantMessage);
    for (const e of errors) expect(e.message).not.toMatch(/\n/);
  });

  it('lets the controller create an offer and change any field', () => {
    expect(validateOffer({ operation: 'CREATE', namespace: NS, offer: offer(), ...privileged, now: NOW })).toEqual([]);
    expect(
      validateOffer(answer({ expiresAt: '2031-01-01T00:00:00Z', resources: { cpu: '1' } }, { ...privileged, facts: undefined })),
    ).toEqual([]);
  });

  it('ignores metadata and an unchanged answer', () => {
    const old = offer({ accept: { tasks: [task('t1', { cpu: '1' })] } }, { phase: 'Accepted' });
    const review = answer({}, { facts: undefined }, old);
    review.offer = { ...(review.offer as object), metadata: { name: 'o1', namespace: NS, labels: { seen: 'yes' } } };
    expect(validateOffer(review)).toEqual([]);
  });
});

describe('answeredBy', () => {
  it.each([
    { name: 'a new accept', old: offer(), now: offer({ accept: { tasks: [] } }), want: 'accept' },
    { name: 'a new decline', old: offer(), now: offer({ decline: {} }), want: 'decline' },
    { name: 'an existing accept', old: offer({ accept: { tasks: [] } }), now: offer({ accept: { tasks: [] } }), want: undefined },
    { name: 'no answer', old: offer(), now: offer({ role: 'x' }), want: undefined },
  ])('$name', ({ old, now, want }) => {
    expect(answeredBy('UPDATE', now, old)).toBe(want);
  });

  it('reads accepted task names', () => {
    expect(acceptedTaskNames(offer({ accept: { tasks: [task('a', {}), task('b', {})] } }))).toEqual(['a', 'b']);
  });
});
