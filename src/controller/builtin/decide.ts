// Pure: the built-in scheduler's decisions. Given a builtin Framework, what its tasks are doing
// and the offers it holds, say how to answer each offer and what progress to report. No API,
// no clock (`now` is an argument), no randomness.
import { DEFAULT_REFUSE_SECONDS, isTerminal, MOVED_OFF_ANNOTATION, type TaskState } from '../../api/group.ts';
import { copiesThatFit } from '../../sdk/packing.ts';
import type { FrameworkObject, OfferObject, TaskInfo } from '../../sdk/types.ts';
import type { IOffer, ITask } from '../../api/index.ts';
import { offerPhase } from '../../api/group.ts';
import { add, compact, formatResourceList, isZero, parseResourceListLenient, subtract, type ResourceList } from '../../api/quantity.ts';
import type { Demand } from '../../allocator/index.ts';
import { TaskReason } from '../task-state.ts';

/** Backoff is capped here, as the CRD says. */
export const MAX_BACKOFF_SECONDS = 300;
/** Refusal when nothing is left to launch but tasks are still active (a retry may yet be needed). */
export const IDLE_REFUSE_SECONDS = 30;
/** Refusal once the workload is complete or failed for good. */
export const DONE_REFUSE_SECONDS = 3600;

export const BuiltinPhase = { Running: 'Running', Completed: 'Completed', Failed: 'Failed' } as const;
export type BuiltinPhase = (typeof BuiltinPhase)[keyof typeof BuiltinPhase];

/** Why an offer was declined, in structured form (carried into logs and the condition). */
export const DeclineReason = {
  NothingFits: 'NothingFits',
  BackingOff: 'BackingOff',
  NothingToLaunch: 'NothingToLaunch',
  Done: 'Done',
  NodeInMaintenance: 'NodeInMaintenance',
} as const;
export type DeclineReason = (typeof DeclineReason)[keyof typeof DeclineReason];

/** What these functions read of a Framework, a Task and an Offer (the SDK's and the controller's shapes both fit). */
export type FrameworkLike = { spec: Pick<FrameworkObject['spec'], 'builtin'> };
type TaskLike = { metadata?: { name?: string; annotations?: Record<string, string> }; status?: ITask['status'] };
type OfferLike = { spec: Pick<IOffer['spec'], 'accept'>; status?: IOffer['status'] };

/** What the scheduler knows of one of its tasks. */
export interface TaskView {
  name: string;
  /** undefined: launched (accepted) but no state observed yet. */
  state: TaskState | undefined;
  /** When it reached a terminal state (ms since epoch), if known. */
  finishedAt?: number;
  /**
   * Its resources were taken back — killed by revocation (TASK_KILLED, reason Revoked), or moved
   * off a node given back for maintenance (annotation agora.dev/moved-off): not its failure —
   * its work is launched again without using a retry.
   */
  revoked?: boolean;
}

export type OfferAnswer =
  /** `reserve` (spec.builtin.reserve): RESERVE this much for the offer's role in the same accept. */
  | { offer: string; action: 'accept'; tasks: TaskInfo[]; reserve?: Record<string, string> }
  | { offer: string; action: 'decline'; refuseSeconds: number; reason: DeclineReason; message: string };

export interface Progress {
  phase: BuiltinPhase;
  /** Distinct tasks launched so far (including replacements and relaunches of revoked ones). */
  launched: number;
  finished: number;
  active: number;
  failed: number;
  /** Killed by revocation: launched again as if never launched, neither a failure nor a retry. */
  revoked: number;
  /** Replacement launches still allowed by maxRetries. */
  retriesLeft: number;
  /** Tasks still to launch now or after backoff. */
  toLaunch: number;
  /** When the next replacement may launch (ms), if one is waiting out its backoff. */
  nextRetryAt?: number;
  message: string;
}

export interface Decision {
  answers: OfferAnswer[];
  progress: Progress;
}

const FAILURE_STATES: ReadonlySet<TaskState> = new Set(['TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR']);

/** The prefix of the framework's task names: `<prefix>-<index>` must stay a DNS label (≤ 63). */
export function taskPrefix(framework: string): string {
  return framework.slice(0, 52).replace(/-+$/, '');
}

export function taskName(framework: string, index: number): string {
  return `${taskPrefix(framework)}-${index}`;
}

