import { describe, expect, it } from 'vitest';
import { pageNodes, type NodeRow } from './node-table.ts';

const row = (name: string, cpuUsed: number, labels: Record<string, string> = {}): NodeRow => ({
  name,
  ready: true,
  unschedulable: false,
  labels,
  reservations: [],
  resources: { cpu: { allocatable: 4000, agora: cpuUsed, other: 0, offered: 1000, free: Math.max(0, 4000 - cpuUsed - 1000) } },
});

const nodes = [row('n-b', 2000, { zone: 'a' }), row('n-a', 3000, { zone: 'b' }), row('n-c', 0, { zone: 'a', disk: 'ssd' })];

describe('pageNodes', () => {
  it.each([
    { name: 'by name', q: {}, want: ['n-a', 'n-b', 'n-c'] },
    { name: 'by free cpu, most free first', q: { sort: 'free:cpu', order: 'desc' as const }, want: ['n-c', 'n-b', 'n-a'] },
    { name: 'by used cpu', q: { sort: 'used:cpu' }, want: ['n-c', 'n-b', 'n-a'] },
    { name: 'filtered by a label', q: { q: 'zone=a' }, want: ['n-b', 'n-c'] },
    { name: 'every word must match', q: { q: 'zone=a DISK' }, want: ['n-c'] },
    { name: 'a page', q: { offset: 1, limit: 1 }, want: ['n-b'] },
  ])('$name', ({ q, want }) => {
    expect(pageNodes(nodes, q).rows.map((r) => r.name)).toEqual(want);
  });

  it('shows each resource as quantities and fractions of allocatable', () => {
    const page = pageNodes(nodes, { q: 'n-b' });
    expect(page).toMatchObject({ total: 3, matched: 1, offset: 0, limit: 100 });
    expect(page.rows[0]!.resources.cpu).toEqual({
      allocatable: '4',
      used: '2',
      agora: '2',
      other: '0',
      offered: '1',
      free: '1',
      fractions: { agora: 0.5, other: 0, offered: 0.25, free: 0.25 },
    });
  });

  it('caps a page at 500 rows', () => {
    const many = Array.from({ length: 600 }, (_, i) => row(`n${String(i).padStart(3, '0')}`, 0));
    expect(pageNodes(many, { limit: 10_000 }).rows).toHaveLength(500);
  });
});
