// Applies a framework's answer to an Offer. ACCEPT: re-check every task against the offer and
// against the node as it is now (a framework may lie, the node may have changed), create one
// Task per accepted task and, for those that fit, its Pod; only then mark the Offer Accepted.
// Everything is idempotent — Task and Pod names are deterministic and AlreadyExists is
// success — so a restart in the middle re-runs the accept to the same end. DECLINE: the node
// is filtered for the framework for refuseSeconds. Unused resources go back at once.
import type { Logger } from 'pino';
import { API_VERSION, DEFAULT_REFUSE_SECONDS, GROUP, LABEL, PLURAL, VERSION } from '../api/index.ts';
import { fit, nodeFree } from '../api/fit.ts';
import { add, formatQuantity, type ResourceList } from '../api/quantity.ts';
import { offerPhase } from '../api/group.ts';
import { restoredOffer, type AllocationLoop } from './allocation-loop.ts';
import { parseResourceListLenient } from '../api/quantity.ts';
import { isoNow, type Context } from './context.ts';
import { errorSummary, isConflict, isNotFound, isUnretryable } from '../api/errors.ts';
import { isNodeReady } from './nodes.ts';
import type { AcceptedTask, FrameworkObject, OfferObject, TaskObject, TaskStatus } from '../api/objects.ts';
import { MANAGED_BY, podFor } from '../api/pod.ts';
import { taskHolding } from '../api/pod-resources.ts';
import { isTerminal, TaskReason } from './task-state.ts';
import { frameworkKeyOf } from '../api/keys.ts';

interface Verdict {
  spec: AcceptedTask;
  /** The Task as it exists (cache or create response). */
  task?: TaskObject;
  /** Undefined: launch it. */
  fail?: { state: 'TASK_ERROR' | 'TASK_LOST'; reason: string; message: string };
  /** The name is taken by another offer's or framework's task: nothing can be recorded on it. */
  conflict?: string;
  holding: ResourceList;
}

export class OfferReconciler {
  private readonly ctx: Context;
  private readonly loop: AllocationLoop;
  private readonly log: Logger;
  /** Offers whose answer is applied and is being written to their status. */
  private readonly recording = new Set<string>();

  constructor(ctx: Context, loop: AllocationLoop) {
    this.ctx = ctx;
    this.loop = loop;
    this.log = ctx.log.child({ component: 'offers' });
  }

  async reconcile(key: string): Promise<void> {
    const { ctx } = this;
    const offer = ctx.state.c.offers.get(key);
    if (offer === undefined) {
      ctx.allocator.removeOffer(key);
      ctx.accepted.delete(key);
      return;
    }
    if (!ctx.manages(offer.metadata.namespace)) return;
    if (ctx.rescinding.has(key)) {
      ctx.queues.offers.addAfter(key, 50);
      return;
    }
    const phase = offerPhase(offer);
    const log = this.log.child({ offer: key, phase });
    if (phase !== 'Outstanding') {
      ctx.allocator.removeOffer(key);
      this.loop.settled.delete(key);
      ctx.accepted.delete(key);
      // An accept that arrived after the offer was withdrawn: its tasks are lost, said so on Tasks.
      if (offer.spec.accept !== undefined && offer.status?.tasks === undefined && (phase === 'Expired' || phase === 'Rescinded')) {
        await this.accept(key, offer, log, false);
      }
      return;
    }
    // Answered here; the cache has not caught up (or the answer is still being recorded).
    if (this.loop.settled.has(key) || this.recording.has(key)) return;
    if (offer.spec.accept !== undefined) return this.accept(key, offer, log, true);
    if (offer.spec.decline !== undefined) return this.decline(key, offer, log);
    if (ctx.allocator.getOffer(key) === undefined) {
      // Outstanding in the API but unknown here (made before a restart and missed by recover).
      ctx.allocator.upsertOffer(restoredOffer(ctx.allocator, key, offer, ctx.now()));
    }
  }

