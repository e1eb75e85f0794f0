// The examples/*.yaml built-in frameworks on the local control plane with a real controller:
// the DRF paper pair converges to 3 + 2 tasks at shares 2/3, the batch job completes, the
// always-crashing job retries with backoff and ends Failed.
import { describe, expect, it } from 'vitest';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { applyExample, getFramework, listTasks, onPool, useController } from './examples-support.ts';

const ns = useNamespace('ex-builtin');
const pool = useController(ns, 'exb');

describe('built-in example frameworks', () => {
  it('DRF paper (examples/drf-paper.yaml): A runs 3 tasks, B runs 2, both dominant shares 2/3', async () => {
    await pool.addNode({
      name: 'paper',
      cpu: '9',
      memory: '18Gi',
      labels: { 'agora.dev/pool': 'drf-paper', 'agora.dev/test-role': 'paper' },
    });
    await applyExample(kubeConfig(), 'drf-paper.yaml', ns.name, onPool(pool));
    const [a, b] = await eventually(
      'DRF shares converged',
      async () => {
        const fa = await getFramework(ns.name, 'drf-a');
        const fb = await getFramework(ns.name, 'drf-b');
        const settled = (f: typeof fa, running: number) =>
          f.status?.tasks?.running === running && Math.abs((f.status?.dominantShare ?? 0) - 2 / 3) < 0.001;
        return settled(fa, 3) && settled(fb, 2) ? [fa, fb] : undefined;
      },
      60_000,
    );
    expect(a.status?.allocated).toMatchObject({ cpu: '3', memory: '12Gi' });
    expect(b.status?.allocated).toMatchObject({ cpu: '6', memory: '2Gi' });
    // And it stays there: nothing else fits the node (3 + 6 CPU used), so no more launches.
    await new Promise((r) => setTimeout(r, 3000));
    const tasks = await listTasks(ns.name);
    expect(tasks.filter((t) => t.spec.framework === 'drf-a')).toHaveLength(3);
    expect(tasks.filter((t) => t.spec.framework === 'drf-b')).toHaveLength(2);
  });

  it('batch job (examples/batch.yaml) runs all 30 tasks and is marked Completed', async () => {
    await pool.addNode({ name: 'batch', cpu: '8', memory: '32Gi' });
    await applyExample(kubeConfig(), 'batch.yaml', ns.name, onPool(pool));
    const fw = await eventually(
      'batch-job Complete',
      async () => {
        const f = await getFramework(ns.name, 'batch-job');
        return f.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True') ? f : undefined;
      },
      90_000,
    ).catch(async (err: unknown) => {
      const f = await getFramework(ns.name, 'batch-job');
      const states = (await listTasks(ns.name))
        .filter((t) => t.spec.framework === 'batch-job')
        .map((t) => `${t.metadata?.name}:${t.status?.state}:${t.status?.reason}`);
      throw new Error(`${(err as Error).message}; status ${JSON.stringify(f.status)}; tasks ${states.join(' ')}`);
    });
    const tasks = (await listTasks(ns.name)).filter((t) => t.spec.framework === 'batch-job');
    expect(tasks.filter((t) => t.status?.state === 'TASK_FINISHED')).toHaveLength(30);
    // Every launch is a Task; any beyond 30 replaced a failure (restartPolicy OnFailure).
    expect(fw.status?.launched).toBe(tasks.length);
    expect(tasks.length - 30).toBeLessThanOrEqual(3);
    expect(fw.status?.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      reason: 'AllTasksFinished',
      message: 'all 30 tasks finished',
    });
  });

  it('crashing job (examples/flaky.yaml) retries maxRetries times, then is Failed', async () => {
    await applyExample(kubeConfig(), 'flaky.yaml', ns.name, onPool(pool));
    const fw = await eventually(
      'flaky Failed',
      async () => {
        const f = await getFramework(ns.name, 'flaky');
        return f.status?.conditions?.find((c) => c.type === 'Complete' && c.reason === 'TasksFailed') ? f : undefined;
      },
      90_000,
    );
    // 2 tasks + 2 replacements (maxRetries), each crashing with exit code 2.
    expect(fw.status?.launched).toBe(4);
    const tasks = (await listTasks(ns.name)).filter((t) => t.spec.framework === 'flaky');
    expect(tasks.map((t) => [t.status?.state, t.status?.exitCode])).toEqual(Array(4).fill(['TASK_FAILED', 2]));
    // Replacements waited out their backoff (2 s, then 4 s) after the failures they replace.
    const started = tasks.map((t) => Date.parse(String(t.metadata?.creationTimestamp))).sort((x, y) => x - y);
    expect(started[3]! - started[0]!).toBeGreaterThanOrEqual(2000);
  });
});
