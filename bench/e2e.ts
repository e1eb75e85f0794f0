// npm run --silent bench:e2e -- [--nodes 100] [--tasks 1000] [--tasks-per-offer 10] [--qps 50] [--burst 100]
//
// On the local control plane with --nodes fake nodes of its own, launches --tasks tasks three ways
// and prints the rates side by side:
//   agora  through offers: the controller (in this process, at --qps/--burst) makes Offers, a
//          framework accepts up to --tasks-per-offer tasks per offer, the controller creates each
//          Task and its bound Pod. Launch rate = tasks / (first accept → last Pod created).
//          Latency per task: offer seen by the framework → Pod Running (and → Task TASK_RUNNING).
//   raw    (a) the same Task and Pod objects created directly, at the same --qps/--burst: the floor
//          of work any design with Task objects must do.
//   sched  (b) the same Pods created without a node (as fast as the API takes them) and placed by
//          a kube-scheduler of the bench's own, at the same --qps/--burst (50/100 are also
//          kube-scheduler's defaults). Rate = Pods / (first create → last bound).
//          (b') the same Task and Pod objects as (a), Pods without a node, written at --qps/--burst
//          and placed by that kube-scheduler.
// Also counts the controller's API writes per launched task (events apart).
import { deleteScratchNamespace } from '../scripts/cluster/namespaces.ts';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, ListWatch, Watch, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { clusterPaths, deleteNode, ensureFakeNode, isReady, startExtraScheduler, up } from '../scripts/cluster/index.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../src/api/index.ts';
import { Kube } from '../src/controller/kube.ts';
import { startController } from '../src/controller/manager.ts';
import type { OfferObject, TaskObject } from '../src/api/objects.ts';
import { median, percentile, pool } from './stats.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '1000' },
    'tasks-per-offer': { type: 'string', default: '10' },
    qps: { type: 'string', default: '50' },
    burst: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const NODES = Number(values.nodes);
