// A bounded fuzz of malformed accepts straight at the controller (no webhooks: independently of
// admission, one bad accept must never hold a node — issue #13). Each round accepts an offer with
// tasks whose containers carry fields of the wrong JSON type, deep nesting, huge strings or bad
// metadata, generated from a fixed seed. Afterwards: every such offer ended, every task either
// got its Pod or ended (TASK_ERROR), the controller is healthy, nothing is held, no invariant is
// broken, and a normal accept on the same node runs.
import { describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { TERMINAL_TASK_STATES } from '../../../src/api/index.ts';
import { parseResourceList } from '../../../src/api/quantity.ts';
import type { OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { malformedTask, random } from '../support/malformed.ts';
import { createFramework, get, list, patch, task, useController, usePool, violations, waitOffer, waitTask } from './support.ts';

const ns = useNamespace('ctl-fuzz');
const pool = usePool('fuzz', [{ cpu: '4', memory: '8Gi' }]);
const controller = useController(ns, pool, { offerTimeoutMs: 10_000 });

const ROUNDS = 10;

describe('malformed accepts (no admission webhooks)', () => {
  it('never hold a node: offers end, tasks get a Pod or TASK_ERROR, and a normal accept works afterwards', async () => {
    await createFramework(ns.name, 'fuzz');
    const r = random(13);
    const offers: string[] = [];
    const names: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const offer = await waitOffer(ns.name, 'fuzz', pool.node(0), 30_000);
      const tasks = [malformedTask(`fz-${round}-a`, r), ...(r() < 0.5 ? [malformedTask(`fz-${round}-b`, r)] : [])];
      await patch('Offer', ns.name, offer.metadata.name, { spec: { accept: { tasks } } });
      offers.push(offer.metadata.name);
      names.push(...tasks.map((t) => String(t.name)));
      // The next offer for the node comes only once this one is answered and applied.
      await eventually(
        `offer ${offer.metadata.name} to end`,
        async () => {
          const o = await get<OfferObject>('Offer', ns.name, offer.metadata.name).catch(() => undefined);
          return o === undefined || ['Accepted', 'Declined', 'Rescinded', 'Expired'].includes(o.status?.phase ?? 'Outstanding');
        },
        30_000,
      );
    }

    for (const name of names) {
      await waitTask(
        ns.name,
        name,
        (t: TaskObject) => t.status?.podName !== undefined || TERMINAL_TASK_STATES.has(t.status?.state ?? 'TASK_STAGING'),
        'to get a Pod or end (TASK_ERROR, or TASK_LOST when the offer expired first)',
        30_000,
      ).catch(async (err: unknown) => {
        // No Task at all is fine too: a task the API client cannot serialise may fail before one exists.
        const offersNow = await list<OfferObject>('Offer', ns.name);
        const listed = offersNow.some((o) => offers.includes(o.metadata.name) && (o.status?.tasks ?? []).includes(name));
        if (listed) throw err;
      });
    }

    // Healthy.
    const health = await fetch(`http://127.0.0.1:${controller.handle.healthPort}/healthz`);
    expect(health.status).toBe(200);
    // Nothing held, nothing overcommitted.
    const node = await kubeConfig()
      .makeApiClient(CoreV1Api)
      .readNode({ name: pool.node(0) });
    expect(await violations(ns.name, [pool.node(0)], parseResourceList(node.status!.allocatable!))).toEqual([]);
    // The node is offered again, and a normal accept on it runs.
    const offer = await waitOffer(ns.name, 'fuzz', pool.node(0), 30_000);
    await patch('Offer', ns.name, offer.metadata.name, { spec: { accept: { tasks: [task('normal', { cpu: '500m', memory: '256Mi' })] } } });
    await waitTask(ns.name, 'normal', (t) => t.status?.state === 'TASK_RUNNING', 'running', 30_000);
  }, 300_000);
});
