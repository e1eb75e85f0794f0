// The SDK's vocabulary, typed from the models generated from crds/ (never written by hand).
import type { IFramework, IOffer } from '../api/index.ts';
import type { TaskState } from '../api/group.ts';
import type { TaskObject } from '../api/objects.ts';

// The objects as the API returns them: one definition (src/api/objects.ts) for the SDK and the controller.
export type { FrameworkObject, FrameworkStatus, InverseOfferObject, OfferObject, TaskObject } from '../api/objects.ts';

export type FrameworkSpec = IFramework['spec'];
export type BuiltinSpec = NonNullable<FrameworkSpec['builtin']>;
export type TaskTemplate = NonNullable<BuiltinSpec['template']>;

/** One task to launch from an offer: a name (unique in the framework), resources, containers. */
export type TaskInfo = NonNullable<IOffer['spec']['accept']>['tasks'][number];
/** Tasks of one shape a framework still wants: `{ resources: { cpu: '1', memory: '2Gi' }, count: 10, perOffer?: 4 }`. */
export type DemandEntry = NonNullable<IFramework['spec']['demand']>[number];

/** How an offer is accepted besides its tasks (see FrameworkClient.accept). */
export interface AcceptOptions {
  /** Seconds the unused rest of the node is withheld from this framework. */
  refuseSeconds?: number;
  /** RESERVE: resources of the offer's unreserved part to set aside for the offer's role. */
  reserve?: Record<string, string | number>;
  /** UNRESERVE: resources of the role's idle dynamic reservation (in the offer) to give back. */
  unreserve?: Record<string, string | number>;
}

/** Why an answer to an offer did not take effect. */
export const ANSWER_FAILURES = ['Rescinded', 'Expired', 'Gone', 'AlreadyAnswered', 'Rejected', 'FailedOver'] as const;
export type AnswerFailure = (typeof ANSWER_FAILURES)[number];

/**
 * This scheduler process is no longer the framework's active one (Mesos's FrameworkErrorMessage
 * "Framework failed over"): another process took the Lease, or it could not renew it in time.
 * It has stopped watching and answering; `by` is the new holder, when known.
 */
export interface FailedOver {
  reason: 'Replaced' | 'RenewDeadline';
  by?: string;
}

/**
 * The outcome of accepting or declining an offer. A failure is an expected event of two-level
 * scheduling (the offer was rescinded or expired while the framework was deciding), never an
 * exception: `reason` says which, `message` carries the API server's words.
 */
export type AnswerResult = { ok: true; offer: string } | { ok: false; offer: string; reason: AnswerFailure; message: string };

/**
 * Agora is revoking one of the framework's tasks (it is over its fair share and another
 * framework is waiting, higher-priority demand of its role needs room, or the task runs on
 * revocable resources whose owner wants them back): at `deadline` its
 * Pod is deleted (SIGTERM, then SIGKILL after the Pod's termination grace period) and it ends
 * TASK_KILLED, reason Revoked. Time to checkpoint and finish early.
 */
export interface RevocationNotice {
  name: string;
  nodeName: string;
  reason: 'FairShare' | 'Priority' | 'Revocable';
  /** The waiting framework (namespace/name) and its role. */
  for?: string;
  forRole?: string;
  message?: string;
  noticedAt: Date;
  deadline: Date;
  task: TaskObject;
}

/** A task status update, as Mesos's statusUpdate callback delivers it. */
export interface TaskUpdate {
  name: string;
  state: TaskState;
  nodeName: string;
  reason?: string;
  message?: string;
  exitCode?: number;
  /** The Task object the state was read from. */
  task: TaskObject;
}