const TASKS = Number(values.tasks);
const PER_OFFER = Number(values['tasks-per-offer']);
const QPS = Number(values.qps);
const BURST = Number(values.burst);
const id = randomBytes(3).toString('hex');
const POOL = `bench-${id}`;
const SCHEDULER = `agora-bench-${id}`;
const SELECTOR = `agora.dev/bench-pool=${POOL}`;
const RESOURCES = { cpu: '100m', memory: '128Mi' };
const CONTAINERS = [{ name: 'main', image: 'busybox' }];
const clock = { now: Date.now, sleep: (ms: number) => sleep(ms) };
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  // A run that deleted many nodes before leaves kwok renewing their Leases (restarted if so).
  await up({ log: (l) => log(l), releaseDeletedNodes: true });
  const kc = new KubeConfig();
  kc.loadFromFile(clusterPaths().kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = Array.from({ length: NODES }, (_, i) => `${POOL}-${i}`);
  const namespaces = {
    raw: `bench-raw-${id}`,
    sched: `bench-sched-${id}`,
    schedTasks: `bench-sched-tasks-${id}`,
    agora: `bench-agora-${id}`,
  };
  try {
    log(`creating ${NODES} fake nodes`);
    for (let i = 0; i < nodes.length; i += 20) {
      await Promise.all(
        nodes
          .slice(i, i + 20)
          .map((name) => ensureFakeNode(kc, { name, cpu: '32', memory: '128Gi', pods: '110', labels: { 'agora.dev/bench-pool': POOL } })),
      );
    }
    for (;;) {
      const list = await core.listNode({ labelSelector: SELECTOR });
      if (list.items.length === NODES && list.items.every(isReady)) break;
      await sleep(500);
    }
    for (const ns of Object.values(namespaces))
      await core.createNamespace({ body: { metadata: { name: ns, labels: { 'agora.dev/bench': 'true' } } } });

    const raw = await benchRaw(kc, namespaces.raw, nodes);
    log(`raw: ${raw.rate.toFixed(1)} tasks/s`);
    log(`starting kube-scheduler ${SCHEDULER} at ${QPS} qps / burst ${BURST}`);
    const scheduler = await startExtraScheduler({ schedulerName: SCHEDULER, qps: QPS, burst: BURST });
    let sched: Awaited<ReturnType<typeof benchScheduler>>;
    let schedTasks: Awaited<ReturnType<typeof benchScheduler>>;
    try {
      sched = await benchScheduler(kc, namespaces.sched);
      log(`kube-scheduler: ${sched.rate.toFixed(1)} pods/s`);
      schedTasks = await benchScheduler(kc, namespaces.schedTasks, true);
      log(`Task + unbound Pod at the client limit, kube-scheduler: ${schedTasks.rate.toFixed(1)} tasks/s`);
    } finally {
      await scheduler.stop();
    }
    const agora = await benchAgora(kc, namespaces.agora);
    log(`agora: ${agora.rate.toFixed(1)} tasks/s`);

    const result = {
      nodes: NODES,
      tasks: TASKS,
      tasksPerOffer: PER_OFFER,
      clientRateLimit: { qps: QPS, burst: BURST },
      agora: {
        tasksPerSecond: round(agora.rate),
        offerToPodRunningMs: agora.podLatency,
        offerToTaskRunningMs: agora.taskLatency,
        writesPerTask: round(agora.writesPerTask, 2),
        writesPerTaskWithEvents: round(agora.writesWithEvents, 2),
        writes: agora.writes,
        launchWindowWrites: agora.launchWindow,
      },
      raw: { tasksPerSecond: round(raw.rate), writesPerTask: 2 },
      kubeScheduler: {
        podsPerSecond: round(sched.rate),
        bindingsPerSecond: round(sched.bindRate),
        withTasksAtClientLimit: round(schedTasks.rate),
      },
      ratios: {
        agoraOverRaw: round(agora.rate / raw.rate, 2),
        agoraOverScheduler: round(agora.rate / sched.rate, 2),
        agoraOverSchedulerWithTasks: round(agora.rate / schedTasks.rate, 2),
      },
    };
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else printTable(result);
  } finally {
    log('cleaning up (namespaces are deleted in the background)');
    await Promise.all(Object.values(namespaces).map((name) => deleteScratchNamespace(kc, name)));
    for (let i = 0; i < nodes.length; i += 20) await Promise.all(nodes.slice(i, i + 20).map((n) => deleteNode(kc, n)));
  }
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function taskBody(ns: string, name: string, node: string, framework: string): TaskObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: { name, namespace: ns },
    spec: { framework, nodeName: node, resources: RESOURCES, containers: CONTAINERS },
  };
}

function podBody(name: string, node: string | undefined): V1Pod {
  return {
    metadata: { name, labels: { app: 'bench' } },
    spec: {
      ...(node ? { nodeName: node } : { schedulerName: SCHEDULER, nodeSelector: { 'agora.dev/bench-pool': POOL } }),
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', resources: { requests: RESOURCES, limits: RESOURCES } }],
    },
  };
}

async function benchRaw(kc: KubeConfig, ns: string, nodes: string[]): Promise<{ rate: number }> {
  const kube = new Kube(kc, { qps: QPS, burst: BURST, clock });
  const start = performance.now();
  await pool(TASKS, 32, async (i) => {
    const node = nodes[i % nodes.length]!;
    const task = await kube.createCustom<TaskObject>('Task', ns, taskBody(ns, `t-${i}`, node, 'raw'));
    const pod = podBody(`t-${i}`, node);
    pod.metadata!.ownerReferences = [
      { apiVersion: API_VERSION, kind: 'Task', name: task.metadata.name, uid: task.metadata.uid!, controller: true },
    ];
    await kube.createPod(ns, pod);
  });
  return { rate: TASKS / ((performance.now() - start) / 1000) };
}

/**
 * kube-scheduler placing Pods created without a node. Plain: the Pods alone, created as fast as
 * the API takes them (the scheduler's own rate). withTasks: the same Task and Pod objects as (a),
 * written at the same client rate limit, the Pods then placed by kube-scheduler.
 */
