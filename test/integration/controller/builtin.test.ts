// Built-in frameworks (spec.builtin) under a real controller: the phase the framework
// reconciler derives from the built-in scheduler's Complete condition.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { FrameworkObject } from '../../../src/controller/objects.ts';
import { eventually, useNamespace } from '../support/kube.ts';
import { createFramework, deleteObject, get, useController, usePool } from './support.ts';

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
  cpu: string;
  memory: string;
  exitCode: string;
  runFor: string;
}

async function builtin(name: string, b: Builtin): Promise<void> {
  const { cpu, memory, exitCode, runFor, ...rest } = b;
  await createFramework(ns.name, name, {
    builtin: { ...rest, template: { resources: { cpu, memory }, annotations: finishes(exitCode, runFor), containers: [{ name: 'main', image: 'busybox' }] } },
  } as Partial<FrameworkObject['spec']>);
}

async function removeFramework(name: string): Promise<void> {
  await deleteObject('Framework', ns.name, name);
  await eventually(`framework ${name} gone`, async () => (await get('Framework', ns.name, name).catch(() => undefined)) === undefined, 20_000);
}

const complete = (f: FrameworkObject) => f.status?.conditions?.find((c) => c.type === 'Complete');

describe('built-in frameworks', () => {
  it('a built-in framework whose tasks all finish is Completed, and stays so', async () => {
    await builtin('done', { tasks: 2, cpu: '1', memory: '1Gi', exitCode: '0', runFor: '1s' });
    const fw = await eventually('phase Completed', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'done');
      return f.status?.phase === 'Completed' ? f : undefined;
    }, 20_000);
    expect(complete(fw)).toMatchObject({ status: 'True', reason: 'AllTasksFinished' });
    expect(fw.status?.tasks?.finished).toBe(2);
    // Nothing is active any more: the reconciler must not take it back to Pending.
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      expect((await get<FrameworkObject>('Framework', ns.name, 'done')).status?.phase).toBe('Completed');
    }
    await removeFramework('done');
  });

  it('a built-in framework whose tasks fail with restartPolicy Never is Failed', async () => {
    await builtin('doomed', { tasks: 2, restartPolicy: 'Never', cpu: '1', memory: '1Gi', exitCode: '1', runFor: '1s' });
    const fw = await eventually('phase Failed', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'doomed');
      return f.status?.phase === 'Failed' ? f : undefined;
    }, 20_000);
    expect(complete(fw)).toMatchObject({ status: 'False', reason: 'TasksFailed' });
    expect(fw.status?.tasks?.failed).toBe(2);
    await sleep(1000);
    expect((await get<FrameworkObject>('Framework', ns.name, 'doomed')).status?.phase).toBe('Failed');
    await removeFramework('doomed');
  });
});
