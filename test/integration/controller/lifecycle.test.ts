// Offers and tasks through their life: accept (partial), decline filters, tasks that finish,
// fail, are killed or deleted, accepts that do not fit or come too late, framework deletion,
// history retention, metrics and probes — against the real API server and kwok nodes.
import { CoreV1Api } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, rejection, useNamespace } from '../support/kube.ts';
import {
  accept,
  createFramework,
  deleteObject,
  get,
  isOutstanding,
  list,
  patch,
  pods,
  task,
  useController,
  usePool,
  waitOffer,
  waitTask,
} from './support.ts';

const ns = useNamespace('ctl-life');
const pool = usePool('life', [
  { cpu: '4', memory: '8Gi' },
  { cpu: '4', memory: '8Gi' },
]);
const controller = useController(ns, pool, { offerTimeoutMs: 4000, offerRetentionMs: 3000, maxCompletedTasksPerFramework: 2 });

const finishes = (code: string, after = '1s') => ({ 'agora.dev/sim-exit-code': code, 'agora.dev/sim-run-duration': after });

async function removeFramework(name: string): Promise<void> {
  await deleteObject('Framework', ns.name, name);
  await eventually(
    `framework ${name} gone`,
    async () => (await get('Framework', ns.name, name).catch(() => undefined)) === undefined,
    30_000,
  );
}