async function benchScheduler(kc: KubeConfig, ns: string, withTasks = false): Promise<{ rate: number; bindRate: number }> {
  const core = kc.makeApiClient(CoreV1Api);
  const bound = new Map<string, number>();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const lw = new ListWatch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, new Watch(kc), () => core.listNamespacedPod({ namespace: ns }), false);
  const seen = (p: V1Pod) => {
    if (p.spec?.nodeName && !bound.has(p.metadata!.name!)) {
      bound.set(p.metadata!.name!, performance.now());
      if (bound.size === TASKS) done();
    }
  };
  lw.on('add', seen);
  lw.on('update', seen);
  await lw.start();
  const start = performance.now();
  const kube = new Kube(kc, { qps: QPS, burst: BURST, clock });
  await pool(TASKS, 32, async (i) => {
    if (!withTasks) {
      await core.createNamespacedPod({ namespace: ns, body: podBody(`p-${i}`, undefined) });
      return;
    }
    const task = await kube.createCustom<TaskObject>('Task', ns, taskBody(ns, `p-${i}`, 'unscheduled', 'sched'));
    const pod = podBody(`p-${i}`, undefined);
    pod.metadata!.ownerReferences = [
      { apiVersion: API_VERSION, kind: 'Task', name: task.metadata.name, uid: task.metadata.uid!, controller: true },
    ];
    await kube.createPod(ns, pod);
  });
  // A missed watch event must not stall the run: re-list now and then.
  const deadline = performance.now() + 600_000;
  while (bound.size < TASKS && performance.now() < deadline) {
    await Promise.race([all, sleep(3000)]);
    if (bound.size < TASKS) for (const p of (await core.listNamespacedPod({ namespace: ns })).items) seen(p);
  }
  await lw.stop();
  const times = [...bound.values()].sort((a, b) => a - b);
  const last = times[times.length - 1] ?? performance.now();
  return { rate: bound.size / ((last - start) / 1000), bindRate: bound.size / ((last - times[0]!) / 1000) };
}

