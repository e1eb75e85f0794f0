// The example framework programs (examples/*.ts, on the SDK) with a real controller: the batch
// framework completes (retrying a crash), the gang launches all or nothing and never hoards,
// the service replaces a lost instance. And as programs: flags in, a JSON result out.
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/cluster/index.ts';
import { runBatch } from '../../examples/batch.ts';
import { runGang, type GangEvent } from '../../examples/gang.ts';
import { startService } from '../../examples/service.ts';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { run, type RunResult } from './support/run.ts';
import { listFrameworks, listTasks, useController } from './examples-support.ts';

const ns = useNamespace('ex-programs');
const pool = useController(ns, 'exp');
const log = pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' });
const common = () => ({ kubeConfig: kubeConfig(), namespace: ns.name, log });

describe('example framework programs', () => {
  it('batch (examples/batch.ts) runs every task to completion, retrying a crash, then unregisters', async () => {
    await pool.addNode({ name: 'a', cpu: '4', memory: '8Gi' });
    // Failed attempts are noted while the program runs: once it unregisters, its Tasks go with
    // its Framework (garbage collected at a moment of the API server's own).
    const failed = new Set<string>();
    let running = true;
    const watching = (async () => {
      while (running) {
        for (const t of await listTasks(ns.name))
          if (t.spec.framework === 'batch' && t.status?.state === 'TASK_FAILED') failed.add(t.metadata?.name ?? '');
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const result = await runBatch({
      ...common(),
      name: 'batch',
      role: 'batch',
      tasks: 8,
      cpu: '500m',
      memory: '256Mi',
      duration: '1s',
      crash: 1,
      retries: 2,
    }).finally(() => (running = false));
    await watching;
    expect(result).toEqual({ finished: 8, failed: 0, attempts: 9 });
    expect([...failed]).toEqual(['batch-t0-a0']);
    await eventually('framework unregistered', async () => !(await listFrameworks(ns.name)).some((f) => f.metadata?.name === 'batch'));
  });

  it('gang (examples/gang.ts) launches all of its tasks together or none, releasing offers it cannot use', async () => {
    const events: GangEvent[] = [];
    // 3 ranks × 2 CPU need 6 CPU; the pool has 4 (node a) until node b joins.
    const gang = runGang({
      ...common(),
      name: 'gang',
      role: 'hpc',
      size: 3,
      cpu: '2',
      memory: '1Gi',
      duration: '2s',
      holdMs: 1500,
      refuseSeconds: 1,
      // Kept once done (stop, not teardown): its finished Tasks are read below, and a teardown
      // would have them deleted with their Framework, racing the read.
      keep: true,
      onEvent: (e) => events.push(e),
    });
    await eventually('offers released for want of a full gang', async () => events.some((e) => e.type === 'released'), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await listTasks(ns.name)).filter((t) => t.spec.framework === 'gang')).toEqual([]);
    expect(events.some((e) => e.type === 'launched')).toBe(false);

    await pool.addNode({ name: 'b', cpu: '4', memory: '8Gi' });
    const result = await gang;
    expect(result).toEqual({ finished: true, generations: 1 });
    const launched = events.filter((e) => e.type === 'launched');
    expect(launched).toHaveLength(1);
    expect(launched[0]).toMatchObject({ tasks: ['gang-g1-0', 'gang-g1-1', 'gang-g1-2'] });
    const tasks = (await listTasks(ns.name)).filter((t) => t.spec.framework === 'gang');
    expect(tasks.map((t) => t.status?.state)).toEqual(['TASK_FINISHED', 'TASK_FINISHED', 'TASK_FINISHED']);
    // All three started together: on two nodes (2 + 1), created within the same moment.
    expect(new Set(tasks.map((t) => t.spec.nodeName)).size).toBe(2);
  });

  it('service (examples/service.ts) replaces a lost instance and keeps N running', async () => {
    const lost: string[] = [];
    const svc = await startService({
      ...common(),
      name: 'svc',
      role: 'service',
      instances: 2,
      cpu: '1',
      memory: '1Gi',
      crashFirstAfter: '2s',
      onEvent: (e) => e.type === 'lost' && lost.push(`${e.task} ${e.state}`),
    });
    try {
      await eventually('a lost instance replaced, 2 running', async () => svc.replaced() >= 1 && svc.running().length === 2, 60_000);
      expect(lost).toEqual(['svc-i0-0 TASK_FAILED']);
      expect(svc.running().sort()).toEqual(['svc-i0-1', 'svc-i1-0']);
      // Kill one: it is replaced too.
      await svc.driver.kill('svc-i1-0');
      await eventually('killed instance replaced', async () => svc.running().includes('svc-i1-1') && svc.running().length === 2, 60_000);
      expect(lost).toEqual(['svc-i0-0 TASK_FAILED', 'svc-i1-0 TASK_KILLED']);
    } finally {
      await svc.stop({ teardown: true });
    }
  });
});

/** Runs an example program with Node 24, as the README says to. */
function program(file: string, args: string[]): Promise<RunResult> {
  return run(join(repoRoot, 'node_modules/.bin/node'), [join(repoRoot, 'examples', file), ...args]);
}

describe('example framework programs, run as programs', () => {
  it.each([
    {
      file: 'batch.ts',
      wantFlags: [
        '--tasks 20',
        '--cpu 500m',
        '--memory 512Mi',
        '--duration 3s',
        '--crash N',
        '--retries 3',
        '--keep',
        '--name NAME (batch)',
        '--role ROLE (batch)',
      ],
    },
    {
      file: 'gang.ts',
      wantFlags: [
        '--size 4',
        '--cpu 2',
        '--memory 2Gi',
        '--hold 10 (s)',
        '--refuse 3 (s)',
        '--retries 3',
        '--keep',
        '--name NAME (gang)',
        '--role ROLE (hpc)',
      ],
    },
    {
      file: 'service.ts',
      wantFlags: [
        '--instances 3',
        '--cpu 1',
        '--memory 1Gi',
        '--crash-first-after 5s',
        '--failover-timeout 300 (s)',
        '--standby',
        '--teardown',
        '--name NAME (web)',
        '--role ROLE (service)',
      ],
    },
  ])('$file --help lists its flags and the common ones', async ({ file, wantFlags }) => {
    const res = await program(file, ['--help']);
    expect(res.code).toBe(0);
    for (const flag of [...wantFlags, '--kubeconfig FILE', '--namespace NS (default)', '--log-level info'])
      expect(res.stdout).toContain(flag);
  });

  it('a bad flag value exits 1 saying which flag', async () => {
    const res = await program('gang.ts', ['--size', 'four']);
    expect(res).toMatchObject({ code: 1, stderr: '--size: want a whole number, got "four"\n' });
  });

  it('batch runs from its flags and prints its result', async () => {
    await pool.addNode({ name: 'p', cpu: '2', memory: '4Gi' });
    const res = await program('batch.ts', [
      '--kubeconfig',
      inject('kubeconfig'),
      '--namespace',
      ns.name,
      '--name',
      'batch-cli',
      '--log-level',
      'warn',
      '--tasks',
      '3',
      '--cpu',
      '500m',
      '--memory',
      '256Mi',
      '--duration',
      '1s',
      '--crash',
      '1',
      '--retries',
      '2',
    ]);
    expect(res.code, res.stderr).toBe(0);
    // 3 tasks, the first crashing once (--crash 1) and retried: 4 launches.
    expect(JSON.parse(res.stdout)).toEqual({ finished: 3, failed: 0, attempts: 4 });
  }, 90_000);
});
