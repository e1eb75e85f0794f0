// A node that stops being Ready is Mesos's unreachable agent: its tasks say so at once (reason
// NodeNotReady, state kept, an Event), its offers are rescinded, and once it has not been Ready
// for --node-lost-timeout — counted from its Ready condition's lastTransitionTime, so a
// controller restart does not start the clock again — its tasks are TASK_LOST and their Pods
// deleted. kwok turns a NotReady node Ready again at once; the annotation stage in
// hack/kwok/stages.yaml (setFakeNodeReady) keeps it NotReady.
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setFakeNodeReady } from '../../../scripts/cluster/index.ts';
import { startController, type ControllerHandle } from '../../../src/controller/manager.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { accept, createFramework, get, isOutstanding, list, pods, scopedOptions, task, usePool, waitOffer, waitTask } from './support.ts';

const LOST_AFTER_MS = 10_000;
const ns = useNamespace('ctl-notready');
const pool = usePool('notready', [
  { cpu: '4', memory: '8Gi' },
  { cpu: '4', memory: '8Gi' },
  { cpu: '4', memory: '8Gi' },
]);
const options = () => scopedOptions(ns.name, pool, { offerTimeoutMs: 60_000, nodeLostTimeoutMs: LOST_AFTER_MS });
let controller: ControllerHandle | undefined;

beforeAll(async () => {
  controller = await startController(options());
  await controller.leading();
  await createFramework(ns.name, 'fw');
});
afterAll(async () => {
  await controller?.stop();
});

const core = () => kubeConfig().makeApiClient(CoreV1Api);

/** When the node's Ready condition last changed, as the API says (what the controller counts from). */
async function readySince(node: string): Promise<string> {
  const n = await core().readNode({ name: node });
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  expect(ready?.status).not.toBe('True');
  return new Date(ready!.lastTransitionTime!).toISOString();
}

