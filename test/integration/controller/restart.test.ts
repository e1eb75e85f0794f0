// Restart safety: the controller (a child process) is killed with SIGKILL in the middle of a
// busy cycle — offers being made, accepts being applied, tasks finishing — and started again.
// It rebuilds everything from the API. Afterwards, for every node, the resources in outstanding
// offers plus the requests of Agora's active Pods fit its allocatable, and every task an accept
// launched has exactly one Pod.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResourceList } from '../../../src/api/quantity.ts';
import type { OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, useNamespace } from '../support/kube.ts';
import { createFramework, isOutstanding, killAndWait, list, spawnController, startDriver, usePool, violations } from './support.ts';

const ns = useNamespace('ctl-restart');
const NODES = 4;
const pool = usePool(
  'restart',
  Array.from({ length: NODES }, () => ({ cpu: '4', memory: '8Gi' })),
);

describe('controller restart', () => {
  let child: ChildProcess | undefined;
  const drivers: { stop(): Promise<void>; launched(): number }[] = [];
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.stop()));
    if (child) await killAndWait(child, 'SIGTERM');
  });

  const args = [
    '--namespaces',
    ns.name,
    '--node-selector',
    pool.selector,
    '--leader-elect=false',
    '--metrics-addr',
    '127.0.0.1:0',
    '--health-addr',
    '127.0.0.1:0',
    '--allocation-interval',
    '100ms',
    '--offer-timeout',
    '5s',
    '--max-completed-tasks-per-framework',
    '10000',
    '--log-level',
    'info',
  ];

  it('keeps every invariant after SIGKILL mid-cycle and restart', async () => {
    await createFramework(ns.name, 'alpha');
    await createFramework(ns.name, 'beta');
    const short = { 'agora.dev/sim-exit-code': '0', 'agora.dev/sim-run-duration': '1500ms' };
    drivers.push(
      startDriver({
        namespace: ns.name,
        framework: 'alpha',
        task: { resources: { cpu: '500m', memory: '512Mi' }, annotations: short },
        max: 10_000,
        tasksPerOffer: 3,
        refuseSeconds: 0,
        pollMs: 50,
      }),
    );
    drivers.push(
      startDriver({
        namespace: ns.name,
        framework: 'beta',
        task: { resources: { cpu: '1', memory: '256Mi' }, annotations: short },
        max: 10_000,
        tasksPerOffer: 2,
        refuseSeconds: 0,
        pollMs: 50,
      }),
    );
    const nodes = Array.from({ length: NODES }, (_, i) => pool.node(i));
    const allocatable = parseResourceList({ cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' });

    for (let round = 0; round < 3; round++) {
      child = spawnController(args, `restart-${ns.name}`);
      const before = drivers.reduce((n, d) => n + d.launched(), 0);
      // Busy: tasks launching and finishing on every node.
      await eventually('tasks launching', async () => drivers.reduce((n, d) => n + d.launched(), 0) >= before + 12, 30_000);
      await sleep(150 + 200 * round);
      await killAndWait(child, 'SIGKILL');
      // While it is down the frameworks keep answering the offers they hold.
      await sleep(500);
      expect(await violations(ns.name, nodes, allocatable)).toEqual([]);
    }
    child = spawnController(args, `restart-${ns.name}`);
    const before = drivers.reduce((n, d) => n + d.launched(), 0);
    await eventually('launching again after the restart', async () => drivers.reduce((n, d) => n + d.launched(), 0) >= before + 12, 30_000);
    // Checked repeatedly while the restarted controller works.
    for (let i = 0; i < 5; i++) {
      expect(await violations(ns.name, nodes, allocatable)).toEqual([]);
      await sleep(300);
    }
    await Promise.all(drivers.map((d) => d.stop()));
    await eventually(
      'every accepted task settled with its Pod',
      async () => {
        const v = await violations(ns.name, nodes, allocatable);
        const tasks = await list<TaskObject>('Task', ns.name);
        return v.length === 0 && tasks.every((t) => t.status?.state !== undefined);
      },
      20_000,
    );
    const outstanding = (await list<OfferObject>('Offer', ns.name)).filter(isOutstanding);
    const perNode = new Map<string, number>();
    for (const o of outstanding) perNode.set(o.spec.nodeName, (perNode.get(o.spec.nodeName) ?? 0) + 1);
    // One outstanding offer per node.
    expect([...perNode.values()].filter((n) => n > 1)).toEqual([]);
  });
});
