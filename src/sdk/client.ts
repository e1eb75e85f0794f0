// The API calls a framework scheduler makes, for one framework: register, answer offers, kill
// tasks, suppress/revive, reconcile. No watches and no timers here (see driver.ts):
// the built-in scheduler shares one set of informers across frameworks and uses this directly.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, frameworkLeaseName, GROUP, PLURAL, VERSION, type TaskState } from '../api/group.ts';
import { inverseOfferPhase, type InverseOfferAnswer } from '../api/maintenance.ts';
import { systemClock, type Clock } from '../api/clock.ts';
import { apiErrorMessage, statusCode } from '../api/errors.ts';
import { MERGE_PATCH } from '../api/patch.ts';
import { classifyAnswerFailure, failed, isOpen } from './offers.ts';
import type { Quantities } from './packing.ts';
import type {
  AcceptOptions,
  AnswerResult,
  DemandEntry,
  FrameworkObject,
  FrameworkSpec,
  InverseOfferObject,
  OfferObject,
  TaskInfo,
  TaskObject,
  TaskUpdate,
  RevocationNotice,
} from './types.ts';

const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** How many times an answer is retried after a resourceVersion conflict on a still-open offer. */
const CONFLICT_RETRIES = 3;

export interface FrameworkRef {
  namespace: string;
  name: string;
}

/** The Lease through which a framework's scheduler heartbeats (DESIGN: failover). */
export const leaseName = frameworkLeaseName;

export function taskUpdateOf(task: TaskObject): TaskUpdate | undefined {
  const state = task.status?.state;
  if (state === undefined) return undefined;
  return {
    name: task.metadata?.name ?? '',
    state: state as TaskState,
    nodeName: task.spec.nodeName,
    reason: task.status?.reason,
    message: task.status?.message,
    exitCode: task.status?.exitCode,
    task,
  };
}

/** The task's revocation notice, if Agora is revoking it (a dry-run report is not a notice). */
export function revocationOf(task: TaskObject): RevocationNotice | undefined {
  const r = task.status?.revocation;
  if (r === undefined || r === null || r.dryRun === true) return undefined;
  return {
    name: task.metadata?.name ?? '',
    nodeName: task.spec.nodeName,
    reason: r.reason,
    for: r.for,
    forRole: r.forRole,
    message: r.message,
    noticedAt: new Date(r.noticedAt),
    deadline: new Date(r.deadline),
    task,
  };
}

export class FrameworkClient {
  readonly namespace: string;
  readonly name: string;
  /** Who holds the heartbeat Lease: unique per process. */
  readonly identity: string;
  private readonly custom: CustomObjectsApi;
  private readonly fieldManager: string;
  protected readonly clock: Clock;

  constructor(kc: KubeConfig, ref: FrameworkRef, opts: { identity?: string; fieldManager?: string; clock?: Clock } = {}) {
    this.namespace = ref.namespace;
    this.name = ref.name;
    this.identity = opts.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.fieldManager = opts.fieldManager ?? 'agora-sdk';
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.clock = opts.clock ?? systemClock;
  }

