import { describe, expect, it } from 'vitest';
import { DrfSorter } from './sorter.ts';

/** A sorter over clients whose unweighted shares live in `shares` (by id). */
function sorterWith(shares: number[]): { s: DrfSorter; set: (id: number, share: number) => void; order: () => string[] } {
  const s = new DrfSorter((id) => shares[id]!);
  return {
    s,
    set: (id, share) => {
      shares[id] = share;
      s.markDirty(id);
    },
    order: () => s.entries().map((e) => e.name),
  };
}

describe('DrfSorter', () => {
  it('orders by share, re-placing only what changed', () => {
    const { s, set, order } = sorterWith([0, 0, 0]);
    s.add(0, 'a');
    s.add(1, 'b');
    s.add(2, 'c');
    // a: 0, b: 0, c: 0 — ties by name
    expect(order()).toEqual(['a', 'b', 'c']);
    set(0, 0.5);
    // a: 0.5, b: 0, c: 0
    expect(order()).toEqual(['b', 'c', 'a']);
    set(1, 0.25);
    // a: 0.5, b: 0.25, c: 0
    expect(order()).toEqual(['c', 'b', 'a']);
    set(2, 0.75);
    // a: 0.5, b: 0.25, c: 0.75
    expect(order()).toEqual(['b', 'a', 'c']);
  });

  it.each([
    {
      name: 'share decides',
      clients: [
        { name: 'x', share: 0.3, count: 0 },
        { name: 'y', share: 0.2, count: 5 },
      ],
      want: ['y', 'x'], // x: 0.3, y: 0.2
    },
    {
      name: 'equal share: fewer allocations first',
      clients: [
        { name: 'x', share: 0.2, count: 2 },
        { name: 'y', share: 0.2, count: 1 },
      ],
      want: ['y', 'x'], // x: 0.2 (2 allocations), y: 0.2 (1 allocation)
    },
    {
      name: 'equal share and allocations: name',
      clients: [
        { name: 'y', share: 0.2, count: 1 },
        { name: 'x', share: 0.2, count: 1 },
      ],
      want: ['x', 'y'], // x: 0.2 (1), y: 0.2 (1)
    },
  ])('tie-break: $name', ({ clients, want }) => {
    const { s, order } = sorterWith(clients.map((c) => c.share));
    clients.forEach((c, id) => {
      s.add(id, c.name);
      for (let i = 0; i < c.count; i++) s.allocated(id);
    });
    expect(order()).toEqual(want);
  });

  it('divides the share by the weight', () => {
    const { s, order } = sorterWith([0.4, 0.3]);
    s.add(0, 'heavy', 2);
    s.add(1, 'light', 1);
    // heavy: 0.4 / 2 = 0.2, light: 0.3 / 1 = 0.3
    expect(order()).toEqual(['heavy', 'light']);
    expect(s.entries()[0]!.share).toBeCloseTo(0.2);
    s.setWeight(0, 1);
    // heavy: 0.4, light: 0.3
    expect(order()).toEqual(['light', 'heavy']);
  });

  it('incremental re-placement agrees with a full sort', () => {
    // Deterministic pseudo-random updates (LCG), compared with a from-scratch sort each step.
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 50;
    const shares = Array.from({ length: n }, () => Math.floor(rand() * 10) / 10);
    const { s } = sorterWith(shares);
    for (let i = 0; i < n; i++) s.add(i, `c${String(i).padStart(2, '0')}`);
    const counts = new Array(n).fill(0);
    for (let step = 0; step < 500; step++) {
      const id = Math.floor(rand() * n);
      if (rand() < 0.5) {
        shares[id] = Math.floor(rand() * 10) / 10;
        s.markDirty(id);
      } else {
        counts[id]++;
        s.allocated(id);
      }
      const want = [...Array(n).keys()]
        .sort((a, b) => shares[a]! - shares[b]! || counts[a] - counts[b] || (a < b ? -1 : 1))
        .map((i) => `c${String(i).padStart(2, '0')}`);
      expect(s.entries().map((e) => e.name)).toEqual(want);
    }
  });

  it('removes clients', () => {
    const { s, order } = sorterWith([0.1, 0.2, 0.3]);
    s.add(0, 'a');
    s.add(1, 'b');
    s.add(2, 'c');
    s.remove(1);
    expect(order()).toEqual(['a', 'c']);
    s.add(1, 'b');
    expect(order()).toEqual(['a', 'b', 'c']);
    expect(s.size).toBe(3);
  });
});
