// Framework failover: a scheduler heartbeats by renewing the Lease agora-framework-<name>. When
// it stops for longer than spec.failoverTimeoutSeconds the framework is Disconnected: its tasks
// are killed, its offers rescinded, nothing more is offered. When it heartbeats again it is back.
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { FrameworkObject, OfferObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { accept, createFramework, get, isOutstanding, list, pods, task, useController, usePool, waitOffer, waitTask } from './support.ts';

const ns = useNamespace('ctl-failover');
const pool = usePool('failover', [{ cpu: '4', memory: '8Gi' }]);
useController(ns, pool);

describe('framework failover', () => {
  let beating = true;
  let stopped = false;
  let loop: Promise<void> = Promise.resolve();
  afterAll(async () => {
    stopped = true;
    await loop;
  });

  it('kills the tasks of a framework that stops heartbeating, and takes it back when it returns', async () => {
    const leases = kubeConfig().makeApiClient(CoordinationV1Api);
    const name = 'agora-framework-sdk';
    await leases.createNamespacedLease({
      namespace: ns.name,
      body: { metadata: { name }, spec: { holderIdentity: 'sdk', leaseDurationSeconds: 2, renewTime: new V1MicroTime(Date.now()) } },
    });
    loop = (async () => {
      while (!stopped) {
        if (beating) {
          const l = await leases.readNamespacedLease({ name, namespace: ns.name });
          await leases
            .replaceNamespacedLease({
              name,
              namespace: ns.name,
              body: { ...l, spec: { ...l.spec, renewTime: new V1MicroTime(Date.now()) } },
            })
            .catch(() => undefined);
        }
        await sleep(300);
      }
    })();
    await createFramework(ns.name, 'sdk', { failoverTimeoutSeconds: 2 });
    const offer = await waitOffer(ns.name, 'sdk');
    await accept(ns.name, offer, [task('worker', { cpu: '1', memory: '1Gi' })]);
    await waitTask(ns.name, 'worker', (t) => t.status?.state === 'TASK_RUNNING', 'running');
    const remainder = await waitOffer(ns.name, 'sdk');
    const connected = await eventually('heartbeat seen', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'sdk');
      return f.status?.conditions?.find((c) => c.type === 'Disconnected')?.status === 'False' && f.status.lastHeartbeatTime ? f : undefined;
    });
    expect(connected.status?.phase).toBe('Active');

    beating = false;
    const killed = await waitTask(ns.name, 'worker', (t) => t.status?.state === 'TASK_KILLED', 'killed', 15_000);
    expect(killed.status?.reason).toBe('FrameworkDisconnected');
    const fw = await get<FrameworkObject>('Framework', ns.name, 'sdk');
    expect(fw.status?.phase).toBe('Disconnected');
    expect(fw.status?.conditions?.find((c) => c.type === 'Disconnected')).toMatchObject({
      status: 'True',
      reason: 'FailoverTimeoutExceeded',
    });
    const rescinded = await eventually('offer rescinded', async () => {
      const o = await get<OfferObject>('Offer', ns.name, remainder.metadata.name);
      return o.status?.phase === 'Rescinded' ? o : undefined;
    });
    expect(rescinded.status?.reason).toBe('FrameworkDisconnected');
    expect((await pods(ns.name)).filter((p) => p.metadata?.name === 'worker')).toEqual([]);
    await sleep(1000);
    expect((await list<OfferObject>('Offer', ns.name)).filter(isOutstanding)).toEqual([]);

    beating = true;
    await waitOffer(ns.name, 'sdk', undefined, 15_000);
    const back = await eventually('reconnected', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'sdk');
      return f.status?.phase === 'Active' ? f : undefined;
    });
    expect(back.status?.conditions?.find((c) => c.type === 'Disconnected')?.status).toBe('False');
  });
});
