// What the console shows, read from the informer caches (never from the API): the overview,
// frameworks, one framework with its tasks, offers, Events and why it gets no offers, roles,
// nodes (sorted, filtered, paged), outstanding offers and tasks. Every view is plain JSON, the
// body of the console's /api/v1 routes. `version` moves whenever a cache changes: the server
// pushes it to the pages, which then fetch what they show.
import type { V1Node } from '@kubernetes/client-node';
import type { Clock } from '../../api/clock.ts';
import { nodeFree } from '../../api/fit.ts';
import { isOpen, LABEL, offerPhase, TASK_STATES, taskCountKey } from '../../api/group.ts';
import { keyOf, namespacedKey } from '../../api/keys.ts';
import { add, formatQuantity, parseResourceListLenient, type ResourceList } from '../../api/quantity.ts';
import { fairShares, type WhyDetail, type WhyNoOffers } from '../../allocator/index.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../../api/objects.ts';
import type { ClusterState } from '../cluster-state.ts';
import { roleObjectName, roleOfObject } from '../../api/role-names.ts';
import { findCondition, FrameworkCondition, phaseOf, type Condition } from '../conditions.ts';
import { countTaskStates, frameworkRowBase } from '../framework-row.ts';
import { isNodeReady } from '../nodes.ts';
import { revocationSnapshot } from '../revocation-decide.ts';
import { revocationViewOf } from '../revocation-view.ts';
import type { RecentEvents } from './recent-events.ts';
import { ShareHistory, type ShareSeries } from './share-history.ts';
import { OfferHistory, type OfferSeries, type OfferSighting } from './offer-history.ts';
import { pageNodes, type NodeQuery, type NodeRow, type NodePage, type ResourceUse } from './node-table.ts';
import { frameworkRoles } from '../../api/role-names.ts';
import { inverseOfferRows, type InverseOfferRow } from '../../api/maintenance.ts';

/** What a console reads: the caches, the allocator's explanation, the recent Events and the clock. */
export interface ConsoleSource {
  state: ClusterState;
  /**
   * Why a framework gets offers or not, from the allocator's shared explanation
   * (Explanations.why); undefined where there is no allocator (`agora ui`), it is not ready or
   * its explanation predates the framework: the framework's OffersAvailable condition is shown.
   */
  why(framework: string): WhyNoOffers | undefined;
  events?: RecentEvents;
  clock: Clock;
  /** The controller's --fair-sharing-excluded-resources, for the fair shares (default none). */
  excludedResources?: readonly string[];
}

/** How stale the fair shares may be: computing them is revocation's whole plan without the victims. */
const FAIR_SHARE_MAX_AGE_MS = 2000;

export interface ResourceTotals {
  name: string;
  allocatable: string;
  agora: string;
  other: string;
  offered: string;
  idle: string;
  /** The same, as fractions of allocatable (0..1), for the bars. */
  fractions: { agora: number; other: number; offered: number; idle: number };
}

export interface Overview {
  time: string;
  resources: ResourceTotals[];
  counts: {
    nodes: number;
    readyNodes: number;
    frameworks: number;
    frameworksByPhase: Record<string, number>;
    tasks: Record<string, number>;
    outstandingOffers: number;
  };
  shares: ShareSeries;
}

export interface FrameworkRow {
  namespace: string;
  name: string;
  role: string;
  scheduler: string;
  phase: string;
  dominantShare: number;
  /** Its DRF fair share of the cluster given every framework's demand (as revocation computes it). */
  fairShare: number;
  demand: string;
  tasks: Record<string, number>;
  offersOut: number;
}

export interface TaskRow {
  namespace: string;
  name: string;
  framework: string;
  node: string;
  state: string;
  pod: string;
  reason: string;
  message: string;
  exitCode?: number;
  createdAt?: string;
  finishedAt?: string;
  /** Launched from a revocable offer: the first revoked when the owner wants its resources back. */
  revocable?: boolean;
}

export interface OfferRow {
  namespace: string;
  name: string;
  framework: string;
  node: string;
  phase: string;
  resources: string;
  createdAt?: string;
  respondedAt?: string;
  refuseSeconds?: number;
  reason: string;
  ageSeconds: number;
  expiresInSeconds?: number;
}

export interface EventRow {
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
}

