// Revocation under a real controller: a hoarder that filled the pool with long tasks gives back
// what is over its fair share to a framework that arrives later (notice, grace period, Pod
// deleted, TASK_KILLED reason Revoked), and then nothing more is revoked; a role at its
// guarantee is never revoked; a higher-priority framework preempts within its role; and a
// controller SIGKILLed between notice and kill neither loses the notice nor revokes twice.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../../src/api/index.ts';
import { startController, type ControllerHandle } from '../../../src/controller/manager.ts';
import { DEFAULT_OPTIONS } from '../../../src/controller/options.ts';
import type { FrameworkObject, TaskObject } from '../../../src/api/objects.ts';
import { custom, eventually, useNamespace } from '../support/kube.ts';
import { createFramework, deleteObject, get, killAndWait, list, scopedOptions, spawnController, untilStarted, usePool } from './support.ts';

const ns = useNamespace('ctl-revoke');
// One node of 8 CPU: tasks of 1 CPU, so shares are easy to read (4 + 4 is fair).
const pool = usePool('revoke', [{ cpu: '8', memory: '16Gi' }]);
const roleName = (s: string) => `${pool.id}-${s}`;
const roles = new Set<string>();

const TEMPLATE = { resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] };

function builtin(tasks: number, extra: Partial<FrameworkObject['spec']> = {}, maxRetries = 100): Partial<FrameworkObject['spec']> {
  return { builtin: { tasks, maxRetries, template: TEMPLATE }, revocationGracePeriodSeconds: 1, ...extra };
}

async function tasksOf(framework: string): Promise<TaskObject[]> {
  return (await list<TaskObject>('Task', ns.name)).filter((t) => t.spec.framework === framework);
}

async function running(framework: string): Promise<number> {
  return (await tasksOf(framework)).filter((t) => t.status?.state === 'TASK_RUNNING').length;
}

async function noticed(framework: string): Promise<TaskObject[]> {
  return (await tasksOf(framework)).filter((t) => t.status?.revocation !== undefined);
}

async function waitRunning(framework: string, n: number, timeoutMs = 30_000): Promise<void> {
  await eventually(`${framework} runs ${n}`, async () => (await running(framework)) === n, timeoutMs);
}

async function removeFrameworks(names: string[]): Promise<void> {
  await Promise.all(names.map((n) => deleteObject('Framework', ns.name, n)));
  await eventually(
    'frameworks and their tasks gone',
    async () => {
      const left = await Promise.all(names.map((n) => get('Framework', ns.name, n).catch(() => undefined)));
      const tasks = (await list<TaskObject>('Task', ns.name)).filter((t) => names.includes(t.spec.framework));
      return left.every((x) => x === undefined) && tasks.every((t) => t.status?.state !== 'TASK_RUNNING');
    },
    30_000,
  );
}

async function createRole(name: string, spec: object): Promise<void> {
  await custom().createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: 'resourceroles',
    body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name }, spec },
  });
  roles.add(name);
}

const FAST = { builtinScheduler: true, revocationIntervalMs: 300, allocationIntervalMs: 200 };
/** The cycles two minutes hold at the default intervals (DEFAULT_OPTIONS). */
const TWO_MINUTES = {
  revocation: 120_000 / DEFAULT_OPTIONS.revocationIntervalMs,
  allocation: 120_000 / DEFAULT_OPTIONS.allocationIntervalMs,
};

