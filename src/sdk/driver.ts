// SchedulerDriver: what an external framework program runs. It registers (or adopts) the
// Framework, watches the framework's Offers and Tasks, delivers new offers, rescinds and task
// status updates as events and async iterators, and heartbeats the failover Lease.
//
// One scheduler process per framework is active: the one holding the Lease. A new process
// takes the Lease over (Mesos's re-registration replaces the old scheduler), and the replaced
// one is told ('failedOver') and stops; with `standby` a process waits until the active one's
// Lease lapses, then takes over — sooner than the framework's failover timeout.
import {
  makeInformer,
  CoordinationV1Api,
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Lease,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { frameworkLeaseName, LABEL, GROUP, PLURAL, VERSION } from '../api/group.ts';
import { LeaderElector, type StoppedLeading } from '../api/lease-election.ts';
import { inverseOfferPhase } from '../api/maintenance.ts';
import { FrameworkClient, revocationOf, taskUpdateOf } from './client.ts';
import { failed, isOpen, offerPhase } from './offers.ts';
import { AsyncQueue } from './queue.ts';
import type {
  AcceptOptions,
  AnswerResult,
  DemandEntry,
  FailedOver,
  FrameworkObject,
  FrameworkSpec,
  InverseOfferObject,
  OfferObject,
  TaskInfo,
  TaskObject,
  TaskUpdate,
  RevocationNotice,
} from './types.ts';
import { systemClock, type Clock } from '../api/clock.ts';

export interface SchedulerEvents {
  /** A new open offer for this framework. Answer it with accept() or decline(). */
  offer: OfferObject;
  /** An offer delivered earlier and not answered was rescinded, expired or deleted. */
  rescinded: OfferObject;
  /** A task's state changed (the first state seen counts as a change). */
  update: TaskUpdate;
  /** Agora is revoking a task: it is killed at notice.deadline (once per task). */
  revoking: RevocationNotice;
  /** A watch failed; it is restarted with backoff. */
  error: Error;
  /**
   * Maintenance asks for a node back by io.spec.start (once per inverse offer, while pending):
   * answer with answerInverseOffer(io, 'Accept' | 'Decline'). Nothing new is offered on the
   * node from spec.start until spec.end.
   */
  inverseOffer: InverseOfferObject;
  /** This process is no longer the framework's active scheduler: it has stopped (see FailedOver). */
  failedOver: FailedOver;
}

type Listener<K extends keyof SchedulerEvents> = (value: SchedulerEvents[K]) => void;

export interface SchedulerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Framework's name. */
  name: string;
  /** Created with, or merged into an existing Framework of this name (adoption after a restart). */
  spec?: FrameworkSpec;
  /**
   * Renew the failover Lease every this many seconds (default: a sixth of failoverTimeoutSeconds,
   * 1 s to 10 s). The Lease is held for three of these. 0 disables the Lease, and with it
   * failover: the process is active at once and never replaced.
   */
  heartbeatSeconds?: number;
  /**
   * Wait as a hot standby: start() resolves only once this process holds the Lease — when the
   * active scheduler's Lease lapses (it died) or is released (it stopped). Default false: take
   * the Lease over at once, replacing a running scheduler (which gets 'failedOver').
   */
  standby?: boolean;
  logger?: Logger;
  /** The clock (default the system's). */
  clock?: Clock;
  /** Delay before restarting a failed watch (default: real timers). */
  delay?: (ms: number) => Promise<void>;
}

