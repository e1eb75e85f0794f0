// The DRF paper's example (Ghodsi et al., NSDI 2011, §4.1), end to end: one node with 9 CPUs and
// 18 GiB; framework A runs tasks of <1 CPU, 4 GiB>, framework B tasks of <3 CPU, 1 GiB>. Offered
// the node in DRF order, one task per offer, they end with A = 3 tasks (3 CPU, 12 GiB: share
// 12/18 = 2/3) and B = 2 tasks (6 CPU, 2 GiB: share 6/9 = 2/3), all Running.
import { afterAll, describe, expect, it } from 'vitest';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, useNamespace } from '../support/kube.ts';
import { createFramework, get, isOutstanding, list, pods, startDriver, tasksIn, useController, usePool } from './support.ts';

const ns = useNamespace('ctl-drf');
const pool = usePool('drf', [{ cpu: '9', memory: '18Gi' }]);
const controller = useController(ns, pool);

describe('DRF paper example', () => {
  const drivers: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.stop()));
  });

  it('ends with A = 3 and B = 2 Running tasks, never overcommitting the node', async () => {
    await createFramework(ns.name, 'a');
    await createFramework(ns.name, 'b');
    drivers.push(
      startDriver({ namespace: ns.name, framework: 'a', task: { resources: { cpu: '1', memory: '4Gi' } }, max: 10, refuseSeconds: 1 }),
    );
    drivers.push(
      startDriver({ namespace: ns.name, framework: 'b', task: { resources: { cpu: '3', memory: '1Gi' } }, max: 10, refuseSeconds: 1 }),
    );

    const tasks = await eventually(
      '3 + 2 running tasks',
      async () => {
        const all = await list<TaskObject>('Task', ns.name);
        const running = tasksIn(all, 'TASK_RUNNING');
        const a = running.filter((t) => t.spec.framework === 'a').length;
        const b = running.filter((t) => t.spec.framework === 'b').length;
        return a === 3 && b === 2 ? all : undefined;
      },
      60_000,
    );
    // Nothing else fits: every further offer is declined, no other task was ever launched.
    expect(tasks.filter((t) => t.status?.state !== 'TASK_RUNNING')).toEqual([]);
    const ps = await pods(ns.name);
    expect(ps.map((p) => p.spec?.nodeName)).toEqual(Array(5).fill(pool.node(0)));
    expect(ps.every((p) => p.status?.phase === 'Running')).toBe(true);

    const a = await eventually('framework a status', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'a');
      return f.status?.tasks?.running === 3 ? f : undefined;
    });
    expect(a.status?.allocated).toEqual({ cpu: '3', memory: '12Gi' });
    expect(a.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      observedGeneration: a.metadata.generation,
    });
    expect(a.metadata.finalizers).toContain('agora.dev/cleanup');
    const b = await eventually('framework b status', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'b');
      return f.status?.tasks?.running === 2 ? f : undefined;
    });
    expect(b.status?.allocated).toEqual({ cpu: '6', memory: '2Gi' });
    // Shares count outstanding offers too (the 4 GiB left over is offered to one of them).
    expect(a.status?.dominantShare).toBeGreaterThanOrEqual(0.6666);
    expect(b.status?.dominantShare).toBeGreaterThanOrEqual(0.6666);

    // At most one outstanding offer for the node, holding only what is left: 0 CPU, 4 GiB.
    const outstanding = (await list<OfferObject>('Offer', ns.name)).filter(isOutstanding);
    expect(outstanding.length).toBeLessThanOrEqual(1);
    for (const o of outstanding) expect(o.spec.resources).toMatchObject({ memory: '4Gi' });
    expect(controller.handle.isReady()).toBe(true);
  });
});
