import { describe, expect, it } from 'vitest';
import { Allocator } from '../allocator/index.ts';
import { restoredOffer } from './allocation-loop.ts';
import { setCondition } from './conditions.ts';
import { heartbeat } from './failover.ts';
import { builtinOutcome } from './conditions.ts';
import { surplusCompleted } from './gc.ts';
import type { OfferObject, TaskObject } from '../api/objects.ts';
import { TokenBucket } from './rate-limiter.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { Kube } from './kube.ts';
import { podRequests } from '../api/pod-resources.ts';

describe('heartbeat', () => {
  const fw = (spec: object) => ({ spec: { role: 'default', ...spec }, metadata: { creationTimestamp: new Date(0) } }) as never;
  const lease = (renewMs: number) => ({ spec: { renewTime: new Date(renewMs) } }) as never;
  it.each([
    { name: 'no failover timeout: never disconnected', spec: {}, lease: undefined, now: 1e9, want: false },
    {
      name: 'built-in frameworks never fail over',
      spec: { failoverTimeoutSeconds: 1, builtin: { tasks: 0 } },
      lease: undefined,
      now: 1e9,
      want: false,
    },
    { name: 'fresh lease: connected', spec: { failoverTimeoutSeconds: 10 }, lease: lease(95_000), now: 100_000, want: false },
    { name: 'stale lease: disconnected', spec: { failoverTimeoutSeconds: 10 }, lease: lease(80_000), now: 100_000, want: true },
    {
      name: "no lease: counted from the framework's creation",
      spec: { failoverTimeoutSeconds: 10 },
      lease: undefined,
      now: 11_000,
      want: true,
    },
  ])('$name', ({ spec, lease: l, now, want }) => {
    expect(heartbeat(fw(spec), l, now).disconnected).toBe(want);
  });
});

describe('surplusCompleted', () => {
  const t = (name: string, state: string | undefined, finishedAt?: string) =>
    ({ metadata: { name, namespace: 'ns' }, spec: {}, status: state ? { state, finishedAt } : undefined }) as unknown as TaskObject;
  it('keeps the newest terminal tasks and never touches live ones', () => {
    const tasks = [
      t('a', 'TASK_FINISHED', '2026-01-01T00:00:01Z'),
      t('b', 'TASK_FAILED', '2026-01-01T00:00:03Z'),
      t('c', 'TASK_RUNNING'),
      t('d', 'TASK_KILLED', '2026-01-01T00:00:02Z'),
    ];
    expect(surplusCompleted(tasks, 1).map((x) => x.metadata.name)).toEqual(['a', 'd']);
    expect(surplusCompleted(tasks, 3)).toEqual([]);
  });
});

describe('setCondition', () => {
  it('moves the transition time only when the status changes', () => {
    const a = setCondition([], { type: 'Ready', status: 'True', reason: 'R', message: 'm' }, 't1');
    const b = setCondition(a, { type: 'Ready', status: 'True', reason: 'R2', message: 'm2' }, 't2');
    const c = setCondition(b, { type: 'Ready', status: 'False', reason: 'R3', message: 'm3' }, 't3');
    expect([a[0]!.lastTransitionTime, b[0]!.lastTransitionTime, c[0]!.lastTransitionTime]).toEqual(['t1', 't1', 't3']);
  });
});

describe('podRequests', () => {
  it('sums containers, takes the largest init container, adds overhead and a pod slot', () => {
    const r = podRequests({
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
          { name: 'b', resources: { requests: { cpu: '250m' } } },
        ],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '2', memory: '512Mi' } } }],
        overhead: { cpu: '100m' },
      },
    });
    expect(r).toEqual({ cpu: 2100, memory: 2 ** 30, pods: 1 });
  });
});

describe('TokenBucket', () => {
  function fakeClock() {
    let t = 0;
    const sleepers: { at: number; wake: () => void }[] = [];
    return {
      now: () => t,
      sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: t + ms, wake })),
      async advance(ms: number) {
        t += ms;
        for (const s of sleepers.splice(0).filter((x) => x.at <= t || (sleepers.push(x), false))) s.wake();
        await new Promise((r) => setImmediate(r));
      },
    };
  }

  it('lets a burst through, then paces at qps, lanes served high, normal, low', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 2, clock);
    const order: string[] = [];
    await bucket.take();
    await bucket.take();
    const low = bucket.take('low').then(() => order.push('low'));
    const normal = bucket.take('normal').then(() => order.push('normal'));
    const high = bucket.take('high').then(() => order.push('high'));
    expect(bucket.queued()).toBe(3);
    await clock.advance(100);
    expect(order).toEqual(['high']);
    await clock.advance(100);
    expect(order).toEqual(['high', 'normal']);
    expect(bucket.queued()).toBe(1);
    await clock.advance(100);
    await Promise.all([low, normal, high]);
    expect(order).toEqual(['high', 'normal', 'low']);
    expect(bucket.queued()).toBe(0);
  });

  it('gives a lane kept waiting one token in four: status lags launches by a bounded amount', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 1, clock);
    await bucket.take();
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i++) all.push(bucket.take('high').then(() => order.push('high')));
    for (let i = 0; i < 2; i++) all.push(bucket.take('low').then(() => order.push('low')));
    for (let i = 0; i < 12; i++) await clock.advance(100);
    await Promise.all(all);
    // high, high, high, then low; high ×3, low; the rest of high
    expect(order).toEqual(['high', 'high', 'high', 'low', 'high', 'high', 'high', 'low', 'high', 'high']);
  });

  it('Kube: status and clean-up writes have a budget of their own, so launches at the limit do not hold them up', async () => {
    const clock = fakeClock();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const kube = new Kube(kc, { qps: 10, burst: 2, clock });
    const done: string[] = [];
    const write = (what: string, priority: 'high' | 'normal' | 'low') =>
      kube.write('create', what, async () => void done.push(what), priority);
    const launches = [1, 2, 3, 4, 5].map((i) => write(`launch${i}`, 'high'));
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual(['launch1', 'launch2']);
    // The work budget is spent and three launches wait; status is written at once, twice.
    const status = [write('status1', 'low'), write('status2', 'low')];
    await Promise.all(status);
    expect(done).toEqual(['launch1', 'launch2', 'status1', 'status2']);
    for (let i = 0; i < 3; i++) await clock.advance(100);
    await Promise.all(launches);
    expect(kube.writeCounts()).toMatchObject({ 'create launch1': 1, 'create status2': 1 });
  });

  it('takes back an unused token', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 1, clock);
    await bucket.take();
    bucket.giveBack();
    let got = false;
    void bucket.take().then(() => (got = true));
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(true);
  });
});

