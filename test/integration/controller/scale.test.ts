// The scale scenario of bench:scale, small enough for the suite: 300 nodes, built-in frameworks
// with demand, their answers admitted by the webhooks. Behaviour, not speed: every task reaches
// TASK_RUNNING, no offer expires (no accept waited out its offer), and the number of Offers
// follows the tasks launched — about one per tasksPerOffer tasks — not nodes × cycles.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { startControllerWebhooks } from '../../../src/webhooks/controller-flags.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { createFramework, list, useController, usePool } from './support.ts';

const NODES = 300;
const FRAMEWORKS = 6;
const TASKS_EACH = 40;
const PER_OFFER = 4;
const ns = useNamespace('ctl-scale');
const pool = usePool(
  'scale',
  Array.from({ length: NODES }, () => ({ cpu: '16', memory: '64Gi' })),
);

let stopWebhooks: (() => Promise<void>) | undefined;
beforeAll(async () => {
  const hooks = await startControllerWebhooks({
    kubeConfig: kubeConfig(),
    logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
    flags: {},
    namespaces: [ns.name],
    configurationName: `agora-test-${ns.name}`,
  });
  stopWebhooks = hooks?.stop;
}, 120_000);
afterAll(async () => {
  await stopWebhooks?.();
});
const controller = useController(ns, pool, { builtinScheduler: true, allocationIntervalMs: 500 });

describe('at 300 nodes', () => {
  it('launches every task with about one offer per tasksPerOffer tasks, none expiring', async () => {
    for (let i = 0; i < FRAMEWORKS; i++) {
      await createFramework(ns.name, `fw-${i}`, {
        builtin: {
          tasks: TASKS_EACH,
          tasksPerOffer: PER_OFFER,
          template: { resources: { cpu: '500m', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] },
        },
      } as Partial<FrameworkObject['spec']>);
    }
    const total = FRAMEWORKS * TASKS_EACH;
    await eventually(
      `${total} tasks running`,
      async () => (await list<TaskObject>('Task', ns.name)).filter((t) => t.status?.state === 'TASK_RUNNING').length === total,
      240_000,
    );
    const tasks = await list<TaskObject>('Task', ns.name);
    expect(tasks).toHaveLength(total);
    const offers = await controller.handle.metrics.offers.get();
    const count = (result: string) => offers.values.find((v) => v.labels.result === result)?.value ?? 0;
    // 240 tasks, 4 per offer: 60 offers cover them. Allow for offers made while answers were in
    // flight — but nowhere near one per node per cycle (300 nodes × dozens of cycles).
    expect(count('created')).toBeGreaterThanOrEqual(total / PER_OFFER);
    expect(count('created')).toBeLessThanOrEqual(1.5 * (total / PER_OFFER));
    expect(count('expired')).toBe(0);
    expect(count('accepted')).toBeGreaterThanOrEqual(total / PER_OFFER);
    const ended = (await list<OfferObject>('Offer', ns.name)).filter((o) => o.status?.phase === 'Expired');
    expect(ended).toEqual([]);
    // Demand met: the frameworks are offered nothing more.
    const before = count('created');
    await new Promise((r) => setTimeout(r, 3000));
    expect(count('created')).toBe(before);
  });
});
