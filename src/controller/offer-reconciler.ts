// Applies a framework's answer to an Offer. ACCEPT: re-check every task against the offer and
// against the node as it is now (judge.ts), create one Task per accepted task and, for those
// that fit, its Pod; only then mark the Offer Accepted. Everything is idempotent — Task and Pod
// names are deterministic and AlreadyExists is success — so a restart in the middle re-runs the
// accept to the same end. DECLINE: the node is filtered for the framework for refuseSeconds.
// Unused resources go back at once. What this process has done to an offer that the cache does
// not show yet is in the offer ledger (offer-ledger.ts).
//
// An offer always ends. A task that cannot be turned into a Task or a Pod (data the API client
// cannot even serialise) fails alone — TASK_ERROR, or no Task at all — and the rest of the offer
// goes on; an API error is retried, but once the offer's expiry has passed the tasks still not
// launched fail (LaunchFailed) and the accept is recorded with what did launch.
import type { Logger } from 'pino';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { V1Pod } from '@kubernetes/client-node';
import { API_VERSION, declinedForSeconds, GROUP, LABEL, PLURAL, VERSION } from '../api/index.ts';
import { nodeFree } from '../api/fit.ts';
import { add, type ResourceList } from '../api/quantity.ts';
import { offerPhase } from '../api/group.ts';
import { restoredOffer } from './allocation-loop.ts';
import { isoNow, type Context } from './context.ts';
import { errorSummary, isConflict, isNotFound, isUnretryable } from '../api/errors.ts';
import type { FrameworkObject, OfferObject, TaskObject, TaskStatus } from '../api/objects.ts';
import { MANAGED_BY, podFor } from '../api/pod.ts';
import { TaskReason } from './task-state.ts';
import { frameworkKeyOf } from '../api/keys.ts';
import { acceptProblem, judgeAccept, type Verdict } from './judge.ts';
import { applyReservationOperations } from './reservation-writer.ts';
import { DEFAULT_ROLE } from '../api/role-names.ts';