/** How many revocation plans and allocation cycles the controller has run (its histograms' counts). */
async function cycles(c: ControllerHandle): Promise<{ revocation: number; allocation: number }> {
  const count = async (h: { get(): Promise<{ values: { metricName?: string; value: number }[] }> }) =>
    (await h.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  return { revocation: await count(c.metrics.revocationDuration), allocation: await count(c.metrics.cycleDuration) };
}

describe('revocation', () => {
  let controller: ControllerHandle | undefined;
  let child: ChildProcess | undefined;
  const frameworks: string[] = [];
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    if (child) await killAndWait(child, 'SIGTERM');
    child = undefined;
    // Frameworks are removed by a controller of this file (their finalizer).
    if (frameworks.length > 0) {
      const c = await startController(scopedOptions(ns.name, pool, { builtinScheduler: true, revocation: false }));
      await c.leading();
      await removeFrameworks(frameworks.splice(0));
      await c.stop();
    }
    // A guarantee left behind would hold the pool back from the next test's frameworks.
    await Promise.all(
      [...roles].map((name) =>
        custom()
          .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })
          .catch(() => undefined),
      ),
    );
    roles.clear();
  });

  it('a hoarder gives back what is over its fair share to a later framework, once, and then nothing more', async () => {
    controller = await startController(scopedOptions(ns.name, pool, FAST));
    await controller.leading();
    frameworks.push('hoarder', 'late');
    // No retries: what revocation kills is launched again without using one.
    await createFramework(ns.name, 'hoarder', builtin(8, {}, 0));
    await waitRunning('hoarder', 8);
    const arrived = Date.now();
    await createFramework(ns.name, 'late', builtin(8));
    // Fair on 8 CPU: 4 and 4. Grace 1 s plus a few cycles.
    await eventually('4 and 4', async () => (await running('hoarder')) === 4 && (await running('late')) === 4, 30_000);
    const took = Date.now() - arrived;
    const revoked = await noticed('hoarder');
    expect(revoked).toHaveLength(4);
    for (const t of revoked) {
      expect(t.status?.state).toBe('TASK_KILLED');
      expect(t.status?.reason).toBe('Revoked');
      expect(t.status?.revocation).toMatchObject({ reason: 'FairShare', for: `${ns.name}/late`, forRole: 'default' });
      // killed no sooner than the deadline the notice gave
      expect(Date.parse(t.status!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(t.status!.revocation!.deadline) - 1000);
    }
    expect(await noticed('late')).toHaveLength(0);
    expect(took).toBeLessThan(20_000);
    // No thrash: as many cycles as two minutes run at the default intervals (24 revocation
    // cycles at 5 s, 120 allocation cycles at 1 s) — counted, not assumed — revoke nothing more
    // (the hoarder still wants its 8). The intervals are shorter here, so they take ~25 s.
    const plans = await cycles(controller);
    await eventually(
      'two minutes of cycles at the default intervals',
      async () => {
        const now = await cycles(controller!);
        return now.revocation - plans.revocation >= TWO_MINUTES.revocation && now.allocation - plans.allocation >= TWO_MINUTES.allocation;
      },
      90_000,
    );
    expect(await noticed('hoarder')).toHaveLength(4);
    expect(await noticed('late')).toHaveLength(0);
    expect([await running('hoarder'), await running('late')]).toEqual([4, 4]);
    const metrics = await controller.metrics.registry.getSingleMetricAsString('agora_revocations_total');
    expect(metrics).toContain('agora_revocations_total{reason="FairShare",role="default",dry_run="false"} 4');
    // Notice to kill: the four kills are observed.
    const noticeToKill = await controller.metrics.registry.getSingleMetricAsString('agora_revocation_notice_to_kill_seconds');
    expect(noticeToKill).toContain('agora_revocation_notice_to_kill_seconds_count 4');
    // The late framework leaves: the hoarder launches its 4 revoked tasks again, with maxRetries 0.
    await deleteObject('Framework', ns.name, 'late');
    await waitRunning('hoarder', 8);
    await eventually('the hoarder counts them as revoked, not failed', async () => {
      const complete = (await get<FrameworkObject>('Framework', ns.name, 'hoarder')).status?.conditions?.find((c) => c.type === 'Complete');
      return complete?.reason === 'InProgress' && (complete.message ?? '').includes('0 failed, 4 revoked');
    });
  }, 180_000);

  it('never revokes a role at its guarantee', async () => {
    controller = await startController(scopedOptions(ns.name, pool, FAST));
    await controller.leading();
    const gold = roleName('gold');
    await createRole(gold, { guarantee: { cpu: '8' } });
    frameworks.push('gold', 'other');
    await createFramework(ns.name, 'gold', builtin(8, { role: gold }));
    await waitRunning('gold', 8);
    await createFramework(ns.name, 'other', builtin(4));
    await sleep(5_000);
    expect(await noticed('gold')).toHaveLength(0);
    expect(await running('gold')).toBe(8);
  });

  it('dry run reports what would be revoked and kills nothing', async () => {
    controller = await startController(scopedOptions(ns.name, pool, { ...FAST, revocationDryRun: true }));
    await controller.leading();
    frameworks.push('dry-hoarder', 'dry-late');
    await createFramework(ns.name, 'dry-hoarder', builtin(8));
    await waitRunning('dry-hoarder', 8);
    await createFramework(ns.name, 'dry-late', builtin(8));
    const reported = await eventually('dry-run notices', async () => {
      const n = await noticed('dry-hoarder');
      return n.length === 4 ? n : undefined;
    });
    expect(reported.every((t) => t.status?.revocation?.dryRun === true)).toBe(true);
    await sleep(3_000);
    expect(await running('dry-hoarder')).toBe(8);
    expect(await running('dry-late')).toBe(0);
  });

  it('a higher-priority framework preempts lower-priority tasks within its role', async () => {
    controller = await startController(scopedOptions(ns.name, pool, FAST));
    await controller.leading();
    const team = roleName('team');
    frameworks.push('low', 'high');
    await createFramework(ns.name, 'low', builtin(8, { role: team }));
    await waitRunning('low', 8);
    // 6 is more than its fair half: priority alone takes them.
    await createFramework(ns.name, 'high', builtin(6, { role: team, priority: 10 }));
    // (low's own replacements back off after 6 failures: it may run 0 or 2 for a while)
    await eventually('high runs 6', async () => (await running('high')) === 6, 30_000);
    await sleep(3_000);
    const reasons = (await noticed('low')).map((t) => t.status!.revocation!.reason).sort();
    // Priority is planned first within a role: all six by priority, none twice.
    expect(reasons).toEqual(['Priority', 'Priority', 'Priority', 'Priority', 'Priority', 'Priority']);
    expect(await noticed('high')).toHaveLength(0);
  });

  it('a controller SIGKILLed between notice and kill keeps the notice and does not revoke twice', async () => {
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
      '200ms',
      '--revocation-interval',
      '300ms',
    ];
    child = spawnController(args, `revoke-${ns.name}`);
    await untilStarted(child);
    frameworks.push('k-hoarder', 'k-late');
    await createFramework(ns.name, 'k-hoarder', builtin(8, { revocationGracePeriodSeconds: 8 }));
    await waitRunning('k-hoarder', 8);
    await createFramework(ns.name, 'k-late', builtin(8));
    const before = await eventually('4 notices', async () => {
      const n = await noticed('k-hoarder');
      return n.length === 4 ? n : undefined;
    });
    await killAndWait(child, 'SIGKILL');
    const notices = new Map(before.map((t) => [t.metadata.name, t.status!.revocation!]));
    for (const r of notices.values()) expect(Date.parse(r.deadline)).toBeGreaterThan(Date.now());
    child = spawnController(args, `revoke-${ns.name}`);
    await untilStarted(child);
    await eventually('4 and 4', async () => (await running('k-hoarder')) === 4 && (await running('k-late')) === 4, 40_000);
    const after = await noticed('k-hoarder');
    expect(new Map(after.map((t) => [t.metadata.name, t.status!.revocation!]))).toEqual(notices);
    for (const t of after) {
      expect(t.status?.state).toBe('TASK_KILLED');
      expect(Date.parse(t.status!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(t.status!.revocation!.deadline) - 1000);
    }
  }, 240_000);
});