  private async decline(key: string, offer: OfferObject, log: Logger): Promise<void> {
    const { ctx } = this;
    const fw = ctx.state.c.frameworks.get(frameworkKeyOf(offer));
    const refuse = offer.spec.decline?.refuseSeconds ?? fw?.spec.defaultRefuseSeconds ?? DEFAULT_REFUSE_SECONDS;
    ctx.allocator.decline(key, ctx.now(), refuse);
    this.loop.settled.set(key, ctx.now());
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
    const ns = offer.metadata.namespace;
    const fwKey = `${ns}/${offer.spec.framework}`;
    const fw = ctx.state.c.frameworks.get(fwKey);
    ctx.answering.add(key);
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
        this.loop.settled.set(key, ctx.now());
        return;
      }
      const verdicts = this.judge(key, offer, outstanding);
      await Promise.all(verdicts.map((v) => this.launch(offer, fw, v)));
      const launched = verdicts.filter((v) => v.fail === undefined && v.conflict === undefined);
      const failed = verdicts.length - launched.length;
      const used = launched.reduce<ResourceList>((acc, v) => add(acc, v.holding), {});
      const conflicts = verdicts.filter((v) => v.conflict !== undefined).map((v) => v.conflict!);
      const message = `${launched.length} task(s) launched${failed ? `, ${failed} failed` : ''}${conflicts.length ? `; ${conflicts.join('; ')}` : ''}`;
      const tasks = verdicts.filter((v) => v.conflict === undefined).map((v) => v.spec.name);
      if (outstanding) {
        // What the tasks do not use goes back to the pool now, not when the status is written.
        try {
          ctx.allocator.accept(key, ctx.now(), used, offer.spec.accept?.refuseSeconds ?? 0);
        } catch {
          // The allocator no longer had the offer (or counts it differently): the next sync
          // sets the node's allocation from the Tasks either way.
          ctx.allocator.removeOffer(key);
        }
        this.loop.settled.set(key, ctx.now());
        ctx.metrics.offers.inc({ result: 'accepted' });
        ctx.state.dirtyNodes.add(offer.spec.nodeName);
        ctx.kick();
      }
      ctx.accepted.set(key, new Set(tasks));
      this.record(key, offer, {
        phase: outstanding ? 'Accepted' : offerPhase(offer),
        reason: outstanding ? 'Accepted' : (offer.status?.reason ?? 'AcceptedTooLate'),
        message: outstanding ? message : `accepted after the offer was ${offerPhase(offer)}; no task was launched`,
        tasks,
        respondedAt: offer.status?.respondedAt ?? isoNow(ctx),
      });
      log.debug({ launched: launched.length, failed }, 'offer accepted');
    } finally {
      ctx.answering.delete(key);
      // Its tasks waited for this accept to finish; the cache may have told them before it did.
      for (const t of ctx.state.taskKeysOfOffer(key)) ctx.queues.tasks.add(t);
    }
  }

  /**
   * Records an answer on the Offer's status in the offers lane, off the worker. The answer is
   * applied already (tasks launched, allocator told), so the status only reports it: under load
   * launches go first, and the record before mirrored task status. Until the write shows in the cache, ctx.accepted vouches for the
   * accepted tasks. If it fails, the offer is reconciled again: the answer is re-applied
   * (idempotently) and recorded anew. After a restart an unrecorded answer is re-applied the same way.
   */
  private record(key: string, offer: OfferObject, status: Record<string, unknown>): void {
    const { ctx } = this;
    this.recording.add(key);
    void (async () => {
      await ctx.kube.acquire('normal');
      if (ctx.queues.offers.isStopped) {
        ctx.kube.giveBack();
        return;
      }
      try {
        await ctx.kube.patchCustomStatus('Offer', offer.metadata.namespace, offer.metadata.name, { status }, 'held');
      } catch (err) {
        if (isNotFound(err)) return;
        this.log.warn({ offer: key, err: errorSummary(err) }, 'answer not recorded; applying it again');
        this.loop.settled.delete(key);
        ctx.queues.offers.addAfter(key, 1000);
      }
    })().finally(() => this.recording.delete(key));
  }

  /** Decides, task by task in order, which fit: the offer, then the node as it is now. */
  private judge(key: string, offer: OfferObject, outstanding: boolean): Verdict[] {
    const { ctx } = this;
    const ns = offer.metadata.namespace;
    const nodeName = offer.spec.nodeName;
    const node = ctx.state.c.nodes.get(nodeName);
    const offered = parseResourceListLenient(offer.spec.resources as Record<string, string>);
    let free: ResourceList = {};
    let nodeProblem: Verdict['fail'];
    if (!outstanding)
      nodeProblem = {
        state: 'TASK_LOST',
        reason: TaskReason.OfferNotOutstanding,
        message: `the offer was ${offerPhase(offer)} before it was accepted`,
      };
    else if (node === undefined) nodeProblem = { state: 'TASK_LOST', reason: TaskReason.NodeLost, message: `node ${nodeName} is gone` };
    else if (node.spec?.unschedulable === true || !isNodeReady(node)) {
      nodeProblem = {
        state: 'TASK_LOST',
        reason: TaskReason.NodeNotReady,
        message: `node ${nodeName} is ${node.spec?.unschedulable ? 'cordoned' : 'not Ready'}`,
      };
    } else {
      const usage = ctx.state.usage(nodeName, key);
      const otherOffers = ctx.allocator.offers().filter((o) => o.node === nodeName && o.id !== key);
      free = nodeFree(usage.allocatable, [usage.external, ...usage.frameworks.values(), ...otherOffers.map((o) => o.resources)]);
    }
    let usedOffer: ResourceList = {};
    let usedNode: ResourceList = {};
    const out: Verdict[] = [];
    for (const spec of offer.spec.accept?.tasks ?? []) {
      const existing = ctx.state.task(`${ns}/${spec.name}`);
      const v: Verdict = { spec, holding: {} };
      out.push(v);
      if (existing !== undefined) {
        if (existing.spec.offer !== offer.metadata.name || existing.spec.framework !== offer.spec.framework) {
          v.conflict = `task name ${spec.name} is taken by another task`;
          continue;
        }
        v.task = existing;
        const st = existing.status?.state;
        if (st !== undefined && isTerminal(st) && existing.status?.podName === undefined) {
          v.fail = { state: st as 'TASK_ERROR', reason: existing.status?.reason ?? '', message: existing.status?.message ?? '' };
          continue;
        }
        if (st !== undefined) {
          // Judged and launched before (this accept is being re-run after a restart).
          try {
            v.holding = taskHolding(existing.spec.resources);
          } catch {
            v.holding = {};
          }
          usedOffer = add(usedOffer, v.holding);
          usedNode = add(usedNode, v.holding);
          continue;
        }
      }
      if (nodeProblem !== undefined) {
        v.fail = nodeProblem;
        continue;
      }
      let holding: ResourceList;
      try {
        holding = taskHolding(spec.resources);
      } catch (err) {
        v.fail = { state: 'TASK_ERROR', reason: TaskReason.InvalidResources, message: (err as Error).message };
        continue;
      }
      const { pods: _p, ...asked } = holding;
      const nextOffer = add(usedOffer, asked);
      const [overOffer] = fit(nextOffer, offered);
      if (overOffer !== undefined) {
        v.fail = {
          state: 'TASK_ERROR',
          reason: TaskReason.ExceedsOffer,
          message: `${overOffer.resource}: the offer's tasks ask for ${q(overOffer.asked, overOffer.resource)} but the offer has ${q(overOffer.free, overOffer.resource)}`,
        };
        continue;
      }
      const nextNode = add(usedNode, holding);
      const [overNode] = fit(nextNode, free);
      if (overNode !== undefined) {
        v.fail = {
          state: 'TASK_ERROR',
          reason: TaskReason.InsufficientResources,
          message: `${overNode.resource}: node ${nodeName} has ${q(overNode.free, overNode.resource)} free for this offer, the tasks ask for ${q(overNode.asked, overNode.resource)}`,
        };
        continue;
      }
      usedOffer = add(usedOffer, asked);
      usedNode = nextNode;
      v.holding = holding;
    }
    return out;
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
          nodeName: offer.spec.nodeName,
          resources: v.spec.resources,
          containers: v.spec.containers,
          ...(v.spec.labels ? { labels: v.spec.labels } : {}),
          ...(v.spec.annotations ? { annotations: v.spec.annotations } : {}),
        },
      };
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
    const now = isoNow(ctx);
    if (v.fail === undefined) {
      try {
        ctx.state.assumePod(await ctx.kube.createPod(ns, podFor({ task, serviceAccountName: fw.spec.serviceAccountName })));
        ctx.podCreatedAt.set(`${ns}/${task.metadata.name}`, ctx.now());
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
    const status: TaskStatus = {
      state: v.fail.state,
      reason: v.fail.reason,
      message: v.fail.message,
      lastTransitionTime: now,
      finishedAt: now,
    };
    if (task.metadata.generation !== undefined) status.observedGeneration = task.metadata.generation;
    try {
      await ctx.kube.patchCustomStatus('Task', ns, task.metadata.name, { status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    ctx.metrics.taskTransitions.inc({ state: status.state! });
    ctx.events.warning(
      { apiVersion: API_VERSION, kind: 'Task', namespace: ns, name: task.metadata.name, uid: task.metadata.uid },
      v.fail.reason,
      v.fail.message,
    );
  }

  private async writeStatus(offer: OfferObject, status: Record<string, unknown>): Promise<void> {
    await this.ctx.kube.patchCustomStatus('Offer', offer.metadata.namespace, offer.metadata.name, { status });
  }
}

function q(v: number, resource: string): string {
  return formatQuantity(v, resource);
}
