// Node loss: a deleted node's tasks are TASK_LOST and its offers rescinded; a cordoned node's
// offers are rescinded and it is not offered again until uncordoned.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { deleteNode } from '../../../scripts/cluster/index.ts';
import type { OfferObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { accept, createFramework, get, isOutstanding, list, task, useController, usePool, waitOffer, waitTask } from './support.ts';

const ns = useNamespace('ctl-nodes');
const pool = usePool('nodes', [
  { cpu: '4', memory: '8Gi' },
  { cpu: '4', memory: '8Gi' },
]);
useController(ns, pool, { offerTimeoutMs: 60_000 });

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('node loss', () => {
  it("rescinds a cordoned node's offer and offers it again once uncordoned", async () => {
    await createFramework(ns.name, 'fw');
    const node = pool.node(1);
    const offer = await waitOffer(ns.name, 'fw', node);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, merge);
    const rescinded = await eventually('offer rescinded', async () => {
      const o = await get<OfferObject>('Offer', ns.name, offer.metadata.name);
      return o.status?.phase === 'Rescinded' ? o : undefined;
    });
    expect(rescinded.status?.reason).toBe('NodeUnschedulable');
    await sleep(1000);
    expect((await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.nodeName === node && isOutstanding(o))).toEqual([]);
    await core.patchNode({ name: node, body: { spec: { unschedulable: false } } }, merge);
    await waitOffer(ns.name, 'fw', node, 10_000);
  });

  it("marks a deleted node's running tasks TASK_LOST and rescinds its offers", async () => {
    const node = pool.node(0);
    const offer = await waitOffer(ns.name, 'fw', node);
    await accept(ns.name, offer, [task('on-doomed-node', { cpu: '1', memory: '1Gi' })]);
    await waitTask(ns.name, 'on-doomed-node', (t) => t.status?.state === 'TASK_RUNNING', 'running');
    const remainder = await waitOffer(ns.name, 'fw', node);
    await deleteNode(kubeConfig(), node);
    const lost = await waitTask(ns.name, 'on-doomed-node', (t) => t.status?.state === 'TASK_LOST', 'lost');
    expect(lost.status?.reason).toBe('NodeLost');
    const o = await eventually('remainder rescinded', async () => {
      const got = await get<OfferObject>('Offer', ns.name, remainder.metadata.name);
      return got.status?.phase === 'Rescinded' ? got : undefined;
    });
    expect(o.status?.reason).toBe('NodeGone');
  });
});
