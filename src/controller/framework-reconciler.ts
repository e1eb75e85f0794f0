// A Framework's lifecycle and status: the cleanup finalizer, failover (a scheduler that stops
// heartbeating past its failover timeout is Disconnected: its tasks are killed and its offers
// rescinded until it heartbeats again), deletion (kill tasks, withdraw offers, then let go),
// and status — allocation, dominant share, task counts, outstanding offers, conditions —
// written through the status subresource only when it changed.
import type { Logger } from 'pino';
import { frameworkLeaseName, TASK_STATES, taskCountKey } from '../api/index.ts';
import { targetOf } from './events.ts';
import { namespacedKey } from '../api/keys.ts';
import type { ResourceList } from '../api/quantity.ts';
import { isOpen, offerPhase } from '../api/group.ts';
import {
  builtinOutcome,
  FrameworkCondition,
  FrameworkConditionReason,
  MAX_CONDITION_MESSAGE,
  setCondition,
  type Condition,
} from './conditions.ts';
import { isoNow, type Context } from './context.ts';
import { heartbeat } from './failover.ts';
import { offerResources } from './allocation-loop.ts';
import { isConflict, isNotFound } from '../api/errors.ts';
import { nullMissing, sameJson, sameJsonBut } from './status-json.ts';
import type { FrameworkObject, FrameworkStatus } from '../api/objects.ts';
import { frameworkRoles } from '../api/role-names.ts';
import { isTerminal } from '../api/group.ts';

export const FINALIZER = 'agora.dev/cleanup';

/**
 * Framework.status fields that move with every launch (counts, shares, what is allocated and
 * wanted). A change of only these is written at most once per COUNTS_INTERVAL_MS per framework:
 * 50 frameworks launching at once otherwise wrote their status about once a second each, which
 * took the whole status lane at 1,000 nodes and made Task status wait behind them. Phase and
 * conditions are written at once.
 */
const COUNT_FIELDS = ['allocated', 'dominantShare', 'outstandingOffers', 'tasks', 'roles', 'demand'] as const;
export const COUNTS_INTERVAL_MS = 5000;

