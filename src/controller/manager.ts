// Wires the controller together: servers (metrics, probes, extra handlers such as webhooks),
// leader election, and — while leading — informers, the allocator, the allocation loop, the
// reconcilers and the garbage collector. Everything a leader knows is rebuilt from the API when
// it starts leading; nothing survives a lost leadership.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Lease,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { frameworkOfLease, GROUP, PLURAL, VERSION, type Kind } from '../api/index.ts';
import { namespacedKey, keyOf, splitKey } from '../api/keys.ts';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import { Allocator } from '../allocator/index.ts';
import { AllocationLoop } from './allocation-loop.ts';
import { ClusterState } from './cluster-state.ts';
import type { Context } from './context.ts';
import { EventRecorder } from './events.ts';
import { FrameworkReconciler } from './framework-reconciler.ts';
import { GarbageCollector } from './gc.ts';
import { close, listen, metricsHandler, probeHandler, type Handler } from './health-server.ts';
import { Informer } from './informers.ts';
import { Kube } from './kube.ts';
import { LeaderElector } from './leader.ts';
import { Metrics } from './metrics.ts';
import type { FrameworkObject, OfferObject, RoleObject, TaskObject } from '../api/objects.ts';
import { OfferReconciler } from './offer-reconciler.ts';
import { OfferLedger } from './offer-ledger.ts';
import { RoleReconciler } from './role-reconciler.ts';
import { RevocationLoop } from './revocation.ts';
import { DEFAULT_OPTIONS, type ControllerOptions } from './options.ts';
import { TaskReconciler } from './task-reconciler.ts';
import { isTerminal } from './task-state.ts';
import { WorkQueue } from './workqueue.ts';
import { startBuiltinScheduler, type BuiltinScheduler } from './builtin/index.ts';

export interface ControllerHandle {
  readonly identity: string;
  /** Ports the metrics and probe servers listen on (undefined: disabled). */
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
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
  stop(): Promise<void>;
}

