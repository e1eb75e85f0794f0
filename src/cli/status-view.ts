// Pure: the `agora status` view — frameworks (role, dominant share, allocated, tasks per
// state), nodes (free / offered / used), outstanding offers — built from plain API objects, and
// rendered as tables. Shares come from Framework.status (the controller's); nothing is
// recomputed here but node arithmetic.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { isOpen, isTerminal } from '../api/group.ts';
import type { IFramework, IInverseOffer, IOffer, IReservation, IResourceRole, ITask } from '../api/index.ts';
import { inverseOfferRows, renderInverseOffers, type InverseOfferRow } from './status-maintenance.ts';
import { renderReservations, reservationRows, type ReservationRow } from './status-reservations.ts';
import { fairness } from './status-fairness.ts';
import { phaseOf } from '../controller/conditions.ts';
import { countTaskStates, frameworkRowBase } from '../controller/framework-row.ts';
import { isPodActive, podRequests } from '../api/pod-resources.ts';
import { nodeFree } from '../api/fit.ts';
import { add, formatQuantity, parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import { bar, percent, plain, table, type Style } from './output.ts';
import { frameworkKeyOf, namespacedKey } from '../api/keys.ts';

export interface FrameworkRow {
  namespace: string;
  name: string;
  role: string;
  phase: string;
  scheduler: 'builtin' | 'external';
  dominantShare?: number;
  allocated: Record<string, string>;
  /** Task counts by lower-case state name (running, finished, …); zero counts omitted. */
  tasks: Record<string, number>;
  outstandingOffers: number;
  /** Built-in frameworks: launched so far / wanted. */
  launched?: number;
  wanted?: number;
  /** Its DRF fair share of the whole cluster given everyone's demand (status-fairness.ts). */
  fairShare?: number;
  /** What it still wants, in words; absent when it publishes no demand. */
  demand?: string;
  /** Of its tasks not ended, those launched from revocable offers; absent when none. */
  revocableTasks?: number;
}

/** A task told it is being revoked (or, dryRun, that it would be). */
export interface RevocationRow {
  namespace: string;
  task: string;
  framework: string;
  node: string;
  reason: string;
  for: string;
  /** Seconds until its Pod is deleted (negative: past). */
  deadlineInSeconds: number;
  dryRun: boolean;
}

export interface NodeRow {
  name: string;
  allocatable: Record<string, string>;
  used: Record<string, string>;
  offered: Record<string, string>;
  free: Record<string, string>;
}

export interface OfferRow {
  namespace: string;
  name: string;
  framework: string;
  node: string;
  resources: Record<string, string>;
  ageSeconds: number;
  expiresInSeconds?: number;
  /** It lends resources held back for others (Offer spec.revocable). */
  revocable?: boolean;
}

export interface StatusView {
  time: string;
  frameworks: FrameworkRow[];
  nodes: NodeRow[];
  offers: OfferRow[];
  revocations: RevocationRow[];
  /** Inverse offers of maintenance windows not yet over: pending, or answered. */
  inverseOffers: InverseOfferRow[];
  /** Dynamic reservations (frameworks' RESERVE), by role and node. */
  reservations: ReservationRow[];
}

export interface StatusInput {
  frameworks: readonly IFramework[];
  offers: readonly IOffer[];
  tasks: readonly ITask[];
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
  /** ResourceRoles (weights, guarantees, limits) for the fair shares. */
  roles?: readonly IResourceRole[];
  inverseOffers?: readonly IInverseOffer[];
  reservations?: readonly IReservation[];
  now: number;
  /** Left out of the fair shares, as the controller's --fair-sharing-excluded-resources. */
  excludedResources?: readonly string[];
}

function format(list: ResourceList, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = formatQuantity(list[n] ?? 0, n);
  return out;
}

export { phaseOf };

/** Resources shown for nodes: cpu, memory, then any extended resource a node has (not pods/storage). */
function nodeResourceNames(nodes: readonly V1Node[]): string[] {
  const extra = new Set<string>();
  for (const n of nodes) for (const k of Object.keys(n.status?.allocatable ?? {})) if (k.includes('/')) extra.add(k);
  return ['cpu', 'memory', ...[...extra].sort()];
}

export function buildStatus(input: StatusInput): StatusView {
  const outstanding = input.offers.filter((o) => isOpen(o));
  const fair = fairness(input).frameworks;
  const tasksByFramework = new Map<string, ITask[]>();
  const revocableByFramework = new Map<string, number>();
  for (const t of input.tasks) {
    const key = frameworkKeyOf(t);
    tasksByFramework.set(key, [...(tasksByFramework.get(key) ?? []), t]);
    if (t.spec.revocable === true && !isTerminal(t.status?.state)) revocableByFramework.set(key, (revocableByFramework.get(key) ?? 0) + 1);
  }
  const openOffers = new Map<string, number>();
  for (const o of outstanding) {
    const key = frameworkKeyOf(o);
    openOffers.set(key, (openOffers.get(key) ?? 0) + 1);
  }
  const frameworks: FrameworkRow[] = input.frameworks
    .map((f) => {
      const key = namespacedKey(f.metadata?.namespace ?? '', f.metadata?.name ?? '');
      const base = frameworkRowBase(f, {
        // The controller's counts when it wrote them; else the tasks listed.
        tasks: (f.status?.tasks as Record<string, number | undefined> | undefined) ?? countTaskStates(tasksByFramework.get(key) ?? []),
        outstandingOffers: openOffers.get(key) ?? 0,
      });
      const row: FrameworkRow = {
        namespace: base.namespace,
        name: base.name,
        role: base.role,
        phase: base.phase,
        scheduler: base.builtin !== undefined ? 'builtin' : 'external',
        allocated: Object.fromEntries(Object.entries(f.status?.allocated ?? {}).map(([k, v]) => [k, String(v)])),
        tasks: base.tasks,
        outstandingOffers: base.outstandingOffers,
      };
      if (base.dominantShare !== undefined) row.dominantShare = base.dominantShare;
      const revocable = revocableByFramework.get(key);
      if (revocable !== undefined) row.revocableTasks = revocable;
      if (base.builtin !== undefined) {
        row.launched = base.builtin.launched;
        row.wanted = base.builtin.wanted;
      }
      const fs = fair.get(key);
      if (fs !== undefined) {
        row.fairShare = fs.fairShare;
        if (fs.demand !== undefined) row.demand = fs.demand;
      }
      return row;
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));

  const names = nodeResourceNames(input.nodes);
  const used = new Map<string, ResourceList>();
  for (const p of input.pods) {
    const node = p.spec?.nodeName;
    if (!node || !isPodActive(p)) continue;
    used.set(node, add(used.get(node) ?? {}, podRequests(p)));
  }
  const offered = new Map<string, ResourceList>();
  for (const o of outstanding)
    offered.set(o.spec.nodeName, add(offered.get(o.spec.nodeName) ?? {}, parseResourceListLenient(o.spec.resources)));
  const nodes: NodeRow[] = input.nodes
    .map((n) => {
      const name = n.metadata?.name ?? '';
      const alloc = parseResourceListLenient(n.status?.allocatable as Record<string, unknown> | undefined);
      const u = used.get(name) ?? {};
      const off = offered.get(name) ?? {};
      return {
        name,
        allocatable: format(alloc, names),
        used: format(u, names),
        offered: format(off, names),
        free: format(nodeFree(alloc, [u, off]), names),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  const offers: OfferRow[] = outstanding
    .map((o) => {
      const created = o.metadata?.creationTimestamp ? new Date(o.metadata.creationTimestamp as unknown as string).getTime() : input.now;
      const row: OfferRow = {
        namespace: o.metadata?.namespace ?? '',
        name: o.metadata?.name ?? '',
        framework: o.spec.framework,
        node: o.spec.nodeName,
        resources: Object.fromEntries(Object.entries(o.spec.resources).map(([k, v]) => [k, String(v)])),
        ageSeconds: Math.max(0, Math.round((input.now - created) / 1000)),
      };
      if (o.spec.expiresAt) row.expiresInSeconds = Math.round((Date.parse(o.spec.expiresAt) - input.now) / 1000);
      if (o.spec.revocable === true) row.revocable = true;
      return row;
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.framework.localeCompare(b.framework) || a.name.localeCompare(b.name));

  const revocations: RevocationRow[] = [];
  for (const t of input.tasks) {
    const r = t.status?.revocation;
    const state = t.status?.state;
    if (r === undefined || r === null || isTerminal(state)) continue;
    revocations.push({
      namespace: t.metadata?.namespace ?? '',
      task: t.metadata?.name ?? '',
      framework: t.spec.framework,
      node: t.spec.nodeName,
      reason: r.reason,
      for: r.for ?? '',
      deadlineInSeconds: Math.round((Date.parse(r.deadline) - input.now) / 1000),
      dryRun: r.dryRun === true,
    });
  }
  revocations.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.task.localeCompare(b.task));

  return {
    time: new Date(input.now).toISOString(),
    frameworks,
    nodes,
    offers,
    revocations,
    inverseOffers: inverseOfferRows(input.inverseOffers ?? [], input.now),
    reservations: reservationRows(input.reservations ?? []),
  };
}

const compactResources = (r: Record<string, string>) =>
  Object.entries(r)
    .filter(([, v]) => v !== '0')
    .map(([k, v]) => `${k === 'memory' ? 'mem' : k} ${v}`)
    .join(', ') || '-';

const taskSummary = (t: Record<string, number>) =>
  Object.entries(t)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ') || '-';

const phaseColor = (phase: string, s: Style) =>
  phase === 'Completed' || phase === 'Active'
    ? s.green(phase)
    : phase === 'Failed' || phase === 'Disconnected'
      ? s.red(phase)
      : phase === 'Pending'
        ? s.yellow(phase)
        : phase;

export function renderFrameworks(rows: readonly FrameworkRow[], style: Style = plain, barWidth = 20): string {
  if (rows.length === 0) return 'No frameworks.';
  return table(
    ['NAMESPACE', 'NAME', 'ROLE', 'SCHEDULER', 'PHASE', 'DOMINANT SHARE', 'FAIR', 'DEMAND', 'ALLOCATED', 'TASKS', 'OFFERS'],
    rows.map((r) => [
      r.namespace,
      r.name,
      r.role,
      r.scheduler === 'builtin' ? `builtin ${r.launched}/${r.wanted}` : 'external',
      phaseColor(r.phase, style),
      `${bar(r.dominantShare ?? 0, barWidth, style)} ${percent(r.dominantShare).padStart(6)}`,
      percent(r.fairShare),
      r.demand ?? '-',
      compactResources(r.allocated),
      taskSummary(r.tasks) + (r.revocableTasks !== undefined ? ` (${r.revocableTasks} revocable)` : ''),
      String(r.outstandingOffers),
    ]),
    { style, align: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'left', 'left', 'left', 'right'] },
  );
}

export function renderNodes(rows: readonly NodeRow[], style: Style = plain): string {
  if (rows.length === 0) return 'No nodes.';
  const names = Object.keys(rows[0]!.allocatable);
  const cell = (r: NodeRow, n: string) => `${r.free[n]} / ${r.offered[n]} / ${r.used[n]} / ${r.allocatable[n]}`;
  return table(
    ['NODE', ...names.map((n) => `${n.toUpperCase()} free/offered/used/total`)],
    rows.map((r) => [r.name, ...names.map((n) => cell(r, n))]),
    { style },
  );
}

export function renderOffers(rows: readonly OfferRow[], style: Style = plain): string {
  if (rows.length === 0) return 'No outstanding offers.';
  return table(
    ['NAMESPACE', 'OFFER', 'FRAMEWORK', 'NODE', 'RESOURCES', 'AGE', 'EXPIRES IN'],
    rows.map((r) => [
      r.namespace,
      r.name,
      r.framework,
      r.node,
      compactResources(r.resources) + (r.revocable === true ? ' (revocable)' : ''),
      `${r.ageSeconds}s`,
      r.expiresInSeconds === undefined ? '-' : `${r.expiresInSeconds}s`,
    ]),
    { style },
  );
}

export function renderRevocations(rows: readonly RevocationRow[], style: Style = plain): string {
  return table(
    ['NAMESPACE', 'TASK', 'FRAMEWORK', 'NODE', 'REASON', 'FOR', 'KILLED IN'],
    rows.map((r) => [
      r.namespace,
      r.task,
      r.framework,
      r.node,
      r.reason,
      r.for,
      r.dryRun ? style.yellow('dry run') : `${Math.max(0, r.deadlineInSeconds)}s`,
    ]),
    { style },
  );
}

export function renderStatus(view: StatusView, style: Style = plain): string {
  const revoking =
    view.revocations.length === 0 ? [] : [style.cyan(style.bold('Being revoked')), renderRevocations(view.revocations, style), ''];
  const maintenance =
    view.inverseOffers.length === 0
      ? []
      : [style.cyan(style.bold('Maintenance: inverse offers')), renderInverseOffers(view.inverseOffers, style), ''];
  const reserved =
    view.reservations.length === 0
      ? []
      : [style.cyan(style.bold('Dynamic reservations')), renderReservations(view.reservations, style), ''];
  return [
    style.cyan(style.bold('Frameworks')),
    renderFrameworks(view.frameworks, style),
    '',
    style.cyan(style.bold('Nodes')),
    renderNodes(view.nodes, style),
    '',
    style.cyan(style.bold('Outstanding offers')),
    renderOffers(view.offers, style),
    '',
    ...revoking,
    ...maintenance,
    ...reserved,
  ].join('\n');
}
