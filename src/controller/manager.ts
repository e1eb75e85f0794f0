// Wires the controller together: servers (metrics, probes, extra handlers such as webhooks),
// leader election, and — while leading — informers, the allocator, the allocation loop, the
// reconcilers and the garbage collector. Everything a leader knows is rebuilt from the API when
// it starts leading; nothing survives a lost leadership.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { frameworkOfLease } from '../api/index.ts';
import { namespacedKey, keyOf, splitKey } from '../api/keys.ts';
import { systemClock, type Clock } from '../api/clock.ts';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import { Allocator, type Explanation } from '../allocator/index.ts';
import { AllocationLoop, allocatorViewOf } from './allocation-loop.ts';
import { ClusterState, type NodeUsage } from './cluster-state.ts';
import type { Context, Queues } from './context.ts';
import { EventRecorder } from './events.ts';
import { FrameworkReconciler } from './framework-reconciler.ts';
import { GarbageCollector } from './gc.ts';
import { close, listen, metricsHandler, probeHandler, type Handler } from './health-server.ts';
import { makeInformers, type InformerSet } from './informer-set.ts';
import { Kube } from './kube.ts';
import { LeaderElector } from '../api/lease-election.ts';
import { Metrics } from './metrics.ts';
import { OfferReconciler } from './offer-reconciler.ts';
import { OfferLedger } from './offer-ledger.ts';
import { RoleReconciler } from './role-reconciler.ts';
import { RevocationLoop } from './revocation.ts';
import { DEFAULT_OPTIONS, type ControllerOptions } from './options.ts';
import { TaskReconciler } from './task-reconciler.ts';
import { isTerminal } from '../api/group.ts';
import { WorkQueue } from './workqueue.ts';
import { Explanations } from './explanations.ts';
import { ConsoleModel } from './console/model.ts';
import { RecentEvents } from './console/recent-events.ts';
import { consoleHandler } from './console/server.ts';
import { LeaderPodLabel } from './leader-label.ts';
import { startBuiltinScheduler, type BuiltinScheduler } from './builtin/index.ts';

export interface ControllerHandle {
  readonly identity: string;
  /** Ports the metrics and probe servers listen on (undefined: disabled). */
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
  /** The port the web console listens on (undefined: disabled). */
  readonly uiPort: number | undefined;
  readonly metrics: Metrics;
  isLeader(): boolean;
  /** Leading, with caches synced and state rebuilt. */
  isReady(): boolean;
  /** Resolves when this replica leads and has rebuilt its state. */
  leading(): Promise<void>;
  /** Resolves if this replica loses leadership (the process should exit and restart). */
  readonly lostLeadership: Promise<void>;
  /** API writes made so far, by `verb resource`. */
  writes(): Record<string, number>;
  /**
   * Why a framework (`namespace/name`; every framework when left out) would get no offer if an
   * allocation cycle ran now: the allocator's structured refusals per node, and the offers the
   * cycle would make (a node going to another framework is a reason too). Computed on a copy of
   * the allocator: nothing is offered or changed. Undefined unless this replica leads and is ready.
   */
  explain(framework?: string): Explanation | undefined;
  /**
   * What this replica counts on a node now (from its caches, as an accept is judged): allocatable,
   * other Pods, each framework's tasks. Undefined unless it leads and is ready.
   */
  nodeUsage(node: string): NodeUsage | undefined;
  stop(): Promise<void>;
}

