// Scheduler failover with real processes: examples/service.ts runs active, a second copy waits
// with --standby; the active one is SIGKILLed and the standby takes over within the framework's
// failover timeout, adopting the running instances and answering offers. A third copy started
// without --standby then replaces it (Mesos's re-registration), and the replaced one is told.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import { leaseName } from '../../src/sdk/index.ts';
import { repoRoot } from '../../scripts/cluster/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { start, type Started } from './support/run.ts';
import { listTasks, useController } from './examples-support.ts';

const ns = useNamespace('failover');
const pool = useController(ns, 'fo');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const FAILOVER_TIMEOUT_S = 12;

const started: Started[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) await p.kill('SIGKILL');
});

function service(...extra: string[]): Started {
  const p = start(join(repoRoot, 'node_modules/.bin/node'), [
    join(repoRoot, 'examples', 'service.ts'),
    ...['--kubeconfig', inject('kubeconfig'), '--namespace', ns.name, '--name', 'svc', '--log-level', 'info'],
    ...['--instances', '2', '--cpu', '500m', '--memory', '256Mi', '--failover-timeout', String(FAILOVER_TIMEOUT_S)],
    ...extra,
  ]);
  started.push(p);
  return p;
}

async function holder(): Promise<string | undefined> {
  const lease = await kubeConfig()
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: leaseName('svc'), namespace: ns.name })
    .catch(() => undefined);
  return lease?.spec?.holderIdentity || undefined;
}

/** The SDK's identity for a process: host, pid, a random suffix. */
const isProcess = (identity: string | undefined, p: Started) => identity?.startsWith(`${hostname()}-${p.pid}-`) === true;

async function running(): Promise<string[]> {
  return (await listTasks(ns.name))
    .filter((t) => t.spec.framework === 'svc' && t.status?.state === 'TASK_RUNNING')
    .map((t) => t.metadata?.name ?? '')
    .sort();
}

describe('scheduler failover, two processes', () => {
  it('a standby takes over from a SIGKILLed scheduler within the failover timeout; a re-registering one replaces it', async () => {
    await pool.addNode({ name: 'a', cpu: '4', memory: '8Gi' });
    const a = service();
    await eventually('a holds the Lease', async () => isProcess(await holder(), a), 30_000);
    const first = await eventually('2 instances running', async () => ((await running()).length === 2 ? running() : undefined), 60_000);

    const b = service('--standby');
    await eventually('b standing by', async () => b.stderr().includes('standing by for the Lease'), 30_000);
    // While a lives, b waits: a keeps the Lease over several of its renewals.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(isProcess(await holder(), a)).toBe(true);
    expect(b.stderr()).not.toContain('"msg":"registered"');

    await a.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('b holds the Lease', async () => isProcess(await holder(), b), 30_000);
    expect(Date.now() - killedAt).toBeLessThan(FAILOVER_TIMEOUT_S * 1000);
    // The instances outlived their scheduler: adopted, not killed for a lapsed failover timeout.
    expect(await running()).toEqual(first);

    // b answers offers: an instance killed is replaced by b.
    await custom().patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Task, name: first[0]!, body: { spec: { kill: true } } },
      MERGE,
    );
    const replaced = await eventually(
      'the killed instance replaced',
      async () => {
        const now = await running();
        return now.length === 2 && !now.includes(first[0]!) ? now : undefined;
      },
      60_000,
    );
    expect(replaced).toContain(first[1]);

    // c re-registers without --standby: it replaces b, and b is told and exits.
    const c = service();
    const bEnd = await b.exited;
    expect(bEnd.code, bEnd.stderr).toBe(0);
    const result = JSON.parse(bEnd.stdout) as { failedOver?: { reason: string; by?: string } };
    expect(result.failedOver?.reason).toBe('Replaced');
    expect(isProcess(result.failedOver?.by, c)).toBe(true);
    expect(isProcess(await holder(), c)).toBe(true);
    await eventually('c adopted the instances', async () => c.stderr().includes('"msg":"registered"'), 30_000);

    // Ctrl-C: c stops and releases the Lease, and the instances keep running.
    const cEnd = await c.kill('SIGTERM');
    expect(cEnd.code, cEnd.stderr).toBe(0);
    expect(await holder()).toBeUndefined();
    expect(await running()).toEqual(replaced);
  }, 240_000);
});