describe('builtinOutcome', () => {
  const complete = (status: string, reason: string, observedGeneration = 1) => [
    { type: 'Complete', status, reason, message: '', lastTransitionTime: '', observedGeneration },
  ];
  const fw = (builtin: boolean, conditions?: object[], generation = 1) =>
    ({
      metadata: { generation },
      spec: builtin ? { builtin: { tasks: 1 } } : {},
      status: conditions ? { conditions } : undefined,
    }) as never;
  it.each([
    { name: 'all tasks finished: Completed', fw: fw(true, complete('True', 'AllTasksFinished')), want: 'Completed' },
    { name: 'tasks failed for good: Failed', fw: fw(true, complete('False', 'TasksFailed')), want: 'Failed' },
    { name: 'still running: no outcome', fw: fw(true, complete('False', 'InProgress')), want: undefined },
    { name: 'no condition yet', fw: fw(true), want: undefined },
    { name: 'condition for an older spec: no outcome', fw: fw(true, complete('True', 'AllTasksFinished', 1), 2), want: undefined },
    { name: 'not a built-in framework', fw: fw(false, complete('True', 'AllTasksFinished')), want: undefined },
  ])('$name', ({ fw: f, want }) => {
    expect(builtinOutcome(f)).toBe(want);
  });
});

describe('restoredOffer', () => {
  const offer = (node: string) =>
    ({
      metadata: { namespace: 'ns', name: 'o1', creationTimestamp: '1970-01-01T00:00:05Z' },
      spec: { framework: 'f', nodeName: node, resources: { cpu: '2' } },
    }) as unknown as OfferObject;
  it.each([
    // 110 pods, 3 held by tasks: the restored offer holds the other 107, so the node is not overcommitted.
    { name: 'holds the pod slots the node has free', node: 'n1', wantPods: 107, wantRescinds: [] as string[] },
    { name: 'an unknown node: no pod slots (rescinded as NodeGone)', node: 'gone', wantPods: undefined, wantRescinds: ['NodeGone'] },
  ])('$name', ({ node, wantPods, wantRescinds }) => {
    const a = new Allocator();
    a.upsertNode({ name: 'n1', allocatable: { cpu: 4000, pods: 110 } });
    a.upsertFramework({ name: 'ns/f' });
    a.setAllocation('ns/f', 'n1', { cpu: 1000, pods: 3 });
    const o = restoredOffer(a, 'ns/o1', offer(node), 0);
    expect(o).toEqual({
      id: 'ns/o1',
      framework: 'ns/f',
      node,
      resources: wantPods === undefined ? { cpu: 2000 } : { cpu: 2000, pods: wantPods },
      createdAt: 5000,
    });
    a.upsertOffer(o);
    expect(a.allocate(1000).rescinds.map((r) => r.reason)).toEqual(wantRescinds);
  });

  it.each([
    {
      name: 'what its tasks ask for',
      tasks: [{ cpu: '500m' }, { cpu: '250m', memory: '1Gi' }],
      wantCpu: 750,
      wantMemory: 1024 ** 3,
      wantPods: 2,
    },
    {
      name: 'never more than the offer (a framework that asks too much)',
      tasks: [{ cpu: '3', memory: '8Gi' }],
      wantCpu: 2000,
      wantMemory: 4 * 1024 ** 3,
      wantPods: 1,
    },
    { name: 'nothing for an accept of no tasks', tasks: [], wantCpu: 0, wantMemory: 0, wantPods: 0 },
  ])('an accepted, unrecorded offer holds $name', ({ tasks, wantCpu, wantMemory, wantPods }) => {
    const a = new Allocator();
    a.upsertNode({ name: 'n1', allocatable: { cpu: 4000, memory: 16 * 1024 ** 3, pods: 110 } });
    const o = {
      ...offer('n1'),
      spec: {
        ...offer('n1').spec,
        resources: { cpu: '2', memory: '4Gi' },
        accept: { tasks: tasks.map((resources, i) => ({ name: `t${i}`, resources, containers: [] })) },
      },
    } as unknown as OfferObject;
    expect(restoredOffer(a, 'ns/o1', o, 0).resources).toEqual({ cpu: wantCpu, memory: wantMemory, pods: wantPods });
  });
});