const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export class SchedulerDriver extends FrameworkClient {
  readonly log: Logger;
  framework: FrameworkObject | undefined;
  private readonly kc: KubeConfig;
  private readonly opts: SchedulerOptions;
  private readonly listeners: { [K in keyof SchedulerEvents]: Listener<K>[] } = {
    offer: [],
    rescinded: [],
    update: [],
    revoking: [],
    error: [],
    failedOver: [],
    inverseOffer: [],
  };
  private readonly offerQueue = new AsyncQueue<OfferObject>();
  private readonly updateQueues = new Set<AsyncQueue<TaskUpdate>>();
  private readonly delivered = new Map<string, OfferObject>();
  private readonly taskStates = new Map<string, string>();
  private readonly revoking = new Set<string>();
  /** Inverse offers delivered (uids). */
  private readonly inverseOffers = new Set<string>();
  private readonly informers: Informer<never>[] = [];
  private taskCache: ObjectCache<TaskObject> | undefined;
  private elector: LeaderElector | undefined;
  private stopped = false;
  private replaced: FailedOver | undefined;
  /** Rejects a standby's start() when stop() comes first. */
  private standbyAbort: (() => void) | undefined;
  private wanted: boolean | undefined;
  private suppressChain: Promise<void> = Promise.resolve();
  /** The demand last asked for, as JSON (undefined: not asked yet in this process). */
  private demandJson: string | undefined;
  private demandChain: Promise<void> = Promise.resolve();

  constructor(opts: SchedulerOptions) {
    super(opts.kubeConfig, { namespace: opts.namespace, name: opts.name }, { clock: opts.clock ?? systemClock });
    this.kc = opts.kubeConfig;
    this.opts = opts;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ framework: `${opts.namespace}/${opts.name}` });
  }

  /**
   * Creates a driver, registers the framework and starts watching and heartbeating. A standby
   * (opts.standby) resolves once it has taken over; it rejects if stop() is called first.
   */
  static async start(opts: SchedulerOptions): Promise<SchedulerDriver> {
    const driver = new SchedulerDriver(opts);
    await driver.connect();
    return driver;
  }

  on<K extends keyof SchedulerEvents>(event: K, listener: Listener<K>): this {
    this.listeners[event].push(listener);
    return this;
  }

  off<K extends keyof SchedulerEvents>(event: K, listener: Listener<K>): this {
    const list = this.listeners[event];
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  private emit<K extends keyof SchedulerEvents>(event: K, value: SchedulerEvents[K]): void {
    for (const l of this.listeners[event].slice()) {
      try {
        l(value);
      } catch (err) {
        this.log.error({ err, event }, 'event listener threw');
      }
    }
  }

  /** New open offers, in arrival order, buffered from start(). One consumer. */
  offers(): AsyncIterableIterator<OfferObject> {
    return this.offerQueue;
  }

  /** Task status updates from now on. Each call gets its own stream. */
  updates(): AsyncIterableIterator<TaskUpdate> {
    const q = new AsyncQueue<TaskUpdate>();
    this.updateQueues.add(q);
    return q;
  }

  /**
   * SUPPRESS when `want` is false, REVIVE when true — only when that differs from what was last
   * asked, and in call order, so a scheduler may call it on every decision.
   */
  wantOffers(want: boolean): Promise<void> {
    if (this.wanted === want) return this.suppressChain;
    this.wanted = want;
    this.suppressChain = this.suppressChain
      .then(() => this.setSuppressed(!want))
      .catch((err: unknown) => {
        this.wanted = undefined;
        this.log.warn({ err, want }, 'suppress/revive failed');
      });
    return this.suppressChain;
  }

  /**
   * Publishes what the framework still wants — task shapes with counts, e.g.
   * `[{ resources: { cpu: '1', memory: '1Gi' }, count: 12, perOffer: 4 }]` — so that Agora offers
   * it about what that can use, and nothing while it is `[]` (no need to suppress). `undefined`
   * returns to Mesos's push model. Written only when it differs from the last call, in call
   * order, so a scheduler may call it on every decision.
   */
  override setDemand(demand: DemandEntry[] | undefined): Promise<void> {
    const json = JSON.stringify(demand ?? null);
    if (this.demandJson === json) return this.demandChain;
    this.demandJson = json;
    this.demandChain = this.demandChain
      .then(() => super.setDemand(demand))
      .catch((err: unknown) => {
        this.demandJson = undefined;
        this.log.warn({ err }, 'publishing demand failed');
      });
    return this.demandChain;
  }

  /** Open offers currently known (from the watch cache). */
  openOffers(): OfferObject[] {
    return [...this.delivered.values()].filter((o) => isOpen(o, new Date(this.clock.now())));
  }

  /** Whether this process is the framework's active scheduler (holds the Lease, or runs without one). */
  get active(): boolean {
    return !this.stopped && (this.elector === undefined ? this.framework !== undefined : this.elector.isLeader);
  }

  /**
   * Registers and starts watching (start() is new + connect()). Built with `new`, a standby can
   * be stopped while it waits: connect() then rejects.
   */
  async connect(): Promise<void> {
    const interval = this.heartbeatInterval();
    if (interval === 0) {
      if (this.opts.standby) throw new Error('a standby needs the failover Lease: heartbeatSeconds must not be 0');
      return this.activate();
    }
    const elected = new Promise<void>((resolve, reject) => {
      const coordination = this.kc.makeApiClient(CoordinationV1Api);
      this.elector = new LeaderElector({
        api: coordination,
        namespace: this.namespace,
        name: frameworkLeaseName(this.name),
        identity: this.identity,
        leaseDurationMs: 3 * interval * 1000,
        renewDeadlineMs: 2 * interval * 1000,
        retryPeriodMs: interval * 1000,
        clock: this.clock,
        log: this.log,
        takeover: this.opts.standby !== true,
        labels: { [LABEL.framework]: this.name },
        onStartedLeading: resolve,
        onStoppedLeading: (why) => this.failOver(why),
      });
      this.standbyAbort = () => reject(new Error(`stopped before ${this.namespace}/${this.name}'s Lease became free`));
    });
    // The Lease watch tells a replaced process at once, and keeps a waiting standby's process alive.
    await this.watchLease();
    if (this.opts.standby) this.log.info({ identity: this.identity }, 'standing by for the Lease');
    this.elector!.start();
    await elected;
    this.standbyAbort = undefined;
    if (this.stopped) return;
    this.log.info({ identity: this.identity }, 'active: holds the Lease');
    await this.activate();
  }

  private async activate(): Promise<void> {
    this.framework = await this.register(this.opts.spec ?? {});
    this.wanted = this.framework.spec.suppressed !== true;
    this.log.info({ uid: this.framework.metadata?.uid }, 'registered');
    await Promise.all([
      this.watch<OfferObject>(
        PLURAL.Offer,
        (o) => this.onOffer(o),
        (o) => this.onOfferDeleted(o),
      ),
      this.watch<TaskObject>(
        PLURAL.Task,
        (t) => this.onTask(t),
        () => undefined,
      ),
      this.watch<InverseOfferObject>(
        PLURAL.InverseOffer,
        (io) => this.onInverseOffer(io),
        () => undefined,
      ),
    ]);
  }

  private onInverseOffer(io: InverseOfferObject): void {
    const uid = `${io.metadata.uid}`;
    if (this.inverseOffers.has(uid) || inverseOfferPhase(io, this.clock.now()) !== 'Pending') return;
    this.inverseOffers.add(uid);
    this.log.info({ inverseOffer: io.metadata.name, node: io.spec.nodeName, start: io.spec.start }, 'inverse offer');
    this.emit('inverseOffer', io);
  }

  private failOver(why: StoppedLeading): void {
    if (this.stopped) return;
    this.replaced = why.reason === 'Replaced' ? { reason: why.reason, by: why.holder } : { reason: why.reason };
    this.log.warn(this.replaced, 'failed over: no longer the active scheduler; stopping');
    void this.halt();
    this.emit('failedOver', this.replaced);
  }

  /** A replaced process no longer answers offers (the result says FailedOver). */
  override accept(offer: OfferObject | string, tasks: TaskInfo[], opts: AcceptOptions = {}): Promise<AnswerResult> {
    return this.replaced ? this.refused(offer) : super.accept(offer, tasks, opts);
  }

  override decline(offer: OfferObject | string, opts: { refuseSeconds?: number } = {}): Promise<AnswerResult> {
    return this.replaced ? this.refused(offer) : super.decline(offer, opts);
  }

  private refused(offer: OfferObject | string): Promise<AnswerResult> {
    const name = typeof offer === 'string' ? offer : (offer.metadata?.name ?? '');
    const by = this.replaced?.by === undefined ? '' : ` (now ${this.replaced.by})`;
    return Promise.resolve(failed(name, 'FailedOver', `this scheduler process is no longer the framework's active one${by}`));
  }

  private timeoutSeconds(): number {
    return this.opts.spec?.failoverTimeoutSeconds ?? this.framework?.spec.failoverTimeoutSeconds ?? 30;
  }

  private heartbeatInterval(): number {
    if (this.opts.heartbeatSeconds !== undefined) return this.opts.heartbeatSeconds;
    return Math.max(1, Math.min(10, Math.floor(this.timeoutSeconds() / 6)));
  }

  private async watchLease(): Promise<void> {
    const coordination = this.kc.makeApiClient(CoordinationV1Api);
    const labelSelector = `${LABEL.framework}=${this.name}`;
    const name = frameworkLeaseName(this.name);
    const informer = makeInformer<V1Lease>(
      this.kc,
      `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases`,
      () => coordination.listNamespacedLease({ namespace: this.namespace, labelSelector }),
      labelSelector,
    );
    const seen = (l: V1Lease) => l.metadata?.name === name && this.elector?.observe(l);
    informer.on('add', seen);
    informer.on('update', seen);
    await this.startInformer(informer, 'leases');
  }

  private async watch<T extends OfferObject | TaskObject | InverseOfferObject>(
    plural: string,
    upsert: (o: T) => void,
    remove: (o: T) => void,
  ): Promise<void> {
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${plural}`;
    const list = () => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural });
    const informer = makeInformer<T & KubernetesObject>(
      this.kc,
      path,
      async () => (await list()) as KubernetesListObject<T & KubernetesObject>,
    );
    const mine = (o: T) => o.spec.framework === this.name;
    informer.on('add', (o) => mine(o) && upsert(o));
    informer.on('update', (o) => mine(o) && upsert(o));
    informer.on('delete', (o) => mine(o) && remove(o));
    if (plural === PLURAL.Task) this.taskCache = informer as unknown as ObjectCache<TaskObject>;
    await this.startInformer(informer, plural);
  }

  /** Starts a watch, restarting it with backoff when it fails, until the driver stops. */
  private async startInformer<T extends KubernetesObject>(informer: Informer<T>, plural: string): Promise<void> {
    if (this.stopped) return;
    let backoff = BACKOFF_MIN_MS;
    informer.on('connect', () => (backoff = BACKOFF_MIN_MS));
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      const error = err instanceof Error ? err : new Error(String(err));
      this.log.warn({ err: error, plural, backoffMs: backoff }, 'watch failed; restarting');
      this.emit('error', error);
      const delay = this.opts.delay ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
      void delay(backoff).then(() => (this.stopped ? undefined : informer.start().catch(() => undefined)));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    });
    this.informers.push(informer as unknown as Informer<never>);
    await informer.start();
  }

  private onOffer(offer: OfferObject): void {
    const name = offer.metadata?.name ?? '';
    const known = this.delivered.get(name);
    if (known === undefined || known.metadata?.uid !== offer.metadata?.uid) {
      if (!isOpen(offer, new Date(this.clock.now()))) return;
      this.delivered.set(name, offer);
      this.log.debug({ offer: name, node: offer.spec.nodeName }, 'offer');
      this.offerQueue.push(offer);
      this.emit('offer', offer);
      return;
    }
    this.delivered.set(name, offer);
    const phase = offerPhase(offer);
    if (phase === 'Rescinded' || phase === 'Expired') {
      this.delivered.delete(name);
      if (offer.spec.accept === undefined && offer.spec.decline === undefined) this.emit('rescinded', offer);
    } else if (phase !== 'Outstanding') {
      this.delivered.delete(name);
    }
  }

  private onOfferDeleted(offer: OfferObject): void {
    const name = offer.metadata?.name ?? '';
    const known = this.delivered.get(name);
    this.delivered.delete(name);
    if (known !== undefined && isOpen(known)) this.emit('rescinded', offer);
  }

  private onTask(task: TaskObject): void {
    const notice = revocationOf(task);
    const uid = `${task.metadata?.uid}`;
    if (notice !== undefined && !this.revoking.has(uid)) {
      this.revoking.add(uid);
      this.log.info({ task: notice.name, reason: notice.reason, for: notice.for, deadline: notice.deadline }, 'task being revoked');
      this.emit('revoking', notice);
    }
    const status = taskUpdateOf(task);
    if (status === undefined) return;
    const key = `${task.metadata?.uid}`;
    if (this.taskStates.get(key) === status.state) return;
    this.taskStates.set(key, status.state);
    this.log.debug({ task: status.name, state: status.state }, 'task update');
    for (const q of this.updateQueues) q.push(status);
    this.emit('update', status);
  }

  /** Tasks of this framework in the watch cache (see reconcile() for a fresh read). */
  cachedTasks(): TaskObject[] {
    return (this.taskCache?.list(this.namespace) ?? []).filter((t) => t.spec.framework === this.name);
  }

  /**
   * Stops watching and heartbeating and releases the Lease, so a standby takes over at once; the
   * framework stays registered (Mesos's stop with failover).
   */
  async stop(): Promise<void> {
    if (!this.stopped) await this.elector?.stop();
    await this.halt();
  }

  private async halt(): Promise<void> {
    this.stopped = true;
    this.standbyAbort?.();
    await Promise.all(this.informers.map((i) => i.stop()));
    // A replaced process drops the offers it has not taken yet: they are its successor's now.
    if (this.replaced) void this.offerQueue.return();
    else this.offerQueue.close();
    for (const q of this.updateQueues) q.close();
  }

  /** Stops, then deletes the Framework: its tasks are killed and its offers rescinded. */
  async teardown(): Promise<void> {
    await this.stop();
    await this.unregister();
  }
}
