import { describe, expect, it } from 'vitest';
import type { Window } from '../api/maintenance.ts';
import { inverseOfferName, inverseOffersWanted, nextBoundary, nodesInForce, type Holder } from './maintenance-decide.ts';

const w = (name: string, nodes: string[], start: number, end: number): Window => ({ name, nodes, start, end });
const holding = (map: Record<string, Holder[]>) => (node: string) => map[node] ?? [];
const h = (framework: string, ...tasks: string[]): Holder => ({ framework, tasks, resources: { cpu: tasks.length } });

describe('nodesInForce', () => {
  it.each([
    { name: 'before the window', now: 99, want: [] },
    { name: 'at its start', now: 100, want: ['a', 'b'] },
    { name: 'during', now: 150, want: ['a', 'b'] },
    { name: 'at its end: offers resume', now: 200, want: [] },
  ])('$name', ({ now, want }) => {
    expect([...nodesInForce([w('m', ['a', 'b'], 100, 200)], now)].sort()).toEqual(want);
  });
});

describe('nextBoundary', () => {
  it.each([
    { name: 'the first start', now: 0, want: 100 },
    { name: 'an end before a later start', now: 100, want: 150 },
    { name: 'the later start', now: 150, want: 300 },
    { name: 'nothing after the last end', now: 400, want: undefined },
  ])('$name', ({ now, want }) => {
    expect(nextBoundary([w('m1', ['a'], 100, 150), w('m2', ['b'], 300, 400)], now)).toBe(want);
  });
});

describe('inverseOffersWanted', () => {
  // After Mesos's HierarchicalAllocatorTest.MaintenanceInverseOffers: a framework with resources
  // on an agent scheduled for maintenance gets an inverse offer for it; one without gets none;
  // and while it has one for the agent it is not sent another.
  it('asks the frameworks holding tasks on the node, once (MaintenanceInverseOffers)', () => {
    const windows = [w('disk', ['a'], 1_000, 2_000)];
    const holders = holding({ a: [h('ns1/web', 'web-1', 'web-0'), h('ns2/batch', 'b-3')], b: [h('ns1/idle', 'i-0')] });
    const first = inverseOffersWanted(windows, holders, () => false, 0);
    expect(first.map((x) => [x.namespace, x.name, x.node, x.tasks])).toEqual([
      ['ns1', 'web.disk.a', 'a', ['web-0', 'web-1']],
      ['ns2', 'batch.disk.a', 'a', ['b-3']],
    ]);
    const sent = new Set(first.map((x) => `${x.namespace}/${x.name}`));
    expect(inverseOffersWanted(windows, holders, (ns, n) => sent.has(`${ns}/${n}`), 1)).toEqual([]);
  });

  // A framework that places tasks on the node later (before the window is over) is asked too.
  it('asks a framework that arrives on the node later, and no one once the window is over', () => {
    const windows = [w('disk', ['a'], 1_000, 2_000)];
    const exists = (_ns: string, n: string) => n === 'web.disk.a';
    const later = holding({ a: [h('ns1/web', 'web-0'), h('ns1/late', 'late-0')] });
    expect(inverseOffersWanted(windows, later, exists, 1_500).map((x) => x.name)).toEqual(['late.disk.a']);
    expect(inverseOffersWanted(windows, later, () => false, 2_000)).toEqual([]);
  });

  it('asks nothing of a framework whose tasks on the node all ended', () => {
    expect(inverseOffersWanted([w('m', ['a'], 10, 20)], holding({ a: [h('ns/web')] }), () => false, 0)).toEqual([]);
  });
});

describe('inverseOfferName', () => {
  it('joins framework, maintenance and node', () => {
    expect(inverseOfferName('web', 'kernel-upgrade', 'node-1')).toBe('web.kernel-upgrade.node-1');
  });
  it('cuts a name over 253 characters and adds a hash, distinct per input', () => {
    const a = inverseOfferName('f'.repeat(130), 'm'.repeat(130), 'node-a');
    const b = inverseOfferName('f'.repeat(130), 'm'.repeat(130), 'node-b');
    expect(a.length).toBeLessThanOrEqual(253);
    expect(a).toMatch(/^[a-z0-9.-]+-[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });
});