export class FrameworkReconciler {
  private readonly ctx: Context;
  private readonly log: Logger;
  /** When each framework's status was last written (for COUNTS_INTERVAL_MS). */
  private readonly written = new Map<string, number>();

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'frameworks' });
  }

  async reconcile(key: string): Promise<void> {
    const { ctx } = this;
    const fw = ctx.state.c.frameworks.get(key);
    if (fw === undefined) {
      this.written.delete(key);
      ctx.disconnected.delete(key);
      ctx.allocator.removeFramework(key);
      const [namespace, framework] = key.split('/');
      ctx.metrics.dominantShare.remove({ namespace, framework });
      return;
    }
    if (!ctx.manages(fw.metadata.namespace)) return;
    const log = this.log.child({ framework: key });
    if (fw.metadata.deletionTimestamp !== undefined) return this.finalize(key, fw, log);
    if (!(fw.metadata.finalizers ?? []).includes(FINALIZER)) {
      await ctx.kube.patchCustom('Framework', fw.metadata.namespace, fw.metadata.name, {
        metadata: { finalizers: [...(fw.metadata.finalizers ?? []), FINALIZER], resourceVersion: fw.metadata.resourceVersion },
      });
    }
    this.failover(key, fw, log);
    await this.writeStatus(key, fw);
  }

  private failover(key: string, fw: FrameworkObject, log: Logger): void {
    const { ctx } = this;
    const lease = ctx.leases.get(namespacedKey(fw.metadata.namespace, frameworkLeaseName(fw.metadata.name)));
    const now = ctx.clock.now();
    const hb = heartbeat(fw, lease, now);
    const was = ctx.disconnected.has(key);
    const target = targetOf('Framework', fw);
    if (hb.disconnected && !was) {
      ctx.disconnected.add(key);
      log.warn({ failoverTimeoutSeconds: fw.spec.failoverTimeoutSeconds }, 'framework disconnected');
      ctx.events.warning(
        target,
        'FrameworkDisconnected',
        `no heartbeat for ${fw.spec.failoverTimeoutSeconds}s (Lease ${frameworkLeaseName(fw.metadata.name)}): killing its tasks and rescinding its offers`,
      );
    } else if (!hb.disconnected && was) {
      ctx.disconnected.delete(key);
      log.info('framework reconnected');
      ctx.events.normal(target, 'FrameworkReconnected', 'the scheduler heartbeats again; offers resume');
    }
    if (hb.disconnected !== was) {
      ctx.state.dirtyFrameworks.add(key);
      for (const t of ctx.state.taskKeysOfFramework(key)) ctx.queues.tasks.add(t);
      ctx.kick();
    }
    if (hb.deadline !== undefined && !hb.disconnected) ctx.queues.frameworks.addAfter(key, Math.max(10, hb.deadline - now + 10));
  }

  private async finalize(key: string, fw: FrameworkObject, log: Logger): Promise<void> {
    const { ctx } = this;
    if (!(fw.metadata.finalizers ?? []).includes(FINALIZER)) return;
    ctx.allocator.removeFramework(key);
    let remaining = 0;
    for (const t of ctx.state.taskKeysOfFramework(key)) {
      const task = ctx.state.task(t);
      const pod = ctx.state.podOf(t);
      const podActive = pod !== undefined && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
      if (task !== undefined && (!isTerminal(task.status?.state) || podActive)) {
        remaining++;
        ctx.queues.tasks.add(t);
      }
    }
    const offers = ctx.allocator.offers().filter((o) => o.framework === key).length;
    const pendingOffers = [...ctx.state.offerKeysOfFramework(key)].filter((k) => {
      const o = ctx.state.c.offers.get(k);
      return o !== undefined && offerPhase(o) === 'Outstanding';
    }).length;
    if (remaining > 0 || offers > 0 || pendingOffers > 0) {
      if (fw.status?.phase !== 'Terminating') {
        await this.patchStatus(fw, { ...(fw.status ?? {}), phase: 'Terminating', observedGeneration: fw.metadata.generation });
      }
      ctx.kick();
      log.debug({ tasks: remaining, offers: offers + pendingOffers }, 'waiting for tasks and offers to go');
      ctx.queues.frameworks.addAfter(key, 250);
      return;
    }
    try {
      await ctx.kube.patchCustom('Framework', fw.metadata.namespace, fw.metadata.name, {
        metadata: {
          finalizers: (fw.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
          resourceVersion: fw.metadata.resourceVersion,
        },
      });
      log.info('framework cleaned up');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The status this framework should have now. */
  desiredStatus(key: string, fw: FrameworkObject): FrameworkStatus {
    const { ctx } = this;
    const now = isoNow(ctx);
    const st = ctx.allocator.frameworkStatus(key);
    const counts: Record<string, number> = {};
    for (const s of TASK_STATES) counts[taskCountKey(s)] = 0;
    let allocated: ResourceList = {};
    for (const t of ctx.state.taskKeysOfFramework(key)) {
      const task = ctx.state.task(t);
      const s = task?.status?.state ?? 'TASK_STAGING';
      counts[taskCountKey(s)] = (counts[taskCountKey(s)] ?? 0) + 1;
    }
    if (st !== undefined) allocated = st.allocated;
    let outstanding = 0;
    for (const o of ctx.state.offerKeysOfFramework(key)) {
      const offer = ctx.state.c.offers.get(o);
      if (offer !== undefined && isOpen(offer)) outstanding++;
    }
    const lease = ctx.leases.get(namespacedKey(fw.metadata.namespace, frameworkLeaseName(fw.metadata.name)));
    const hb = heartbeat(fw, lease, ctx.clock.now());
    const disconnected = ctx.disconnected.has(key);
    const suppressed = fw.spec.suppressed === true;
    const active = (counts.running ?? 0) + (counts.staging ?? 0) + (counts.starting ?? 0) > 0 || outstanding > 0;
    const generation = fw.metadata.generation;
    const done = builtinOutcome(fw);
    const phase = disconnected ? 'Disconnected' : (done ?? (suppressed ? 'Suppressed' : active ? 'Active' : 'Pending'));
    let conditions = (fw.status?.conditions ?? []) as Condition[];
    conditions = setCondition(
      conditions,
      disconnected
        ? {
            type: FrameworkCondition.Ready,
            status: 'False',
            reason: FrameworkConditionReason.FailedOver,
            message: 'the scheduler missed its failover timeout; no offers until it heartbeats again',
            observedGeneration: generation,
          }
        : suppressed
          ? {
              type: FrameworkCondition.Ready,
              status: 'False',
              reason: FrameworkConditionReason.Suppressed,
              message: 'offers are suppressed (spec.suppressed)',
              observedGeneration: generation,
            }
          : {
              type: FrameworkCondition.Ready,
              status: 'True',
              reason: FrameworkConditionReason.Registered,
              message: receivingMessage(fw),
              observedGeneration: generation,
            },
      now,
    );
    if (fw.spec.failoverTimeoutSeconds !== undefined && fw.spec.builtin === undefined) {
      conditions = setCondition(
        conditions,
        disconnected
          ? {
              type: FrameworkCondition.Disconnected,
              status: 'True',
              reason: FrameworkConditionReason.FailoverTimeoutExceeded,
              message: `no heartbeat (Lease ${frameworkLeaseName(fw.metadata.name)}) for more than ${fw.spec.failoverTimeoutSeconds}s`,
              observedGeneration: generation,
            }
          : {
              type: FrameworkCondition.Disconnected,
              status: 'False',
              reason: FrameworkConditionReason.Heartbeating,
              message: 'the scheduler heartbeats within its failover timeout',
              observedGeneration: generation,
            },
        now,
      );
    }
    const offers = this.offersAvailable(key, outstanding);
    if (offers !== undefined) conditions = setCondition(conditions, { ...offers, observedGeneration: generation }, now);
    const out: FrameworkStatus = {
      ...(fw.status ?? {}),
      observedGeneration: generation,
      phase,
      allocated: offerResources(allocated),
      dominantShare: Math.round((st?.dominantShare ?? 0) * 10_000) / 10_000,
      outstandingOffers: outstanding,
      tasks: counts,
      conditions,
    };
    // Per role, for a framework that lists its roles (a single spec.role says it all already).
    if (fw.spec.roles !== undefined && st !== undefined) {
      out.roles = st.roles.map((r) => ({
        role: r.role,
        allocated: offerResources(r.allocated),
        dominantShare: Math.round(r.dominantShare * 10_000) / 10_000,
        suppressed: r.suppressed,
      }));
    } else delete out.roles;
    if (st?.demand !== undefined) out.demand = st.demand.map((d) => ({ ...d, resources: offerResources(d.resources) }));
    else delete out.demand;
    if (hb.lastHeartbeat !== undefined) out.lastHeartbeatTime = new Date(hb.lastHeartbeat).toISOString();
    return out;
  }

  /**
   * The OffersAvailable condition (undefined: leave it as it is). Its message names no relative
   * time and no changing count, so that it changes only when the reasons do (the shared
   * explanation is at most a few seconds old).
   */
  private offersAvailable(key: string, outstanding: number): Omit<Condition, 'lastTransitionTime'> | undefined {
    const type = FrameworkCondition.OffersAvailable;
    if (outstanding > 0)
      return { type, status: 'True', reason: FrameworkConditionReason.OffersOutstanding, message: 'it holds outstanding offers' };
    // Undefined: computed before this framework was known; the next explanation will say.
    const why = this.ctx.explanations.why(key);
    if (why === undefined) return undefined;
    if (why.offered)
      return { type, status: 'True', reason: FrameworkConditionReason.Offered, message: 'the next allocation cycle offers it resources' };
    return { type, status: 'False', reason: why.reason, message: why.message.slice(0, MAX_CONDITION_MESSAGE) };
  }

  private async writeStatus(key: string, fw: FrameworkObject): Promise<void> {
    const want = this.desiredStatus(key, fw);
    this.ctx.metrics.dominantShare.set({ namespace: fw.metadata.namespace, framework: fw.metadata.name }, want.dominantShare ?? 0);
    if (sameJson(want, fw.status ?? {})) return;
    const wait = (this.written.get(key) ?? -Infinity) + COUNTS_INTERVAL_MS - this.ctx.clock.now();
    // A framework at rest (nothing allocated, or its workload over) is shown so at once.
    const atRest = want.dominantShare === 0 || want.phase === 'Completed' || want.phase === 'Failed';
    if (wait > 0 && !atRest && sameJsonBut(want, fw.status ?? {}, COUNT_FIELDS)) {
      this.ctx.queues.frameworks.addAfter(key, wait);
      return;
    }
    // Status waits in the low lane and is recomputed when its turn comes.
    await this.ctx.kube.acquire('low');
    const current = this.ctx.state.c.frameworks.get(key);
    if (current === undefined || current.metadata.deletionTimestamp !== undefined) {
      this.ctx.kube.giveBack('low');
      return;
    }
    const fresh = this.desiredStatus(key, current);
    if (sameJson(fresh, current.status ?? {})) {
      this.ctx.kube.giveBack('low');
      return;
    }
    await this.patchStatus(current, fresh, 'held');
    this.written.set(key, this.ctx.clock.now());
  }

  private async patchStatus(fw: FrameworkObject, status: FrameworkStatus, priority: 'high' | 'held' = 'high'): Promise<void> {
    try {
      // The whole status, replacing maps (allocated, tasks) rather than merging into them. The
      // conditions list is replaced too, carrying the built-in scheduler's Complete condition as
      // read: the precondition keeps a stale read from reverting the scheduler's newer write (a
      // conflict is dropped; the write that caused it queues this framework again).
      const body = {
        metadata: { resourceVersion: fw.metadata.resourceVersion },
        status: {
          ...status,
          allocated: nullMissing(fw.status?.allocated, status.allocated),
          ...(status.demand === undefined && fw.status?.demand !== undefined ? { demand: null } : {}),
        },
      };
      await this.ctx.kube.patchCustomStatus('Framework', fw.metadata.namespace, fw.metadata.name, body, priority);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}

/** The Ready message of a framework that is not suppressed as a whole: its roles, and which of them are. */
function receivingMessage(fw: FrameworkObject): string {
  const roles = frameworkRoles(fw.spec);
  const suppressed = new Set(fw.spec.suppressedRoles ?? []);
  const open = roles.filter((r) => !suppressed.has(r));
  const word = (n: number) => (n === 1 ? 'role' : 'roles');
  if (open.length === 0) return `offers are suppressed for every role (spec.suppressedRoles: ${roles.join(', ')})`;
  const msg = `receiving offers for ${word(open.length)} ${open.join(', ')}`;
  const off = roles.filter((r) => suppressed.has(r));
  return off.length === 0 ? msg : `${msg}; suppressed for ${word(off.length)} ${off.join(', ')} (spec.suppressedRoles)`;
}
