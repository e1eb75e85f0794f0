// ControllerHandle.explain: why a framework gets no offer now, from the running controller's
// allocator, without making an offer or writing anything.
import { describe, expect, it } from 'vitest';
import type { OfferObject } from '../../../src/api/objects.ts';
import { eventually, useNamespace } from '../support/kube.ts';
import { createFramework, list, patch, useController, usePool, waitOffer } from './support.ts';

const ns = useNamespace('ctl-explain');
const pool = usePool('explain', [{ cpu: '4', memory: '8Gi' }]);
const controller = useController(ns, pool, { offerTimeoutMs: 60_000 });

describe('explain', () => {
  it('says a declined node is Refused and a suppressed framework Suppressed, and changes nothing', async () => {
    const node = pool.node(0);
    await createFramework(ns.name, 'quiet', { suppressed: true });
    await createFramework(ns.name, 'decliner');
    const offer = await waitOffer(ns.name, 'decliner', node);
    await patch('Offer', ns.name, offer.metadata.name, { spec: { decline: { refuseSeconds: 600 } } });

    const why = await eventually('the decline applied', async () => {
      const e = controller.handle.explain(`${ns.name}/decliner`);
      return e?.refusals.some((r) => r.framework === `${ns.name}/decliner` && r.reason === 'Refused') ? e : undefined;
    });
    expect(why.refusals).toContainEqual(expect.objectContaining({ node, framework: `${ns.name}/decliner`, reason: 'Refused' }));
    expect(why.offers).toEqual([]);
    const quiet = controller.handle.explain(`${ns.name}/quiet`)!;
    expect(quiet.refusals).toContainEqual(expect.objectContaining({ node, framework: `${ns.name}/quiet`, reason: 'Suppressed' }));
    expect(quiet.refusals.every((r) => r.framework === undefined || r.framework === `${ns.name}/quiet`)).toBe(true);

    // Asking made no offer: the only Offer is the declined one, and asking again says the same.
    const offers = await list<OfferObject>('Offer', ns.name);
    expect(offers.map((o) => o.metadata.name)).toEqual([offer.metadata.name]);
    expect(controller.handle.explain(`${ns.name}/decliner`)).toEqual(controller.handle.explain(`${ns.name}/decliner`));
  });

  it("a framework's own minimum offer (spec.offerFilters) keeps a smaller node from it, and says so, until lowered", async () => {
    const node = pool.node(0);
    // The node has 4 CPUs: picky wants offers of at least 5.
    await createFramework(ns.name, 'picky', { offerFilters: [{ role: 'default', minAllocatableResources: [{ cpu: '5' }] }] });
    const why = await eventually('picky refused for its minimum', async () => {
      const e = controller.handle.explain(`${ns.name}/picky`);
      return e?.refusals.some((r) => r.framework === `${ns.name}/picky` && r.reason === 'BelowFrameworkMinimum') ? e : undefined;
    });
    expect(why.refusals).toContainEqual({
      node,
      framework: `${ns.name}/picky`,
      role: 'default',
      reason: 'BelowFrameworkMinimum',
      resource: 'cpu',
    });
    expect((await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.framework === 'picky')).toEqual([]);
    // Lowered to 3 CPUs (or 1Gi memory): the node is offered.
    await patch('Framework', ns.name, 'picky', {
      spec: { offerFilters: [{ role: 'default', minAllocatableResources: [{ cpu: '3' }, { memory: '1Gi' }] }] },
    });
    const offer = await waitOffer(ns.name, 'picky', node);
    expect(offer.spec.resources).toMatchObject({ cpu: '4' });
  });
});
