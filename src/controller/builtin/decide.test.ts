import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../api/group.ts';
import type { FrameworkObject, OfferObject } from '../../sdk/types.ts';
import { backoffSeconds, decide, progressOf, reservationFor, taskIndex, taskName, type TaskView } from './decide.ts';

type Builtin = NonNullable<FrameworkObject['spec']['builtin']>;

function framework(b: Partial<Builtin> = {}, name = 'fw'): FrameworkObject {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Framework',
    metadata: { name, namespace: 'ns' },
    spec: {
      defaultRefuseSeconds: 5,
      builtin: {
        tasks: 3,
        tasksPerOffer: 1,
        restartPolicy: 'OnFailure',
        maxRetries: 2,
        backoffSeconds: 10,
        template: {
          resources: { cpu: '1', memory: '4Gi' },
          containers: [{ name: 'main', image: 'busybox' }],
          annotations: { 'agora.dev/sim-exit-code': '0' },
        },
        ...b,
      },
    },
  };
}

function offer(name: string, cpu: string, memory: string): OfferObject {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Offer',
    metadata: { name, namespace: 'ns' },
    spec: { framework: 'fw', nodeName: `node-${name}`, resources: { cpu, memory } },
  };
}

const task = (i: number, state: TaskState | undefined, finishedAt?: number): TaskView => ({ name: taskName('fw', i), state, finishedAt });
const revoked = (i: number, finishedAt = 0): TaskView => ({ ...task(i, 'TASK_KILLED', finishedAt), revoked: true });
const NOW = 1_000_000;

describe('decide', () => {
  it.each([
    {
      name: 'fresh framework: one task per offer',
      b: {},
      tasks: [],
      offers: [offer('a', '9', '18Gi'), offer('b', '9', '18Gi')],
      want: [
        ['a', 'accept', 'fw-0'],
        ['b', 'accept', 'fw-1'],
      ],
    },
    {
      name: 'tasksPerOffer packs what fits (DRF paper A: 4 of <1, 4Gi> in 9 CPU / 18Gi)',
      b: { tasks: 10, tasksPerOffer: 8 },
      tasks: [],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'accept', 'fw-0,fw-1,fw-2,fw-3']],
    },
    {
      name: "no more than the offer's pod slots (a task per Pod)",
      b: { tasks: 10, tasksPerOffer: 8 },
      tasks: [],
      offers: [{ ...offer('a', '9', '18Gi'), spec: { ...offer('a', '9', '18Gi').spec, podSlots: 2 } }],
      want: [['a', 'accept', 'fw-0,fw-1']],
    },
    {
      name: 'an offer with no pod slot left fits nothing',
      b: { refuseSeconds: 7 },
      tasks: [],
      offers: [{ ...offer('a', '9', '18Gi'), spec: { ...offer('a', '9', '18Gi').spec, podSlots: 0 } }],
      want: [['a', 'decline', 'NothingFits', 7]],
    },
    {
      name: 'never more than remain to launch',
      b: { tasks: 3, tasksPerOffer: 8 },
      tasks: [task(0, 'TASK_RUNNING')],
      offers: [offer('a', '9', '18Gi'), offer('b', '9', '18Gi')],
      want: [
        ['a', 'accept', 'fw-1,fw-2'],
        ['b', 'decline', 'NothingToLaunch', 30],
      ],
    },
    {
      name: 'nothing fits: decline with refuseSeconds',
      b: { refuseSeconds: 7 },
      tasks: [],
      offers: [offer('a', '500m', '18Gi')],
      want: [['a', 'decline', 'NothingFits', 7]],
    },
    {
      name: 'nothing fits: default refuse from the framework',
      b: {},
      tasks: [],
      offers: [offer('a', '4', '1Gi')],
      want: [['a', 'decline', 'NothingFits', 5]],
    },
    {
      name: 'all launched and running: decline, nothing to launch',
      b: {},
      tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_STAGING'), task(2, undefined)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'NothingToLaunch', 30]],
    },
    {
      name: 'failure waits out its backoff (10 s after the first failure)',
      b: {},
      tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_RUNNING'), task(2, 'TASK_FAILED', NOW - 4000)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'BackingOff', 6]],
    },
    {
      name: 'failure replaced after its backoff, with the next index',
      b: {},
      tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_RUNNING'), task(2, 'TASK_LOST', NOW - 11_000)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'accept', 'fw-3']],
    },
    {
      name: 'second failure doubles the backoff (20 s)',
      b: {},
      tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_RUNNING'), task(2, 'TASK_FAILED', NOW - 30_000), task(3, 'TASK_FAILED', NOW - 11_000)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'BackingOff', 9]],
    },
    {
      name: 'retries used up: no replacement',
      b: { maxRetries: 1 },
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_RUNNING'), task(2, 'TASK_FAILED', 0), task(3, 'TASK_FAILED', 0)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'NothingToLaunch', 30]],
    },
    {
      name: 'restartPolicy Never: a failure is not replaced; complete as Failed',
      b: { restartPolicy: 'Never' as const },
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), task(2, 'TASK_FAILED', 0)],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'Done', 3600]],
    },
    {
      name: 'originals are not held back by a replacement backoff',
      b: { tasks: 4 },
      tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_FAILED', NOW - 1000)],
      offers: [offer('a', '9', '18Gi'), offer('b', '9', '18Gi'), offer('c', '9', '18Gi')],
      want: [
        ['a', 'accept', 'fw-2'],
        ['b', 'accept', 'fw-3'],
        ['c', 'decline', 'BackingOff', 9],
      ],
    },
    {
      name: 'complete: long refusal',
      b: {},
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), task(2, 'TASK_FINISHED')],
      offers: [offer('a', '9', '18Gi')],
      want: [['a', 'decline', 'Done', 3600]],
    },
  ])('$name', ({ b, tasks, offers, want }) => {
    const next = tasks.length;
    const got = decide(framework(b), tasks, offers, next, NOW).answers.map((a) =>
      a.action === 'accept' ? [a.offer, a.action, a.tasks.map((t) => t.name).join(',')] : [a.offer, a.action, a.reason, a.refuseSeconds],
    );
    expect(got).toEqual(want);
  });

  it('copies the template (resources, containers, annotations) into each task', () => {
    const [answer] = decide(framework(), [], [offer('a', '9', '18Gi')], 0, NOW).answers;
    expect(answer).toEqual({
      offer: 'a',
      action: 'accept',
      tasks: [
        {
          name: 'fw-0',
          resources: { cpu: '1', memory: '4Gi' },
          containers: [{ name: 'main', image: 'busybox' }],
          annotations: { 'agora.dev/sim-exit-code': '0' },
        },
      ],
    });
  });
});