/** Starts a controller; see ControllerOptions for what each option does. */
export async function startController(partial: Partial<ControllerOptions> = {}): Promise<ControllerHandle> {
  const options: ControllerOptions = { ...DEFAULT_OPTIONS, ...partial };
  const log = options.logger ?? pino({ level: options.logLevel });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const kc = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const metrics = new Metrics(partial.logger === undefined);
  const onWrite = (verb: string, resource: string) => metrics.apiWrites.inc({ verb, resource });
  const clock = { now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
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

  const servers: Server[] = [];
  const probes = probeHandler({
    healthy: () => true,
    ready: () => !options.leaderElect || leader?.ready === true || elector?.isLeader === false,
  });
  let metricsPort: number | undefined;
  let healthPort: number | undefined;
  const extra: Handler[] = options.extraHandlers ?? [];
  if (options.healthAddr !== '' && options.healthAddr === options.metricsAddr) {
    const s = await listen(options.healthAddr, [...extra, probes, metricsHandler(metrics.registry)]);
    servers.push(s.server);
    metricsPort = healthPort = s.port;
  } else {
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
  }

  const lead = async () => {
    metrics.isLeader.set(1);
    const run = new LeaderRun(kc, kube, new EventRecorder(eventKube, log, now, random, options.events), metrics, options, log, now, random);
    leader = run;
    try {
      await run.start();
      if (!stopping && leader === run) resolveLeading();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not start leading');
      await run.stop();
    }
  };
  let elector: LeaderElector | undefined;
  if (options.leaderElect) {
    elector = new LeaderElector({
      api: kc.makeApiClient(CoordinationV1Api),
      namespace: options.leaderElectionNamespace,
      name: options.leaseName,
      identity,
      leaseDurationMs: options.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs,
      now,
      log,
      onStartedLeading: () => void lead(),
      onStoppedLeading: () => {
        metrics.isLeader.set(0);
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
    metrics,
    isLeader: () => (elector ? elector.isLeader : leader !== undefined),
    isReady: () => leader?.ready === true,
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
      await run?.stop();
      await elector?.stop();
      await Promise.all(servers.map(close));
      metrics.isLeader.set(0);
    },
  };
}

/** Everything that exists only while this replica leads. */
class LeaderRun {
  ready = false;
  private readonly ctx: Context;
  private readonly informers: Informer<KubernetesObject>[];
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
    now: () => number,
    random: () => number,
  ) {
    const log = rootLog.child({ leader: true });
    this.kc = kc;
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const namespaces = options.namespaces !== undefined && options.namespaces.length > 0 ? options.namespaces : undefined;
    const managed = namespaces === undefined ? undefined : new Set(namespaces);
    const customInformer = <T extends KubernetesObject>(kind: Kind, scoped: boolean) =>
      new Informer<T>({
        name: kind,
        kc,
        log,
        namespaces: scoped ? namespaces : undefined,
        path: (ns) => `/apis/${GROUP}/${VERSION}${ns ? `/namespaces/${ns}` : ''}/${PLURAL[kind]}`,
        list: (ns) =>
          (ns
            ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL[kind] })
            : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL[kind] })) as Promise<KubernetesListObject<T>>,
      });
    const nodes = new Informer<V1Node>({
      name: 'Node',
      kc,
      log,
      labelSelector: options.nodeSelector,
      path: () => '/api/v1/nodes',
      list: (_ns, labelSelector) => core.listNode({ labelSelector }),
    });
    const pods = new Informer<V1Pod>({ name: 'Pod', kc, log, path: () => '/api/v1/pods', list: () => core.listPodForAllNamespaces() });
    const leases = new Informer<V1Lease>({
      name: 'Lease',
      kc,
      log,
      namespaces,
      path: (ns) => `/apis/coordination.k8s.io/v1${ns ? `/namespaces/${ns}` : ''}/leases`,
      list: (ns) => (ns ? coordination.listNamespacedLease({ namespace: ns }) : coordination.listLeaseForAllNamespaces()),
    });
    const frameworks = customInformer<FrameworkObject & KubernetesObject>('Framework', true);
    const offers = customInformer<OfferObject & KubernetesObject>('Offer', true);
    const tasks = customInformer<TaskObject & KubernetesObject>('Task', true);
    const roles = customInformer<RoleObject & KubernetesObject>('ResourceRole', false);
    const state = new ClusterState({ nodes, pods, frameworks, offers, tasks, roles } as never);
    this.informers = [nodes, pods, leases, frameworks, offers, tasks, roles] as Informer<KubernetesObject>[];
    const allocator = new Allocator({
      offerTimeoutMs: options.offerTimeoutMs,
      offerId: (framework, node) => {
        const { namespace, name } = splitKey(framework);
        const suffix = Math.floor(random() * 36 ** 8)
          .toString(36)
          .padStart(8, '0');
        return `${namespace}/${`${name.slice(0, 80)}-${node.slice(0, 80)}`.replace(/\.+$/, '')}-${suffix}`;
      },
    });
    // Assigned below: the context's kick closes over the loop the context itself builds.
    // eslint-disable-next-line prefer-const
    let loop!: AllocationLoop;
    const queue = (name: string, concurrency: number, handler: (key: string) => Promise<void>) =>
      new WorkQueue({ name, concurrency, handler, log, onError: () => metrics.reconcileErrors.inc({ queue: name }) });
    const ctx: Context = {
      options,
      kube,
      state,
      leases,
      allocator,
      metrics,
      events,
      log,
      now,
      random,
      queues: undefined as never,
      disconnected: new Set(),
      ledger: new OfferLedger(now),
      podCreatedAt: new Map(),
      kick: () => loop.kick(),
      manages: (ns) => managed === undefined || (ns !== undefined && managed.has(ns)),
    };
    loop = new AllocationLoop(ctx);
    const offersR = new OfferReconciler(ctx);
    const tasksR = new TaskReconciler(ctx);
    const frameworksR = new FrameworkReconciler(ctx);
    const rolesR = new RoleReconciler(ctx);
    ctx.queues = {
      offers: queue('offers', options.workers, (k) => offersR.reconcile(k)),
      tasks: queue('tasks', options.workers, (k) => tasksR.reconcile(k)),
      frameworks: queue('frameworks', Math.max(1, Math.floor(options.workers / 4)), (k) => frameworksR.reconcile(k)),
      roles: queue('roles', 1, (k) => rolesR.reconcile(k)),
    };
    this.ctx = ctx;
    this.loop = loop;
    this.gc = new GarbageCollector(ctx);
    this.revocation = new RevocationLoop(ctx);
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const { state, queues } = ctx;
    const started = performance.now();
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.stopped) return;
    this.loop.recover();
    // From here on, every change is reconciled by key.
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
    state.c.frameworks.onChange((key, fw) => {
      queues.frameworks.add(key);
      if (fw?.metadata.deletionTimestamp !== undefined || fw === undefined)
        for (const t of state.taskKeysOfFramework(key)) queues.tasks.add(t);
      ctx.kick();
    });
    state.c.nodes.onChange((key) => {
      for (const t of state.taskKeysOnNode(key)) queues.tasks.add(t);
      ctx.kick();
    });
    state.c.roles.onChange((key) => {
      queues.roles.add(key);
      // A status write (ours) changes no weight, quota or reservation: no cycle for it.
      if (state.rolesDirty) ctx.kick();
    });
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
    queues.frameworks.start();
    queues.roles.start();
    this.loop.start();
    this.gc.start();
    if (ctx.options.builtinScheduler) {
      // Frameworks with spec.builtin are answered in this process, over the same caches.
      const { frameworks, offers, tasks } = state.c;
      this.builtin = await startBuiltinScheduler({
        kc: this.kc,
        log: ctx.log,
        informers: { frameworks, offers, tasks } as never,
        now: ctx.now,
      });
      if (this.stopped) await this.builtin.stop();
    }
    this.ready = true;
    // Only now, leading with synced caches and state rebuilt, may anything be revoked.
    if (!this.stopped) this.revocation.start();
    ctx.log.info({ ms: Math.round(performance.now() - started) }, 'leading: caches synced, state rebuilt');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ready = false;
    const { queues } = this.ctx;
    queues.offers.stop();
    queues.tasks.stop();
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
