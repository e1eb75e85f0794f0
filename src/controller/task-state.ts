// Pure: a Task's next status, from its Pod and what the controller knows about the node, the
// framework and the launch. TASK_STAGING (Task created) → TASK_STARTING (Pod bound, not yet
// running) → TASK_RUNNING → TASK_FINISHED | TASK_FAILED | TASK_KILLED | TASK_LOST | TASK_ERROR.
// A terminal state never changes again.
//
// A node that is not Ready is Mesos's unreachable agent: its tasks keep their state (the Pod's
// last word) with reason NodeNotReady until it is Ready again, or until it has been not Ready
// for the node lost timeout — then, as Mesos does once it removes the agent, they are TASK_LOST
// and their Pods deleted.
import type { V1Pod } from '@kubernetes/client-node';
import { isTerminal, type TaskState } from '../api/index.ts';
import type { TaskObject, TaskStatus } from '../api/objects.ts';
import { formatDuration } from './options.ts';

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
  Revoked: 'Revoked',
  FrameworkRemoved: 'FrameworkRemoved',
  FrameworkDisconnected: 'FrameworkDisconnected',
  NodeLost: 'NodeLost',
  NodeNotReady: 'NodeNotReady',
  LaunchNotConfirmed: 'LaunchNotConfirmed',
  OfferNotOutstanding: 'OfferNotOutstanding',
  ExceedsOffer: 'ExceedsOffer',
  InsufficientResources: 'InsufficientResources',
  InvalidResources: 'InvalidResources',
  InvalidTask: 'InvalidTask',
  LaunchFailed: 'LaunchFailed',
} as const;