export interface FrameworkDetail {
  framework: FrameworkRow & { constraints: string; suppressed: boolean; allocated: string };
  tasks: TaskRow[];
  offers: OfferRow[];
  offerCounts: Record<string, number>;
  /** Its offers over the console's history window, counted per time bucket (in memory). */
  offerHistory: OfferSeries;
  events: EventRow[];
  /** Undefined while the controller is not ready to explain. */
  why?: WhyNoOffers;
}

/** A task's Pod as the cache keeps it: where it runs and how its containers ended. */
export interface PodDetail {
  namespace: string;
  name: string;
  /** The task it runs (`namespace/name`), the framework and the node. */
  task: string;
  framework: string;
  node: string;
  phase: string;
  podIP?: string;
  startTime?: string;
  deletionTimestamp?: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  containers: {
    name: string;
    image: string;
    ready: boolean;
    restartCount: number;
    state: string;
    reason?: string;
    message?: string;
    exitCode?: number;
    startedAt?: string;
    finishedAt?: string;
  }[];
}

export interface RoleRow {
  name: string;
  weight: number;
  guarantee: string;
  limit: string;
  allocated: string;
  reserved: string;
  dominantShare: number;
  frameworks: string[];
}

export interface TaskQuery {
  state?: string;
  framework?: string;
  node?: string;
  offset?: number;
  limit?: number;
}

