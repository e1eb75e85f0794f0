// The allocation loop: every interval (or sooner when kicked) it tells the allocator what
// changed since the last cycle, runs one cycle, and applies the decisions — rescinds first
// (an Offer's status moves to Rescinded/Expired), then offers (an Offer object per decision).
// The allocator counts an offer as outstanding from the moment it decides it, and a rescinded
// one until its status is written, so no resource is ever in two offers; and it makes no offer
// on a node that has one outstanding, so each node is in at most one.
import type { Logger } from 'pino';
import { API_VERSION, declinedForSeconds, LABEL, offerPhase } from '../api/index.ts';
import { add, formatResourceList, min, type ResourceList } from '../api/quantity.ts';
import type { Allocator, OfferDecision, OfferInfo, RescindDecision, Reservation } from '../allocator/index.ts';
import { parseResourceListLenient } from '../api/quantity.ts';
import { builtinOutcome } from './conditions.ts';
import { isoNow, type Context } from './context.ts';
import { frameworkKeyOf, keyOf, splitKey } from '../api/keys.ts';
import { errorSummary, isConflict, isNotFound } from '../api/errors.ts';
import { ms, type FrameworkObject, type OfferObject } from '../api/objects.ts';
import { MANAGED_BY } from '../api/pod.ts';
import { isNodeReady } from './nodes.ts';
import { frameworkDemand } from './demand.ts';
import { MaintenanceLoop } from './maintenance.ts';
import { InFlight } from './in-flight.ts';
import { frameworkRoles, roleOfObject } from '../api/role-names.ts';
import { reservationsByNode } from './reservations-by-node.ts';

/** Offer spec.resources leave out the pod slot (tasks do not ask for it; it is counted for them). */
export function offerResources(r: ResourceList): Record<string, string> {
  const { pods: _pods, ...rest } = r;
  return formatResourceList(rest);
}

/**
 * An Outstanding Offer the allocator does not know (made before a restart), as it must hold it
 * again: its spec.resources plus its spec.podSlots (on an offer made before that field: all the
 * node has free, as the node's one offer had — more would overcommit the node and get it rescinded).
 */
export function restoredOffer(allocator: Allocator, key: string, o: OfferObject, now: number): OfferInfo {
  let resources = parseResourceListLenient(o.spec.resources as Record<string, string>);
  let pods = o.spec.podSlots ?? allocator.nodeFree(o.spec.nodeName)?.pods;
  // Accepted but not yet recorded when the controller stopped: the accept is applied again
  // shortly, and all it can use is what its tasks ask for (within the offer), a pod slot each.
  // The rest went back to the pool when it was first applied and may be in a newer offer already.
  if (o.spec.accept !== undefined) {
    const tasks = o.spec.accept.tasks ?? [];
    const asked = tasks.reduce<ResourceList>((sum, t) => add(sum, parseResourceListLenient(t.resources as Record<string, unknown>)), {});
    resources = min(resources, asked);
    if (pods !== undefined) pods = Math.min(pods, tasks.length);
  }
  return {
    id: key,
    framework: frameworkKeyOf(o),
    ...(o.spec.role !== undefined ? { role: o.spec.role } : {}),
    node: o.spec.nodeName,
    resources: pods === undefined ? resources : { ...resources, pods },
    createdAt: ms(o.metadata.creationTimestamp) ?? now,
  };
}

/**
 * What of a Framework the allocator reads — its spec (by generation), its deletion and a built-in
 * framework's outcome — as one comparable string; the rest of its status changes no offer.
 */
export function allocatorViewOf(fw: FrameworkObject): string {
  return `${fw.metadata.generation ?? ''}/${fw.metadata.deletionTimestamp ?? ''}/${builtinOutcome(fw) ?? ''}`;
}

const MIN_GAP_MS = 20;
/** Kicked cycles back to back take at most this share of the event loop (launches and answers need the rest). */
const KICKED_CYCLE_SHARE = 0.25;

/** The least time from one kicked cycle's start to the next, after a cycle that took cycleMs. */
export function kickedGapMs(cycleMs: number): number {
  return Math.max(MIN_GAP_MS, cycleMs / KICKED_CYCLE_SHARE);
}
/** An offer answered or withdrawn here that the cache still shows Outstanding after this long is reconciled afresh. */
const SETTLED_SAFETY_NET_MS = 60_000;

