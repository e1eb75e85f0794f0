// Master HA: two controller replicas elect a leader on a Lease; only the leader works. The
// leader is killed with SIGKILL; the standby takes over once the Lease expires, rebuilds its
// state from the API, and launching goes on with every invariant intact.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResourceList } from '../../../src/api/quantity.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { createFramework, killAndWait, spawnController, startDriver, usePool, violations } from './support.ts';

const ns = useNamespace('ctl-ha');
const pool = usePool('ha', [
  { cpu: '4', memory: '8Gi' },
  { cpu: '4', memory: '8Gi' },
]);

describe('two replicas', () => {
  const children = new Map<string, ChildProcess>();
  const drivers: { stop(): Promise<void>; launched(): number }[] = [];
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.stop()));
    await Promise.all([...children.values()].map((c) => killAndWait(c, 'SIGTERM')));
  });

  const holder = async () =>
    (
      await kubeConfig()
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'agora-controller', namespace: ns.name })
        .catch(() => undefined)
    )?.spec?.holderIdentity;
  const start = (identity: string) => {
    children.set(
      identity,
      spawnController(
        [
          '--namespaces',
          ns.name,
          '--node-selector',
          pool.selector,
          '--leader-elect=true',
          '--leader-election-namespace',
          ns.name,
          '--lease-name',
          'agora-controller',
          '--lease-duration',
          '3s',
          '--identity',
          identity,
          '--metrics-addr',
          '127.0.0.1:0',
          '--health-addr',
          '127.0.0.1:0',
          '--allocation-interval',
          '100ms',
          '--offer-timeout',
          '5s',
        ],
        `ha-${ns.name}-${identity}`,
      ),
    );
  };
  const launched = () => drivers.reduce((n, d) => n + d.launched(), 0);

  it('fails over to the standby when the leader is killed', async () => {
    start('replica-a');
    await eventually('replica-a leads', async () => (await holder()) === 'replica-a', 30_000);
    start('replica-b');
    await createFramework(ns.name, 'fw');
    const short = { 'agora.dev/sim-exit-code': '0', 'agora.dev/sim-run-duration': '1s' };
    drivers.push(
      startDriver({
        namespace: ns.name,
        framework: 'fw',
        task: { resources: { cpu: '500m', memory: '512Mi' }, annotations: short },
        max: 10_000,
        tasksPerOffer: 2,
        refuseSeconds: 0,
        pollMs: 50,
      }),
    );
    await eventually('tasks launching', async () => launched() >= 10, 30_000);
    await sleep(1000);
    expect(await holder()).toBe('replica-a');

    await killAndWait(children.get('replica-a')!, 'SIGKILL');
    const before = launched();
    await eventually('replica-b leads', async () => (await holder()) === 'replica-b', 30_000);
    await eventually('launching again under the new leader', async () => launched() >= before + 10, 30_000);
    const allocatable = parseResourceList({ cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' });
    for (let i = 0; i < 3; i++) {
      expect(await violations(ns.name, [pool.node(0), pool.node(1)], allocatable)).toEqual([]);
      await sleep(300);
    }
  });
});
