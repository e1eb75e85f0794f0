// Allocator.explain: why a framework gets no offer now, without touching the allocator.
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import type { NodeInfo } from './types.ts';

const GiB = 2 ** 30;
const node = (name: string, extra: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  allocatable: { cpu: 8000, memory: 32 * GiB, pods: 110 },
  ...extra,
});

/** Three nodes, three frameworks: one declined n1 (filtered), one is suppressed, one needs ssd. */
function cluster(): Allocator {
  const a = new Allocator({ offerTimeoutMs: 30_000 });
  a.upsertRole({ name: 'capped', limit: { cpu: 1000 } });
  a.upsertNode(node('n1'));
  a.upsertNode(node('n2', { labels: { disk: 'hdd' } }));
  a.upsertNode(node('n3', { ready: false }));
  a.upsertFramework({ name: 'ns/decliner' });
  a.upsertFramework({ name: 'ns/quiet', suppressed: true });
  a.upsertFramework({ name: 'ns/picky', constraints: { matchLabels: { disk: 'ssd' } } });
  a.upsertFramework({ name: 'ns/capped', role: 'capped' });
  a.setAllocation('ns/capped', 'n2', { cpu: 1000, pods: 1 });
  return a;
}

describe('Allocator.explain', () => {
  it('gives the reasons per node, and the offers a cycle would make, for one framework or all', () => {
    const a = cluster();
    const first = a.allocate(0);
    // n1 and n2 go out; decline them all for a minute: the next cycle has nothing to offer.
    for (const o of first.offers) a.decline(o.offerId, 0, 60);
    const why = a.explain(1000, 'ns/picky');
    expect(why.offers).toEqual([]);
    expect(why.refusals).toContainEqual({ node: 'n3', reason: 'NodeNotReady' });
    expect(why.refusals).toContainEqual(
      expect.objectContaining({ node: 'n1', framework: 'ns/picky', reason: 'Constraint', label: 'disk' }),
    );
    expect(why.refusals.every((r) => r.framework === undefined || r.framework === 'ns/picky')).toBe(true);

    const quiet = a.explain(1000, 'ns/quiet').refusals.filter((r) => r.framework === 'ns/quiet');
    expect(quiet.map((r) => r.reason)).toEqual(['Suppressed', 'Suppressed']);
    const capped = a.explain(1000, 'ns/capped').refusals.filter((r) => r.framework === 'ns/capped');
    expect(capped.map((r) => [r.node, r.reason, r.resource])).toEqual([
      ['n1', 'RoleLimit', 'cpu'],
      ['n2', 'RoleLimit', 'cpu'],
    ]);
    const all = a.explain(1000);
    expect(new Set(all.refusals.map((r) => r.framework))).toEqual(new Set([undefined, 'ns/decliner', 'ns/quiet', 'ns/picky', 'ns/capped']));
    const refused = all.refusals.find((r) => r.framework === 'ns/decliner' && r.node === first.offers[0]!.node);
    expect(refused).toMatchObject({ reason: 'Refused', until: 60_000 });
  });

  it('names the offer a cycle would make now, to whichever framework is first', () => {
    const a = cluster();
    expect(a.explain(0).offers.map((o) => `${o.node}->${o.framework}`)).toEqual(
      a.allocate(0).offers.map((o) => `${o.node}->${o.framework}`),
    );
  });

  it('leaves the allocator as it was: same state, and the same decisions afterwards as one never asked', () => {
    const asked = cluster();
    const never = cluster();
    for (const a of [asked, never]) for (const o of a.allocate(0).offers) a.decline(o.offerId, 0, 2);
    const before = asked.snapshot();
    asked.explain(1000);
    asked.explain(5000, 'ns/decliner');
    expect(asked.snapshot()).toEqual(before);
    // The filters expire at 2 s: both allocators offer the same nodes to the same frameworks.
    const got = asked.allocate(3000);
    const want = never.allocate(3000);
    expect(got.offers.map((o) => [o.node, o.framework, o.resources])).toEqual(want.offers.map((o) => [o.node, o.framework, o.resources]));
    expect(got.offers.length).toBeGreaterThan(0);
  });

  it('snapshot() round-trips: Allocator.from(snapshot) decides as the original does', () => {
    const a = cluster();
    a.upsertFramework({ name: 'ns/wants', demand: [{ resources: { cpu: 1000, memory: GiB }, count: 3, perOffer: 2 }] });
    a.allocate(0); // outstanding offers on n1 and n2, covering some of ns/wants's demand
    a.suppress('ns/decliner');
    const copy = Allocator.from(a.snapshot(), { offerTimeoutMs: 30_000 });
    expect(copy.snapshot()).toEqual(a.snapshot());
    expect(copy.frameworkStatus('ns/wants')).toEqual(a.frameworkStatus('ns/wants'));
    expect(
      copy
        .allocate(40_000)
        .rescinds.map((r) => r.offerId)
        .sort(),
    ).toEqual(
      a
        .allocate(40_000)
        .rescinds.map((r) => r.offerId)
        .sort(),
    );
  });

  it('carries revocation nominations: a nominated node is explained as Nominated to the others', () => {
    const a = new Allocator();
    a.upsertNode(node('n1'));
    a.upsertFramework({ name: 'ns/a' });
    a.upsertFramework({ name: 'ns/b' });
    a.nominate('n1', 'ns/b', 60_000);
    expect(a.snapshot().nominations).toEqual([{ node: 'n1', framework: 'ns/b', until: 60_000, cleared: false }]);
    const why = a.explain(0, 'ns/a');
    expect(why.offers.map((o) => o.framework)).toEqual(['ns/b']);
    expect(why.refusals).toContainEqual(expect.objectContaining({ node: 'n1', framework: 'ns/a', reason: 'Nominated' }));
    expect(a.snapshot().nominations).toEqual([{ node: 'n1', framework: 'ns/b', until: 60_000, cleared: false }]);
  });
});
