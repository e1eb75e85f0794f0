// SchedulerDriver: what an external framework program runs. It registers (or adopts) the
// Framework, watches the framework's Offers and Tasks, delivers new offers, rescinds and task
// status updates as events and async iterators, and heartbeats the failover Lease.
import {
  makeInformer,
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import { FrameworkClient, revocationOf, taskUpdateOf } from './client.ts';
import { isOpen, offerPhase } from './offers.ts';
import { AsyncQueue } from './queue.ts';
import type { DemandEntry, FrameworkObject, FrameworkSpec, OfferObject, TaskObject, TaskUpdate, RevocationNotice } from './types.ts';
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
}

type Listener<K extends keyof SchedulerEvents> = (value: SchedulerEvents[K]) => void;

export interface SchedulerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Framework's name. */
  name: string;
  /** Created with, or merged into an existing Framework of this name (adoption after a restart). */
  spec?: FrameworkSpec;
  /** Renew the failover Lease every this many seconds (default: a third of failoverTimeoutSeconds, at most 10 s). 0 disables. */
  heartbeatSeconds?: number;
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
  private readonly clock: Clock;
  private readonly listeners: { [K in keyof SchedulerEvents]: Listener<K>[] } = {
    offer: [],
    rescinded: [],
    update: [],
    revoking: [],
    error: [],
  };
  private readonly offerQueue = new AsyncQueue<OfferObject>();
  private readonly updateQueues = new Set<AsyncQueue<TaskUpdate>>();
  private readonly delivered = new Map<string, OfferObject>();
  private readonly taskStates = new Map<string, string>();
  private readonly revoking = new Set<string>();
  private readonly informers: Informer<never>[] = [];
  private taskCache: ObjectCache<TaskObject> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private wanted: boolean | undefined;
  private suppressChain: Promise<void> = Promise.resolve();
  /** The demand last asked for, as JSON (undefined: not asked yet in this process). */
  private demandJson: string | undefined;
  private demandChain: Promise<void> = Promise.resolve();

  constructor(opts: SchedulerOptions) {
    super(opts.kubeConfig, { namespace: opts.namespace, name: opts.name });
    this.kc = opts.kubeConfig;
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ framework: `${opts.namespace}/${opts.name}` });
  }

  /** Creates a driver, registers the framework and starts watching and heartbeating. */
  static async start(opts: SchedulerOptions): Promise<SchedulerDriver> {
    const driver = new SchedulerDriver(opts);
    await driver.run();
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

  private async run(): Promise<void> {
    this.framework = await this.register(this.opts.spec ?? {});
    this.wanted = this.framework.spec.suppressed !== true;
    this.log.info({ uid: this.framework.metadata?.uid }, 'registered');
    const interval = this.heartbeatInterval();
    if (interval > 0) {
      await this.heartbeat(this.leaseDuration());
      this.heartbeatTimer = setInterval(() => {
        this.heartbeat(this.leaseDuration(), new Date(this.clock.now())).catch((err: unknown) =>
          this.log.warn({ err }, 'heartbeat failed'),
        );
      }, interval * 1000);
      this.heartbeatTimer.unref?.();
    }
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
    ]);
  }

  private leaseDuration(): number {
    return this.framework?.spec.failoverTimeoutSeconds ?? this.opts.spec?.failoverTimeoutSeconds ?? 30;
  }

  private heartbeatInterval(): number {
    if (this.opts.heartbeatSeconds !== undefined) return this.opts.heartbeatSeconds;
    return Math.max(1, Math.min(10, Math.floor(this.leaseDuration() / 3)));
  }

  private async watch<T extends OfferObject | TaskObject>(plural: string, upsert: (o: T) => void, remove: (o: T) => void): Promise<void> {
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
    if (plural === PLURAL.Task) this.taskCache = informer as unknown as ObjectCache<TaskObject>;
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

  /** Stops watching and heartbeating; the framework stays registered (it may fail over). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
    this.offerQueue.close();
    for (const q of this.updateQueues) q.close();
  }

  /** Stops, then deletes the Framework: its tasks are killed and its offers rescinded. */
  async teardown(): Promise<void> {
    await this.stop();
    await this.unregister();
  }
}
