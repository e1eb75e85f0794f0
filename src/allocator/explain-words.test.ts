// whyNoOffers: the allocator's refusals for one framework, in words with the numbers.
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import { whyNoOffers } from './explain-words.ts';
import type { NodeInfo } from './types.ts';

const GiB = 2 ** 30;
const node = (name: string, extra: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  allocatable: { cpu: 8000, memory: 32 * GiB, pods: 110 },
  ...extra,
});

describe('whyNoOffers', () => {
  it.each([
    {
      name: 'constraints that match no node name the label',
      setup: (a: Allocator) => a.upsertFramework({ name: 'ns/fw', constraints: { matchLabels: { disk: 'ssd' } } }),
      wantReason: 'Constraint',
      wantText: 'its offer constraints match none of 2 nodes (n1, n2) (label disk)',
    },
    {
      name: 'a suppressed framework',
      setup: (a: Allocator) => a.upsertFramework({ name: 'ns/fw', suppressed: true }),
      wantReason: 'Suppressed',
      wantText: 'it is suppressed',
    },
    {
      name: 'a role at its limit, with the numbers',
      setup: (a: Allocator) => {
        a.upsertRole({ name: 'capped', limit: { cpu: 1000 } });
        a.upsertFramework({ name: 'ns/fw', role: 'capped' });
        a.setAllocation('ns/fw', 'n1', { cpu: 1000, pods: 1 });
      },
      wantReason: 'RoleLimit',
      wantText: 'role capped is at its limit for cpu: 1 of 1 used',
    },
    {
      name: 'an empty demand',
      setup: (a: Allocator) => a.upsertFramework({ name: 'ns/fw', demand: [] }),
      wantReason: 'NoDemand',
      wantText: 'its published demand is empty',
    },
  ])('$name', ({ setup, wantReason, wantText }) => {
    const a = new Allocator();
    a.upsertNode(node('n1', { labels: { disk: 'hdd' } }));
    a.upsertNode(node('n2'));
    setup(a);
    const why = whyNoOffers(a.explain(0, 'ns/fw'), 'ns/fw');
    expect(why.offered).toBe(false);
    expect(why.reason).toBe(wantReason);
    expect(why.message).toContain(wantText);
  });

  it('says when declined nodes come back, as an instant (the message does not change with time)', () => {
    const a = new Allocator();
    a.upsertNode(node('n1'));
    a.upsertFramework({ name: 'ns/fw' });
    for (const o of a.allocate(0).offers) a.decline(o.offerId, 0, 60);
    const at1 = whyNoOffers(a.explain(1000, 'ns/fw'), 'ns/fw');
    const at2 = whyNoOffers(a.explain(2000, 'ns/fw'), 'ns/fw');
    expect(at1.reason).toBe('Refused');
    expect(at1.message).toContain('it declined 1 node (n1): refused until 1970-01-01T00:01:00Z');
    expect(at2.message).toBe(at1.message);
  });

  it('names the frameworks ahead in DRF order when the nodes go to them', () => {
    const a = new Allocator();
    a.upsertNode(node('n1'));
    a.upsertFramework({ name: 'ns/big' });
    a.upsertFramework({ name: 'ns/small' });
    a.setAllocation('ns/big', 'n1', { cpu: 4000, pods: 1 });
    const why = whyNoOffers(a.explain(0, 'ns/big'), 'ns/big');
    expect(why).toMatchObject({ offered: false, reason: 'OfferedToOthers' });
    expect(why.message).toContain('1 node (n1) go first to ns/small');
    expect(whyNoOffers(a.explain(0, 'ns/small'), 'ns/small')).toMatchObject({ offered: true, reason: 'Offered' });
  });

  it('counts nodes per reason and lists a few', () => {
    const a = new Allocator();
    for (let i = 0; i < 5; i++) a.upsertNode(node(`n${i}`, { ready: false }));
    a.upsertFramework({ name: 'ns/fw' });
    const why = whyNoOffers(a.explain(0, 'ns/fw'), 'ns/fw');
    expect(why.details).toEqual([
      { reason: 'NodeNotReady', nodes: 5, examples: ['n0', 'n1', 'n2'], text: '5 nodes (n0, n1, n2, … 2 more) are not Ready' },
    ]);
  });

  it('with no node at all says so', () => {
    const a = new Allocator();
    a.upsertFramework({ name: 'ns/fw' });
    expect(whyNoOffers(a.explain(0, 'ns/fw'), 'ns/fw')).toEqual({
      offered: false,
      reason: 'NoNodes',
      message: 'there is no node to offer',
      details: [],
    });
  });
});

describe('whyNoOffers ordering', () => {
  it('puts the nodes it could use first: nodes outside its constraints come last', () => {
    const a = new Allocator();
    for (const n of ['a', 'b', 'c']) a.upsertNode(node(n, { labels: { pool: 'other' } }));
    a.upsertNode(node('mine', { labels: { pool: 'mine' } }));
    a.upsertFramework({ name: 'ns/fw', constraints: { matchLabels: { pool: 'mine' } } });
    for (const o of a.allocate(0).offers) a.decline(o.offerId, 0, 60);
    const why = whyNoOffers(a.explain(1000, 'ns/fw'), 'ns/fw');
    expect(why.reason).toBe('Refused');
    expect(why.details.map((d) => [d.reason, d.nodes])).toEqual([
      ['Refused', 1],
      ['Constraint', 3],
    ]);
  });
});

describe('whyNoOffers and constraints', () => {
  it('says Constraint when no node matches, even while the nodes are busy with offers to others or not ready', () => {
    const a = new Allocator();
    a.upsertNode(node('busy'));
    a.upsertNode(node('down', { ready: false }));
    a.upsertFramework({ name: 'ns/other' });
    a.allocate(0); // an outstanding offer on busy, to ns/other
    a.upsertFramework({ name: 'ns/picky', constraints: { matchLabels: { disk: 'ssd' } } });
    const why = whyNoOffers(a.explain(1000, 'ns/picky'), 'ns/picky');
    expect(why.reason).toBe('Constraint');
    expect(why.details.map((d) => d.reason)).toEqual(['Constraint']);
    expect(why.message).toBe('no offer now: its offer constraints match none of 2 nodes (busy, down) (label disk)');
  });
});

describe('whyNoOffers for a framework with demand', () => {
  it('says Constraint, not that its tasks do not fit, on nodes outside its constraints', () => {
    const a = new Allocator();
    a.upsertNode(node('small', { allocatable: { cpu: 1000, memory: GiB, pods: 110 } }));
    a.upsertFramework({ name: 'ns/fw', constraints: { matchLabels: { disk: 'ssd' } }, demand: [{ resources: { cpu: 4000 }, count: 1 }] });
    expect(whyNoOffers(a.explain(0, 'ns/fw'), 'ns/fw').reason).toBe('Constraint');
  });
});