  private obj(plural: string, name: string) {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural, name };
  }

  /**
   * REGISTER: creates the Framework, or adopts an existing one of that name (a restarted or
   * failed-over scheduler), merging `spec` into it. Returns the Framework as stored.
   */
  async register(spec: FrameworkSpec): Promise<FrameworkObject> {
    const body: FrameworkObject = {
      apiVersion: API_VERSION,
      kind: 'Framework',
      metadata: { name: this.name, namespace: this.namespace },
      spec,
    };
    try {
      return (await this.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: PLURAL.Framework,
        body,
      })) as FrameworkObject;
    } catch (err) {
      if (statusCode(err) !== 409) throw err;
    }
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.obj(PLURAL.Framework, this.name), body: { spec } },
      MERGE_PATCH,
    )) as FrameworkObject;
  }

  async getFramework(): Promise<FrameworkObject | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject(this.obj(PLURAL.Framework, this.name))) as FrameworkObject;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** Deletes the Framework (UNREGISTER / teardown): Agora kills its tasks and rescinds its offers. */
  async unregister(): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject(this.obj(PLURAL.Framework, this.name));
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  async getOffer(name: string): Promise<OfferObject | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject(this.obj(PLURAL.Offer, name))) as OfferObject;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * ACCEPT: launch `tasks` on the offer's node; `refuseSeconds` withholds the unused rest.
   * `reserve` sets part of the offer's unreserved resources aside for the offer's role first
   * (Mesos's RESERVE, then LAUNCH: the tasks may use it); `unreserve` gives back part of the
   * role's idle dynamic reservation the offer carries (see dynamicReservation()). With no
   * task and no reservation operation it declines.
   */
  accept(offer: OfferObject | string, tasks: TaskInfo[], opts: AcceptOptions = {}): Promise<AnswerResult> {
    const accept: NonNullable<OfferObject['spec']['accept']> = { tasks };
    if (opts.refuseSeconds !== undefined) accept.refuseSeconds = opts.refuseSeconds;
    if (opts.reserve !== undefined) accept.reserve = [{ resources: opts.reserve }];
    if (opts.unreserve !== undefined) accept.unreserve = [{ resources: opts.unreserve }];
    if (tasks.length === 0 && accept.reserve === undefined && accept.unreserve === undefined) return this.decline(offer, opts);
    return this.answer(offer, { accept });
  }

  /** RESERVE `resources` of the offer for its role (and launch `tasks`, which may use them): a Reservation that only the role is offered afterwards. */
  reserve(
    offer: OfferObject | string,
    resources: Quantities,
    tasks: TaskInfo[] = [],
    opts: { refuseSeconds?: number } = {},
  ): Promise<AnswerResult> {
    return this.accept(offer, tasks, { ...opts, reserve: resources });
  }

  /** UNRESERVE `resources` of the role's dynamic reservation on the offer's node (at most dynamicReservation(offer)). */
  unreserve(
    offer: OfferObject | string,
    resources: Quantities,
    tasks: TaskInfo[] = [],
    opts: { refuseSeconds?: number } = {},
  ): Promise<AnswerResult> {
    return this.accept(offer, tasks, { ...opts, unreserve: resources });
  }

  /** DECLINE: the node is not re-offered to this framework for `refuseSeconds` (unless it grows). */
  decline(offer: OfferObject | string, opts: { refuseSeconds?: number } = {}): Promise<AnswerResult> {
    return this.answer(offer, { decline: opts.refuseSeconds === undefined ? {} : { refuseSeconds: opts.refuseSeconds } });
  }

  /**
   * Writes the answer with a merge patch guarded by the offer's resourceVersion, so an offer
   * that was rescinded or expired after it was read is never answered. On a rejection the offer
   * is re-read and the failure classified (offers.ts); a conflict on a still-open offer retries.
   */
  private async answer(offer: OfferObject | string, spec: Pick<OfferObject['spec'], 'accept' | 'decline'>): Promise<AnswerResult> {
    const name = typeof offer === 'string' ? offer : (offer.metadata?.name ?? '');
    let current: OfferObject | undefined = typeof offer === 'string' ? await this.getOffer(name) : offer;
    for (let attempt = 0; ; attempt++) {
      if (current === undefined) return failed(name, 'Gone', 'the offer no longer exists');
      if (!isOpen(current)) {
        const why = classifyAnswerFailure(undefined, '', current);
        if (why !== undefined) return failed(name, why.reason, why.message);
      }
      const metadata = current.metadata?.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {};
      try {
        await this.custom.patchNamespacedCustomObject(
          { ...this.obj(PLURAL.Offer, name), body: { metadata, spec }, fieldManager: this.fieldManager },
          MERGE_PATCH,
        );
        return { ok: true, offer: name };
      } catch (err) {
        const code = statusCode(err);
        if (code === undefined || code >= 500) throw err;
        const message = apiErrorMessage(err);
        current = code === 404 ? undefined : await this.getOffer(name);
        const why = classifyAnswerFailure(code, message, current);
        if (why !== undefined) return failed(name, why.reason, why.message);
        if (attempt >= CONFLICT_RETRIES) return failed(name, 'Rejected', message);
      }
    }
  }

  /**
   * Answers an InverseOffer (maintenance asks for a node back): Accept — this framework will move
   * its tasks off the node before spec.start; Decline — it keeps them. Once, guarded by the
   * object's resourceVersion: an inverse offer already answered, expired or gone comes back as
   * a typed result.
   */
  async answerInverseOffer(io: InverseOfferObject, answer: InverseOfferAnswer, message?: string): Promise<AnswerResult> {
    const name = io.metadata.name;
    const phase = inverseOfferPhase(io, this.clock.now());
    if (phase === 'Accepted' || phase === 'Declined') return failed(name, 'AlreadyAnswered', `already answered: ${io.spec.answer}`);
    if (phase === 'Expired') return failed(name, 'Expired', 'its maintenance window is over');
    const body = {
      metadata: { resourceVersion: io.metadata.resourceVersion },
      spec: { answer, ...(message === undefined ? {} : { message }) },
    };
    try {
      await this.custom.patchNamespacedCustomObject(
        { ...this.obj(PLURAL.InverseOffer, name), body, fieldManager: this.fieldManager },
        MERGE_PATCH,
      );
      return { ok: true, offer: name };
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return failed(name, 'Gone', 'the inverse offer no longer exists');
      if (code === 409) return failed(name, 'AlreadyAnswered', 'changed since it was read (answered meanwhile?)');
      if (code !== undefined && code < 500) return failed(name, 'Rejected', apiErrorMessage(err));
      throw err;
    }
  }

  /**
   * KILL: asks Agora to kill the task (it becomes TASK_KILLED). Killing a gone task is a no-op.
   * `annotations` are added to the Task with the request (e.g. why it was killed).
   */
  async kill(task: string, opts: { annotations?: Record<string, string> } = {}): Promise<boolean> {
    const body =
      opts.annotations === undefined ? { spec: { kill: true } } : { metadata: { annotations: opts.annotations }, spec: { kill: true } };
    try {
      await this.custom.patchNamespacedCustomObject({ ...this.obj(PLURAL.Task, task), body, fieldManager: this.fieldManager }, MERGE_PATCH);
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw err;
    }
  }

  /** SUPPRESS (true) or REVIVE (false): stop or resume receiving offers. */
  async setSuppressed(suppressed: boolean): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { ...this.obj(PLURAL.Framework, this.name), body: { spec: { suppressed } }, fieldManager: this.fieldManager },
      MERGE_PATCH,
    );
  }

  /**
   * Publishes what the framework still wants (spec.demand): Agora then offers it only about what
   * that can use, and nothing while it is empty. `undefined` removes it (every eligible node is
   * offered again, Mesos's push model).
   */
  async setDemand(demand: DemandEntry[] | undefined): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { ...this.obj(PLURAL.Framework, this.name), body: { spec: { demand: demand ?? null } }, fieldManager: this.fieldManager },
      MERGE_PATCH,
    );
  }

  /**
   * SUPPRESS (true) or REVIVE (false) one of a multi-role framework's roles (Mesos's
   * suppressOffers(roles) / reviveOffers(roles)): spec.suppressedRoles gains or loses it; the
   * framework's other roles are untouched. Read-modify-write, retried on a conflicting write.
   */
  async setRoleSuppressed(role: string, suppressed: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const fw = await this.getFramework();
      if (fw === undefined) throw new Error(`framework ${this.namespace}/${this.name} not found`);
      const before = fw.spec.suppressedRoles ?? [];
      const after = suppressed ? [...new Set([...before, role])] : before.filter((r) => r !== role);
      if (after.length === before.length && after.every((r, i) => r === before[i])) return;
      try {
        await this.custom.patchNamespacedCustomObject(
          {
            ...this.obj(PLURAL.Framework, this.name),
            body: {
              metadata: { resourceVersion: fw.metadata.resourceVersion },
              spec: { suppressedRoles: after.length > 0 ? after : null },
            },
            fieldManager: this.fieldManager,
          },
          MERGE_PATCH,
        );
        return;
      } catch (err) {
        if (statusCode(err) !== 409 || attempt >= 4) throw err;
      }
    }
  }

  /** SUPPRESS: no offers in any role, or (`role` given) in that role only. */
  suppress(role?: string): Promise<void> {
    return role === undefined ? this.setSuppressed(true) : this.setRoleSuppressed(role, true);
  }

  /** REVIVE: offers again in every role (spec.suppressed off), or (`role` given) in that role. */
  revive(role?: string): Promise<void> {
    return role === undefined ? this.setSuppressed(false) : this.setRoleSuppressed(role, false);
  }

  /** Every Task of this framework, read from the API (not a cache). */
  async listTasks(): Promise<TaskObject[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: PLURAL.Task,
    })) as { items: TaskObject[] };
    return list.items.filter((t) => t.spec.framework === this.name);
  }

  /** Outstanding, unanswered offers to this framework, read from the API. */
  async listOpenOffers(now?: Date): Promise<OfferObject[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: PLURAL.Offer,
    })) as { items: OfferObject[] };
    return list.items.filter((o) => o.spec.framework === this.name && isOpen(o, now));
  }

  /**
   * RECONCILE: the state of every task of this framework (after a restart the scheduler
   * rebuilds its view from this). Tasks not yet given a state by Agora are TASK_STAGING.
   */
  async reconcile(): Promise<TaskUpdate[]> {
    return (await this.listTasks()).map(
      (task) => taskUpdateOf(task) ?? { name: task.metadata?.name ?? '', state: 'TASK_STAGING', nodeName: task.spec.nodeName, task },
    );
  }

  /**
   * Server-side applies status fields owned by `fieldManager` (the built-in scheduler's
   * progress), leaving fields other writers own — allocated, dominantShare, tasks — untouched.
   */
  async applyStatus(status: Partial<NonNullable<FrameworkObject['status']>>, fieldManager: string): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...this.obj(PLURAL.Framework, this.name),
        body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name: this.name, namespace: this.namespace }, status },
        fieldManager,
        force: true,
      },
      APPLY,
    );
  }
}
