// Built-in frameworks (spec.builtin) under a real controller: the phase the framework
// reconciler derives from the built-in scheduler's Complete condition, and several built-in
// frameworks with short tasks sharing a few nodes without an accept ever being refused for
// resources the node has.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseResourceList } from '../../../src/api/quantity.ts';
import type { FrameworkObject, OfferObject, ReservationObject, TaskObject } from '../../../src/api/objects.ts';
import { GROUP, VERSION } from '../../../src/api/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { createFramework, deleteObject, get, list, useController, usePool, violations } from './support.ts';

const ns = useNamespace('ctl-builtin');
const NODE = { cpu: '8', memory: '32Gi' };
const pool = usePool('builtin', [NODE, NODE, NODE]);
useController(ns, pool, { builtinScheduler: true });

const finishes = (code: string, after: string) => ({ 'agora.dev/sim-exit-code': code, 'agora.dev/sim-run-duration': after });

interface Builtin {
  tasks: number;
  tasksPerOffer?: number;
  restartPolicy?: 'OnFailure' | 'Never';
  maxRetries?: number;
  backoffSeconds?: number;
  reserve?: boolean;
  cpu: string;
  memory: string;
  exitCode: string;
  runFor: string;
}

async function builtin(name: string, b: Builtin, spec: Partial<FrameworkObject['spec']> = {}): Promise<void> {
  const { cpu, memory, exitCode, runFor, ...rest } = b;
  await createFramework(ns.name, name, {
    ...spec,
    builtin: {
      ...rest,
      template: { resources: { cpu, memory }, annotations: finishes(exitCode, runFor), containers: [{ name: 'main', image: 'busybox' }] },
    },
  } as Partial<FrameworkObject['spec']>);
}

async function removeFramework(name: string): Promise<void> {
  await deleteObject('Framework', ns.name, name);
  await eventually(
    `framework ${name} gone`,
    async () => (await get('Framework', ns.name, name).catch(() => undefined)) === undefined,
    20_000,
  );
}

const complete = (f: FrameworkObject) => f.status?.conditions?.find((c) => c.type === 'Complete');