describe('progressOf', () => {
  it.each([
    { name: 'nothing launched', tasks: [], wantPhase: 'Running', wantToLaunch: 3, wantLaunched: 0 },
    { name: 'running', tasks: [task(0, 'TASK_RUNNING'), task(1, 'TASK_FINISHED')], wantPhase: 'Running', wantToLaunch: 1, wantLaunched: 2 },
    {
      name: 'all finished',
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), task(2, 'TASK_FINISHED')],
      wantPhase: 'Completed',
      wantToLaunch: 0,
      wantLaunched: 3,
    },
    {
      name: 'finished after a retry',
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), task(2, 'TASK_FAILED', 0), task(3, 'TASK_FINISHED')],
      wantPhase: 'Completed',
      wantToLaunch: 0,
      wantLaunched: 4,
    },
    {
      name: 'retries exhausted',
      tasks: [
        task(0, 'TASK_FINISHED'),
        task(1, 'TASK_FINISHED'),
        task(2, 'TASK_FAILED', 0),
        task(3, 'TASK_KILLED', 0),
        task(4, 'TASK_ERROR', 0),
      ],
      wantPhase: 'Failed',
      wantToLaunch: 0,
      wantLaunched: 5,
    },
    {
      // Four revocations with maxRetries 2: still running, the revoked work launched again.
      name: 'revoked tasks use no retries',
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), revoked(2), revoked(3), revoked(4), revoked(5)],
      wantPhase: 'Running',
      wantToLaunch: 1,
      wantLaunched: 6,
    },
    {
      // One failure and its replacement revoked: the failure still owes nothing more than its one retry.
      name: 'a revoked replacement is launched again, a failure still counts',
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_RUNNING'), task(2, 'TASK_FAILED', 0), revoked(3)],
      wantPhase: 'Running',
      wantToLaunch: 1,
      wantLaunched: 4,
    },
    {
      name: 'revoked, then finished',
      tasks: [task(0, 'TASK_FINISHED'), task(1, 'TASK_FINISHED'), revoked(2), task(3, 'TASK_FINISHED')],
      wantPhase: 'Completed',
      wantToLaunch: 0,
      wantLaunched: 4,
    },
  ])('$name → $wantPhase', ({ tasks, wantPhase, wantToLaunch, wantLaunched }) => {
    const p = progressOf(framework(), tasks);
    expect([p.phase, p.toLaunch, p.launched]).toEqual([wantPhase, wantToLaunch, wantLaunched]);
  });

  it('revocations neither count as failures nor use retries', () => {
    const p = progressOf(framework(), [task(0, 'TASK_RUNNING'), revoked(1), revoked(2), task(3, 'TASK_FAILED', 0)]);
    expect([p.failed, p.revoked, p.retriesLeft]).toEqual([1, 2, 2]);
  });

  it('the revoked work launches at once, without a failure backoff', () => {
    const d = decide(framework(), [task(0, 'TASK_FINISHED'), task(1, 'TASK_RUNNING'), revoked(2, NOW)], [offer('o1', '4', '16Gi')], 3, NOW);
    expect(d.answers.map((a) => a.action)).toEqual(['accept']);
  });
});