export class AllocationLoop {
  private readonly ctx: Context;
  private readonly log: Logger;
  /** (framework key, role) pairs given a non-zero allocation on each node, to zero them when they go. */
  private readonly allocated = new Map<string, Map<string, [framework: string, role: string]>>();
  private readonly knownRoles = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = true;
  private lastStart = 0;
  private gapMs = MIN_GAP_MS;
  private lastStatusSweep = Number.NEGATIVE_INFINITY;
  private loopDone: Promise<void> = Promise.resolve();
  /** Offer and rescind writes of earlier cycles still under way (each settles: they catch their errors). */
  private readonly inFlight = new InFlight();
  /** Offers whose create is under way: withdrawn only once written (the next cycle asks again). */
  private readonly creating = new Set<string>();
  /** Nodes in a maintenance window are offered to no one; frameworks on them get inverse offers. */
  private readonly maintenance: MaintenanceLoop;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'allocation' });
    this.maintenance = new MaintenanceLoop(ctx);
  }

  /**
   * After the caches synced: tell the allocator everything, including the outstanding Offers
   * (they hold resources) and recent declines (their filters), before the first cycle.
   */
  recover(): void {
    const { state, allocator } = this.ctx;
    for (const n of state.c.nodes.list()) state.dirtyNodes.add(n.metadata!.name!);
    for (const n of state.nodesWithTasks()) state.dirtyNodes.add(n);
    for (const f of state.c.frameworks.list()) state.dirtyFrameworks.add(keyOf(f));
    state.rolesDirty = true;
    this.sync();
    const now = this.ctx.clock.now();
    let outstanding = 0;
    for (const o of state.c.offers.list()) {
      if (!this.ctx.manages(o.metadata.namespace)) continue;
      const key = keyOf(o);
      if (offerPhase(o) === 'Outstanding') {
        allocator.upsertOffer(restoredOffer(allocator, key, o, now));
        outstanding++;
      } else if (offerPhase(o) === 'Declined') {
        const fw = frameworkKeyOf(o);
        const resources = parseResourceListLenient(o.spec.resources as Record<string, string>);
        const f = state.c.frameworks.get(fw);
        const refuse = declinedForSeconds(o, f);
        const until = (ms(o.status?.respondedAt) ?? 0) + refuse * 1000;
        if (until > now) allocator.addFilter(fw, o.spec.nodeName, resources, until, o.spec.role);
      }
    }
    this.log.info(
      {
        nodes: state.c.nodes.list().length,
        frameworks: state.c.frameworks.list().length,
        tasks: state.c.tasks.list().length,
        outstandingOffers: outstanding,
      },
      'state rebuilt from the API',
    );
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.maintenance.stop();
    await this.loopDone;
    await this.inFlight.settled();
  }

  /** Run a cycle soon (not sooner than kickedGapMs after the last one started). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastStart + this.gapMs - this.ctx.clock.now());
    this.schedule(wait);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loopDone = this.runOnce();
    }, ms);
  }

  private async runOnce(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    this.again = false;
    this.lastStart = this.ctx.clock.now();
    const started = performance.now();
    try {
      await this.cycle();
    } catch (err) {
      this.log.error({ err: errorSummary(err) }, 'allocation cycle failed');
    } finally {
      this.running = false;
    }
    this.gapMs = kickedGapMs(performance.now() - started);
    if (this.stopped) return;
    this.schedule(this.again ? this.gapMs : this.ctx.options.allocationIntervalMs);
  }

  /** One cycle: sync, allocate, apply. Exposed for tests. */
  async cycle(): Promise<void> {
    const { allocator, metrics } = this.ctx;
    this.sync();
    const started = performance.now();
    const now = this.ctx.clock.now();
    const result = allocator.allocate(now);
    metrics.cycleDuration.observe((performance.now() - started) / 1000);
    // The writes go out without holding up the next cycle: the allocator already counts each
    // offer as outstanding (and each rescinded one until its status is written), so a later
    // cycle cannot hand out the same resources, and a loaded API server no longer spaces
    // cycles by the time it takes to write the slowest of them.
    if (result.offers.length + result.rescinds.length > 0) {
      const applyStart = performance.now();
      const writes = [...result.rescinds.map((r) => this.rescind(r)), ...result.offers.map((o) => this.offer(o))];
      this.inFlight.add(
        Promise.all(writes).then(() => {
          metrics.applyDuration.observe((performance.now() - applyStart) / 1000);
          this.log.debug({ offers: result.offers.length, rescinds: result.rescinds.length }, 'cycle applied');
        }),
      );
    }
    metrics.offersOutstanding.set(allocator.offers().length);
    // Shares move with every cycle: refresh each framework's and role's status, but once an
    // interval, not once a kicked cycle (a busy cluster kicks many cycles a second).
    if (now - this.lastStatusSweep >= this.ctx.options.allocationIntervalMs) {
      this.lastStatusSweep = now;
      for (const f of this.ctx.state.c.frameworks.list()) {
        if (this.ctx.manages(f.metadata.namespace)) this.ctx.queues.frameworks.add(keyOf(f));
      }
      for (const r of this.ctx.state.c.roles.list()) this.ctx.queues.roles.add(r.metadata.name);
    }
    this.ctx.ledger.expire(SETTLED_SAFETY_NET_MS);
  }

  /** Pushes what changed in the caches into the allocator. */
  sync(): void {
    const { state, allocator } = this.ctx;
    this.maintenance.sync();
    if (state.rolesDirty) {
      state.rolesDirty = false;
      const seen = new Set<string>();
      for (const r of state.c.roles.list()) {
        const name = roleOfObject(r.metadata.name);
        seen.add(name);
        try {
          allocator.upsertRole({
            name,
            weight: r.spec?.weight,
            guarantee: r.spec?.guarantee ? parseResourceListLenient(r.spec.guarantee as Record<string, string>) : undefined,
            limit: r.spec?.limit ? parseResourceListLenient(r.spec.limit as Record<string, string>) : undefined,
          });
        } catch (err) {
          this.log.warn({ role: name, err: errorSummary(err) }, 'role ignored');
        }
      }
      for (const name of this.knownRoles) if (!seen.has(name)) allocator.removeRole(name);
      this.knownRoles.clear();
      for (const n of seen) this.knownRoles.add(n);
      // Reservations live on the nodes.
      for (const n of state.c.nodes.list()) state.dirtyNodes.add(n.metadata!.name!);
    }
    for (const key of state.dirtyFrameworks) {
      const f = state.c.frameworks.get(key);
      if (f === undefined || !this.ctx.manages(f.metadata.namespace) || f.metadata.deletionTimestamp !== undefined) {
        allocator.removeFramework(key);
        continue;
      }
      const roles = frameworkRoles(f.spec);
      const minOfferByRole: Record<string, ResourceList[]> = {};
      for (const x of f.spec.offerFilters ?? []) {
        if (roles.includes(x.role))
          minOfferByRole[x.role] = x.minAllocatableResources.map((m) => parseResourceListLenient(m as Record<string, string>));
      }
      allocator.upsertFramework({
        name: key,
        roles,
        suppressedRoles: f.spec.suppressedRoles,
        capabilities: f.spec.capabilities,
        // A built-in workload that is over wants nothing more: SUPPRESS it, as a Mesos framework
        // would, rather than have it decline every node it is offered.
        suppressed: f.spec.suppressed === true || this.ctx.disconnected.has(key) || builtinOutcome(f) !== undefined,
        constraints: f.spec.offerConstraints?.nodeSelector,
        minOfferByRole,
        demand: frameworkDemand(
          f,
          () => this.objects(state.taskKeysOfFramework(key), (k) => state.task(k)),
          () => this.objects(state.offerKeysOfFramework(key), (k) => state.c.offers.get(k)),
        ),
      });
    }
    state.dirtyFrameworks.clear();
    const reservations = this.reservationsByNode();
    for (const name of state.dirtyNodes) {
      const node = state.c.nodes.get(name);
      const usage = state.usage(name);
      if (node === undefined) allocator.removeNode(name);
      else {
        allocator.upsertNode({
          name,
          allocatable: usage.allocatable,
          external: usage.external,
          labels: node.metadata?.labels ?? {},
          unschedulable: node.spec?.unschedulable === true || this.maintenance.inForce(name),
          ready: isNodeReady(node),
          reservations: reservations.get(name),
        });
      }
      const prev = this.allocated.get(name);
      const next = new Map<string, [string, string]>();
      for (const [fw, byRole] of usage.roles) {
        for (const [role, r] of byRole) {
          allocator.setAllocation(fw, name, r, role);
          next.set(`${fw}\u0000${role}`, [fw, role]);
        }
      }
      for (const [k, [fw, role]] of prev ?? []) if (!next.has(k)) allocator.setAllocation(fw, name, {}, role);
      if (next.size === 0) this.allocated.delete(name);
      else this.allocated.set(name, next);
    }
    state.dirtyNodes.clear();
  }

  private objects<T>(keys: Iterable<string>, get: (key: string) => T | undefined): T[] {
    const out: T[] = [];
    for (const k of keys) {
      const o = get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  /** Static reservations (ResourceRoles' spec.reservations) and dynamic ones (Reservations), by node. */
  private reservationsByNode(): Map<string, Reservation[]> {
    return reservationsByNode(this.ctx.state);
  }

  private async rescind(r: RescindDecision): Promise<void> {
    const { ctx } = this;
    const key = r.offerId;
    if (ctx.ledger.busy(key) || this.creating.has(key)) return;
    const cached = ctx.state.c.offers.get(key);
    if (cached !== undefined && (cached.spec.accept !== undefined || cached.spec.decline !== undefined)) {
      // Answered before we got to it: the answer wins.
      ctx.queues.offers.add(key);
      return;
    }
    const { namespace, name } = splitKey(key);
    const expired = r.reason === 'Expired';
    const reason =
      r.reason === 'FrameworkSuppressed' && ctx.disconnected.has(r.framework)
        ? 'FrameworkDisconnected'
        : r.reason === 'NodeUnschedulable' && this.maintenance.inForce(r.node)
          ? 'NodeInMaintenance'
          : r.reason;
    const message = rescindMessage(reason, r.node);
    ctx.ledger.beginRescind(key);
    try {
      const body: Record<string, unknown> = {
        status: { phase: expired ? 'Expired' : 'Rescinded', reason, message, respondedAt: isoNow(ctx) },
      };
      // Precondition: if the framework answered meanwhile, the write fails and the answer is applied.
      if (cached?.metadata.resourceVersion) body.metadata = { resourceVersion: cached.metadata.resourceVersion };
      await ctx.kube.patchCustomStatus('Offer', namespace, name, body, 'normal');
      ctx.allocator.removeOffer(key);
      ctx.ledger.rescinded(key);
      ctx.metrics.offers.inc({ result: expired ? 'expired' : 'rescinded' });
      const target = { apiVersion: API_VERSION, kind: 'Offer', namespace, name, uid: cached?.metadata.uid };
      if (expired) ctx.events.normal(target, 'OfferExpired', message);
      else ctx.events.warning(target, 'OfferRescinded', message);
      ctx.kick();
    } catch (err) {
      if (isNotFound(err)) {
        ctx.allocator.removeOffer(key);
        ctx.ledger.rescinded(key);
      } else if (isConflict(err)) ctx.queues.offers.add(key);
      else this.log.warn({ offer: key, err: errorSummary(err) }, 'rescind failed; retried next cycle');
    } finally {
      ctx.ledger.abandon(key);
    }
  }

  private async offer(d: OfferDecision): Promise<void> {
    const { namespace, name } = splitKey(d.offerId);
    this.creating.add(d.offerId);
    try {
      await this.create(d, namespace, name);
    } finally {
      this.creating.delete(d.offerId);
    }
  }

  private async create(d: OfferDecision, namespace: string, name: string): Promise<void> {
    const { ctx } = this;
    // The token first: under load the write waits here, and the offer's time to answer must
    // start when it is written, not when it was decided.
    await ctx.kube.acquire('normal');
    const fw = ctx.state.c.frameworks.get(d.framework);
    const node = ctx.state.c.nodes.get(d.node);
    if (fw === undefined || node === undefined || ctx.allocator.getOffer(d.offerId) === undefined) {
      // Gone meanwhile (or withdrawn by a later cycle before it was ever written).
      ctx.kube.giveBack('normal');
      ctx.allocator.removeOffer(d.offerId);
      return;
    }
    const now = ctx.clock.now();
    const labels: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY };
    if (fw.metadata.name.length <= 63) labels[LABEL.framework] = fw.metadata.name;
    const body: OfferObject = {
      apiVersion: API_VERSION,
      kind: 'Offer',
      metadata: {
        name,
        namespace,
        labels,
        ownerReferences: [{ apiVersion: API_VERSION, kind: 'Framework', name: fw.metadata.name, uid: fw.metadata.uid!, controller: true }],
      },
      spec: {
        framework: fw.metadata.name,
        nodeName: d.node,
        resources: offerResources(d.resources),
        ...(d.resources.pods !== undefined ? { podSlots: d.resources.pods } : {}),
        attributes: { ...(node.metadata?.labels ?? {}) },
        role: d.role,
        ...(d.reserved
          ? { reserved: d.reserved.map((r) => ({ role: r.role, type: r.type, resources: offerResources(r.resources) })) }
          : {}),
        ...(d.revocable === true ? { revocable: true } : {}),
        expiresAt: new Date(now + ctx.options.offerTimeoutMs).toISOString(),
      },
    };
    let created: OfferObject;
    try {
      created = await ctx.kube.createCustom<OfferObject>('Offer', namespace, body, 'held');
    } catch (err) {
      this.log.warn(
        { offer: d.offerId, framework: d.framework, node: d.node, err: errorSummary(err) },
        'offer not created; resources return to the pool',
      );
      ctx.allocator.removeOffer(d.offerId);
      return;
    }
    ctx.allocator.offerPublished(d.offerId, now);
    ctx.metrics.offers.inc({ result: 'created' });
    // An Offer without a phase is Outstanding; the phase is written a little later in the low
    // lane, and not at all if the offer was answered or withdrawn by then (coalesced).
    void this.markOutstanding(d.offerId, created.metadata.resourceVersion);
  }

  private async markOutstanding(key: string, createdVersion: string | undefined): Promise<void> {
    const { ctx } = this;
    const { namespace, name } = splitKey(key);
    // Most offers are answered within moments: then the write is never needed.
    await new Promise((r) => setTimeout(r, ctx.options.outstandingStatusDelayMs).unref());
    await ctx.kube.acquire('low');
    const cached = ctx.state.c.offers.get(key);
    if (
      ctx.allocator.getOffer(key) === undefined ||
      ctx.ledger.stage(key) !== undefined ||
      (cached !== undefined &&
        (cached.status?.phase !== undefined || cached.spec.accept !== undefined || cached.spec.decline !== undefined))
    ) {
      ctx.kube.giveBack('low');
      return;
    }
    try {
      // Precondition: an answer that arrived meanwhile must never be overwritten.
      const resourceVersion = cached?.metadata.resourceVersion ?? createdVersion;
      await ctx.kube.patchCustomStatus(
        'Offer',
        namespace,
        name,
        { metadata: { resourceVersion }, status: { phase: 'Outstanding' } },
        'held',
      );
    } catch (err) {
      this.log.debug({ offer: key, err: errorSummary(err) }, 'offer status not written');
    }
  }
}

function rescindMessage(reason: string, node: string): string {
  switch (reason) {
    case 'Expired':
      return 'not answered before the offer timeout';
    case 'NodeGone':
      return `node ${node} is gone`;
    case 'NodeUnschedulable':
      return `node ${node} was cordoned`;
    case 'NodeInMaintenance':
      return `node ${node} is in a maintenance window`;
    case 'NodeNotReady':
      return `node ${node} is not Ready`;
    case 'NodeResourcesGone':
      return `node ${node} no longer has the offered resources free`;
    case 'FrameworkGone':
      return 'the framework was removed';
    case 'FrameworkSuppressed':
      return 'the framework suppressed offers';
    case 'FrameworkDisconnected':
      return "the framework's scheduler missed its failover timeout";
    default:
      return reason;
  }
}