async function taskEvents(name: string): Promise<CoreV1Event[]> {
  return (await core().listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.name=${name}` })).items;
}

/** Makes the node NotReady and waits until the API says so. */
async function makeNotReady(node: string): Promise<void> {
  await setFakeNodeReady(kubeConfig(), node, 'False');
  await eventually(
    `node ${node} NotReady (kwok reads hack/kwok/stages.yaml at start: a cluster started before the agora-node-not-ready stage needs npm run cluster:down)`,
    async () => {
      const n = await core().readNode({ name: node });
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False');
    },
    5000,
  );
}

const outstandingOn = async (node: string) =>
  (await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.nodeName === node && isOutstanding(o));

describe('a node that stops being Ready', () => {
  it('marks its tasks NodeNotReady at once, state kept, and back once it is Ready again, with Events', async () => {
    const node = pool.node(2);
    await accept(ns.name, await waitOffer(ns.name, 'fw', node), [task('blip', { cpu: '1', memory: '1Gi' })]);
    await waitTask(ns.name, 'blip', (t) => t.status?.state === 'TASK_RUNNING', 'running');

    await makeNotReady(node);
    const down = await waitTask(ns.name, 'blip', (t) => t.status?.reason === 'NodeNotReady', 'NodeNotReady', 5000);
    const since = await readySince(node);
    expect(down.status?.state).toBe('TASK_RUNNING');
    expect(down.status?.message).toContain(`node ${node} is not Ready since ${since} (Ready=False, KubeletNotReady`);

    await setFakeNodeReady(kubeConfig(), node, 'True');
    const up = await waitTask(ns.name, 'blip', (t) => t.status?.reason === 'PodRunning', 'PodRunning again', 5000);
    expect(up.status).toMatchObject({ state: 'TASK_RUNNING', message: `Pod blip is running on ${node}` });
    const events = await eventually('NodeNotReady and NodeReady events', async () => {
      const ev = await taskEvents('blip');
      return ev.some((e) => e.reason === 'NodeReady') ? ev : undefined;
    });
    expect(events.find((e) => e.reason === 'NodeNotReady')).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining(`node ${node} is not Ready since ${since}`),
    });
    expect(events.find((e) => e.reason === 'NodeReady')).toMatchObject({
      type: 'Normal',
      message: expect.stringContaining(`node ${node} is Ready again`),
    });
    await waitOffer(ns.name, 'fw', node, 10_000);
  });

  it('loses its tasks after --node-lost-timeout from the Ready transition (not from a restart), deletes their Pods, and leaves a healthy node alone', async () => {
    const sick = pool.node(0);
    const healthy = pool.node(1);
    await accept(ns.name, await waitOffer(ns.name, 'fw', sick), [
      task('doomed', { cpu: '1', memory: '1Gi' }),
      task('evicted', { cpu: '1', memory: '1Gi' }),
    ]);
    await accept(ns.name, await waitOffer(ns.name, 'fw', healthy), [task('fine', { cpu: '1', memory: '1Gi' })]);
    for (const t of ['doomed', 'evicted', 'fine']) await waitTask(ns.name, t, (x) => x.status?.state === 'TASK_RUNNING', 'running');
    const remainder = await waitOffer(ns.name, 'fw', sick);

    await makeNotReady(sick);
    const doomed = await waitTask(ns.name, 'doomed', (t) => t.status?.reason === 'NodeNotReady', 'NodeNotReady', 5000);
    const since = await readySince(sick);
    const deadline = new Date(Date.parse(since) + LOST_AFTER_MS).toISOString();
    expect(doomed.status?.state).toBe('TASK_RUNNING');
    expect(doomed.status?.message).toContain(`its tasks are lost at ${deadline}`);

    // Its outstanding offer is rescinded and it is offered no more.
    const rescinded = await eventually(
      "the sick node's offer rescinded",
      async () => {
        const o = await get<OfferObject>('Offer', ns.name, remainder.metadata.name);
        return o.status?.phase === 'Rescinded' ? o : undefined;
      },
      5000,
    );
    expect(rescinded.status?.reason).toBe('NodeNotReady');

    // The node lifecycle controller's taint eviction, before our timeout: the Pod goes first.
    await core().deleteNamespacedPod({ namespace: ns.name, name: 'evicted' });
    const evicted = await waitTask(ns.name, 'evicted', (t) => t.status?.state === 'TASK_LOST', 'lost', 5000);
    expect(evicted.status?.reason).toBe('NodeNotReady');
    expect(evicted.status?.message).toBe(
      `Pod evicted was deleted while node ${sick} was not Ready (since ${since}, Ready=False, KubeletNotReady: simulated: agora.dev/sim-node-ready)`,
    );

    // A restart (or a new leader) keeps only soft state: the clock is the node's, not ours.
    await controller!.stop();
    await sleep(2000);
    controller = await startController(options());
    await controller.leading();
    const still = await get<TaskObject>('Task', ns.name, 'doomed');
    expect(Date.now()).toBeLessThan(Date.parse(deadline));
    expect(still.status).toMatchObject({ state: 'TASK_RUNNING', reason: 'NodeNotReady' });

    const lost = await waitTask(ns.name, 'doomed', (t) => t.status?.state === 'TASK_LOST', 'lost', LOST_AFTER_MS + 10_000);
    expect(lost.status?.reason).toBe('NodeLost');
    expect(lost.status?.message).toMatch(
      new RegExp(
        `^node ${sick} has not been Ready for \\d+s \\(since ${since.replaceAll('.', '\\.')}, Ready=False, KubeletNotReady.*\\), past the node lost timeout of 10s$`,
      ),
    );
    const lostAfter = Date.parse(lost.status!.finishedAt!) - Date.parse(since);
    // Not before the timeout, and well before the restart plus the timeout.
    expect(lostAfter).toBeGreaterThanOrEqual(LOST_AFTER_MS);
    expect(lostAfter).toBeLessThan(LOST_AFTER_MS + 2000);
    await eventually("the lost task's Pod deleted", async () => !(await pods(ns.name)).some((p) => p.metadata?.name === 'doomed'), 10_000);
    expect((await taskEvents('doomed')).map((e) => e.reason)).toEqual(expect.arrayContaining(['NodeNotReady', 'TaskLost']));

    const fw = await eventually('the framework counts them lost', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'fw');
      return f.status?.tasks?.lost === 2 ? f : undefined;
    });
    expect(fw.status?.tasks).toMatchObject({ lost: 2, running: 2 });

    // The task on the healthy node, untouched.
    const fine = await get<TaskObject>('Task', ns.name, 'fine');
    expect(fine.status).toMatchObject({ state: 'TASK_RUNNING', reason: 'PodRunning', message: `Pod fine is running on ${healthy}` });
    expect((await pods(ns.name)).find((p) => p.metadata?.name === 'fine')?.status?.phase).toBe('Running');
    expect(await outstandingOn(sick)).toEqual([]);
  });
});