export class OfferReconciler {
  private readonly ctx: Context;
  private readonly log: Logger;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'offers' });
  }

  async reconcile(key: string): Promise<void> {
    const { ctx } = this;
    const offer = ctx.state.c.offers.get(key);
    if (offer === undefined) {
      ctx.allocator.removeOffer(key);
      ctx.ledger.final(key);
      return;
    }
    if (!ctx.manages(offer.metadata.namespace)) return;
    if (ctx.ledger.stage(key) === 'rescinding') {
      ctx.queues.offers.addAfter(key, 50);
      return;
    }
    const phase = offerPhase(offer);
    const log = this.log.child({ offer: key, phase });
    if (phase !== 'Outstanding') {
      ctx.allocator.removeOffer(key);
      ctx.ledger.final(key);
      // An accept that arrived after the offer was withdrawn: its tasks are lost, said so on Tasks.
      if (offer.spec.accept !== undefined && offer.status?.tasks === undefined && (phase === 'Expired' || phase === 'Rescinded')) {
        await this.accept(key, offer, log, false);
      }
      return;
    }
    // Answered here; the cache has not caught up (or the answer is still being recorded).
    if (ctx.ledger.settled(key)) return;
    if (offer.spec.accept !== undefined) return this.accept(key, offer, log, true);
    if (offer.spec.decline !== undefined) return this.decline(key, offer, log);
    if (ctx.allocator.getOffer(key) === undefined) {
      // Outstanding in the API but unknown here (made before a restart and missed by recover).
      ctx.allocator.upsertOffer(restoredOffer(ctx.allocator, key, offer, ctx.clock.now()));
    }
  }

  private async decline(key: string, offer: OfferObject, log: Logger): Promise<void> {
    const { ctx } = this;
    const fw = ctx.state.c.frameworks.get(frameworkKeyOf(offer));
    const refuse = declinedForSeconds(offer, fw);
    ctx.allocator.decline(key, ctx.clock.now(), refuse);
    ctx.ledger.answered(key);
    ctx.metrics.offers.inc({ result: 'declined' });
    log.debug({ refuseSeconds: refuse }, 'offer declined');
    ctx.kick();
    this.record(key, offer, {
      phase: 'Declined',
      reason: 'Declined',
      message: `declined; node withheld from the framework for ${refuse}s`,
      respondedAt: isoNow(ctx),
    });
  }

  private async accept(key: string, offer: OfferObject, log: Logger, outstanding: boolean): Promise<void> {
    const { ctx } = this;
    const fw = ctx.state.c.frameworks.get(frameworkKeyOf(offer));
    if (!ctx.ledger.beginAnswer(key)) return;
    try {
      if (fw === undefined || fw.metadata.deletionTimestamp !== undefined) {
        // No framework to own the tasks: nothing is launched.
        await this.writeStatus(offer, {
          phase: outstanding ? 'Rescinded' : offerPhase(offer),
          reason: 'FrameworkGone',
          message: 'the framework was removed; no task was launched',
          respondedAt: isoNow(ctx),
          tasks: [],
        });
        ctx.allocator.removeOffer(key);
        ctx.ledger.answered(key);
        return;
      }
      // RESERVE / UNRESERVE first, so that the tasks launch into what the accept reserves.
      const reservations = outstanding
        ? await applyReservationOperations(ctx, offer, offer.spec.role ?? fw.spec.role ?? DEFAULT_ROLE, log)
        : undefined;
      const verdicts = this.judge(key, offer, outstanding);
      const results = await Promise.allSettled(verdicts.map((v) => this.launch(offer, fw, v)));
      await this.giveUpOrRetry(offer, verdicts, results);
      const launched = verdicts.filter((v) => v.fail === undefined && v.conflict === undefined);
      const failed = verdicts.length - launched.length;
      const used = launched.reduce<ResourceList>((acc, v) => add(acc, v.holding), {});
      const conflicts = verdicts.filter((v) => v.conflict !== undefined).map((v) => v.conflict!);
      const message = `${reservations !== undefined ? `${reservations}; ` : ''}${launched.length} task(s) launched${failed ? `, ${failed} failed` : ''}${conflicts.length ? `; ${conflicts.join('; ')}` : ''}`;
      const tasks = verdicts.filter((v) => v.conflict === undefined).map((v) => v.spec.name);
      if (outstanding) {
        // What the tasks do not use goes back to the pool now, not when the status is written.
        try {
          ctx.allocator.accept(key, ctx.clock.now(), used, offer.spec.accept?.refuseSeconds ?? 0);
        } catch {
          // The allocator no longer had the offer (or counts it differently): the next sync
          // sets the node's allocation from the Tasks either way.
          ctx.allocator.removeOffer(key);
        }
        ctx.metrics.offers.inc({ result: 'accepted' });
        ctx.state.dirtyNodes.add(offer.spec.nodeName);
        ctx.kick();
      }
      // Vouch only for what was launched; what failed has its status written (the cache may lag).
      ctx.ledger.answered(
        key,
        launched.map((v) => v.spec.name),
        verdicts.filter((v) => v.fail !== undefined).map((v) => v.spec.name),
      );
      this.record(key, offer, {
        phase: outstanding ? 'Accepted' : offerPhase(offer),
        reason: outstanding ? 'Accepted' : (offer.status?.reason ?? 'AcceptedTooLate'),
        message: outstanding ? message : `accepted after the offer was ${offerPhase(offer)}; no task was launched`,
        tasks,
        respondedAt: offer.status?.respondedAt ?? isoNow(ctx),
      });
      log.debug({ launched: launched.length, failed }, 'offer accepted');
    } finally {
      ctx.ledger.abandon(key);
      // Its tasks waited for this accept to finish; the cache may have told them before it did.
      for (const t of ctx.state.taskKeysOfOffer(key)) ctx.queues.tasks.add(t);
    }
  }

  /**
   * Launches that failed with an API error are retried (the error is rethrown: the queue backs
   * off) until the offer's expiry; after it they fail for good, so that the offer ends.
   */
  private async giveUpOrRetry(offer: OfferObject, verdicts: Verdict[], results: PromiseSettledResult<void>[]): Promise<void> {
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ v: verdicts[i]!, err: r.reason as unknown }] : []));
    if (failures.length === 0) return;
    const expires = Date.parse(String(offer.spec.expiresAt ?? ''));
    if (!(Number.isFinite(expires) && this.ctx.clock.now() >= expires)) throw failures[0]!.err;
    for (const { v, err } of failures) {
      const message = `not launched by the offer's expiry: ${errorSummary(err).message}`;
      if (v.task === undefined) v.conflict = `task ${v.spec.name} ${message}`;
      else {
        v.fail = { state: 'TASK_ERROR', reason: TaskReason.LaunchFailed, message };
        try {
          await this.failTask(offer, v.task, v.fail);
        } catch (e) {
          this.log.warn(
            { task: v.spec.name, err: errorSummary(e) },
            'task failure not written; the task reconciler will see it without a Pod',
          );
        }
      }
    }
  }

  /**
   * Records an answer on the Offer's status in the offers lane, off the worker. The answer is
   * applied already (tasks launched, allocator told), so the status only reports it: under load
   * launches go first, and the record before mirrored task status. Until the write shows in the cache, the ledger vouches for the
   * accepted tasks. If it fails, the offer is reconciled again: the answer is re-applied
   * (idempotently) and recorded anew. After a restart an unrecorded answer is re-applied the same way.
   */
  private record(key: string, offer: OfferObject, status: Record<string, unknown>): void {
    const { ctx } = this;
    ctx.ledger.recording(key);
    void (async () => {
      await ctx.kube.acquire('normal');
      if (ctx.queues.offers.isStopped) {
        ctx.kube.giveBack('normal');
        return;
      }
      try {
        await ctx.kube.patchCustomStatus('Offer', offer.metadata.namespace, offer.metadata.name, { status }, 'held');
      } catch (err) {
        if (isNotFound(err)) return;
        this.log.warn({ offer: key, err: errorSummary(err) }, 'answer not recorded; applying it again');
        ctx.ledger.recordFailed(key);
        ctx.queues.offers.addAfter(key, 1000);
      }
    })().finally(() => ctx.ledger.recorded(key));
  }

  /** Judges the accept (judge.ts) against the node as this controller sees it now. */
  private judge(key: string, offer: OfferObject, outstanding: boolean): Verdict[] {
    const { ctx } = this;
    const ns = offer.metadata.namespace;
    const nodeName = offer.spec.nodeName;
    const problem = acceptProblem(offer, outstanding, nodeName, ctx.state.c.nodes.get(nodeName));
    let free: ResourceList = {};
    if (problem === undefined) {
      const usage = ctx.state.usage(nodeName, key);
      const otherOffers = ctx.allocator.nodeOffers(nodeName).filter((o) => o.id !== key);
      free = nodeFree(usage.allocatable, [usage.external, ...usage.frameworks.values(), ...otherOffers.map((o) => o.resources)]);
    }
    return judgeAccept({ offer, problem, free, existing: (name) => ctx.state.task(`${ns}/${name}`) });
  }

  /** Creates the Task (and its Pod if it fits) and writes its first status. */
  private async launch(offer: OfferObject, fw: FrameworkObject, v: Verdict): Promise<void> {
    if (v.conflict !== undefined) return;
    const { ctx } = this;
    const ns = offer.metadata.namespace;
    if (v.task === undefined) {
      const labels: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY };
      if (fw.metadata.name.length <= 63) labels[LABEL.framework] = fw.metadata.name;
      if (offer.metadata.name.length <= 63) labels[LABEL.offer] = offer.metadata.name;
      const body: TaskObject = {
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: {
          name: v.spec.name,
          namespace: ns,
          labels,
          ownerReferences: [
            { apiVersion: API_VERSION, kind: 'Framework', name: fw.metadata.name, uid: fw.metadata.uid!, controller: true },
          ],
        },
        spec: {
          framework: fw.metadata.name,
          offer: offer.metadata.name,
          ...(offer.spec.role !== undefined ? { role: offer.spec.role } : {}),
          ...(offer.spec.revocable === true ? { revocable: true } : {}),
          nodeName: offer.spec.nodeName,
          resources: v.spec.resources,
          containers: v.spec.containers,
          ...(v.spec.labels ? { labels: v.spec.labels } : {}),
          ...(v.spec.annotations ? { annotations: v.spec.annotations } : {}),
        },
      };
      const unsendable = jsonError(body);
      if (unsendable !== undefined) {
        // Not even a Task can carry this one's failure: the accept's record says why.
        v.conflict = `task ${v.spec.name} cannot be created: ${unsendable}`;
        return;
      }
      try {
        v.task = await ctx.kube.createCustom<TaskObject>('Task', ns, body);
        ctx.state.assume(v.task);
      } catch (err) {
        if (!isConflict(err)) throw err;
        const got = (await ctx.kube.custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL.Task,
          name: v.spec.name,
        })) as TaskObject;
        if (got.spec.offer !== offer.metadata.name) {
          v.conflict = `task name ${v.spec.name} is taken by another task`;
          return;
        }
        v.task = got;
      }
    }
    const task = v.task!;
    if (task.status?.state !== undefined) return;
    let pod: V1Pod | undefined;
    if (v.fail === undefined) {
      try {
        pod = podFor({ task, serviceAccountName: fw.spec.serviceAccountName, priorityClassName: fw.spec.priorityClassName });
        const why = podError(pod);
        if (why !== undefined) throw new Error(why);
      } catch (err) {
        v.fail = {
          state: 'TASK_ERROR',
          reason: TaskReason.InvalidTask,
          message: `the task's Pod cannot be built: ${(err as Error).message}`,
        };
      }
    }
    if (v.fail === undefined) {
      try {
        ctx.state.assumePod(await ctx.kube.createPod(ns, pod!));
        ctx.podCreatedAt.set(`${ns}/${task.metadata.name}`, ctx.clock.now());
        // Launched: the Task's first status (TASK_STAGING, or further along by then) is the
        // task reconciler's, written in the low lane.
        return;
      } catch (err) {
        if (isConflict(err)) return;
        if (!isUnretryable(err)) throw err;
        v.fail = { state: 'TASK_ERROR', reason: TaskReason.PodCreateFailed, message: errorSummary(err).message };
      }
    }
    // A task that will not run is told so before the Offer says Accepted.
    await this.failTask(offer, task, v.fail);
  }

  private async failTask(offer: OfferObject, task: TaskObject, fail: NonNullable<Verdict['fail']>): Promise<void> {
    const { ctx } = this;
    const ns = offer.metadata.namespace;
    const now = isoNow(ctx);
    const status: TaskStatus = { state: fail.state, reason: fail.reason, message: fail.message, lastTransitionTime: now, finishedAt: now };
    if (task.metadata.generation !== undefined) status.observedGeneration = task.metadata.generation;
    try {
      await ctx.kube.patchCustomStatus('Task', ns, task.metadata.name, { status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    ctx.metrics.taskTransitions.inc({ state: status.state! });
    ctx.events.warning(
      { apiVersion: API_VERSION, kind: 'Task', namespace: ns, name: task.metadata.name, uid: task.metadata.uid },
      fail.reason,
      fail.message,
    );
  }

  private async writeStatus(offer: OfferObject, status: Record<string, unknown>): Promise<void> {
    await this.ctx.kube.patchCustomStatus('Offer', offer.metadata.namespace, offer.metadata.name, { status });
  }
}

/** Why `body` cannot be sent as JSON (e.g. nesting too deep), if it cannot. */
function jsonError(body: unknown): string | undefined {
  try {
    JSON.stringify(body);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Why the API client cannot send this Pod, if it cannot: a field of the wrong JSON type (an
 * object where the Pod schema has a list) or nesting too deep — data the client chokes on before
 * any request, which no retry can mend.
 */
function podError(pod: V1Pod): string | undefined {
  try {
    return jsonError(ObjectSerializer.serialize(pod, 'V1Pod'));
  } catch (err) {
    return (err as Error).message;
  }
}
