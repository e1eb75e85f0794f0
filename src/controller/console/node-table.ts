// Pure: the console's nodes table — every node's use of each resource, filtered, sorted and cut
// to one page on the server, so that a browser shows a page of rows however many nodes there
// are (5,000 nodes are 50 pages of 100, not 5,000 rows in the DOM).
import { formatQuantity } from '../../api/quantity.ts';

/** One resource on one node, in the resource's unit (millicores, bytes, counts). */
export interface ResourceUse {
  allocatable: number;
  /** Requests of Agora's tasks. */
  agora: number;
  /** Requests of every other active Pod. */
  other: number;
  /** In outstanding offers. */
  offered: number;
  /** What is left: the node's free amount as src/api/fit.ts's nodeFree defines it. */
  free: number;
}

export interface NodeRow {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  labels: Record<string, string>;
  /** `role: cpu 2, memory 4Gi`, one per reservation. */
  reservations: string[];
  resources: Record<string, ResourceUse>;
}

export interface NodeQuery {
  /** Words that must all appear in the node's name or in one of its labels (`key=value`). */
  q?: string;
  /** `name` (default), `free:RESOURCE` or `used:RESOURCE` (as a fraction of allocatable). */
  sort?: string;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export interface ShownResource {
  allocatable: string;
  used: string;
  agora: string;
  other: string;
  offered: string;
  free: string;
  /** Of allocatable, for the bars. */
  fractions: { agora: number; other: number; offered: number; free: number };
}

export interface NodePage {
  /** Nodes in the cache, and those the filter kept. */
  total: number;
  matched: number;
  offset: number;
  limit: number;
  rows: (Omit<NodeRow, 'resources'> & { resources: Record<string, ShownResource> })[];
}

export const MAX_PAGE = 500;

const fraction = (v: number, of: number) => (of === 0 ? 0 : v / of);

function matches(row: NodeRow, words: readonly string[]): boolean {
  return words.every(
    (w) => row.name.toLowerCase().includes(w) || Object.entries(row.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(w)),
  );
}

function sortKey(sort: string): (row: NodeRow) => number | string {
  const [what, resource] = sort.split(':');
  if (what === 'free' && resource !== undefined)
    return (r) => {
      const u = r.resources[resource];
      return u === undefined ? -1 : fraction(u.free, u.allocatable);
    };
  if (what === 'used' && resource !== undefined)
    return (r) => {
      const u = r.resources[resource];
      return u === undefined ? -1 : fraction(u.agora + u.other, u.allocatable);
    };
  return (r) => r.name;
}

function show(name: string, u: ResourceUse): ShownResource {
  const f = u.free;
  return {
    allocatable: formatQuantity(u.allocatable, name),
    used: formatQuantity(u.agora + u.other, name),
    agora: formatQuantity(u.agora, name),
    other: formatQuantity(u.other, name),
    offered: formatQuantity(u.offered, name),
    free: formatQuantity(f, name),
    fractions: {
      agora: fraction(u.agora, u.allocatable),
      other: fraction(u.other, u.allocatable),
      offered: fraction(u.offered, u.allocatable),
      free: fraction(f, u.allocatable),
    },
  };
}

export function pageNodes(rows: readonly NodeRow[], q: NodeQuery): NodePage {
  const words = (q.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const kept = words.length === 0 ? [...rows] : rows.filter((r) => matches(r, words));
  const key = sortKey(q.sort ?? 'name');
  const dir = q.order === 'desc' ? -1 : 1;
  kept.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c * dir || a.name.localeCompare(b.name);
  });
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(q.limit ?? 100)));
  return {
    total: rows.length,
    matched: kept.length,
    offset,
    limit,
    rows: kept.slice(offset, offset + limit).map((r) => ({
      ...r,
      resources: Object.fromEntries(Object.entries(r.resources).map(([n, u]) => [n, show(n, u)])),
    })),
  };
}