describe('spec.builtin.reserve', () => {
  type Reserved = NonNullable<OfferObject['spec']['reserved']>;
  const offerWith = (cpu: string, memory: string, reserved?: Reserved): OfferObject => ({
    ...offer('a', cpu, memory),
    spec: { ...offer('a', cpu, memory).spec, role: 'db', ...(reserved === undefined ? {} : { reserved }) },
  });
  const answersOf = (b: Partial<Builtin>, o: OfferObject) =>
    decide(framework({ tasks: 4, tasksPerOffer: 2, ...b }), [], [o], 0, NOW).answers.map((a) =>
      a.action === 'accept' ? { tasks: a.tasks.length, reserve: a.reserve } : { declined: a.reason },
    );

  it.each([
    {
      name: 'off (the default): an accept reserves nothing',
      b: {},
      offer: offerWith('8', '16Gi'),
      want: [{ tasks: 2, reserve: undefined }],
    },
    {
      name: 'an unreserved offer: RESERVE what the tasks launched use (2 × <1, 4Gi>)',
      b: { reserve: true },
      offer: offerWith('8', '16Gi'),
      want: [{ tasks: 2, reserve: { cpu: '2', memory: '8Gi' } }],
    },
    {
      name: 'the offer carries an idle reservation of the role: only the rest is reserved',
      b: { reserve: true },
      offer: offerWith('8', '16Gi', [{ role: 'db', type: 'Dynamic', resources: { cpu: '1', memory: '4Gi' } }]),
      want: [{ tasks: 2, reserve: { cpu: '1', memory: '4Gi' } }],
    },
    {
      name: 'the tasks fit in what is reserved already (static and dynamic): no RESERVE',
      b: { reserve: true },
      offer: offerWith('8', '16Gi', [
        { role: 'db', type: 'Static', resources: { cpu: '1', memory: '8Gi' } },
        { role: 'db', type: 'Dynamic', resources: { cpu: '1' } },
      ]),
      want: [{ tasks: 2, reserve: undefined }],
    },
    {
      name: 'tasks that use the whole offer reserve all of its unreserved CPU',
      b: { reserve: true },
      offer: offerWith('2', '16Gi', [{ role: 'db', type: 'Dynamic', resources: { cpu: '1' } }]),
      want: [{ tasks: 2, reserve: { cpu: '1', memory: '8Gi' } }],
    },
    {
      name: 'a declined offer reserves nothing',
      b: { reserve: true },
      offer: offerWith('500m', '16Gi'),
      want: [{ declined: 'NothingFits' }],
    },
  ])('$name', ({ b, offer: o, want }) => {
    expect(answersOf(b, o)).toEqual(want);
  });

  it('reservationFor counts only the resources the tasks ask for', () => {
    const o = offerWith('8', '16Gi');
    o.spec.resources = { ...o.spec.resources, pods: 10 };
    expect(reservationFor(o, [{ name: 't', resources: { cpu: '1500m' }, containers: [] }])).toEqual({ cpu: '1500m' });
  });
});

describe('task names', () => {
  it('round-trips and stays a DNS label', () => {
    const long = 'x'.repeat(80);
    expect(taskName(long, 123456).length).toBeLessThanOrEqual(63);
    expect(taskIndex(long, taskName(long, 123456))).toBe(123456);
    expect(taskIndex('fw', 'fw-007')).toBeUndefined();
    expect(taskIndex('fw', 'other-1')).toBeUndefined();
  });

  it.each([
    { base: 10, n: 1, want: 10 },
    { base: 10, n: 3, want: 40 },
    { base: 10, n: 10, want: 300 },
    { base: 0, n: 3, want: 0 },
  ])('backoff($base, $n) = $want', ({ base, n, want }) => expect(backoffSeconds(base, n)).toBe(want));
});
