// Pure: a Task's next status, from its Pod and what the controller knows about the node, the
// framework and the launch. TASK_STAGING (Task created) → TASK_STARTING (Pod bound, not yet
// running) → TASK_RUNNING → TASK_FINISHED | TASK_FAILED | TASK_KILLED | TASK_LOST | TASK_ERROR.
// A terminal state never changes again.
import type { V1Pod } from '@kubernetes/client-node';
import { TERMINAL_TASK_STATES, type TaskState } from '../api/index.ts';
import type { TaskObject, TaskStatus } from './objects.ts';

/** CamelCase reasons for Task.status.reason. */
export const TaskReason = {
  Launched: 'TaskLaunched',
  PodPending: 'PodPending',
  PodRunning: 'PodRunning',
  PodSucceeded: 'PodSucceeded',
  PodFailed: 'PodFailed',
  PodEvicted: 'PodEvicted',
  PodDeleted: 'PodDeleted',
  PodNameConflict: 'PodNameConflict',
  PodCreateFailed: 'PodCreateFailed',
  AdmissionFailed: 'AdmissionFailed',
  KillRequested: 'KillRequested',
  FrameworkRemoved: 'FrameworkRemoved',
  FrameworkDisconnected: 'FrameworkDisconnected',
  NodeLost: 'NodeLost',
  NodeNotReady: 'NodeNotReady',
  LaunchNotConfirmed: 'LaunchNotConfirmed',
  OfferNotOutstanding: 'OfferNotOutstanding',
  ExceedsOffer: 'ExceedsOffer',
  InsufficientResources: 'InsufficientResources',
  InvalidResources: 'InvalidResources',
} as const;

export interface TaskObservation {
  task: Pick<TaskObject, 'spec' | 'status'> & { metadata: Pick<TaskObject['metadata'], 'name' | 'uid' | 'generation'> };
  /** The Pod named after the task, if any. */
  pod: V1Pod | undefined;
  /** The node named in the task is known (not deleted). */
  nodePresent: boolean;
  /** Why the framework can no longer run tasks, if it cannot (removed, disconnected). */
  frameworkDown?: typeof TaskReason.FrameworkRemoved | typeof TaskReason.FrameworkDisconnected;
  /**
   * confirmed: the accept that created the task was processed and found it fits (or the task
   * already has a status); pending: that accept is being processed; unconfirmed: no accept
   * vouches for the task (it must not get a Pod).
   */
  launch: 'confirmed' | 'pending' | 'unconfirmed';
  /** RFC 3339 time of this observation. */
  now: string;
}

export interface TaskDecision {
  /** The status to write; the very object given (possibly undefined) when nothing changed. */
  status: TaskStatus;
  createPod: boolean;
  deletePod: boolean;
}

const LOST_POD_REASONS = new Set(['Evicted', 'NodeLost', 'Shutdown', 'NodeShutdown', 'Terminated', 'Preempting']);

export function isTerminal(state: string | undefined): boolean {
  return state !== undefined && TERMINAL_TASK_STATES.has(state as TaskState);
}

