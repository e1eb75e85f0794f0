// Keeps a Task true to its Pod: creates the Pod of a launched Task, deletes it when the task
// is killed (spec.kill, framework removed or disconnected) or lost, and mirrors the Pod's
// progress and its node's readiness into Task.status (task-state.ts decides; this file only
// reads and writes, and looks again when a not-Ready node's lost timeout will have passed).
// Pods are made and deleted from the `tasks` queue, status is written from `taskStatus`: a
// status write waiting for its token never holds up a launch or a kill.
import type { Logger } from 'pino';
import { targetOf } from './events.ts';
import { offerPhase } from '../api/group.ts';
import { isoNow, type Context } from './context.ts';
import { errorSummary, isConflict, isNotFound, isUnretryable } from '../api/errors.ts';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { FrameworkObject, TaskObject, TaskStatus } from '../api/objects.ts';
import { podFor } from '../api/pod.ts';
import { isTerminal } from '../api/group.ts';
import {
  nextTaskStatus,
  startingDeferralMs,
  TaskReason,
  type NodeNotReady,
  type TaskDecision,
  type TaskObservation,
} from './task-state.ts';
import { frameworkKeyOf, namespacedKey } from '../api/keys.ts';

export class TaskReconciler {
  private readonly ctx: Context;
  private readonly log: Logger;
  /** When this process first saw each node not Ready: only for a Ready condition without a lastTransitionTime. */
  private readonly notReadySeen = new Map<string, number>();

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'tasks' });
  }

  /** What the task's status and Pod should be, from the caches now. */
  private decide(
    key: string,
  ): { task: TaskObject; decision: TaskDecision; fw: FrameworkObject | undefined; pod: V1Pod | undefined } | undefined {
    const { ctx } = this;
    const task = ctx.state.c.tasks.get(key);
    if (task === undefined || !ctx.manages(task.metadata.namespace) || task.metadata.deletionTimestamp !== undefined) return undefined;
    const fwKey = frameworkKeyOf(task);
    const fw = ctx.state.c.frameworks.get(fwKey);
    const pod = ctx.state.podOf(key);
    const node = ctx.state.c.nodes.get(task.spec.nodeName);
    const decision = nextTaskStatus({
      task,
      pod,
      nodePresent: node !== undefined,
      nodeNotReady: this.notReady(task.spec.nodeName, node),
      nodeLostTimeoutMs: ctx.options.nodeLostTimeoutMs,
      frameworkDown:
        fw === undefined || fw.metadata.deletionTimestamp !== undefined
          ? TaskReason.FrameworkRemoved
          : ctx.disconnected.has(fwKey)
            ? TaskReason.FrameworkDisconnected
            : undefined,
      launch: this.launch(task),
      now: isoNow(ctx),
    });
    return { task, decision, fw, pod };
  }

  async reconcile(key: string): Promise<void> {
    const { ctx } = this;
    const first = this.decide(key);
    if (first === undefined) {
      ctx.podCreatedAt.delete(key);
      return;
    }
    const { task, decision: d, fw, pod } = first;
    const ns = task.metadata.namespace;
    const log = this.log.child({ task: key });
    if (d.createPod && fw !== undefined) {
      try {
        ctx.state.assumePod(
          await ctx.kube.createPod(
            ns,
            podFor({ task, serviceAccountName: fw.spec.serviceAccountName, priorityClassName: fw.spec.priorityClassName }),
          ),
        );
        ctx.podCreatedAt.set(key, ctx.clock.now());
      } catch (err) {
        if (isUnretryable(err)) {
          const now = isoNow(ctx);
          // No Pod was made: the status names none (d.status assumed the create would succeed).
          const { podName: _none, ...status } = d.status;
          await this.writeStatus(
            task,
            {
              ...status,
              state: 'TASK_ERROR',
              reason: TaskReason.PodCreateFailed,
              message: errorSummary(err).message,
              lastTransitionTime: now,
              finishedAt: now,
            },
            log,
            'high',
          );
          return;
        } else if (!isConflict(err)) throw err;
      }
    }
    if (d.deletePod && pod !== undefined) {
      try {
        await ctx.kube.deletePod(ns, pod.metadata!.name!, pod.metadata?.uid);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    // Level-triggered: the timeout passes without any watch event to say so.
    if (d.requeueAfterMs !== undefined) ctx.queues.tasks.addAfter(key, d.requeueAfterMs + 10);
    if (d.status !== task.status) ctx.queues.taskStatus.add(key);
  }

  /**
   * Mirrors the task's state into its status: from its own queue, whose workers may wait for a
   * token of the status lane without holding up the Pod creates and deletes of `reconcile`. The
   * write is computed when its token comes, from the state then, so transitions that happened
   * meanwhile cost one write, not several.
   */
  async reconcileStatus(key: string): Promise<void> {
    const { ctx } = this;
    if (this.statusToWrite(key) === undefined) return;
    await ctx.kube.acquire('low');
    const now = this.statusToWrite(key);
    if (now === undefined) {
      ctx.kube.giveBack('low');
      return;
    }
    await this.writeStatus(now.task, now.decision.status, this.log.child({ task: key }), 'held');
    if (now.decision.status.state === 'TASK_STARTING') ctx.podCreatedAt.delete(key);
  }

  /** The task and the status to write for it now, if any (queued again for later when there will be one). */
  private statusToWrite(key: string): { task: TaskObject; decision: TaskDecision } | undefined {
    const d = this.decide(key);
    if (d === undefined || d.decision.status === d.task.status) return undefined;
    const { ctx } = this;
    // The status would name a Pod not made yet: `reconcile` makes it, then queues this again.
    if (d.decision.createPod) {
      ctx.queues.tasks.add(key);
      return undefined;
    }
    const status = d.decision.status;
    if (isTerminal(status.state) || status.state === 'TASK_RUNNING') ctx.podCreatedAt.delete(key);
    const wait = startingDeferralMs({
      next: status,
      podCreatedAt: ctx.podCreatedAt.get(key),
      now: ctx.clock.now(),
      backlogged: ctx.kube.waiting('low') > 0 || ctx.queues.taskStatus.waiting > 0,
    });
    if (wait === undefined) return d;
    ctx.queues.taskStatus.addAfter(key, wait + 10);
    return undefined;
  }

  /**
   * The node's Ready condition when it is not True. Since when is the condition's
   * lastTransitionTime, so a restart or a new leader does not start the clock again.
   */
  private notReady(name: string, node: V1Node | undefined): NodeNotReady | undefined {
    const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
    if (node === undefined || ready?.status === 'True') {
      this.notReadySeen.delete(name);
      return undefined;
    }
    let since: string;
    if (ready?.lastTransitionTime !== undefined) since = new Date(ready.lastTransitionTime).toISOString();
    else {
      let seen = this.notReadySeen.get(name);
      if (seen === undefined) this.notReadySeen.set(name, (seen = this.ctx.clock.now()));
      since = new Date(seen).toISOString();
    }
    return { since, status: ready?.status, reason: ready?.reason, message: ready?.message };
  }

  private launch(task: TaskObject): TaskObservation['launch'] {
    if (task.status?.state !== undefined) return 'confirmed';
    if (task.spec.offer === undefined) return 'unconfirmed';
    const offerKey = namespacedKey(task.metadata.namespace, task.spec.offer);
    if (this.ctx.ledger.stage(offerKey) === 'answering') return 'pending';
    // Failed by its accept, which wrote why: the cache has not shown that status yet.
    if (this.ctx.ledger.failedTasks(offerKey)?.has(task.metadata.name)) return 'pending';
    const accepted = this.ctx.ledger.acceptedTasks(offerKey);
    if (accepted !== undefined) return accepted.has(task.metadata.name) ? 'confirmed' : 'unconfirmed';
    const offer = this.ctx.state.c.offers.get(offerKey);
    if (offer === undefined) return 'unconfirmed';
    if (offerPhase(offer) === 'Outstanding') return 'pending';
    return offerPhase(offer) === 'Accepted' && (offer.status?.tasks ?? []).includes(task.metadata.name) ? 'confirmed' : 'unconfirmed';
  }

  private async writeStatus(task: TaskObject, status: TaskStatus, log: Logger, priority: 'high' | 'held'): Promise<void> {
    const { ctx } = this;
    try {
      await ctx.kube.patchCustomStatus('Task', task.metadata.namespace, task.metadata.name, { status }, priority);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const prev = task.status?.state;
    const target = targetOf('Task', task);
    // The node's trouble, and its end, are news even when the state stays.
    const wasNotReady = task.status?.reason === TaskReason.NodeNotReady;
    const isNotReady = status.reason === TaskReason.NodeNotReady;
    if (wasNotReady !== isNotReady && !isTerminal(status.state)) {
      log.debug({ state: status.state, reason: status.reason }, isNotReady ? 'task node not Ready' : 'task node Ready again');
      if (isNotReady) ctx.events.warning(target, 'NodeNotReady', status.message ?? '');
      else ctx.events.normal(target, 'NodeReady', `node ${task.spec.nodeName} is Ready again; ${status.message ?? ''}`);
    }
    if (status.state !== prev && status.state !== undefined) {
      ctx.metrics.taskTransitions.inc({ state: status.state });
      const noticedAt = status.revocation?.noticedAt;
      if (status.reason === TaskReason.Revoked && noticedAt !== undefined)
        ctx.metrics.revocationNoticeToKill.observe(Math.max(0, ctx.clock.now() - Date.parse(noticedAt)) / 1000);
      log.debug({ from: prev, to: status.state, reason: status.reason }, 'task state changed');
      const reason = `Task${status.state.slice(5).charAt(0)}${status.state.slice(6).toLowerCase()}`;
      const bad = status.state === 'TASK_FAILED' || status.state === 'TASK_LOST' || status.state === 'TASK_ERROR';
      if (bad) ctx.events.warning(target, reason, `${status.reason}: ${status.message}`);
      else if (isTerminal(status.state)) ctx.events.normal(target, reason, status.message ?? '');
      // Staging, starting, running: the Task's status says so; an Event each cost a write per task.
      else ctx.events.progress(target, reason, status.message ?? '');
      if (isTerminal(status.state)) ctx.kick();
    }
  }
}