export interface TaskObservation {
  task: Pick<TaskObject, 'spec' | 'status'> & { metadata: Pick<TaskObject['metadata'], 'name' | 'uid' | 'generation'> };
  /** The Pod named after the task, if any. */
  pod: V1Pod | undefined;
  /** The node named in the task is known (not deleted). */
  nodePresent: boolean;
  /** The node's Ready condition, when it is not True. */
  nodeNotReady?: NodeNotReady;
  /** Tasks on a node not Ready for this long (ms) are lost; absent or 0: never. */
  nodeLostTimeoutMs?: number;
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

export interface NodeNotReady {
  /** RFC 3339: when the Ready condition last changed (to False or Unknown). */
  since: string;
  /** The condition's status (False: the kubelet says so; Unknown: it stopped reporting), reason and message. */
  status?: string;
  reason?: string;
  message?: string;
}

export interface TaskDecision {
  /** The status to write; the very object given (possibly undefined) when nothing changed. */
  status: TaskStatus;
  createPod: boolean;
  deletePod: boolean;
  /** Look again after this long (ms): when the node lost timeout will have passed. */
  requeueAfterMs?: number;
}

const LOST_POD_REASONS = new Set(['Evicted', 'NodeLost', 'Shutdown', 'NodeShutdown', 'Terminated', 'Preempting']);

/**
 * A task told it is revoked (status.revocation, not a dry run) is killed once its deadline has
 * passed: its Pod deleted with its own termination grace period, then TASK_KILLED, reason
 * Revoked. Until then it is looked at again when the deadline comes.
 */
export function nextTaskStatus(o: TaskObservation): TaskDecision {
  const d = nextTaskStatusOf(o);
  const r = o.task.status?.revocation;
  if (r === undefined || r === null || r.dryRun === true || isTerminal(d.status?.state)) return d;
  const left = Date.parse(r.deadline) - Date.parse(o.now);
  if (!(left > 0)) return d;
  return { ...d, requeueAfterMs: Math.min(d.requeueAfterMs ?? Infinity, left) };
}

function revokedNow(o: TaskObservation): boolean {
  const r = o.task.status?.revocation;
  return r !== undefined && r !== null && r.dryRun !== true && !(Date.parse(r.deadline) > Date.parse(o.now));
}

function nextTaskStatusOf(o: TaskObservation): TaskDecision {
  const cur: TaskStatus = o.task.status ?? {};
  const podName = o.task.metadata?.name;
  const nodeName = o.task.spec.nodeName;
  // Unchanged is the very object given (undefined stays undefined): the caller writes nothing.
  const keep = (extra: Partial<TaskDecision> = {}): TaskDecision => ({
    status: o.task.status as TaskStatus,
    createPod: false,
    deletePod: false,
    ...extra,
  });
  const pod = o.pod;
  const owned = pod !== undefined && ownedBy(pod, o.task.metadata?.uid);
  const podActive = owned && pod!.status?.phase !== 'Succeeded' && pod!.status?.phase !== 'Failed';
  const podDeleting = pod?.metadata?.deletionTimestamp !== undefined;

  if (isTerminal(cur.state))
    return keep({ deletePod: podActive && !podDeleting && cur.state !== 'TASK_FINISHED' && cur.state !== 'TASK_FAILED' });
  if (o.launch === 'pending') return keep();

  const notReady = o.nodePresent ? o.nodeNotReady : undefined;
  const timeout = o.nodeLostTimeoutMs ?? 0;
  const notReadyFor = notReady === undefined ? 0 : Math.max(0, Date.parse(o.now) - Date.parse(notReady.since));
  const lost = notReady !== undefined && timeout > 0 && notReadyFor >= timeout;
  const notReadyMessage = notReady === undefined ? '' : describeNotReady(nodeName, notReady, timeout);

  // While the node is not Ready, a task that keeps its state says why it may be in trouble.
  const to = (state: TaskState, reason: string, message: string, extra: Partial<TaskStatus> = {}): TaskStatus => {
    const overlay = notReady !== undefined && !isTerminal(state);
    return transition(
      cur,
      { state, reason: overlay ? TaskReason.NodeNotReady : reason, message: overlay ? notReadyMessage : message, podName, ...extra },
      o.now,
      o.task.metadata?.generation,
    );
  };
  // The current state as it stands, with the node's trouble said or, once Ready again, unsaid.
  const same = (): TaskStatus => {
    if (cur.state === undefined) return o.task.status as TaskStatus;
    if (notReady === undefined && cur.reason !== TaskReason.NodeNotReady) return o.task.status!;
    const normal = NORMAL[cur.state as keyof typeof NORMAL];
    if (normal === undefined) return o.task.status!;
    return to(cur.state as TaskState, normal.reason, normal.message(podName, nodeName));
  };
  const decided = (d: TaskDecision): TaskDecision => {
    if (notReady === undefined || timeout <= 0 || isTerminal(d.status?.state)) return d;
    return { ...d, requeueAfterMs: timeout - notReadyFor };
  };
  const lostNode = (): TaskDecision => ({
    status: to(
      'TASK_LOST',
      TaskReason.NodeLost,
      `node ${nodeName} has not been Ready for ${formatDuration(roundSeconds(notReadyFor))} (since ${notReady!.since}${withComma(readyDetail(notReady!))}), past the node lost timeout of ${formatDuration(timeout)}`,
    ),
    createPod: false,
    deletePod: owned && !podDeleting,
  });

  // A Pod that finished already tells the truth, whatever was asked since.
  if (owned && !podActive) {
    // It may have run and finished between two looks: its start time is the Pod's.
    const startedAt = cur.startedAt ?? (pod!.status?.startTime === undefined ? undefined : toIso(pod!.status.startTime));
    return {
      status: fromFinishedPod(pod!, (s, r, m, e) => to(s, r, m, { ...(startedAt ? { startedAt } : {}), ...e })),
      createPod: false,
      deletePod: false,
    };
  }
  // An unreachable node cannot confirm a kill either: its Pod's deletion may never finish.
  if (lost && owned) return lostNode();

  const kill = o.task.spec.kill === true ? TaskReason.KillRequested : (o.frameworkDown ?? (revokedNow(o) ? TaskReason.Revoked : undefined));
  if (kill !== undefined) {
    const message =
      kill === TaskReason.KillRequested
        ? "killed at the framework's request"
        : kill === TaskReason.Revoked
          ? (o.task.status?.revocation?.message ?? 'revoked')
          : kill === TaskReason.FrameworkRemoved
            ? 'the framework was removed'
            : "the framework's scheduler stopped heartbeating for longer than its failover timeout";
    if (owned)
      return decided({
        status: cur.state === undefined ? to('TASK_STAGING', TaskReason.Launched, 'task created') : same(),
        createPod: false,
        deletePod: !podDeleting,
      });
    return { status: to('TASK_KILLED', kill, message), createPod: false, deletePod: false };
  }
  if (!o.nodePresent) {
    return { status: to('TASK_LOST', TaskReason.NodeLost, `node ${nodeName} is gone`), createPod: false, deletePod: owned && !podDeleting };
  }
  if (lost) return lostNode();
  if (pod !== undefined && !owned) {
    if (podDeleting) return keep();
    return {
      status: to('TASK_ERROR', TaskReason.PodNameConflict, `a Pod named ${pod.metadata?.name} that this task does not own already exists`),
      createPod: false,
      deletePod: false,
    };
  }
  if (pod === undefined) {
    if (cur.state === undefined && o.launch === 'unconfirmed') {
      return {
        status: to('TASK_ERROR', TaskReason.LaunchNotConfirmed, 'no processed accept of an outstanding offer launched this task'),
        createPod: false,
        deletePod: false,
      };
    }
    if (cur.state === undefined || cur.state === 'TASK_STAGING') {
      // Not onto a node that is not Ready: the Pod is created when it is again, or the task is lost.
      return decided({
        status: cur.state === undefined ? to('TASK_STAGING', TaskReason.Launched, 'task created') : same(),
        createPod: notReady === undefined,
        deletePod: false,
      });
    }
    // Most likely evicted by the node lifecycle controller (its NoExecute taint) before our timeout.
    if (notReady !== undefined) {
      return {
        status: to(
          'TASK_LOST',
          TaskReason.NodeNotReady,
          `Pod ${podName} was deleted while node ${nodeName} was not Ready (since ${notReady.since}${withComma(readyDetail(notReady))})`,
        ),
        createPod: false,
        deletePod: false,
      };
    }
    return { status: to('TASK_LOST', TaskReason.PodDeleted, `Pod ${podName} was deleted`), createPod: false, deletePod: false };
  }
  // An owned, active Pod.
  if (podDeleting || pod.status?.phase === 'Unknown') return decided({ status: same(), createPod: false, deletePod: false });
  if (pod.status?.phase === 'Running') {
    const started = pod.status.startTime === undefined ? o.now : toIso(pod.status.startTime);
    return decided({
      status: to('TASK_RUNNING', TaskReason.PodRunning, NORMAL.TASK_RUNNING.message(podName, nodeName), {
        startedAt: cur.startedAt ?? started,
      }),
      createPod: false,
      deletePod: false,
    });
  }
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  const message = waiting
    ? `waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`
    : NORMAL.TASK_STARTING.message(podName, nodeName);
  return decided({ status: to('TASK_STARTING', TaskReason.PodPending, message), createPod: false, deletePod: false });
}

/** What a non-terminal state says when nothing is wrong (restored when a node is Ready again). */
const NORMAL = {
  TASK_STAGING: { reason: TaskReason.Launched, message: () => 'task created' },
  TASK_STARTING: { reason: TaskReason.PodPending, message: (pod: string | undefined, node: string) => `Pod ${pod} is bound to ${node}` },
  TASK_RUNNING: { reason: TaskReason.PodRunning, message: (pod: string | undefined, node: string) => `Pod ${pod} is running on ${node}` },
} as const;

function describeNotReady(node: string, r: NodeNotReady, timeoutMs: number): string {
  const lostAt =
    timeoutMs > 0 ? `; its tasks are lost at ${new Date(Date.parse(r.since) + timeoutMs).toISOString()} unless it is Ready by then` : '';
  const detail = readyDetail(r);
  return `node ${node} is not Ready since ${r.since}${detail === '' ? '' : ` (${detail})`}${lostAt}`;
}

/** `Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status.` */
function readyDetail(r: NodeNotReady): string {
  const why = [r.reason, r.message].filter((x) => x !== undefined && x !== '').join(': ');
  return [r.status === undefined ? '' : `Ready=${r.status}`, why].filter((x) => x !== '').join(', ');
}

function withComma(detail: string): string {
  return detail === '' ? '' : `, ${detail}`;
}

function roundSeconds(ms: number): number {
  return ms < 1000 ? ms : Math.round(ms / 1000) * 1000;
}

function fromFinishedPod(pod: V1Pod, to: (s: TaskState, r: string, m: string, e?: Partial<TaskStatus>) => TaskStatus): TaskStatus {
  const terminated = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .map((c) => c.state?.terminated)
    .filter((t) => t !== undefined);
  const failed = terminated.find((t) => t.exitCode !== 0);
  if (pod.status?.phase === 'Succeeded')
    return to('TASK_FINISHED', TaskReason.PodSucceeded, 'all containers exited with code 0', { exitCode: 0 });
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

function transition(
  cur: TaskStatus,
  next: Partial<TaskStatus> & { state: TaskState },
  now: string,
  generation: number | undefined,
): TaskStatus {
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

/** How long a Pod this process created may stay Pending before TASK_STARTING is written. */
export const STARTING_GRACE_MS = 1000;
/**
 * The same while Task status writes are backlogged: long enough for most Pods to reach Running,
 * so that a task costs one status write (TASK_RUNNING), not two, when writes are what is short.
 */
export const STARTING_GRACE_BACKLOGGED_MS = 30_000;

/**
 * How long to hold back writing `next` (undefined: write it now). Only TASK_STARTING of a Pod
 * created by this process (at `podCreatedAt`) waits: a Pod bound a moment ago normally runs a
 * moment later, and TASK_RUNNING written then says all TASK_STARTING would have.
 */
export function startingDeferralMs(o: {
  next: TaskStatus;
  podCreatedAt: number | undefined;
  now: number;
  backlogged: boolean;
}): number | undefined {
  if (o.next.state !== 'TASK_STARTING' || o.podCreatedAt === undefined) return undefined;
  const wait = (o.backlogged ? STARTING_GRACE_BACKLOGGED_MS : STARTING_GRACE_MS) - (o.now - o.podCreatedAt);
  return wait > 0 ? wait : undefined;
}