const iso = (t: Date | string | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

/** `cpu 2, memory 4Gi` (zero amounts and pod slots left out); `-` when empty. */
export function resourceText(r: ResourceList): string {
  const parts = Object.entries(r)
    .filter(([k, v]) => v !== 0 && k !== 'pods')
    .map(([k, v]) => `${k} ${formatQuantity(v, k)}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

const SHOWN = ['cpu', 'memory', 'ephemeral-storage', 'pods'];

/** cpu, memory, ephemeral-storage, pods, then any extended resource a node has. */
function resourceNames(nodes: readonly V1Node[]): string[] {
  const extra = new Set<string>();
  for (const n of nodes) for (const k of Object.keys(n.status?.allocatable ?? {})) if (k.includes('/')) extra.add(k);
  return [...SHOWN, ...[...extra].sort()];
}

/** Without an allocator at hand: what the controller wrote in the framework's OffersAvailable condition. */
function whyFromCondition(f: FrameworkObject): { why?: WhyNoOffers } {
  const c = findCondition(f.status?.conditions as Condition[] | undefined, FrameworkCondition.OffersAvailable);
  if (c === undefined) return {};
  const offered = c.status === 'True';
  const text = c.message.replace(/^no offer now: /, '');
  const details = text.split('; ').map((t) => ({ reason: c.reason as WhyDetail['reason'], nodes: 0, examples: [], text: t }));
  return { why: { offered, reason: c.reason, message: c.message, details } };
}

/** What the offer history counts of an Offer. */
function sighting(o: OfferObject, now: number): OfferSighting {
  const phase = offerPhase(o);
  const endedAt = phase === 'Expired' ? o.spec.expiresAt : o.status?.respondedAt;
  return {
    framework: namespacedKey(o.metadata.namespace, o.spec.framework),
    phase,
    createdAt: o.metadata.creationTimestamp === undefined ? now : new Date(o.metadata.creationTimestamp).getTime(),
    ...(endedAt !== undefined ? { endedAt: Date.parse(endedAt) } : {}),
    ...(o.spec.decline !== undefined ? { refuseSeconds: o.spec.decline.refuseSeconds } : {}),
  };
}

export interface ConsoleModelOptions {
  /** How many dominant-share samples the overview's chart keeps. */
  historySamples: number;
  /** The window of each framework's offers over time, and its bucket (default 15 min, 10 s). */
  offerWindowMs?: number;
  offerBucketMs?: number;
}

export class ConsoleModel {
  private readonly source: ConsoleSource;
  readonly history: ShareHistory;
  readonly offerHistory: OfferHistory;
  private changes = 0;
  private nodeRows: { version: number; rows: NodeRow[]; names: string[] } | undefined;
  private fair: { version: number; at: number; shares: Map<string, number> } | undefined;

  constructor(source: ConsoleSource, o: ConsoleModelOptions) {
    this.source = source;
    this.history = new ShareHistory(o.historySamples);
    this.offerHistory = new OfferHistory(o.offerWindowMs ?? 15 * 60_000, o.offerBucketMs ?? 10_000);
    const c = source.state.c;
    const bump = () => void this.changes++;
    for (const informer of [c.nodes, c.pods, c.frameworks, c.offers, c.tasks, c.roles, c.reservations, c.inverseOffers])
      informer.onChange(bump);
    c.offers.onChange((key, offer) => {
      const now = source.clock.now();
      this.offerHistory.observe(key, offer === undefined ? undefined : sighting(offer, now), now);
    });
    c.frameworks.onChange((key, fw) => {
      if (fw === undefined) this.offerHistory.forget(key);
    });
  }

  /** Moves whenever a cache changed (or a share sample was taken). */
  get version(): number {
    return this.changes;
  }

  /** Records every framework's dominant share now (Framework.status, as the controller wrote it). */
  sample(): void {
    const shares = new Map<string, number>();
    for (const f of this.frameworkObjects()) shares.set(keyOf(f), f.status?.dominantShare ?? 0);
    this.history.record(this.source.clock.now(), shares);
    this.changes++;
  }

  /** Every framework's fair share, recomputed when the caches changed, at most every 2 s. */
  private fairShares(): Map<string, number> {
    const now = this.source.clock.now();
    const f = this.fair;
    if (f !== undefined && (f.version === this.changes || now - f.at < FAIR_SHARE_MAX_AGE_MS)) return f.shares;
    const { view } = revocationViewOf(this.source.state, {
      manages: () => true,
      now,
      ...(this.source.excludedResources !== undefined ? { excludedResources: this.source.excludedResources } : {}),
    });
    const shares = new Map(fairShares(revocationSnapshot(view)).map((x) => [x.framework, x.fairShare]));
    this.fair = { version: this.changes, at: now, shares };
    return shares;
  }

  private frameworkObjects(): FrameworkObject[] {
    return this.source.state.c.frameworks.list();
  }

  private offersOf(fw: string): OfferObject[] {
    const out: OfferObject[] = [];
    for (const k of this.source.state.offerKeysOfFramework(fw)) {
      const o = this.source.state.c.offers.get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  private tasksOf(fw: string): TaskObject[] {
    const out: TaskObject[] = [];
    for (const k of this.source.state.taskKeysOfFramework(fw)) {
      const t = this.source.state.task(k);
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  private frameworkRow(f: FrameworkObject): FrameworkRow {
    const key = keyOf(f);
    const base = frameworkRowBase(f, {
      tasks: countTaskStates(this.tasksOf(key)),
      outstandingOffers: this.offersOf(key).filter((o) => isOpen(o)).length,
    });
    const demand = f.status?.demand;
    return {
      namespace: base.namespace,
      name: base.name,
      role: base.role,
      scheduler: base.builtin === undefined ? 'external' : `builtin ${base.builtin.launched}/${base.builtin.wanted}`,
      phase: base.phase,
      dominantShare: base.dominantShare ?? 0,
      fairShare: this.fairShares().get(key) ?? 0,
      demand:
        demand === undefined
          ? '-'
          : demand.length === 0
            ? 'none'
            : demand.map((d) => `${d.count ?? 0} × ${resourceText(parseResourceListLenient(d.resources))}`).join('; '),
      tasks: base.tasks,
      offersOut: base.outstandingOffers,
    };
  }

  frameworks(): FrameworkRow[] {
    return this.frameworkObjects()
      .map((f) => this.frameworkRow(f))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  /** Undefined when there is no such framework in the cache. */
  framework(namespace: string, name: string): FrameworkDetail | undefined {
    const key = namespacedKey(namespace, name);
    const f = this.source.state.c.frameworks.get(key);
    if (f === undefined) return undefined;
    const now = this.source.clock.now();
    const tasks = this.tasksOf(key)
      .map((t) => this.taskRow(t))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.name.localeCompare(b.name));
    const offers = this.offersOf(key)
      .map((o) => this.offerRow(o, now))
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.name.localeCompare(b.name));
    const offerCounts: Record<string, number> = {};
    for (const o of offers) offerCounts[o.phase] = (offerCounts[o.phase] ?? 0) + 1;
    const offerNames = new Set(offers.map((o) => o.name));
    const taskNames = new Set(tasks.map((t) => t.name));
    const events = (
      this.source.events?.find(namespace, (kind, n) =>
        kind === 'Framework' ? n === name : kind === 'Offer' ? offerNames.has(n) : kind === 'Task' ? taskNames.has(n) : false,
      ) ?? []
    ).map((e) => ({
      time: new Date(e.time).toISOString(),
      type: e.type,
      reason: e.reason,
      object: `${e.target.kind}/${e.target.name}`,
      message: e.message,
    }));
    const why = this.source.why(key);
    const constraints = f.spec.offerConstraints?.nodeSelector;
    return {
      framework: {
        ...this.frameworkRow(f),
        constraints: constraints === undefined ? '-' : JSON.stringify(constraints),
        suppressed: f.spec.suppressed === true,
        allocated: resourceText(parseResourceListLenient(f.status?.allocated)),
      },
      tasks,
      offers,
      offerCounts,
      offerHistory: this.offerHistory.series(key, now),
      events,
      ...(why !== undefined ? { why } : whyFromCondition(f)),
    };
  }

  /**
   * A task's Pod, from the cache (undefined: no such Pod, or not a task's: the console shows
   * nothing of other Pods but what they hold on their node).
   */
  pod(namespace: string, name: string): PodDetail | undefined {
    const { state } = this.source;
    const pod = state.c.pods.get(namespacedKey(namespace, name));
    if (pod === undefined) return undefined;
    const taskName = pod.metadata?.labels?.[LABEL.task] ?? pod.metadata?.ownerReferences?.find((r) => r.kind === 'Task')?.name;
    const task = taskName === undefined ? undefined : state.c.tasks.get(namespacedKey(namespace, taskName));
    if (task === undefined) return undefined;
    const s = pod.status;
    const images = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
    return {
      namespace,
      name,
      task: keyOf(task),
      framework: task.spec.framework,
      node: pod.spec?.nodeName ?? task.spec.nodeName,
      phase: s?.phase ?? 'Pending',
      ...(s?.podIP !== undefined ? { podIP: s.podIP } : {}),
      ...(s?.startTime !== undefined ? { startTime: iso(s.startTime) } : {}),
      ...(pod.metadata?.deletionTimestamp !== undefined ? { deletionTimestamp: iso(pod.metadata.deletionTimestamp) } : {}),
      conditions: (s?.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        ...(c.message !== undefined ? { message: c.message } : {}),
      })),
      containers: (s?.containerStatuses ?? []).map((c) => {
        const st = c.state;
        const term = st?.terminated;
        const waiting = st?.waiting;
        return {
          name: c.name,
          image: images.get(c.name) ?? c.image,
          ready: c.ready,
          restartCount: c.restartCount,
          state: term !== undefined ? 'terminated' : waiting !== undefined ? 'waiting' : st?.running !== undefined ? 'running' : 'unknown',
          ...((term?.reason ?? waiting?.reason) !== undefined ? { reason: term?.reason ?? waiting?.reason } : {}),
          ...((term?.message ?? waiting?.message) !== undefined ? { message: term?.message ?? waiting?.message } : {}),
          ...(term !== undefined ? { exitCode: term.exitCode } : {}),
          ...((term?.startedAt ?? st?.running?.startedAt) !== undefined
            ? { startedAt: iso(term?.startedAt ?? st?.running?.startedAt) }
            : {}),
          ...(term?.finishedAt !== undefined ? { finishedAt: iso(term.finishedAt) } : {}),
        };
      }),
    };
  }

  private taskRow(t: TaskObject): TaskRow {
    const s = t.status;
    return {
      namespace: t.metadata.namespace,
      name: t.metadata.name,
      framework: t.spec.framework,
      node: t.spec.nodeName,
      state: s?.state ?? 'TASK_STAGING',
      pod: s?.podName ?? t.metadata.name,
      reason: s?.reason ?? '',
      message: s?.message ?? '',
      ...(s?.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      ...(t.metadata.creationTimestamp !== undefined ? { createdAt: iso(t.metadata.creationTimestamp) } : {}),
      ...(s?.finishedAt !== undefined ? { finishedAt: iso(s.finishedAt) } : {}),
      ...(t.spec.revocable === true ? { revocable: true } : {}),
    };
  }

  private offerRow(o: OfferObject, now: number): OfferRow {
    const created = o.metadata.creationTimestamp === undefined ? now : new Date(o.metadata.creationTimestamp).getTime();
    const phase = isOpen(o) || offerPhase(o) !== 'Outstanding' ? offerPhase(o) : o.spec.accept !== undefined ? 'Accepted' : 'Declined';
    const row: OfferRow = {
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      framework: o.spec.framework,
      node: o.spec.nodeName,
      phase,
      resources: resourceText(parseResourceListLenient(o.spec.resources)),
      createdAt: new Date(created).toISOString(),
      reason: o.status?.reason ?? '',
      ageSeconds: Math.max(0, Math.round((now - created) / 1000)),
    };
    if (o.status?.respondedAt !== undefined) row.respondedAt = iso(o.status.respondedAt);
    if (o.spec.decline !== undefined) row.refuseSeconds = o.spec.decline.refuseSeconds;
    if (phase === 'Outstanding' && o.spec.expiresAt !== undefined)
      row.expiresInSeconds = Math.round((Date.parse(o.spec.expiresAt) - now) / 1000);
    return row;
  }

  /** Outstanding offers, oldest first. */
  offers(): OfferRow[] {
    const now = this.source.clock.now();
    return this.source.state.c.offers
      .list()
      .filter((o) => isOpen(o))
      .map((o) => this.offerRow(o, now))
      .sort((a, b) => b.ageSeconds - a.ageSeconds || a.name.localeCompare(b.name));
  }

  /** Inverse offers of maintenance windows not yet over: pending ones, and how frameworks answered the others. */
  inverseOffers(): InverseOfferRow[] {
    return inverseOfferRows(this.source.state.c.inverseOffers.list(), this.source.clock.now());
  }

  tasks(q: TaskQuery = {}): { total: number; offset: number; rows: TaskRow[] } {
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(500, Math.max(1, q.limit ?? 100));
    const rows = this.source.state.c.tasks
      .list()
      .filter(
        (t) =>
          (q.state === undefined || taskCountKey(t.status?.state ?? 'TASK_STAGING') === taskCountKey(q.state)) &&
          (q.framework === undefined ||
            namespacedKey(t.metadata.namespace, t.spec.framework) === q.framework ||
            t.spec.framework === q.framework) &&
          (q.node === undefined || t.spec.nodeName === q.node),
      )
      .map((t) => this.taskRow(t))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.framework.localeCompare(b.framework) || a.name.localeCompare(b.name));
    return { total: rows.length, offset, rows: rows.slice(offset, offset + limit) };
  }

  roles(): RoleRow[] {
    const frameworks = this.frameworkObjects();
    const byRole = new Map<string, string[]>();
    for (const f of frameworks) {
      for (const role of frameworkRoles(f.spec)) byRole.set(role, [...(byRole.get(role) ?? []), keyOf(f)]);
    }
    const rows: RoleRow[] = [];
    const seen = new Set<string>();
    // Dynamic reservations (Reservations), by the role's ResourceRole name.
    const dynamic = new Map<string, ResourceList>();
    for (const r of this.source.state.c.reservations.list()) {
      const key = roleObjectName(r.spec.role);
      dynamic.set(key, add(dynamic.get(key) ?? {}, parseResourceListLenient(r.spec.resources)));
    }
    for (const r of this.source.state.c.roles.list()) {
      // Rows are by role name (`eng/ml`), as frameworks name it, not by object name (`eng.ml`).
      const name = roleOfObject(r.metadata.name);
      seen.add(name);
      const reserved = (r.spec?.reservations ?? []).reduce<ResourceList>(
        (sum, x) => add(sum, parseResourceListLenient(x.resources)),
        dynamic.get(r.metadata.name) ?? {},
      );
      rows.push({
        name,
        weight: r.spec?.weight ?? 1,
        guarantee: resourceText(parseResourceListLenient(r.spec?.guarantee)),
        limit: resourceText(parseResourceListLenient(r.spec?.limit)),
        allocated: resourceText(parseResourceListLenient(r.status?.allocated)),
        reserved: resourceText(reserved),
        dominantShare: r.status?.dominantShare ?? 0,
        frameworks: (byRole.get(name) ?? []).sort(),
      });
    }
    // Roles that frameworks name without a ResourceRole object: weight 1, no quota.
    for (const [name, fws] of byRole) {
      if (seen.has(name)) continue;
      const allocated = fws.reduce<ResourceList>(
        (sum, k) => add(sum, parseResourceListLenient(this.source.state.c.frameworks.get(k)?.status?.allocated)),
        {},
      );
      rows.push({
        name,
        weight: 1,
        guarantee: '-',
        limit: '-',
        allocated: resourceText(allocated),
        reserved: dynamic.has(roleObjectName(name)) ? resourceText(dynamic.get(roleObjectName(name))!) : '-',
        dominantShare: Math.max(0, ...fws.map((k) => this.source.state.c.frameworks.get(k)?.status?.dominantShare ?? 0)),
        frameworks: fws.sort(),
      });
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every node's usage, recomputed at most once per version. */
  private nodeTable(): { rows: NodeRow[]; names: string[] } {
    if (this.nodeRows !== undefined && this.nodeRows.version === this.changes) return this.nodeRows;
    const { state } = this.source;
    const nodes = state.c.nodes.list();
    const names = resourceNames(nodes);
    const offered = new Map<string, ResourceList>();
    for (const o of state.c.offers.list()) {
      if (!isOpen(o)) continue;
      offered.set(o.spec.nodeName, add(offered.get(o.spec.nodeName) ?? {}, parseResourceListLenient(o.spec.resources)));
    }
    const reservations = new Map<string, string[]>();
    for (const r of state.c.roles.list())
      for (const x of r.spec?.reservations ?? [])
        reservations.set(x.nodeName, [
          ...(reservations.get(x.nodeName) ?? []),
          `${r.metadata.name}: ${resourceText(parseResourceListLenient(x.resources))}`,
        ]);
    for (const r of state.c.reservations.list())
      reservations.set(r.spec.nodeName, [
        ...(reservations.get(r.spec.nodeName) ?? []),
        `${roleObjectName(r.spec.role)} (dynamic): ${resourceText(parseResourceListLenient(r.spec.resources))}`,
      ]);
    const rows = nodes.map((n): NodeRow => {
      const name = n.metadata!.name!;
      const usage = state.usage(name);
      let agora: ResourceList = {};
      for (const r of usage.frameworks.values()) agora = add(agora, r);
      const off = offered.get(name) ?? {};
      const free = nodeFree(usage.allocatable, [usage.external, agora, off]);
      const resources: Record<string, ResourceUse> = {};
      for (const r of names) {
        const a = usage.allocatable[r] ?? 0;
        if (a === 0 && !SHOWN.includes(r)) continue;
        resources[r] = {
          allocatable: a,
          agora: agora[r] ?? 0,
          other: usage.external[r] ?? 0,
          offered: off[r] ?? 0,
          free: free[r] ?? 0,
        };
      }
      return {
        name,
        ready: isNodeReady(n),
        unschedulable: n.spec?.unschedulable === true,
        labels: n.metadata?.labels ?? {},
        reservations: reservations.get(name) ?? [],
        resources,
      };
    });
    this.nodeRows = { version: this.changes, rows, names };
    return this.nodeRows;
  }

  nodes(q: NodeQuery): NodePage {
    return pageNodes(this.nodeTable().rows, q);
  }

  overview(): Overview {
    const { rows, names } = this.nodeTable();
    const totals = new Map<string, ResourceUse>();
    for (const n of names) totals.set(n, { allocatable: 0, agora: 0, other: 0, offered: 0, free: 0 });
    for (const row of rows)
      for (const [r, u] of Object.entries(row.resources)) {
        const t = totals.get(r)!;
        t.allocatable += u.allocatable;
        t.agora += u.agora;
        t.other += u.other;
        t.offered += u.offered;
        t.free += u.free;
      }
    const resources: ResourceTotals[] = [];
    for (const [name, t] of totals) {
      if (t.allocatable === 0 && !SHOWN.includes(name)) continue;
      // Idle: the nodes' free amounts summed (an over-committed node does not hide another's).
      const idleAmount = t.free;
      const frac = (v: number) => (t.allocatable === 0 ? 0 : v / t.allocatable);
      resources.push({
        name,
        allocatable: formatQuantity(t.allocatable, name),
        agora: formatQuantity(t.agora, name),
        other: formatQuantity(t.other, name),
        offered: formatQuantity(t.offered, name),
        idle: formatQuantity(idleAmount, name),
        fractions: { agora: frac(t.agora), other: frac(t.other), offered: frac(t.offered), idle: frac(idleAmount) },
      });
    }
    const frameworks = this.frameworkObjects();
    const frameworksByPhase: Record<string, number> = {};
    for (const f of frameworks) {
      const p = phaseOf(f);
      frameworksByPhase[p] = (frameworksByPhase[p] ?? 0) + 1;
    }
    const tasks: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [taskCountKey(s), 0]));
    for (const t of this.source.state.c.tasks.list()) {
      const s = taskCountKey(t.status?.state ?? 'TASK_STAGING');
      tasks[s] = (tasks[s] ?? 0) + 1;
    }
    return {
      time: new Date(this.source.clock.now()).toISOString(),
      resources,
      counts: {
        nodes: rows.length,
        readyNodes: rows.filter((r) => r.ready).length,
        frameworks: frameworks.length,
        frameworksByPhase,
        tasks,
        outstandingOffers: this.source.state.c.offers.list().filter((o) => isOpen(o)).length,
      },
      shares: this.history.series(),
    };
  }
}