/** The index of a task named by taskName(), else undefined. */
export function taskIndex(framework: string, name: string): number | undefined {
  const prefix = `${taskPrefix(framework)}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d{0,8})$/.test(rest) ? Number(rest) : undefined;
}

/** The delay before the replacement for the n-th failure (n ≥ 1): base·2^(n−1), capped. */
export function backoffSeconds(base: number, failures: number): number {
  if (failures <= 0 || base <= 0) return 0;
  return Math.min(MAX_BACKOFF_SECONDS, base * 2 ** Math.min(failures - 1, 30));
}

export function progressOf(framework: FrameworkLike, tasks: readonly TaskView[]): Progress {
  const b = framework.spec.builtin ?? {};
  const want = b.tasks ?? 0;
  const onFailure = (b.restartPolicy ?? 'OnFailure') === 'OnFailure';
  const maxRetries = onFailure ? (b.maxRetries ?? 3) : 0;
  let finished = 0;
  let active = 0;
  let lastFailureAt: number | undefined;
  let failed = 0;
  let revoked = 0;
  for (const t of tasks) {
    if (t.state === 'TASK_FINISHED') finished++;
    else if (t.revoked === true) revoked++;
    else if (t.state !== undefined && FAILURE_STATES.has(t.state)) {
      failed++;
      if (t.finishedAt !== undefined && (lastFailureAt === undefined || t.finishedAt > lastFailureAt)) lastFailureAt = t.finishedAt;
    } else if (!isTerminal(t.state)) active++;
  }
  const launched = tasks.length;
  // A revoked task's slot is free again: its relaunch is an original, not a replacement.
  const counted = launched - revoked;
  const originalsLeft = Math.max(0, want - counted);
  const replacementsLaunched = Math.max(0, counted - want);
  const replacementsOwed = Math.max(0, Math.min(failed, maxRetries) - replacementsLaunched);
  // Never run more than `want` at once, nor launch beyond what can still finish.
  const toLaunch = Math.max(0, Math.min(originalsLeft + replacementsOwed, want - finished - active));
  const retriesLeft = Math.max(0, maxRetries - replacementsLaunched);
  const nextRetryAt =
    replacementsOwed > 0 && lastFailureAt !== undefined ? lastFailureAt + backoffSeconds(b.backoffSeconds ?? 10, failed) * 1000 : undefined;
  let phase: BuiltinPhase = BuiltinPhase.Running;
  if (active === 0 && toLaunch === 0) phase = finished >= want ? BuiltinPhase.Completed : BuiltinPhase.Failed;
  const message =
    phase === BuiltinPhase.Completed
      ? `all ${want} tasks finished`
      : phase === BuiltinPhase.Failed
        ? `${finished}/${want} tasks finished; ${failed} failed and ${onFailure ? `the ${maxRetries} retries are used up` : 'restartPolicy is Never'}`
        : `${finished}/${want} finished, ${active} active, ${toLaunch} to launch, ${failed} failed${revoked > 0 ? `, ${revoked} revoked` : ''}`;
  return { phase, launched, finished, active, failed, revoked, retriesLeft, toLaunch, nextRetryAt, message };
}

/**
 * Answers `offers` (open offers to this framework, in the order to use them) given the
 * framework's tasks. `nextIndex` is the first unused task index. Each offer launches up to
 * tasksPerOffer copies of the template that fit exactly, or is declined with a reason.
 */
export function decide(
  framework: FrameworkObject,
  tasks: readonly TaskView[],
  offers: readonly OfferObject[],
  nextIndex: number,
  now: number,
): Decision {
  const name = framework.metadata?.name ?? '';
  const b = framework.spec.builtin ?? {};
  const template = b.template;
  const perOffer = Math.max(1, b.tasksPerOffer ?? 1);
  const refuse = b.refuseSeconds ?? framework.spec.defaultRefuseSeconds ?? DEFAULT_REFUSE_SECONDS;
  const progress = progressOf(framework, tasks);
  let left = progress.toLaunch;
  let index = nextIndex;
  const backingOff = progress.nextRetryAt !== undefined && progress.nextRetryAt > now;
  // Replacements wait out their backoff; originals do not.
  const originalsLeft = Math.max(0, (b.tasks ?? 0) - (progress.launched - progress.revoked));
  let launchableNow = backingOff ? Math.min(left, originalsLeft) : left;
  const answers: OfferAnswer[] = [];
  for (const offer of offers) {
    const offerName = offer.metadata?.name ?? '';
    if (launchableNow <= 0 || template === undefined) {
      const done = progress.phase !== BuiltinPhase.Running;
      if (done) {
        answers.push({
          offer: offerName,
          action: 'decline',
          refuseSeconds: Math.max(refuse, DONE_REFUSE_SECONDS),
          reason: DeclineReason.Done,
          message: progress.message,
        });
      } else if (left > 0 && backingOff) {
        const wait = Math.max(1, Math.ceil((progress.nextRetryAt! - now) / 1000));
        answers.push({
          offer: offerName,
          action: 'decline',
          refuseSeconds: wait,
          reason: DeclineReason.BackingOff,
          message: `next retry in ${wait}s`,
        });
      } else {
        answers.push({
          offer: offerName,
          action: 'decline',
          refuseSeconds: Math.max(refuse, IDLE_REFUSE_SECONDS),
          reason: DeclineReason.NothingToLaunch,
          message: progress.message,
        });
      }
      continue;
    }
    // A task per Pod: never more than the node's free pod slots for this offer.
    const n = copiesThatFit(offer.spec.resources, template.resources, Math.min(perOffer, launchableNow, offer.spec.podSlots ?? Infinity));
    if (n === 0) {
      answers.push({
        offer: offerName,
        action: 'decline',
        refuseSeconds: refuse,
        reason: DeclineReason.NothingFits,
        message: `the template does not fit the offer from ${offer.spec.nodeName}`,
      });
      continue;
    }
    const launch: TaskInfo[] = [];
    for (let i = 0; i < n; i++) launch.push(taskFromTemplate(template, taskName(name, index++)));
    left -= n;
    launchableNow -= n;
    const reserve = b.reserve === true ? reservationFor(offer, launch) : undefined;
    answers.push({ offer: offerName, action: 'accept', tasks: launch, ...(reserve === undefined ? {} : { reserve }) });
  }
  return { answers, progress };
}

/**
 * What an accept of `tasks` from `offer` reserves (spec.builtin.reserve): what the tasks use
 * beyond the reserved resources the offer carries (the allocator charges a task to its role's
 * reservation first). The tasks fit the offer, so this is within its unreserved part, all a
 * RESERVE may take. Undefined when the tasks fit in what is already reserved.
 */
export function reservationFor(
  offer: { spec: Pick<IOffer['spec'], 'reserved'> },
  tasks: readonly TaskInfo[],
): Record<string, string> | undefined {
  const used = tasks.reduce<ResourceList>((sum, t) => add(sum, parseResourceListLenient(t.resources)), {});
  const carried = (offer.spec.reserved ?? []).reduce<ResourceList>((sum, r) => add(sum, parseResourceListLenient(r.resources)), {});
  const amount = compact(subtract(used, carried));
  return isZero(amount) ? undefined : formatResourceList(amount);
}

function taskFromTemplate(template: NonNullable<NonNullable<FrameworkObject['spec']['builtin']>['template']>, name: string): TaskInfo {
  const task: TaskInfo = { name, resources: { ...template.resources }, containers: template.containers.map((c) => ({ ...c })) };
  if (template.labels !== undefined) task.labels = { ...template.labels };
  if (template.annotations !== undefined) task.annotations = { ...template.annotations };
  return task;
}

/** The framework's tasks: Task objects, plus accepted-but-not-yet-created ones (state undefined). */
export function taskViews(
  taskObjects: readonly TaskLike[],
  offerObjects: readonly OfferLike[],
  answered: ReadonlyMap<string, { names: string[] }>,
): TaskView[] {
  const views = new Map<string, TaskView>();
  for (const task of taskObjects) {
    const name = task.metadata?.name ?? '';
    const ended = task.status?.finishedAt ?? task.status?.lastTransitionTime;
    const state = task.status?.state as TaskState | undefined;
    const revoked =
      state === 'TASK_KILLED' &&
      (task.status?.reason === TaskReason.Revoked || task.metadata?.annotations?.[MOVED_OFF_ANNOTATION] !== undefined);
    views.set(name, { name, state, finishedAt: ended ? Date.parse(ended) : undefined, ...(revoked ? { revoked } : {}) });
  }
  const pending = (names: readonly string[]) => {
    for (const n of names) if (!views.has(n)) views.set(n, { name: n, state: undefined });
  };
  for (const offer of offerObjects) {
    const phase = offerPhase(offer);
    // A rescinded or expired accept launched nothing.
    if (offer.spec.accept !== undefined && (phase === 'Outstanding' || phase === 'Accepted'))
      pending(offer.spec.accept.tasks.map((x) => x.name));
  }
  for (const a of answered.values()) pending(a.names);
  return [...views.values()];
}

/**
 * The demand of a built-in framework: its tasks still to launch (originals and replacements
 * owed), as copies of its template, at most tasksPerOffer from one offer. Empty when there is
 * nothing to launch or no template.
 */
export function builtinDemand(framework: FrameworkLike, tasks: readonly TaskView[]): Demand[] {
  const b = framework.spec.builtin;
  if (b?.template === undefined) return [];
  const { toLaunch } = progressOf(framework, tasks);
  if (toLaunch === 0) return [];
  return [{ resources: parseResourceListLenient(b.template.resources), count: toLaunch, perOffer: Math.max(1, b.tasksPerOffer ?? 1) }];
}