describe('controller lifecycle', () => {
  it('runs a task that finishes and one that fails, with exit codes, timestamps and events', async () => {
    await createFramework(ns.name, 'jobs');
    const offer = await waitOffer(ns.name, 'jobs');
    expect(offer.spec.attributes?.['agora.dev/test-pool']).toBe(pool.id);
    await eventually(
      'phase Outstanding',
      async () => (await get<OfferObject>('Offer', ns.name, offer.metadata.name)).status?.phase === 'Outstanding',
    );
    expect(offer.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Framework', name: 'jobs' });
    await accept(ns.name, offer, [
      task('ok', { cpu: '1', memory: '1Gi' }, finishes('0')),
      task('boom', { cpu: '1', memory: '1Gi' }, finishes('3')),
    ]);

    const ok = await waitTask(ns.name, 'ok', (t) => t.status?.state === 'TASK_FINISHED', 'finished');
    expect(ok.status).toMatchObject({ exitCode: 0, reason: 'PodSucceeded', podName: 'ok' });
    expect(ok.status?.startedAt).toBeDefined();
    expect(ok.status?.finishedAt).toBeDefined();
    const boom = await waitTask(ns.name, 'boom', (t) => t.status?.state === 'TASK_FAILED', 'failed');
    expect(boom.status).toMatchObject({ exitCode: 3, reason: 'PodFailed' });
    expect(boom.status?.message).toMatch(/code 3/);
    expect(boom.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Framework', name: 'jobs' });

    const answered = await get<OfferObject>('Offer', ns.name, offer.metadata.name);
    expect(answered.status).toMatchObject({ phase: 'Accepted', tasks: ['ok', 'boom'] });
    const pod = await kubeConfig().makeApiClient(CoreV1Api).readNamespacedPod({ name: 'boom', namespace: ns.name });
    expect(pod.spec?.nodeName).toBe(offer.spec.nodeName);
    expect(pod.metadata?.labels).toMatchObject({
      'agora.dev/framework': 'jobs',
      'agora.dev/task': 'boom',
      'agora.dev/offer': offer.metadata.name,
    });
    expect(pod.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } });
    const events = await eventually('task events', async () => {
      const ev = (
        await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=boom' })
      ).items;
      return ev.some((e) => e.reason === 'TaskFailed') ? ev : undefined;
    });
    expect(events.map((e) => e.reason)).toContain('TaskFailed');
    const fw = await eventually('framework counts', async () => {
      const f = await get<FrameworkObject>('Framework', ns.name, 'jobs');
      return f.status?.tasks?.finished === 1 && f.status.tasks.failed === 1 ? f : undefined;
    });
    expect(fw.status?.phase).toBe('Active');
    await removeFramework('jobs');
  });

  it('shows a task whose Pod is slow to start TASK_STARTING until the Pod runs', async () => {
    await createFramework(ns.name, 'sluggish');
    const offer = await waitOffer(ns.name, 'sluggish');
    await accept(ns.name, offer, [task('sluggish', { cpu: '1', memory: '1Gi' }, { 'agora.dev/sim-start-duration': '6s' })]);
    const starting = await waitTask(ns.name, 'sluggish', (t) => t.status?.state !== undefined, 'a first status');
    expect(starting.status).toMatchObject({ state: 'TASK_STARTING', reason: 'PodPending', podName: 'sluggish' });
    const running = await waitTask(ns.name, 'sluggish', (t) => t.status?.state === 'TASK_RUNNING', 'running', 20_000);
    expect(running.status?.startedAt).toBeDefined();
    await removeFramework('sluggish');
    // The tests after this one count what is on the nodes.
    await eventually('its Pod gone', async () => !(await pods(ns.name)).some((p) => p.metadata?.name === 'sluggish'));
  });

  it('returns what an accept does not use at once, and honours decline filters', async () => {
    await createFramework(ns.name, 'partial');
    const node = pool.node(0);
    const first = await waitOffer(ns.name, 'partial', node);
    expect(first.spec.resources).toMatchObject({ cpu: '4', memory: '8Gi' });
    await accept(ns.name, first, [task('p1', { cpu: '1', memory: '2Gi' })]);
    const second = await waitOffer(ns.name, 'partial', node, 5000);
    expect(second.spec.resources).toMatchObject({ cpu: '3', memory: '6Gi' });

    await patch('Offer', ns.name, second.metadata.name, { spec: { decline: { refuseSeconds: 3 } } });
    const declinedAt = Date.now();
    await eventually('declined', async () => (await get<OfferObject>('Offer', ns.name, second.metadata.name)).status?.phase === 'Declined');
    const third = await waitOffer(ns.name, 'partial', node, 10_000);
    expect(Date.now() - declinedAt).toBeGreaterThan(2500);
    expect(third.spec.resources).toMatchObject({ cpu: '3', memory: '6Gi' });
    await removeFramework('partial');
  });

  it('fails tasks that do not fit the offer or the node, and never overcommits', async () => {
    await createFramework(ns.name, 'liar');
    const node = pool.node(1);
    const offer = await waitOffer(ns.name, 'liar', node);
    // Someone else's Pod lands on the node after the offer: 3 of its 4 CPUs.
    await kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedPod({
        namespace: ns.name,
        body: {
          metadata: { name: 'squatter' },
          spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '3' } } }] },
        },
      });
    // The accept is judged against the node as the controller sees it: once it counts the squatter.
    await eventually('the controller to count the squatter', async () => (controller.handle.nodeUsage(node)?.external.cpu ?? 0) >= 3000);
    const onNode = async () =>
      (await pods(ns.name)).filter((p) => p.spec?.nodeName === node && p.metadata?.name !== 'squatter').map((p) => p.metadata?.name);
    // The controller also sees the node shrink below the offer and rescinds it: which comes first
    // is a race, and either way nothing may run beyond what the node has.
    const refused = await rejection(
      accept(ns.name, offer, [
        task('fits', { cpu: '500m', memory: '1Gi' }),
        task('too-big', { cpu: '3', memory: '1Gi' }),
        task('beyond-offer', { cpu: '1', memory: '9Gi' }),
      ]),
    );
    const answered =
      refused === ''
        ? await eventually('the accept applied', async () => {
            const o = await get<OfferObject>('Offer', ns.name, offer.metadata.name);
            return o.status?.tasks !== undefined ? o : undefined;
          })
        : undefined;
    if (answered === undefined) {
      expect(refused).toMatch(/is Rescinded \(NodeResourcesGone\)/);
      expect(await onNode()).toEqual([]);
    } else if (answered.status?.phase === 'Rescinded') {
      // The controller saw the node shrink below the offer and rescinded it before the accept
      // came: nothing is launched (each task is TASK_LOST; with two completed tasks kept per
      // framework here, one of the three may already be collected).
      expect(answered.status).toMatchObject({ reason: 'NodeResourcesGone', message: expect.stringMatching(/no task was launched/) });
      expect(await onNode()).toEqual([]);
    } else {
      // Judged against the node as the controller counts it: only what fits both launches.
      expect(answered.status?.phase).toBe('Accepted');
      const beyond = await waitTask(ns.name, 'beyond-offer', (t) => t.status?.state !== undefined, 'judged');
      expect(beyond.status).toMatchObject({ state: 'TASK_ERROR', reason: 'ExceedsOffer' });
      const big = await waitTask(ns.name, 'too-big', (t) => t.status?.state !== undefined, 'judged');
      expect(big.status).toMatchObject({ state: 'TASK_ERROR', reason: 'InsufficientResources' });
      expect(await onNode()).toEqual(['fits']);
    }
    // The next offer for the node holds at most what is really free (an offer of memory alone,
    // made while the failed tasks were still counted, holds no CPU at all).
    const next = await waitOffer(ns.name, 'liar', node, 10_000);
    const cpu = String(next.spec.resources.cpu ?? '0');
    expect(Number(cpu.replace('m', '')) / (cpu.endsWith('m') ? 1000 : 1)).toBeLessThanOrEqual(1);
    await kubeConfig().makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'squatter', namespace: ns.name, gracePeriodSeconds: 0 });
    await removeFramework('liar');
  });

  it('expires unanswered offers; an accept that comes too late launches nothing', async () => {
    await createFramework(ns.name, 'slow');
    const offer = await waitOffer(ns.name, 'slow');
    const expired = await eventually(
      'offer expired',
      async () => {
        const o = await get<OfferObject>('Offer', ns.name, offer.metadata.name);
        return o.status?.phase === 'Expired' ? o : undefined;
      },
      10_000,
    );
    expect(expired.status?.reason).toBe('Expired');
    await accept(ns.name, offer, [task('late', { cpu: '1', memory: '1Gi' })]);
    const late = await waitTask(ns.name, 'late', (t) => t.status?.state !== undefined, 'judged');
    expect(late.status).toMatchObject({ state: 'TASK_LOST', reason: 'OfferNotOutstanding' });
    expect((await pods(ns.name)).some((p) => p.metadata?.name === 'late')).toBe(false);
    await removeFramework('slow');
  });

  it('kills a task on request and when its Task is deleted', async () => {
    await createFramework(ns.name, 'killer');
    const offer = await waitOffer(ns.name, 'killer');
    await accept(ns.name, offer, [task('victim', { cpu: '1', memory: '1Gi' }), task('deleted', { cpu: '1', memory: '1Gi' })]);
    await waitTask(ns.name, 'victim', (t) => t.status?.state === 'TASK_RUNNING', 'running');
    await waitTask(ns.name, 'deleted', (t) => t.status?.state === 'TASK_RUNNING', 'running');
    await patch('Task', ns.name, 'victim', { spec: { kill: true } });
    const killed = await waitTask(ns.name, 'victim', (t) => t.status?.state === 'TASK_KILLED', 'killed');
    expect(killed.status?.reason).toBe('KillRequested');
    expect((await pods(ns.name)).some((p) => p.metadata?.name === 'victim')).toBe(false);
    await deleteObject('Task', ns.name, 'deleted');
    await eventually('pod of deleted task gone', async () => !(await pods(ns.name)).some((p) => p.metadata?.name === 'deleted'));
    await removeFramework('killer');
  });

  it('deleting a Framework kills its tasks and withdraws its offers, then it goes', async () => {
    await createFramework(ns.name, 'doomed');
    const offer = await waitOffer(ns.name, 'doomed', pool.node(0));
    await accept(ns.name, offer, [task('d1', { cpu: '1', memory: '1Gi' })]);
    await waitTask(ns.name, 'd1', (t) => t.status?.state === 'TASK_RUNNING', 'running');
    await waitOffer(ns.name, 'doomed'); // it holds an outstanding offer too
    await deleteObject('Framework', ns.name, 'doomed');
    await eventually(
      'framework gone',
      async () => (await get('Framework', ns.name, 'doomed').catch(() => undefined)) === undefined,
      30_000,
    );
    await eventually(
      'its pods gone',
      async () => !(await pods(ns.name)).some((p) => p.metadata?.labels?.['agora.dev/framework'] === 'doomed'),
    );
    await eventually('its offers and tasks gone', async () => {
      const offers = (await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.framework === 'doomed');
      const tasks = (await list<TaskObject>('Task', ns.name)).filter((t) => t.spec.framework === 'doomed');
      return offers.filter(isOutstanding).length === 0 && tasks.every((t) => t.status?.state === 'TASK_KILLED');
    });
  });

  it('keeps history bounded: old answered offers and surplus completed tasks are deleted', async () => {
    await createFramework(ns.name, 'history');
    const names = ['h1', 'h2', 'h3', 'h4'];
    const offer = await waitOffer(ns.name, 'history');
    await accept(
      ns.name,
      offer,
      names.map((n) => task(n, { cpu: '500m', memory: '256Mi' }, finishes('0', '200ms'))),
    );
    const left = await eventually(
      'only 2 completed tasks kept',
      async () => {
        const tasks = (await list<TaskObject>('Task', ns.name)).filter((t) => t.spec.framework === 'history');
        return tasks.length === 2 && tasks.every((t) => t.status?.state === 'TASK_FINISHED') ? tasks : undefined;
      },
      20_000,
    );
    expect(left.every((t) => names.includes(t.metadata.name))).toBe(true);
    await eventually(
      'pods of deleted tasks gone',
      async () => (await pods(ns.name)).filter((p) => p.metadata?.labels?.['agora.dev/framework'] === 'history').length === 2,
    );
    await eventually(
      'the answered offer deleted after its retention',
      async () => (await get('Offer', ns.name, offer.metadata.name).catch(() => undefined)) === undefined,
      15_000,
    );
    await removeFramework('history');
  });

  it('serves metrics, health and readiness', async () => {
    const base = `http://127.0.0.1:${controller.handle.metricsPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/agora_allocation_cycle_duration_seconds_count \d+/);
    expect(metrics).toMatch(/agora_offers_total\{result="accepted"\} \d+/);
    expect(metrics).toMatch(/agora_offers_total\{result="declined"\} \d+/);
    expect(metrics).toMatch(/agora_offers_total\{result="expired"\} \d+/);
    expect(metrics).toMatch(/agora_tasks\{state="TASK_RUNNING"\}/);
    expect(metrics).toMatch(/agora_offers_outstanding \d+/);
    const health = `http://127.0.0.1:${controller.handle.healthPort}`;
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    await sleep(0);
  });
});
