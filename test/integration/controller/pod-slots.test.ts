// A node's pod limit under a real controller: an offer says how many more Pods its node takes
// (spec.podSlots), and a built-in framework with small tasks launches no more than that — no task
// ends TASK_ERROR for a pod slot the node did not have.
import { describe, expect, it } from 'vitest';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, useNamespace } from '../support/kube.ts';
import { createFramework, get, list, useController, usePool } from './support.ts';

const ns = useNamespace('ctl-podslots');
const pool = usePool('podslots', [{ cpu: '8', memory: '32Gi', pods: '3' }]);
useController(ns, pool, { builtinScheduler: true });

describe('pod slots', () => {
  it('a framework of small tasks runs at most the pods the node takes, and every task finishes', async () => {
    await createFramework(ns.name, 'small', {
      builtin: {
        tasks: 7,
        tasksPerOffer: 8,
        template: {
          // 7 of these fit the node's cpu and memory many times over; its 3 pods do not.
          resources: { cpu: '100m', memory: '64Mi' },
          annotations: { 'agora.dev/sim-exit-code': '0', 'agora.dev/sim-run-duration': '2s' },
          containers: [{ name: 'main', image: 'busybox' }],
        },
      },
    } as Partial<FrameworkObject['spec']>);
    await eventually(
      'the framework Completed',
      async () => (await get<FrameworkObject>('Framework', ns.name, 'small')).status?.phase === 'Completed',
      120_000,
    );
    const tasks = await list<TaskObject>('Task', ns.name);
    expect(tasks.map((t) => t.status?.state).sort()).toEqual(Array(7).fill('TASK_FINISHED'));
    const offers = await list<OfferObject>('Offer', ns.name);
    expect(offers.length).toBeGreaterThan(0);
    for (const o of offers) {
      expect(o.spec.podSlots).toBeGreaterThanOrEqual(1);
      expect(o.spec.podSlots).toBeLessThanOrEqual(3);
      expect(o.spec.accept?.tasks.length ?? 0).toBeLessThanOrEqual(o.spec.podSlots!);
    }
  });
});