async function benchAgora(
  kc: KubeConfig,
  ns: string,
): Promise<{
  rate: number;
  podLatency: Record<string, number>;
  taskLatency: Record<string, number>;
  writesPerTask: number;
  writesWithEvents: number;
  writes: Record<string, number>;
  launchWindow: Record<string, number>;
}> {
  const core = kc.makeApiClient(CoreV1Api);
  const framework = 'bench';
  await kc.makeApiClient((await import('@kubernetes/client-node')).CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns,
    plural: PLURAL.Framework,
    body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name: framework }, spec: {} },
  });
  const offerSeen = new Map<string, number>();
  const taskOffer = new Map<string, string>();
  const podCreated = new Map<string, number>();
  const podRunning = new Map<string, number>();
  const taskRunning = new Map<string, number>();
  let firstAccept = 0;
  let launched = 0;
  // The controller's writes at the first accept and at the last Pod: what the launch window cost.
  let writesAtFirstAccept: Record<string, number> = {};
  let writesAtLastPod: Record<string, number> = {};
  let writesNow: () => Record<string, number> = () => ({});
  let allCreated!: () => void;
  const created = new Promise<void>((r) => (allCreated = r));
  let allRunning!: () => void;
  const running = new Promise<void>((r) => (allRunning = r));

  // The framework: answers every offer at once, up to PER_OFFER tasks while tasks remain.
  const custom = kc.makeApiClient((await import('@kubernetes/client-node')).CustomObjectsApi);
  const { PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const answered = new Set<string>();
  const offers = new ListWatch<OfferObject & { metadata: { name: string } }>(
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/offers`,
    new Watch(kc),
    () => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'offers' }) as never,
    false,
  );
  const onOffer = (o: OfferObject) => {
    const name = o.metadata.name;
    if (answered.has(name) || o.spec.accept || o.spec.decline || (o.status?.phase ?? 'Outstanding') !== 'Outstanding') return;
    answered.add(name);
    const now = performance.now();
    const n = Math.min(PER_OFFER, TASKS - launched);
    const body =
      n > 0
        ? {
            spec: {
              accept: {
                tasks: Array.from({ length: n }, () => {
                  const t = `t-${launched++}`;
                  taskOffer.set(t, name);
                  return { name: t, resources: RESOURCES, containers: CONTAINERS };
                }),
              },
            },
          }
        : { spec: { decline: { refuseSeconds: 60 } } };
    if (n > 0) {
      offerSeen.set(name, now);
      if (firstAccept === 0) {
        firstAccept = now;
        writesAtFirstAccept = writesNow();
      }
    }
    void custom
      .patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'offers', name, body }, merge)
      .catch((err) => log(`answer failed: ${String(err)}`));
  };
  offers.on('add', onOffer);
  offers.on('update', onOffer);
  const pods = new ListWatch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, new Watch(kc), () => core.listNamespacedPod({ namespace: ns }), false);
  const onPod = (p: V1Pod) => {
    const name = p.metadata!.name!;
    if (!podCreated.has(name)) {
      podCreated.set(name, performance.now());
      if (podCreated.size === TASKS) {
        writesAtLastPod = writesNow();
        allCreated();
      }
    }
    if (p.status?.phase === 'Running' && !podRunning.has(name)) podRunning.set(name, performance.now());
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  const tasks = new ListWatch<TaskObject>(
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/tasks`,
    new Watch(kc),
    () => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'tasks' }) as never,
    false,
  );
  const onTask = (t: TaskObject) => {
    if (t.status?.state === 'TASK_RUNNING' && !taskRunning.has(t.metadata.name)) {
      taskRunning.set(t.metadata.name, performance.now());
      if (taskRunning.size === TASKS) allRunning();
    }
  };
  tasks.on('add', onTask);
  tasks.on('update', onTask);
  await Promise.all([offers.start(), pods.start(), tasks.start()]);

  const controller = await startController({
    kubeconfig: kc,
    namespaces: [ns],
    nodeSelector: SELECTOR,
    leaderElect: false,
    metricsAddr: '',
    healthAddr: '',
    kubeApiQps: QPS,
    kubeApiBurst: BURST,
    logger: pino({ level: process.env.AGORA_BENCH_LOG ?? 'warn' }),
    builtinScheduler: false,
  });
  writesNow = () => controller.writes();
  try {
    const deadline = performance.now() + 600_000;
    while (podCreated.size < TASKS && performance.now() < deadline) {
      await Promise.race([created, sleep(3000)]);
      if (podCreated.size < TASKS) for (const p of (await core.listNamespacedPod({ namespace: ns })).items) onPod(p);
    }
    const lastCreated = Math.max(...podCreated.values());
    const rate = podCreated.size / ((lastCreated - firstAccept) / 1000);
    const runDeadline = performance.now() + 120_000;
    while (taskRunning.size < TASKS && performance.now() < runDeadline) {
      await Promise.race([running, sleep(3000)]);
      if (taskRunning.size < TASKS) {
        for (const t of (
          (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'tasks' })) as {
            items: TaskObject[];
          }
        ).items)
          onTask(t);
        for (const p of (await core.listNamespacedPod({ namespace: ns })).items) onPod(p);
      }
    }
    const lat = (m: Map<string, number>) => {
      const xs = [...m.entries()].map(([t, at]) => at - (offerSeen.get(taskOffer.get(t) ?? '') ?? at)).sort((a, b) => a - b);
      return { p50: Math.round(median(xs)), p99: Math.round(percentile(xs, 99)) };
    };
    // Writes per task: everything the controller wrote until every task was launched and
    // mirrored as TASK_RUNNING (offers, tasks, pods, statuses), events apart.
    await sleep(1000);
    const writes = controller.writes();
    const total = (w: Record<string, number>, events: boolean) =>
      Object.entries(w)
        .filter(([k]) => events || !k.endsWith(' events'))
        .reduce((n, [, v]) => n + v, 0);
    const launchWindow = Object.fromEntries(
      Object.entries(writesAtLastPod)
        .map(([k, v]) => [k, v - (writesAtFirstAccept[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    );
    return {
      rate,
      podLatency: lat(podRunning),
      taskLatency: lat(taskRunning),
      writesPerTask: total(writes, false) / TASKS,
      writesWithEvents: total(writes, true) / TASKS,
      writes,
      launchWindow,
    };
  } finally {
    await controller.stop();
    await Promise.all([offers.stop(), pods.stop(), tasks.stop()]);
  }
}

function printTable(r: {
  nodes: number;
  tasks: number;
  tasksPerOffer: number;
  clientRateLimit: { qps: number; burst: number };
  agora: {
    tasksPerSecond: number;
    offerToPodRunningMs: Record<string, number>;
    offerToTaskRunningMs: Record<string, number>;
    writesPerTask: number;
    writesPerTaskWithEvents: number;
    writes: Record<string, number>;
    launchWindowWrites: Record<string, number>;
  };
  raw: { tasksPerSecond: number };
  kubeScheduler: { podsPerSecond: number; bindingsPerSecond: number; withTasksAtClientLimit: number };
  ratios: { agoraOverRaw: number; agoraOverScheduler: number; agoraOverSchedulerWithTasks: number };
}): void {
  const lines = [
    `Agora end-to-end benchmark: ${r.nodes} fake nodes, ${r.tasks} tasks (${RESOURCES.cpu} CPU, ${RESOURCES.memory}), ${r.tasksPerOffer} tasks per offer, client rate limit ${r.clientRateLimit.qps} qps / burst ${r.clientRateLimit.burst} for Agora's controller, the raw writer and kube-scheduler alike`,
    '',
    `  agora (offers → Task + bound Pod)   ${r.agora.tasksPerSecond.toFixed(1).padStart(8)} tasks/s   offer→Pod Running p50 ${r.agora.offerToPodRunningMs.p50} ms, p99 ${r.agora.offerToPodRunningMs.p99} ms; offer→TASK_RUNNING p50 ${r.agora.offerToTaskRunningMs.p50} ms, p99 ${r.agora.offerToTaskRunningMs.p99} ms`,
    `  (a) raw Task + Pod creates          ${r.raw.tasksPerSecond.toFixed(1).padStart(8)} tasks/s`,
    `  (b) kube-scheduler placing Pods     ${r.kubeScheduler.podsPerSecond.toFixed(1).padStart(8)} pods/s    (bindings alone: ${r.kubeScheduler.bindingsPerSecond.toFixed(1)}/s)`,
    `  (b') Task + unbound Pod at the same client limit, placed by kube-scheduler ${r.kubeScheduler.withTasksAtClientLimit.toFixed(1)} tasks/s`,
    '',
    `  agora / raw        ${r.ratios.agoraOverRaw.toFixed(2)}   (target ≥ 0.80)`,
    `  agora / scheduler  ${r.ratios.agoraOverScheduler.toFixed(2)}   (target > 1)   agora / (b') ${r.ratios.agoraOverSchedulerWithTasks.toFixed(2)}`,
    `  API writes per launched task: ${r.agora.writesPerTask.toFixed(2)} (${r.agora.writesPerTaskWithEvents.toFixed(2)} with events; raw: 2.00)`,
    `  writes: ${Object.entries(r.agora.writes)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  of which between the first accept and the last Pod: ${Object.entries(r.agora.launchWindowWrites)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    ...(r.clientRateLimit.qps > 0
      ? [
          '',
          `  At ${r.clientRateLimit.qps} qps a client that writes k objects per task places at most ${r.clientRateLimit.qps}/k tasks a second once its burst is spent:`,
          `  kube-scheduler writes k = 1 (a binding; the Pods were created by another client); a design that creates a Task and a Pod`,
          `  per task writes k = 2 — Agora wrote k = ${(Object.values(r.agora.launchWindowWrites).reduce((a, b) => a + b, 0) / r.tasks).toFixed(2)} in its launch window. So at equal client limits (b) bounds (a), and (a) bounds Agora.`,
        ]
      : []),
  ];
  console.log(lines.join('\n'));
}

await main();
process.exit(0);