/** Starts a controller; see ControllerOptions for what each option does. */
export async function startController(partial: Partial<ControllerOptions> = {}): Promise<ControllerHandle> {
  const options: ControllerOptions = { ...DEFAULT_OPTIONS, ...partial };
  const log = options.logger ?? pino({ level: options.logLevel });
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const kc = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const metrics = new Metrics(options.processMetrics ?? partial.logger === undefined, options.registry);
  const onWrite = (verb: string, resource: string) => metrics.apiWrites.inc({ verb, resource });
  const kube = new Kube(kc, { qps: options.kubeApiQps, burst: options.kubeApiBurst, clock, onWrite });
  // Events have their own, smaller budget: they never hold up real work.
  const eventKube = new Kube(kc, {
    qps: Math.max(1, options.kubeApiQps / 2),
    burst: Math.max(1, options.kubeApiBurst / 2),
    clock,
    onWrite,
  });

  let leader: LeaderRun | undefined;
  let resolveLeading!: () => void;
  const leadingP = new Promise<void>((r) => (resolveLeading = r));
  let resolveLost!: () => void;
  const lostLeadership = new Promise<void>((r) => (resolveLost = r));
  let stopping = false;

  const probes = probeHandler({
    healthy: () => true,
    ready: () => !options.leaderElect || leader?.ready === true || elector?.isLeader === false,
  });
  const { servers, metricsPort, healthPort } = await startServers(options, metrics, probes);
  // The console: served from the leader's caches; a standby replica answers 503 until it leads.
  let elector: LeaderElector | undefined;
  const consoleHttp =
    options.uiAddr === ''
      ? undefined
      : consoleHandler({
          model: () => leader?.console,
          standby: () => ({
            identity,
            leader: elector === undefined ? identity : elector.holder,
            serviceRoutesToLeader: options.podName !== undefined,
          }),
        });
  const ui = consoleHttp === undefined ? undefined : await listen(options.uiAddr, [consoleHttp]);
  if (ui !== undefined) servers.push(ui.server);
  // The console Service selects the leader's Pod by a label each replica keeps on its own Pod.
  const podLabel =
    ui === undefined || options.podName === undefined
      ? undefined
      : new LeaderPodLabel(kube, { namespace: options.podNamespace ?? options.leaderElectionNamespace, name: options.podName }, log);
  void podLabel?.set(false);

  const lead = async () => {
    metrics.isLeader.set(1);
    const run = new LeaderRun(
      kc,
      kube,
      new EventRecorder(eventKube, log, clock, random, options.events),
      metrics,
      options,
      log,
      clock,
      random,
    );
    leader = run;
    try {
      await run.start();
      if (!stopping && leader === run) {
        resolveLeading();
        void podLabel?.set(true);
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not start leading');
      await run.stop();
    }
  };
  if (options.leaderElect) {
    elector = new LeaderElector({
      api: kc.makeApiClient(CoordinationV1Api),
      namespace: options.leaderElectionNamespace,
      name: options.leaseName,
      identity,
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      clock,
      log,
      onStartedLeading: () => void lead(),
      onStoppedLeading: () => {
        metrics.isLeader.set(0);
        void podLabel?.set(false);
        const run = leader;
        leader = undefined;
        void run?.stop();
        resolveLost();
      },
    });
    elector.start();
  } else {
    void lead();
  }

  return {
    identity,
    metricsPort,
    healthPort,
    uiPort: ui?.port,
    metrics,
    isLeader: () => (elector ? elector.isLeader : leader !== undefined),
    isReady: () => leader?.ready === true,
    explain: (framework) => leader?.explain(framework),
    nodeUsage: (node) => leader?.nodeUsage(node),
    leading: () => leadingP,
    lostLeadership,
    writes: () => {
      const out: Record<string, number> = { ...kube.writeCounts() };
      for (const [k, v] of Object.entries(eventKube.writeCounts())) out[k] = (out[k] ?? 0) + v;
      return out;
    },
    async stop() {
      stopping = true;
      const run = leader;
      leader = undefined;
      await podLabel?.stop();
      await run?.stop();
      await elector?.stop();
      consoleHttp?.close();
      await Promise.all(servers.map(close));
      metrics.isLeader.set(0);
    },
  };
}

/** The metrics server and the probe server (one server when they share an address), with the extra handlers. */
async function startServers(
  options: ControllerOptions,
  metrics: Metrics,
  probes: Handler,
): Promise<{ servers: Server[]; metricsPort: number | undefined; healthPort: number | undefined }> {
  const servers: Server[] = [];
  const extra: Handler[] = options.extraHandlers ?? [];
  if (options.healthAddr !== '' && options.healthAddr === options.metricsAddr) {
    const s = await listen(options.healthAddr, [...extra, probes, metricsHandler(metrics.registry)]);
    return { servers: [s.server], metricsPort: s.port, healthPort: s.port };
  }
  let metricsPort: number | undefined;
  let healthPort: number | undefined;
  if (options.metricsAddr !== '') {
    const s = await listen(options.metricsAddr, [metricsHandler(metrics.registry)]);
    servers.push(s.server);
    metricsPort = s.port;
  }
  if (options.healthAddr !== '') {
    const s = await listen(options.healthAddr, [...extra, probes]);
    servers.push(s.server);
    healthPort = s.port;
  }
  return { servers, metricsPort, healthPort };
}

/**
 * Names the allocator's offers `<namespace>/<framework>-<node>-<8 random base-36 characters>`
 * (the framework and node parts cut to 80 characters each, so the name stays a valid object name).
 */
export function offerName(random: () => number): (framework: string, node: string) => string {
  return (framework, node) => {
    const { namespace, name } = splitKey(framework);
    const suffix = Math.floor(random() * 36 ** 8)
      .toString(36)
      .padStart(8, '0');
    return `${namespace}/${`${name.slice(0, 80)}-${node.slice(0, 80)}`.replace(/\.+$/, '')}-${suffix}`;
  };
}

/** How stale the shared explanation of refusals (the OffersAvailable condition, the console) may be. */
const EXPLANATION_MAX_AGE_MS = 5000;

/** The console's offers-over-time chart counts offers in buckets of this length. */
const OFFER_BUCKET_MS = 10_000;

/** Everything that exists only while this replica leads. */
class LeaderRun {
  ready = false;
  /** What the web console shows, from this run's caches. */
  readonly console: ConsoleModel;
  private sampler: NodeJS.Timeout | undefined;
  private readonly ctx: Context;
  private readonly informers: InformerSet['all'];
  private readonly loop: AllocationLoop;
  private readonly gc: GarbageCollector;
  private readonly revocation: RevocationLoop;
  private readonly kc: KubeConfig;
  private builtin: BuiltinScheduler | undefined;
  private stopped = false;

  constructor(
    kc: KubeConfig,
    kube: Kube,
    events: EventRecorder,
    metrics: Metrics,
    options: ControllerOptions,
    rootLog: Logger,
    clock: Clock,
    random: () => number,
  ) {
    const log = rootLog.child({ leader: true });
    this.kc = kc;
    const namespaces = options.namespaces !== undefined && options.namespaces.length > 0 ? options.namespaces : undefined;
    const managed = namespaces === undefined ? undefined : new Set(namespaces);
    const informers = makeInformers(kc, log, { namespaces, nodeSelector: options.nodeSelector });
    this.informers = informers.all;
    const state = new ClusterState(informers.caches);
    const allocator = new Allocator({
      offerTimeoutMs: options.offerTimeoutMs,
      fairSharingExcludedResources: options.fairSharingExcludedResources,
      offerId: offerName(random),
    });
    // The queues' handlers and the context's kick close over what the context itself builds:
    // assigned once, below.
    /* eslint-disable prefer-const */
    let loop!: AllocationLoop;
    let offersR!: OfferReconciler;
    let tasksR!: TaskReconciler;
    let frameworksR!: FrameworkReconciler;
    let rolesR!: RoleReconciler;
    /* eslint-enable prefer-const */
    const queue = (name: string, concurrency: number, handler: (key: string) => Promise<void>) =>
      new WorkQueue({ name, concurrency, handler, log, clock, onError: () => metrics.reconcileErrors.inc({ queue: name }) });
    const queues: Queues = {
      offers: queue('offers', options.workers, (k) => offersR.reconcile(k)),
      tasks: queue('tasks', options.workers, (k) => tasksR.reconcile(k)),
      taskStatus: queue('taskStatus', options.workers, (k) => tasksR.reconcileStatus(k)),
      frameworks: queue('frameworks', Math.max(1, Math.floor(options.workers / 4)), (k) => frameworksR.reconcile(k)),
      roles: queue('roles', 1, (k) => rolesR.reconcile(k)),
    };
    const ctx: Context = {
      options,
      kube,
      state,
      leases: informers.leases,
      allocator,
      metrics,
      events,
      log,
      clock,
      random,
      queues,
      disconnected: new Set(),
      ledger: new OfferLedger(clock),
      podCreatedAt: new Map(),
      explanations: new Explanations(allocator, clock, EXPLANATION_MAX_AGE_MS),
      kick: () => loop.kick(),
      manages: (ns) => managed === undefined || (ns !== undefined && managed.has(ns)),
    };
    loop = new AllocationLoop(ctx);
    offersR = new OfferReconciler(ctx);
    tasksR = new TaskReconciler(ctx);
    frameworksR = new FrameworkReconciler(ctx);
    rolesR = new RoleReconciler(ctx);
    this.ctx = ctx;
    this.loop = loop;
    this.gc = new GarbageCollector(ctx);
    this.revocation = new RevocationLoop(ctx);
    const recent = new RecentEvents();
    events.onRecord((e) => recent.add(e));
    this.console = new ConsoleModel(
      {
        state,
        why: (framework) => (this.ready ? ctx.explanations.why(framework) : undefined),
        events: recent,
        clock,
        excludedResources: options.fairSharingExcludedResources,
      },
      {
        historySamples: Math.max(1, Math.ceil(options.uiHistoryMs / options.uiSampleIntervalMs)),
        offerWindowMs: Math.max(options.uiHistoryMs, OFFER_BUCKET_MS),
        offerBucketMs: OFFER_BUCKET_MS,
      },
    );
  }

  explain(framework?: string): Explanation | undefined {
    return this.ready ? this.ctx.allocator.explain(this.ctx.clock.now(), framework) : undefined;
  }

  nodeUsage(node: string): NodeUsage | undefined {
    return this.ready ? this.ctx.state.usage(node) : undefined;
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const { state, queues } = ctx;
    const started = performance.now();
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.stopped) return;
    this.loop.recover();
    // From here on, every change is reconciled by key. Each route reads only the event and
    // indexes that this event does not change (an offer's tasks, a framework's tasks, a node's
    // tasks), so it is right whether ClusterState's listeners ran before it or not.
    state.c.pods.onChange((key, pod) => {
      if (state.c.tasks.get(key) !== undefined) queues.tasks.add(key);
      if (pod === undefined || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') ctx.kick();
    });
    state.c.tasks.onChange((key, task) => {
      queues.tasks.add(key);
      if (task === undefined || isTerminal(task.status?.state)) ctx.kick();
    });
    state.c.offers.onChange((key) => {
      queues.offers.add(key);
      // Tasks wait for their offer's accept to be confirmed (status Accepted) before their first status.
      for (const t of state.taskKeysOfOffer(key)) queues.tasks.add(t);
    });
    // A framework's status (written by us, for every framework, as shares move) changes nothing
    // the allocator reads: only a change it reads is worth a cycle now, or each status write
    // would kick a cycle that writes statuses again.
    const allocatorView = new Map<string, string>();
    state.c.frameworks.onChange((key, fw) => {
      queues.frameworks.add(key);
      if (fw?.metadata.deletionTimestamp !== undefined || fw === undefined)
        for (const t of state.taskKeysOfFramework(key)) queues.tasks.add(t);
      const view = fw === undefined ? undefined : allocatorViewOf(fw);
      if (allocatorView.get(key) === view) return;
      if (view === undefined) allocatorView.delete(key);
      else allocatorView.set(key, view);
      ctx.kick();
    });
    state.c.nodes.onChange((key) => {
      for (const t of state.taskKeysOnNode(key)) queues.tasks.add(t);
      ctx.kick();
    });
    state.c.roles.onChange((key) => {
      queues.roles.add(key);
      // A status write (ours) changes no weight, quota or reservation: no cycle for it.
      // ClusterState tells which from its own listener on this informer; read its flag once every
      // listener of this event has run, so the order in which they were added does not matter.
      queueMicrotask(() => {
        if (state.rolesDirty) ctx.kick();
      });
    });
    // A window scheduled, moved or removed: the next cycle applies it (and sends inverse offers).
    state.c.maintenances.onChange(() => ctx.kick());
    // A reservation made, changed or given back (ClusterState marks its node): offer it anew.
    state.c.reservations.onChange(() => ctx.kick());
    ctx.leases.onChange((leaseKey) => {
      const { namespace, name } = splitKey(leaseKey);
      const framework = frameworkOfLease(name);
      if (framework !== undefined) queues.frameworks.add(namespacedKey(namespace, framework));
    });
    for (const o of state.c.offers.list()) queues.offers.add(keyOf(o));
    for (const t of state.c.tasks.list()) queues.tasks.add(keyOf(t));
    for (const f of state.c.frameworks.list()) queues.frameworks.add(keyOf(f));
    for (const r of state.c.roles.list()) queues.roles.add(r.metadata.name);
    // Answers first: accepts and declines found at startup are applied before the first cycle.
    queues.offers.start();
    await queues.offers.idle();
    if (this.stopped) return;
    queues.tasks.start();
    queues.taskStatus.start();
    queues.frameworks.start();
    queues.roles.start();
    this.loop.start();
    this.gc.start();
    if (ctx.options.builtinScheduler) {
      // Frameworks with spec.builtin are answered in this process, over the same caches.
      const { frameworks, offers, tasks, inverseOffers } = state.c;
      this.builtin = await startBuiltinScheduler({
        kc: this.kc,
        log: ctx.log,
        informers: { frameworks, offers, tasks, inverseOffers },
        clock: ctx.clock,
      });
      if (this.stopped) await this.builtin.stop();
    }
    this.ready = true;
    if (ctx.options.uiAddr !== '' && !this.stopped) {
      this.console.sample();
      this.sampler = setInterval(() => this.console.sample(), ctx.options.uiSampleIntervalMs);
      this.sampler.unref();
    }
    // Only now, leading with synced caches and state rebuilt, may anything be revoked.
    if (!this.stopped) this.revocation.start();
    ctx.log.info({ ms: Math.round(performance.now() - started) }, 'leading: caches synced, state rebuilt');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    if (this.sampler !== undefined) clearInterval(this.sampler);
    const { queues } = this.ctx;
    queues.offers.stop();
    queues.tasks.stop();
    queues.taskStatus.stop();
    queues.frameworks.stop();
    queues.roles.stop();
    await this.revocation.stop();
    await this.builtin?.stop();
    await this.loop.stop();
    await this.gc.stop();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.ctx.events.flush();
  }
}
