import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import { copiesThatFit, coverage, newDemandState } from './demand.ts';
import type { Demand, FrameworkInfo, NodeInfo } from './types.ts';

const GiB = 2 ** 30;

function node(name: string, cores: number, gib: number, pods?: number): NodeInfo {
  return { name, allocatable: { cpu: cores * 1000, memory: gib * GiB, ...(pods === undefined ? {} : { pods }) } };
}

const small: Demand['resources'] = { cpu: 500, memory: 1 * GiB };

function allocator(nodes: NodeInfo[], frameworks: FrameworkInfo[]): Allocator {
  const a = new Allocator({ offerId: (f, n, seq) => `${f}@${n}#${seq}` });
  for (const n of nodes) a.upsertNode(n);
  for (const f of frameworks) a.upsertFramework(f);
  return a;
}

const nodes = (count: number, cores = 16, gib = 64, pods?: number) =>
  Array.from({ length: count }, (_, i) => node(`n${String(i).padStart(3, '0')}`, cores, gib, pods));

describe('copiesThatFit', () => {
  it.each([
    { name: 'limited by cpu', space: [4000, 64 * GiB], shape: [500, GiB], slots: [], total: [1, 1], want: 8 },
    { name: 'limited by memory', space: [16000, 3 * GiB], shape: [500, GiB], slots: [], total: [1, 1], want: 3 },
    { name: 'nothing fits', space: [400, 64 * GiB], shape: [500, GiB], slots: [], total: [1, 1], want: 0 },
    // index 2 is pods: the node has 110, the space 5 free slots
    { name: 'a task slot each', space: [16000, 64 * GiB, 5], shape: [500, GiB], slots: [2], total: [1, 1, 110], want: 5 },
    { name: 'a node without the slot resource', space: [16000, 64 * GiB, 0], shape: [500, GiB], slots: [2], total: [1, 1, 0], want: 32 },
  ])('$name', ({ space, shape, slots, total, want }) => {
    expect(copiesThatFit(Float64Array.from(space), Float64Array.from(shape), slots, Float64Array.from(total))).toBe(want);
  });
});

describe('coverage', () => {
  it('fills shapes in order, each from what the previous left, at most perOffer of each', () => {
    const d = newDemandState([
      { vec: Float64Array.from([2000, 0]), count: 3, perOffer: Infinity },
      { vec: Float64Array.from([1000, 0]), count: 10, perOffer: 4 },
    ]);
    // 9 cores: 3 of the first (6 cores), then 3 of the second (3 cores left; perOffer 4 not reached)
    expect(coverage(Float64Array.from([9000, 0]), d, [], Float64Array.from([1, 1]))).toEqual([3, 3]);
    // 16 cores: 3 of the first, then 4 of the second (perOffer)
    expect(coverage(Float64Array.from([16000, 0]), d, [], Float64Array.from([1, 1]))).toEqual([3, 4]);
  });
});

describe('demand-driven offers', () => {
  it('a framework is offered only as many nodes as its demand can use', () => {
    // 400 tasks of 500m/1Gi, at most 8 per offer: 50 offers cover them, of 1,000 nodes
    const a = allocator(nodes(1000), [{ name: 'f', demand: [{ resources: small, count: 400, perOffer: 8 }] }]);
    const r = a.allocate(0);
    expect(r.offers).toHaveLength(50);
    expect(a.allocate(1).offers).toHaveLength(0);
  });

  it('no demand published: every node (Mesos push model); an empty demand: nothing', () => {
    const a = allocator(nodes(20), [{ name: 'push' }, { name: 'idle', demand: [] }]);
    const r = a.allocate(0, { explain: true });
    expect(r.offers.map((o) => o.framework)).toEqual(Array(20).fill('push'));
    expect(new Set((r.refusals ?? []).filter((x) => x.framework === 'idle').map((x) => x.reason))).toEqual(new Set(['NoDemand']));
  });

  it('an answered offer makes room for the next one; a demand that shrinks stops the offers', () => {
    const a = allocator(nodes(10), [{ name: 'f', demand: [{ resources: small, count: 16, perOffer: 8 }] }]);
    const first = a.allocate(0);
    expect(first.offers).toHaveLength(2);
    // The framework launches 8 from the first offer; its demand drops to 8 (the second covers it).
    a.accept(first.offers[0]!.offerId, 1, { cpu: 4000, memory: 8 * GiB });
    a.upsertFramework({ name: 'f', demand: [{ resources: small, count: 8, perOffer: 8 }] });
    expect(a.allocate(2).offers).toHaveLength(0);
    // It declines the second without launching: its 8 are uncovered again and go to another node.
    a.decline(first.offers[1]!.offerId, 3, 60);
    const again = a.allocate(4);
    expect(again.offers).toHaveLength(1);
    expect(again.offers[0]!.node).not.toBe(first.offers[1]!.node);
  });

  it('DRF order is kept: frameworks whose demand is met step aside for the next', () => {
    const a = allocator(nodes(6), [
      { name: 'a', demand: [{ resources: small, count: 8, perOffer: 8 }] },
      { name: 'b', demand: [{ resources: small, count: 16, perOffer: 8 }] },
      { name: 'c' },
    ]);
    const r = a.allocate(0, { explain: true });
    const byFramework = (f: string) => r.offers.filter((o) => o.framework === f).length;
    expect([byFramework('a'), byFramework('b'), byFramework('c')]).toEqual([1, 2, 3]);
    expect((r.refusals ?? []).some((x) => x.framework === 'a' && x.reason === 'DemandMet')).toBe(true);
  });

  it('a node where no wanted task fits is not offered to the framework (DemandUnfit)', () => {
    const a = allocator(
      [node('small', 2, 4), node('big', 16, 64)],
      [{ name: 'f', demand: [{ resources: { cpu: 4000, memory: GiB }, count: 1 }] }],
    );
    const r = a.allocate(0, { explain: true });
    expect(r.offers.map((o) => o.node)).toEqual(['big']);
    expect(r.refusals?.find((x) => x.node === 'small')?.reason).toBe('DemandUnfit');
  });

  it('pod slots bound what an offer covers', () => {
    // 3 free pod slots per node: 3 tasks an offer, so 10 tasks need 4 nodes
    const a = allocator(nodes(10, 16, 64, 3), [{ name: 'f', demand: [{ resources: small, count: 10 }] }]);
    expect(a.allocate(0).offers).toHaveLength(4);
  });

  it('restored offers count toward the demand they cover', () => {
    const a = allocator(nodes(4), [{ name: 'f', demand: [{ resources: small, count: 8, perOffer: 8 }] }]);
    a.upsertOffer({ id: 'old', framework: 'f', node: 'n000', resources: { cpu: 16000, memory: 64 * GiB }, createdAt: 0 });
    expect(a.allocate(1).offers).toHaveLength(0);
    a.removeOffer('old');
    expect(a.allocate(2).offers).toHaveLength(1);
  });
});