export function nextTaskStatus(o: TaskObservation): TaskDecision {
  const cur: TaskStatus = o.task.status ?? {};
  const podName = o.task.metadata?.name;
  // Unchanged is the very object given (undefined stays undefined): the caller writes nothing.
  const keep = (extra: Partial<TaskDecision> = {}): TaskDecision => ({ status: o.task.status as TaskStatus, createPod: false, deletePod: false, ...extra });
  const pod = o.pod;
  const owned = pod !== undefined && ownedBy(pod, o.task.metadata?.uid);
  const podActive = owned && pod!.status?.phase !== 'Succeeded' && pod!.status?.phase !== 'Failed';
  const podDeleting = pod?.metadata?.deletionTimestamp !== undefined;

  if (isTerminal(cur.state)) return keep({ deletePod: podActive && !podDeleting && cur.state !== 'TASK_FINISHED' && cur.state !== 'TASK_FAILED' });
  if (o.launch === 'pending') return keep();

  const to = (state: TaskState, reason: string, message: string, extra: Partial<TaskStatus> = {}): TaskStatus =>
    transition(cur, { state, reason, message, podName, ...extra }, o.now, o.task.metadata?.generation);

  // A Pod that finished already tells the truth, whatever was asked since.
  if (owned && !podActive) {
    // It may have run and finished between two looks: its start time is the Pod's.
    const startedAt = cur.startedAt ?? (pod!.status?.startTime === undefined ? undefined : toIso(pod!.status.startTime));
    return { status: fromFinishedPod(pod!, (s, r, m, e) => to(s, r, m, { ...(startedAt ? { startedAt } : {}), ...e })), createPod: false, deletePod: false };
  }

  const kill = o.task.spec.kill === true ? TaskReason.KillRequested : o.frameworkDown;
  if (kill !== undefined) {
    const message = kill === TaskReason.KillRequested ? 'killed at the framework\'s request' : kill === TaskReason.FrameworkRemoved ? 'the framework was removed' : 'the framework\'s scheduler stopped heartbeating for longer than its failover timeout';
    if (owned) return { status: cur.state === undefined ? to('TASK_STAGING', TaskReason.Launched, 'task created') : o.task.status!, createPod: false, deletePod: !podDeleting };
    return { status: to('TASK_KILLED', kill, message), createPod: false, deletePod: false };
  }
  if (!o.nodePresent) {
    return { status: to('TASK_LOST', TaskReason.NodeLost, `node ${o.task.spec.nodeName} is gone`), createPod: false, deletePod: owned && !podDeleting };
  }
  if (pod !== undefined && !owned) {
    if (podDeleting) return keep();
    return { status: to('TASK_ERROR', TaskReason.PodNameConflict, `a Pod named ${pod.metadata?.name} that this task does not own already exists`), createPod: false, deletePod: false };
  }
  if (pod === undefined) {
    if (cur.state === undefined && o.launch === 'unconfirmed') {
      return { status: to('TASK_ERROR', TaskReason.LaunchNotConfirmed, 'no processed accept of an outstanding offer launched this task'), createPod: false, deletePod: false };
    }
    if (cur.state === undefined || cur.state === 'TASK_STAGING') {
      return { status: cur.state === undefined ? to('TASK_STAGING', TaskReason.Launched, 'task created') : o.task.status!, createPod: true, deletePod: false };
    }
    return { status: to('TASK_LOST', TaskReason.PodDeleted, `Pod ${podName} was deleted`), createPod: false, deletePod: false };
  }
  // An owned, active Pod.
  if (podDeleting) return keep();
  if (pod.status?.phase === 'Running') {
    const started = pod.status.startTime === undefined ? o.now : toIso(pod.status.startTime);
    return { status: to('TASK_RUNNING', TaskReason.PodRunning, `Pod ${podName} is running on ${o.task.spec.nodeName}`, { startedAt: cur.startedAt ?? started }), createPod: false, deletePod: false };
  }
  if (pod.status?.phase === 'Unknown') return keep();
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  const message = waiting ? `waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : `Pod ${podName} is bound to ${o.task.spec.nodeName}`;
  return { status: to('TASK_STARTING', TaskReason.PodPending, message), createPod: false, deletePod: false };
}

function fromFinishedPod(pod: V1Pod, to: (s: TaskState, r: string, m: string, e?: Partial<TaskStatus>) => TaskStatus): TaskStatus {
  const terminated = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map((c) => c.state?.terminated).filter((t) => t !== undefined);
  const failed = terminated.find((t) => t.exitCode !== 0);
  if (pod.status?.phase === 'Succeeded') return to('TASK_FINISHED', TaskReason.PodSucceeded, 'all containers exited with code 0', { exitCode: 0 });
  const podReason = pod.status?.reason;
  if (podReason !== undefined && LOST_POD_REASONS.has(podReason)) {
    return to('TASK_LOST', TaskReason.PodEvicted, `Pod ${podReason}${pod.status?.message ? `: ${pod.status.message}` : ''}`);
  }
  if (terminated.length === 0 && podReason !== undefined) {
    // Rejected by the kubelet before any container ran (OutOfcpu, UnexpectedAdmissionError, …).
    return to('TASK_ERROR', TaskReason.AdmissionFailed, `${podReason}${pod.status?.message ? `: ${pod.status.message}` : ''}`);
  }
  const exitCode = failed?.exitCode ?? 0;
  const why = failed?.reason ?? podReason ?? 'Error';
  const message = `exited with code ${exitCode} (${why})${failed?.message ? `: ${failed.message}` : ''}`;
  return to('TASK_FAILED', TaskReason.PodFailed, message, { exitCode });
}

function transition(cur: TaskStatus, next: Partial<TaskStatus> & { state: TaskState }, now: string, generation: number | undefined): TaskStatus {
  if (cur.state === next.state && cur.reason === next.reason && cur.message === next.message) return cur;
  const out: TaskStatus = { ...cur, ...next };
  if (cur.state !== next.state) out.lastTransitionTime = now;
  if (isTerminal(next.state)) out.finishedAt = cur.finishedAt ?? now;
  if (generation !== undefined) out.observedGeneration = generation;
  return out;
}

function ownedBy(pod: V1Pod, uid: string | undefined): boolean {
  return uid !== undefined && (pod.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

function toIso(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString();
}
