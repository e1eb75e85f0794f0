// Dynamic reservations under a real controller (Mesos's RESERVE / UNRESERVE through an accept):
// a framework reserves part of its offer and launches into it in the same accept; the
// Reservation object outlives a controller restart; the reserved part is offered to its role
// alone (marked Dynamic in the offer), and an UNRESERVE gives it back to everyone.
import { afterAll, describe, expect, it } from 'vitest';
import { GROUP, VERSION } from '../../../src/api/index.ts';
import type { OfferObject, ReservationObject } from '../../../src/api/objects.ts';
import { reservationName } from '../../../src/api/reservations.ts';
import { startController, type ControllerHandle } from '../../../src/controller/manager.ts';
import { custom, eventually, useNamespace } from '../support/kube.ts';
import { createFramework, get, patch, scopedOptions, task, usePool, waitOffer, waitTask } from './support.ts';

const ns = useNamespace('ctl-reserve');
// One node: every offer is the whole node's remainder, one at a time.
const pool = usePool('reserve', [{ cpu: '4', memory: '8Gi' }]);
const node = pool.node(0);
const db = `${pool.id}-db`;
const web = `${pool.id}-web`;

const reservation = () =>
  custom()
    .getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'reservations', name: reservationName(db, node) })
    .then((r) => r as ReservationObject)
    .catch(() => undefined);

async function answer(offer: OfferObject, body: object): Promise<void> {
  await patch('Offer', ns.name, offer.metadata.name, { spec: body });
}

/** The next offer to `framework` after declining, with refuseSeconds 0, every other one it gets. */
async function nextOffer(framework: string, pred: (o: OfferObject) => boolean): Promise<OfferObject> {
  return eventually(
    `an offer to ${framework} as expected`,
    async () => {
      const o = await waitOffer(ns.name, framework, node);
      if (pred(o)) return o;
      await answer(o, { decline: { refuseSeconds: 0 } }).catch(() => undefined);
      return undefined;
    },
    30_000,
  );
}

describe('dynamic reservations', () => {
  let controller: ControllerHandle | undefined;
  afterAll(async () => {
    await controller?.stop();
    await custom()
      .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'reservations', name: reservationName(db, node) })
      .catch(() => undefined);
  });

  it('reserve and launch in one accept; the reservation survives a restart, goes to its role alone, and unreserve returns it', async () => {
    controller = await startController(scopedOptions(ns.name, pool));
    await controller.leading();
    await createFramework(ns.name, 'db', { role: db });
    const first = await waitOffer(ns.name, 'db', node);
    expect(first.spec.reserved).toBeUndefined();

    // RESERVE 2 CPUs and launch a task on 1 of them, in one accept.
    await answer(first, { accept: { reserve: [{ resources: { cpu: '2' } }], tasks: [task('t1', { cpu: '1', memory: '1Gi' })] } });
    const r = await eventually('the Reservation', reservation);
    expect(r.spec).toEqual({ role: db, nodeName: node, resources: { cpu: '2' } });
    expect(r.metadata.ownerReferences).toMatchObject([{ kind: 'Node', name: node }]);
    await waitTask(ns.name, 't1', (t) => t.status?.state !== undefined, 'has a state');
    const accepted = await eventually('the accept recorded', async () => {
      const o = await get<OfferObject>('Offer', ns.name, first.metadata.name);
      return o.status?.phase === 'Accepted' ? o : undefined;
    });
    expect(accepted.status?.message).toMatch(new RegExp(`^reserved cpu 2 for role ${db}; 1 task\\(s\\) launched`));

    // db's next offer carries its idle reserved CPU, marked.
    const again = await waitOffer(ns.name, 'db', node);
    expect(again.spec.reserved).toEqual([{ role: db, type: 'Dynamic', resources: { cpu: '1' } }]);
    expect(again.spec.resources.cpu).toBe('3');

    // Another role is offered the unreserved rest only: 4 − 1 (t1) − 1 (db's idle reservation).
    await patch('Framework', ns.name, 'db', { spec: { suppressed: true } });
    await answer(again, { decline: { refuseSeconds: 0 } });
    await createFramework(ns.name, 'web', { role: web });
    let offer = await waitOffer(ns.name, 'web', node);
    expect([offer.spec.resources.cpu, offer.spec.reserved]).toEqual(['2', undefined]);
    await answer(offer, { decline: { refuseSeconds: 0 } });

    // A restart rebuilds everything from the API: the reservation is still db's alone.
    await controller.stop();
    controller = await startController(scopedOptions(ns.name, pool, { uiAddr: '127.0.0.1:0' }));
    await controller.leading();
    expect((await reservation())?.spec.resources).toEqual({ cpu: '2' });
    // The console's Roles and Nodes views show it.
    const ui = `http://127.0.0.1:${controller.uiPort}/api/v1`;
    const roles = (await (await fetch(`${ui}/roles`)).json()) as { items: { name: string; reserved: string }[] };
    expect(roles.items.find((r) => r.name === db)?.reserved).toMatch(/^cpu 2\b/);
    const nodes = (await (await fetch(`${ui}/nodes?q=${node}`)).json()) as { rows: { name: string; reservations: string[] }[] };
    expect(nodes.rows.find((n) => n.name === node)?.reservations).toEqual([
      expect.stringMatching(new RegExp(`^${db} \\(dynamic\\): cpu 2`)),
    ]);
    offer = await waitOffer(ns.name, 'web', node);
    expect([offer.spec.resources.cpu, offer.spec.reserved]).toEqual(['2', undefined]);

    // UNRESERVE the idle CPU from db's next offer (no task launched): everyone may have it again.
    await patch('Framework', ns.name, 'web', { spec: { suppressed: true } });
    await answer(offer, { decline: { refuseSeconds: 0 } });
    await patch('Framework', ns.name, 'db', { spec: { suppressed: false } });
    const withReserved = await nextOffer('db', (o) => o.spec.reserved !== undefined);
    await answer(withReserved, { accept: { unreserve: [{ resources: { cpu: '1' } }], tasks: [] } });
    await eventually('the Reservation shrunk to what t1 uses', async () => (await reservation())?.spec.resources.cpu === '1');
    await patch('Framework', ns.name, 'db', { spec: { suppressed: true } });
    await patch('Framework', ns.name, 'web', { spec: { suppressed: false } });
    offer = await nextOffer('web', (o) => o.spec.resources.cpu === '3');
    expect(offer.spec.reserved).toBeUndefined();
  });
});