describe('built-in frameworks', () => {
  it('a built-in framework whose tasks all finish is Completed, and stays so', async () => {
    await builtin('done', { tasks: 2, cpu: '1', memory: '1Gi', exitCode: '0', runFor: '1s' });
    const fw = await eventually(
      'phase Completed',
      async () => {
        const f = await get<FrameworkObject>('Framework', ns.name, 'done');
        return f.status?.phase === 'Completed' ? f : undefined;
      },
      20_000,
    );
    expect(complete(fw)).toMatchObject({ status: 'True', reason: 'AllTasksFinished' });
    expect(fw.status?.tasks?.finished).toBe(2);
    // Nothing is active any more: the reconciler must not take it back to Pending.
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      expect((await get<FrameworkObject>('Framework', ns.name, 'done')).status?.phase).toBe('Completed');
    }
    // A finished workload is suppressed: the free nodes are not offered to it any more, so it
    // holds no offer and its dominant share is 0.
    const outstanding = (await list<{ spec: { framework: string }; status?: { phase?: string } }>('Offer', ns.name)).filter(
      (o) => o.spec.framework === 'done' && (o.status?.phase ?? 'Outstanding') === 'Outstanding',
    );
    expect(outstanding).toEqual([]);
    expect((await get<FrameworkObject>('Framework', ns.name, 'done')).status?.dominantShare).toBe(0);
    await removeFramework('done');
  });

  it('a built-in framework whose tasks fail with restartPolicy Never is Failed', async () => {
    await builtin('doomed', { tasks: 2, restartPolicy: 'Never', cpu: '1', memory: '1Gi', exitCode: '1', runFor: '1s' });
    const fw = await eventually(
      'phase Failed',
      async () => {
        const f = await get<FrameworkObject>('Framework', ns.name, 'doomed');
        return f.status?.phase === 'Failed' ? f : undefined;
      },
      20_000,
    );
    expect(complete(fw)).toMatchObject({ status: 'False', reason: 'TasksFailed' });
    expect(fw.status?.tasks?.failed).toBe(2);
    await sleep(1000);
    expect((await get<FrameworkObject>('Framework', ns.name, 'doomed')).status?.phase).toBe('Failed');
    await removeFramework('doomed');
  });

  it('load: several built-in frameworks with short tasks share 3 nodes; no accept is refused for resources, no node overcommitted', async () => {
    // As reported: batch (30 short tasks, 4 per offer), web (4 instances, 2 per offer) and a
    // flaky one whose tasks always fail, plus a second batch for more contention. Before
    // 9141e12 (one outstanding offer per node) this failed: an offer made from a few freed
    // resources held only a few of the node's pod slots, which Offer specs do not show, so an
    // accept of more tasks than that ended TASK_ERROR InsufficientResources ("pods: node … has
    // 2 free for this offer").
    await builtin('batch', { tasks: 30, tasksPerOffer: 4, cpu: '500m', memory: '512Mi', exitCode: '0', runFor: '1s' });
    await builtin('batch2', { tasks: 20, tasksPerOffer: 4, cpu: '1', memory: '1Gi', exitCode: '0', runFor: '1s' });
    await builtin('web', { tasks: 4, tasksPerOffer: 2, cpu: '1', memory: '2Gi', exitCode: '0', runFor: '3s' });
    await builtin('flaky', { tasks: 2, maxRetries: 2, backoffSeconds: 1, cpu: '250m', memory: '256Mi', exitCode: '2', runFor: '1s' });
    const names = ['batch', 'batch2', 'web', 'flaky'];
    const nodes = [0, 1, 2].map((i) => pool.node(i));
    const node = await kubeConfig().makeApiClient(CoreV1Api).readNode({ name: nodes[0]! });
    const { pods: _pods, ...allocatable } = parseResourceList(node.status!.allocatable!);

    const problems = new Set<string>();
    let done = false;
    const watch = (async () => {
      while (!done) {
        for (const v of await violations(ns.name, nodes, allocatable).catch(() => [])) problems.add(v);
        for (const t of await list<TaskObject>('Task', ns.name).catch(() => [])) {
          if (t.status?.state === 'TASK_ERROR') problems.add(`task ${t.metadata.name}: TASK_ERROR ${t.status.reason}: ${t.status.message}`);
        }
        await sleep(200);
      }
    })();
    try {
      const fws = await eventually(
        'every framework done',
        async () => {
          const all = await Promise.all(names.map((n) => get<FrameworkObject>('Framework', ns.name, n)));
          return all.every((f) => complete(f)?.status === 'True' || complete(f)?.reason === 'TasksFailed') ? all : undefined;
        },
        25_000,
      );
      expect(fws.map((f) => [f.metadata.name, complete(f)?.reason])).toEqual([
        ['batch', 'AllTasksFinished'],
        ['batch2', 'AllTasksFinished'],
        ['web', 'AllTasksFinished'],
        ['flaky', 'TasksFailed'],
      ]);
    } finally {
      done = true;
      await watch;
    }
    const tasks = await list<TaskObject>('Task', ns.name);
    expect(
      tasks.filter((t) => t.status?.state === 'TASK_ERROR').map((t) => `${t.metadata.name}: ${t.status?.reason} ${t.status?.message}`),
    ).toEqual([]);
    expect([...problems]).toEqual([]);
    expect(tasks.filter((t) => t.spec.framework !== 'flaky').every((t) => t.status?.state === 'TASK_FINISHED')).toBe(true);
    await Promise.all(names.map(removeFramework));
  });

  it('spec.builtin.reserve: the accept that launches its tasks reserves what they use for its role, and the reservation outlives them', async () => {
    const role = `${pool.id}-keep`;
    const reservations = async () =>
      (
        (await custom().listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'reservations' })) as {
          items: ReservationObject[];
        }
      ).items.filter((r) => r.spec.role === role);
    try {
      await builtin(
        'keeper',
        { tasks: 2, tasksPerOffer: 2, reserve: true, cpu: '1', memory: '1Gi', exitCode: '0', runFor: '1s' },
        { role },
      );
      // Both tasks come from one whole-node offer: one accept, one RESERVE of 2 × <1, 1Gi> there.
      const accepted = await eventually('the accept recorded', async () =>
        (await list<OfferObject>('Offer', ns.name)).find((o) => o.spec.framework === 'keeper' && o.status?.phase === 'Accepted'),
      );
      expect(accepted.spec.accept?.reserve).toEqual([{ resources: { cpu: '2', memory: '2Gi' } }]);
      expect(accepted.status?.message).toMatch(new RegExp(`^reserved cpu 2, memory 2Gi for role ${role}; 2 task\\(s\\) launched`));
      await eventually(
        'keeper Completed',
        async () => (await get<FrameworkObject>('Framework', ns.name, 'keeper')).status?.phase === 'Completed',
        20_000,
      );
      // The tasks are done; the role keeps the capacity on that node (Mesos: a reservation is the role's, not the task's).
      expect((await reservations()).map((r) => r.spec)).toEqual([
        { role, nodeName: accepted.spec.nodeName, resources: { cpu: '2', memory: '2Gi' } },
      ]);
      await removeFramework('keeper');
    } finally {
      for (const r of await reservations())
        await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'reservations', name: r.metadata.name });
    }
  });
});
