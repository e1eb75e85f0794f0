// Maintenance against a real controller: a window scheduled on node a sends an InverseOffer to
// each framework with tasks there — the built-in one accepts and moves its tasks to node b, an
// SDK framework gets the 'inverseOffer' event and declines (its task stays). While the window is
// in force nothing is offered on node a; after it, offers there resume. `agora status` and the
// console (its API and its Offers page, in a real browser) list the inverse offers and their answers.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchBrowser } from '../../scripts/browser.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import type { IInverseOffer, IOffer } from '../../src/api/index.ts';
import { fetchStatus } from '../../src/cli/status.ts';
import { SchedulerDriver, type InverseOfferObject } from '../../src/sdk/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { listTasks, POOL_LABEL, useController } from './examples-support.ts';

const ns = useNamespace('maint');
const pool = useController(ns, 'mnt', { uiAddr: '127.0.0.1:0' });
const maintenanceName = `${ns.name}-disk`;

async function list<T>(plural: string): Promise<T[]> {
  return ((await custom().listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural })) as { items: T[] })
    .items;
}

const running = async (framework: string) =>
  (await listTasks(ns.name)).filter((t) => t.spec.framework === framework && t.status?.state === 'TASK_RUNNING');

afterAll(async () => {
  await custom()
    .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.Maintenance, name: maintenanceName })
    .catch(() => undefined);
});

describe('maintenance windows and inverse offers', () => {
  it('asks for the node back, moves built-in tasks, offers nothing there during the window, then resumes', async () => {
    const a = await pool.addNode({ name: 'a', cpu: '4', memory: '8Gi' });
    const selector = { matchLabels: { [POOL_LABEL]: pool.id } };
    await custom().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: PLURAL.Framework,
      body: {
        apiVersion: API_VERSION,
        kind: 'Framework',
        metadata: { name: 'web' },
        spec: {
          offerConstraints: { nodeSelector: selector },
          builtin: {
            tasks: 2,
            template: { resources: { cpu: '1', memory: '256Mi' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
      },
    });
    // An SDK framework with one task on node a, that declines inverse offers.
    const ext = await SchedulerDriver.start({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'ext',
      spec: { offerConstraints: { nodeSelector: selector } },
      heartbeatSeconds: 0,
    });
    const asked: InverseOfferObject[] = [];
    ext.on('inverseOffer', (io) => {
      asked.push(io);
      void ext.answerInverseOffer(io, 'Decline', 'a database replica: we stay');
    });
    let launched = false;
    const loop = (async () => {
      for await (const offer of ext.offers()) {
        if (!launched && offer.spec.nodeName === a) {
          launched = true;
          await ext.accept(offer, [
            { name: 'db-0', resources: { cpu: '1', memory: '256Mi' }, containers: [{ name: 'db', image: 'registry.k8s.io/pause:3.10' }] },
          ]);
        } else await ext.decline(offer, { refuseSeconds: 1 });
      }
    })();
    try {
      await eventually(
        '2 web tasks and db-0 running on a',
        async () => (await running('web')).length === 2 && (await running('ext')).length === 1,
        60_000,
      );
      const b = await pool.addNode({ name: 'b', cpu: '4', memory: '8Gi' });

      const start = Date.now() + 12_000;
      const durationSeconds = 10;
      await custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL.Maintenance,
        body: {
          apiVersion: API_VERSION,
          kind: 'Maintenance',
          metadata: { name: maintenanceName },
          spec: { nodes: [a], start: new Date(start).toISOString(), durationSeconds, reason: 'disk swap' },
        },
      });

      // Before the window: both frameworks are asked; web accepts and moves to b; ext declines.
      const ios = await eventually(
        'inverse offers answered',
        async () => {
          const l = await list<IInverseOffer>(PLURAL.InverseOffer);
          return l.length === 2 && l.every((io) => io.spec.answer !== undefined) ? l : undefined;
        },
        30_000,
      );
      expect(ios.map((io) => [io.spec.framework, io.spec.nodeName, io.spec.answer, io.spec.tasks?.length]).sort()).toEqual([
        ['ext', a, 'Decline', 1],
        ['web', a, 'Accept', 2],
      ]);
      expect(asked.map((io) => io.spec.maintenance)).toEqual([maintenanceName]);
      await eventually(
        'web moved to b',
        async () => {
          const web = await running('web');
          return web.length === 2 && web.every((t) => t.spec.nodeName === b);
        },
        30_000,
      );
      expect(Date.now()).toBeLessThan(start);
      const moved = (await listTasks(ns.name)).filter((t) => t.spec.framework === 'web' && t.status?.state === 'TASK_KILLED');
      expect(moved.map((t) => t.metadata?.annotations?.['agora.dev/moved-off'])).toEqual([a, a]);

      const status = await fetchStatus(kubeConfig(), { namespace: ns.name });
      expect(status.inverseOffers.map((r) => [r.framework, r.phase]).sort()).toEqual([
        ['ext', 'Declined'],
        ['web', 'Accepted'],
      ]);
      // The console lists them too, with their answers: its API and its Offers page.
      const ui = `http://127.0.0.1:${pool.controller().uiPort}`;
      const body = (await (await fetch(`${ui}/api/v1/offers`)).json()) as {
        inverseOffers: { framework: string; node: string; maintenance: string; phase: string; tasks: number; message?: string }[];
      };
      expect(body.inverseOffers.map((r) => [r.framework, r.node, r.maintenance, r.phase, r.tasks]).sort()).toEqual([
        ['ext', a, maintenanceName, 'Declined', 1],
        ['web', a, maintenanceName, 'Accepted', 2],
      ]);
      expect(body.inverseOffers.find((r) => r.framework === 'ext')?.message).toBe('a database replica: we stay');
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(`${ui}/#/offers`);
        const rows = page.locator('[data-testid=inverse-offers] tr[data-inverse-offer]');
        await eventually('2 inverse offers on the Offers page', async () => (await rows.count()) === 2, 15_000);
        const shown = await rows.evaluateAll((trs) => trs.map((tr) => `${tr.children[1]?.textContent} ${tr.getAttribute('data-phase')}`));
        expect(shown.sort()).toEqual(['ext Declined', 'web Accepted']);
        await page.screenshot({ path: join(ARTIFACTS, 'inverse-offers.png') });
      } finally {
        await browser.close();
      }

      // During the window: no offer on a; the declining framework's task is not killed.
      await new Promise((r) => setTimeout(r, Math.max(0, start - Date.now()) + 1_000));
      const offersOnA = async (from: number, to: number) =>
        (await list<IOffer>(PLURAL.Offer)).filter((o) => {
          const created = new Date(o.metadata?.creationTimestamp ?? 0).getTime();
          return o.spec.nodeName === a && created >= from && created < to;
        });
      const end = start + durationSeconds * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now() - 1_000)));
      expect(await offersOnA(start + 1_000, end)).toEqual([]);
      expect((await running('ext')).map((t) => t.spec.nodeName)).toEqual([a]);

      // After it: ext is offered node a again.
      await eventually('an offer on a after the window', async () => (await offersOnA(end, Date.now() + 60_000)).length > 0, 30_000);
    } finally {
      await ext.teardown();
      await loop;
    }
  }, 180_000);
});
