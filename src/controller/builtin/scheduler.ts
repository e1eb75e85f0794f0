// The built-in scheduler: the scheduler of every Framework with spec.builtin. It runs inside the
// controller process but is an ordinary framework scheduler: it sees the same Offer objects as
// an external program and answers them through the SDK's FrameworkClient, so DRF treats
// built-in and external frameworks alike. Decisions are pure (decide.ts); this file is the I/O.
//
// Level-triggered: any change to a builtin Framework, its Offers or its Tasks queues the
// framework's key; the reconcile reads everything from the informer caches and converges.
import { type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../api/clock.ts';
import { MOVED_OFF_ANNOTATION, PLURAL } from '../../api/group.ts';
import type { FrameworkObject, InverseOfferObject, OfferObject, TaskObject } from '../../api/objects.ts';
import { frameworkKeyOf, keyOf } from '../../api/keys.ts';
import { FrameworkClient } from '../../sdk/client.ts';
import { isOpen } from '../../sdk/offers.ts';
import { BuiltinCondition, BuiltinConditionReason, setCondition, type Condition } from '../conditions.ts';
import { customObjectSource, Informer } from '../../api/informer.ts';
import { WorkQueue } from '../workqueue.ts';
import { BuiltinPhase, decide, taskIndex, taskViews, type Progress } from './decide.ts';
import { maintenanceActions } from './maintenance.ts';

export { taskViews };

export const BUILTIN_FIELD_MANAGER = 'agora-builtin-scheduler';

export { BuiltinCondition, BuiltinConditionReason };

/** A read-only cache with change notifications: the controller's Informer satisfies it. */
export interface Source<T> {
  list(): T[];
  get(key: string): T | undefined;
  onChange(listener: (key: string, obj: T | undefined) => void): void;
}

export interface BuiltinSchedulerOptions {
  kc: KubeConfig;
  log: Logger;
  /** Only frameworks in these namespaces (default: all). Ignored when `informers` are given. */
  namespaces?: readonly string[];
  /** Share the controller's informers (not yet started, or started: both work). */
  informers?: {
    frameworks: Source<FrameworkObject>;
    offers: Source<OfferObject>;
    tasks: Source<TaskObject>;
    inverseOffers: Source<InverseOfferObject>;
  };
  /** The clock (default the system's). */
  clock?: Clock;
  concurrency?: number;
}

export interface BuiltinScheduler {
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Frameworks reconciled at once. */
const DEFAULT_CONCURRENCY = 32;

/** Before answering an offer again whose answer the API server refused. */
const REJECTED_RETRY_MS = 1000;

/** How long an accept we sent counts as launched before the cache shows it. */
const LOCAL_LAUNCH_TTL_MS = 120_000;

/** Keeps, per framework key, the keys of the objects (offers or tasks) that belong to it. */
class Index<T extends { metadata?: { namespace?: string }; spec: { framework: string } }> {
  private readonly byFramework = new Map<string, Set<string>>();
  private readonly owner = new Map<string, string>();
  private readonly source: Source<T>;

  constructor(source: Source<T>) {
    this.source = source;
  }

  /** Records the change and returns the framework key it concerns. */
  update(key: string, obj: T | undefined): string | undefined {
    const prev = this.owner.get(key);
    if (obj === undefined) {
      this.owner.delete(key);
      if (prev !== undefined) this.byFramework.get(prev)?.delete(key);
      return prev;
    }
    const fw = frameworkKeyOf(obj);
    if (prev !== undefined && prev !== fw) this.byFramework.get(prev)?.delete(key);
    this.owner.set(key, fw);
    let set = this.byFramework.get(fw);
    if (set === undefined) this.byFramework.set(fw, (set = new Set()));
    set.add(key);
    return fw;
  }

  of(framework: string): T[] {
    const out: T[] = [];
    for (const key of this.byFramework.get(framework) ?? []) {
      const o = this.source.get(key);
      if (o !== undefined) out.push(o);
    }
    return out;
  }
}

interface FrameworkState {
  client: FrameworkClient;
  /** Offers answered by this process: uid → task names accepted (empty for a decline), when. */
  answered: Map<string, { names: string[]; at: number }>;
}

export async function startBuiltinScheduler(o: BuiltinSchedulerOptions): Promise<BuiltinScheduler> {
  const log = o.log.child({ component: 'builtin-scheduler' });
  const clock = o.clock ?? systemClock;
  const own = o.informers === undefined ? ownInformers(o.kc, log, o.namespaces) : undefined;
  const sources = o.informers ?? own!;
  const offers = new Index<OfferObject>(sources.offers);
  const tasks = new Index<TaskObject>(sources.tasks);
  const inverseOffers = new Index<InverseOfferObject>(sources.inverseOffers);
  const states = new Map<string, FrameworkState>();

  // Each reconcile waits on the API for its answers: with dozens of frameworks, a handful of
  // workers would leave offers unanswered until they expire.
  const queue = new WorkQueue({
    name: 'builtin',
    concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
    log,
    clock,
    handler: (key) => reconcile(key),
  });
  const isBuiltin = (key: string) => sources.frameworks.get(key)?.spec.builtin !== undefined;

  sources.frameworks.onChange((key, fw) => {
    if (fw === undefined || fw.spec.builtin === undefined) states.delete(key);
    if (fw?.spec.builtin !== undefined) queue.add(key);
  });
  sources.offers.onChange((key, offer) => {
    const fw = offers.update(key, offer);
    if (fw !== undefined && isBuiltin(fw)) queue.add(fw);
  });
  sources.tasks.onChange((key, task) => {
    const fw = tasks.update(key, task);
    if (fw !== undefined && isBuiltin(fw)) queue.add(fw);
  });
  sources.inverseOffers.onChange((key, io) => {
    const fw = inverseOffers.update(key, io);
    if (fw !== undefined && isBuiltin(fw)) queue.add(fw);
  });

  if (own !== undefined) await Promise.all([own.frameworks.start(), own.offers.start(), own.tasks.start(), own.inverseOffers.start()]);
  // Objects listed before our listeners were attached (shared informers already running).
  for (const offer of sources.offers.list()) offers.update(keyOf(offer), offer);
  for (const task of sources.tasks.list()) tasks.update(keyOf(task), task);
  for (const io of sources.inverseOffers.list()) inverseOffers.update(keyOf(io), io);
  for (const fw of sources.frameworks.list()) if (fw.spec.builtin !== undefined) queue.add(keyOf(fw));
  queue.start();
  log.info({ namespaces: o.namespaces ?? 'all' }, 'built-in scheduler started');

  async function reconcile(key: string): Promise<void> {
    const fw = sources.frameworks.get(key);
    if (fw === undefined || fw.spec.builtin === undefined || fw.metadata?.deletionTimestamp !== undefined) {
      states.delete(key);
      return;
    }
    const name = fw.metadata?.name ?? '';
    const namespace = fw.metadata?.namespace ?? '';
    let state = states.get(key);
    if (state === undefined) {
      state = {
        client: new FrameworkClient(o.kc, { namespace, name }, { identity: 'agora-builtin', fieldManager: BUILTIN_FIELD_MANAGER, clock }),
        answered: new Map(),
      };
      states.set(key, state);
    }
    const t = clock.now();
    const fwOffers = offers.of(key);
    const fwTasks = tasks.of(key);

    // Forget local answers the cache has caught up with (or that are too old to matter).
    const offerByUid = new Map(fwOffers.map((x) => [x.metadata?.uid ?? '', x]));
    for (const [uid, a] of state.answered) {
      const seen = offerByUid.get(uid);
      if (seen === undefined ? t - a.at > LOCAL_LAUNCH_TTL_MS : seen.spec.accept !== undefined || seen.spec.decline !== undefined)
        state.answered.delete(uid);
    }

    const views = taskViews(fwTasks, fwOffers, state.answered);
    let maxIndex = -1;
    for (const v of views) maxIndex = Math.max(maxIndex, taskIndex(name, v.name) ?? -1);
    const nextIndex = Math.max(maxIndex + 1, fw.status?.launched ?? 0);
    const open = fwOffers
      .filter((x) => isOpen(x, new Date(t)) && !state.answered.has(x.metadata?.uid ?? ''))
      .sort(
        (a, b) =>
          String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')) ||
          String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
      );
    const flog = log.child({ framework: key });
    // Maintenance first: accept inverse offers, move tasks off those nodes, refuse offers there.
    const maint = maintenanceActions(inverseOffers.of(key), fwTasks, open, t);
    for (const io of maint.accept) {
      const found = inverseOffers.of(key).find((x) => x.metadata.name === io)!;
      const res = await state.client.answerInverseOffer(found, 'Accept', 'the built-in scheduler moves its tasks off the node');
      flog.info({ inverseOffer: io, node: found.spec.nodeName, ok: res.ok }, 'accepted inverse offer');
    }
    const byName = new Map(fwTasks.map((x) => [x.metadata.name, x]));
    for (const task of maint.kill) {
      await state.client.kill(task, { annotations: { [MOVED_OFF_ANNOTATION]: byName.get(task)?.spec.nodeName ?? '' } });
      flog.info({ task }, 'task moved off a node given back for maintenance');
    }
    const declined = new Set(maint.declines.map((d) => d.offer));
    const decision = decide(
      fw,
      views,
      open.filter((x) => !declined.has(x.metadata?.name ?? '')),
      nextIndex,
      t,
    );
    decision.answers.push(...maint.declines);

    await Promise.all(
      decision.answers.map(async (a) => {
        const offer = open.find((x) => x.metadata?.name === a.offer)!;
        const uid = offer.metadata?.uid ?? '';
        state.answered.set(uid, { names: a.action === 'accept' ? a.tasks.map((x) => x.name) : [], at: t });
        let res;
        try {
          res =
            a.action === 'accept'
              ? await state.client.accept(offer, a.tasks, a.reserve === undefined ? {} : { reserve: a.reserve })
              : await state.client.decline(offer, { refuseSeconds: a.refuseSeconds });
        } catch (err) {
          // Not written (API or webhook error): the offer is still open and is answered again
          // when the queue retries this framework, not left to expire.
          state.answered.delete(uid);
          throw err;
        }
        if (res.ok) {
          if (a.action === 'accept')
            flog.info(
              { offer: a.offer, node: offer.spec.nodeName, tasks: a.tasks.map((x) => x.name), reserve: a.reserve },
              'accepted offer',
            );
          else flog.debug({ offer: a.offer, reason: a.reason, refuseSeconds: a.refuseSeconds }, 'declined offer');
        } else {
          // The offer went away while we answered (its tasks were not launched), or the answer
          // was refused: then it is answered again, decided afresh, after a short delay.
          state.answered.delete(uid);
          flog.info({ offer: a.offer, reason: res.reason, message: res.message }, 'offer answer did not take effect');
          if (res.reason === 'Rejected') queue.addAfter(key, REJECTED_RETRY_MS);
        }
      }),
    );

    const launchedNow = decision.answers.reduce((n, a) => n + (a.action === 'accept' ? a.tasks.length : 0), 0);
    const after: Progress =
      launchedNow === 0 ? decision.progress : { ...decision.progress, launched: decision.progress.launched + launchedNow };
    await writeStatus(state.client, fw, after, new Date(t).toISOString(), flog);
  }

  return {
    idle: () => queue.idle(),
    async stop() {
      queue.stop();
      if (own !== undefined) await Promise.all([own.frameworks.stop(), own.offers.stop(), own.tasks.stop(), own.inverseOffers.stop()]);
      log.info('built-in scheduler stopped');
    },
  };
}

/**
 * Server-side applies launched and the Complete condition, only on change. status.phase is
 * not ours: the framework reconciler derives Completed/Failed from the condition (one writer).
 */
async function writeStatus(client: FrameworkClient, fw: FrameworkObject, p: Progress, now: string, log: Logger): Promise<void> {
  const current = fw.status ?? {};
  const reason =
    p.phase === BuiltinPhase.Completed
      ? BuiltinConditionReason.AllTasksFinished
      : p.phase === BuiltinPhase.Failed
        ? BuiltinConditionReason.TasksFailed
        : BuiltinConditionReason.InProgress;
  const prev = (current.conditions as Condition[] | undefined)?.filter((c) => c.type === BuiltinCondition.Complete);
  const [complete] = setCondition(
    prev,
    {
      type: BuiltinCondition.Complete,
      status: p.phase === BuiltinPhase.Completed ? 'True' : 'False',
      reason,
      message: p.message,
      observedGeneration: fw.metadata?.generation,
    },
    now,
  );
  const same =
    current.launched === p.launched &&
    prev?.[0] !== undefined &&
    prev[0].status === complete!.status &&
    prev[0].reason === complete!.reason &&
    prev[0].message === complete!.message &&
    prev[0].observedGeneration === complete!.observedGeneration;
  if (same) return;
  await client.applyStatus({ launched: p.launched, conditions: [complete!] }, BUILTIN_FIELD_MANAGER);
  if (p.phase !== BuiltinPhase.Running && prev?.[0]?.reason !== reason) log.info({ outcome: p.phase, message: p.message }, 'workload done');
}

/** The built-in scheduler's own informers, when it runs without the controller's. */
function ownInformers(kc: KubeConfig, log: Logger, namespaces: readonly string[] | undefined) {
  const informer = <T extends KubernetesObject>(plural: string) =>
    new Informer<T>({
      name: `builtin-${plural}`,
      kc,
      log,
      namespaces,
      ...customObjectSource<T>(kc, plural),
    });
  return {
    frameworks: informer<FrameworkObject & KubernetesObject>(PLURAL.Framework),
    offers: informer<OfferObject & KubernetesObject>(PLURAL.Offer),
    tasks: informer<TaskObject & KubernetesObject>(PLURAL.Task),
    inverseOffers: informer<InverseOfferObject & KubernetesObject>(PLURAL.InverseOffer),
  };
}
