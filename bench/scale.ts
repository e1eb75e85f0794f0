// npm run --silent bench:scale -- [--nodes 1000] [--frameworks 50] [--tasks 5000] [--tasks-per-offer 8] [--qps 50] [--burst 100]
//                                 [--other-pods 0] [--max-old-space-size MiB] [--heap-snapshot] [--cpu-profile]
//
// Agora at cluster scale on the local control plane: --nodes kwok nodes (16 CPU, 64 GiB, 110 pods),
// --other-pods Pods that are not Agora's (100m / 128Mi each, bound round-robin, created before the
// controller starts: what its caches and free-resource accounting hold at that many Pods), then,
// in one run:
//   raw    (a) --tasks Task objects and their Pods (bound round-robin) created directly at the same
//          client limits (--qps/--burst): the floor of work any design with Task objects must do.
//          Time = first create → every Pod Running.
//   agora  `agora controller` as its own process (webhooks on, at --qps/--burst) and --frameworks
//          built-in Frameworks sharing --tasks tasks of 500m/1Gi, --tasks-per-offer each.
//          Time = first Framework created (once the controller leads with synced caches; the
//          time that took is printed as controllerStartSeconds) → every Task TASK_RUNNING.
// Prints one JSON line: both rates and their ratio; API writes per launched task by resource and
// verb (the API server's own counters: every client, the built-in scheduler's answers included);
// Offer objects per task; webhook and allocation-cycle p50/p99 (from the controller's histograms,
// interpolated within buckets); the controller's peak RSS and heap; and how far Task status
// (Pod Running → Task TASK_RUNNING) and Framework status (last task Running → counts complete)
// lagged. --heap-snapshot adds what the controller's heap holds once every task runs, by
// constructor (bench/heap-summary.ts); --cpu-profile where the controller spent its CPU, by
// function and file (node --cpu-prof, bench/cpu-profile-summary.ts). --max-old-space-size caps the
// controller's heap as a container's memory limit does (Node sizes its heap from that limit; on
// this machine, with no limit, it would size it from the host's memory).
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type RequestOptions } from 'node:https';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  ListWatch,
  Watch,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { clusterPaths, deleteNode, deleteScratchNamespace, ensureFakeNode, isReady, repoRoot, up } from '../scripts/cluster/index.ts';
import { freePorts } from '../scripts/cluster/processes.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../src/api/index.ts';
import { Kube } from '../src/controller/kube.ts';
import { loadKubeConfig } from '../src/api/kubeconfig.ts';
import type { FrameworkObject, TaskObject } from '../src/api/objects.ts';
import { summarizeHeapSnapshot, type HeapSummary } from './heap-summary.ts';
import { summarizeCpuProfile, type CpuSummary } from './cpu-profile-summary.ts';
import { retried, histogramQuantile, median, parseMetrics, percentile, pool, schedAutogroup, type Sample } from './stats.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    frameworks: { type: 'string', default: '50' },
    tasks: { type: 'string', default: '5000' },
    'tasks-per-offer': { type: 'string', default: '8' },
    qps: { type: 'string', default: '50' },
    burst: { type: 'string', default: '100' },
    timeout: { type: 'string', default: '1800' },
    'skip-raw': { type: 'boolean', default: false },
    'other-pods': { type: 'string', default: '0' },
    'heap-snapshot': { type: 'boolean', default: false },
    'cpu-profile': { type: 'boolean', default: false },
    'max-old-space-size': { type: 'string' },
  },
});
const OTHER_PODS = Number(values['other-pods']);
const NODES = Number(values.nodes);
const FRAMEWORKS = Number(values.frameworks);
const TASKS = Number(values.tasks);
const PER_OFFER = Number(values['tasks-per-offer']);
const QPS = Number(values.qps);
const BURST = Number(values.burst);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const id = randomBytes(3).toString('hex');
const POOL = `scale-${id}`;
const SELECTOR = `agora.dev/bench-pool=${POOL}`;
const RESOURCES = { cpu: '500m', memory: '1Gi' };
const CONTAINERS = [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }];
const log = (msg: string) => process.stderr.write(`[bench:scale] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  // A run that deleted many nodes before leaves kwok renewing their Leases (restarted if so).
  await up({ log: (l) => log(l), releaseDeletedNodes: true });
  const autogroup = schedAutogroup();
  if (autogroup === true)
    log(
      'scheduler autogroups are on: the kube-apiserver gets one share of the CPU among the processes (sysctl kernel.sched_autogroup_enabled=0)',
    );
  // Connections kept, as the controller keeps them: (a) is the floor for the same client.
  const kc = loadKubeConfig({ kubeconfig: clusterPaths().kubeconfig });
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = Array.from({ length: NODES }, (_, i) => `${POOL}-${i}`);
  const namespaces = { raw: `scale-raw-${id}`, agora: `scale-agora-${id}`, other: `scale-other-${id}` };
  let controller: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    await pool(nodes.length, 50, (i) =>
      ensureFakeNode(kc, { name: nodes[i]!, cpu: '16', memory: '64Gi', pods: '110', labels: { 'agora.dev/bench-pool': POOL } }),
    );
    for (;;) {
      const list = await core.listNode({ labelSelector: SELECTOR });
      if (list.items.length === NODES && list.items.every(isReady)) break;
      await sleep(1000);
    }
    log(`${NODES} nodes Ready in ${round((performance.now() - t0) / 1000)} s`);
    for (const ns of Object.values(namespaces))
      await core.createNamespace({ body: { metadata: { name: ns, labels: { 'agora.dev/bench': 'true' } } } });

    if (OTHER_PODS > 0) await createOtherPods(kc, namespaces.other, nodes);
    const raw = values['skip-raw'] ? undefined : await benchRaw(kc, namespaces.raw, nodes);
    if (raw) log(`raw: ${round(raw.rate)} tasks/s`);

    const [metricsPort, healthPort, webhookPort] = await freePorts(3);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const logFile = join(repoRoot, '.agora', `bench-scale-${id}.log`);
    log(`controller log: ${logFile}`);
    const heapDir = join(repoRoot, '.agora', `bench-scale-heap-${id}`);
    if (values['heap-snapshot']) mkdirSync(heapDir, { recursive: true });
    const profDir = join(repoRoot, '.agora', `bench-scale-cpu-${id}`);
    if (values['cpu-profile']) mkdirSync(profDir, { recursive: true });
    controller = spawn(
      process.execPath,
      [
        ...(values['heap-snapshot'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : []),
        ...(values['cpu-profile'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
        ...(values['max-old-space-size'] ? [`--max-old-space-size=${values['max-old-space-size']}`] : []),
        'src/cli/main.ts',
        'controller',
        `--kubeconfig=${clusterPaths().kubeconfig}`,
        `--namespaces=${namespaces.agora}`,
        `--node-selector=${SELECTOR}`,
        '--leader-elect=false',
        `--metrics-addr=127.0.0.1:${metricsPort}`,
        `--health-addr=127.0.0.1:${healthPort}`,
        `--webhook-port=${webhookPort}`,
        `--kube-api-qps=${QPS}`,
        `--kube-api-burst=${BURST}`,
        '--log-level=info',
      ],
      { cwd: repoRoot, stdio: ['ignore', openSync(logFile, 'w'), 'inherit'] },
    );
    await waitReady(`http://127.0.0.1:${healthPort}/readyz`, controller);
    // Ready means serving webhooks; the timed run starts once it leads with synced caches, so that
    // the controller's start (listing every Node and Pod) is reported on its own, not in the rate.
    const startMs = await waitLeading(logFile, controller);
    log(`controller leading with synced caches after ${round(startMs / 1000)} s`);
    const agora = await benchAgora(kc, namespaces.agora, metricsUrl);
    log(`agora: ${round(agora.rate)} tasks/s`);
    const heap = values['heap-snapshot'] ? await heapSnapshot(controller, heapDir) : undefined;
    const m = parseMetrics(await fetchText(metricsUrl));
    const cpu = values['cpu-profile'] ? await cpuProfile(controller, profDir) : undefined;
    const q = (name: string, p: number, match: Record<string, string> = {}) => round(histogramQuantile(m, name, p, match) * 1000, 2);
    const result = {
      workload: 'Scale',
      nodes: NODES,
      frameworks: FRAMEWORKS,
      tasks: TASKS,
      tasksPerOffer: PER_OFFER,
      otherPods: OTHER_PODS,
      controllerMaxOldSpaceMiB: values['max-old-space-size'] === undefined ? undefined : Number(values['max-old-space-size']),
      clientRateLimit: { qps: QPS, burst: BURST },
      schedAutogroup: autogroup,
      // Agora's writes (controller and built-in schedulers; kwok's Pod status and Lease writes
      // left out) per second, beside (a)'s one client at qps.
      agoraWritesPerSecond: round(
        Object.entries(agora.writes).reduce((n, [k, v]) => (k.includes(' pods/') || k.endsWith(' leases') ? n : n + v), 0) / agora.seconds,
      ),
      agora: { seconds: round(agora.seconds), tasksPerSecond: round(agora.rate), running: agora.running },
      controllerStartSeconds: round(startMs / 1000),
      raw: raw && { seconds: round(raw.seconds), tasksPerSecond: round(raw.rate) },
      agoraOverRaw: raw && round(agora.rate / raw.rate, 2),
      writesPerTask: Object.fromEntries(Object.entries(agora.writes).map(([k, v]) => [k, round(v / agora.running, 3)])),
      offersPerTask: round((agora.writes['create offers'] ?? 0) / agora.running, 3),
      offerWritesPerTask: round(
        Object.entries(agora.writes).reduce((n, [k, v]) => (k.endsWith(' offers') ? n + v : n), 0) / agora.running,
        3,
      ),
      webhookMs: { p50: q('agora_webhook_admission_duration_seconds', 0.5), p99: q('agora_webhook_admission_duration_seconds', 0.99) },
      webhookOffersMs: {
        p50: q('agora_webhook_admission_duration_seconds', 0.5, { path: '/validate/offers' }),
        p99: q('agora_webhook_admission_duration_seconds', 0.99, { path: '/validate/offers' }),
      },
      allocationCycleMs: {
        p50: q('agora_allocation_cycle_duration_seconds', 0.5),
        p99: q('agora_allocation_cycle_duration_seconds', 0.99),
      },
      controllerPeak: {
        rssMiB: round(agora.peakRss / 2 ** 20),
        heapUsedMiB: round(agora.peakHeap / 2 ** 20),
        eventLoopLagP99Ms: round(agora.peakLoopLag * 1000),
      },
      statusLagMs: agora.lag,
      cpuProfile: cpu,
      heap: heap && {
        totalMiB: round(heap.totalBytes / 2 ** 20),
        top: heap.top.map((g) => ({ name: g.name, count: g.count, MiB: round(g.selfBytes / 2 ** 20, 2) })),
      },
    };
    console.log(JSON.stringify(result));
  } finally {
    if (controller !== undefined && controller.exitCode === null && values['cpu-profile']) {
      // A run that failed still tells where the controller's time went.
      const cpu = await cpuProfile(controller, join(repoRoot, '.agora', `bench-scale-cpu-${id}`)).catch(() => undefined);
      if (cpu !== undefined) log(`cpu profile of the failed run: ${JSON.stringify(cpu)}`);
    }
    if (controller !== undefined && controller.exitCode === null) {
      controller.kill('SIGTERM');
      await Promise.race([new Promise((r) => controller!.once('exit', r)), sleep(15_000)]);
      if (controller.exitCode === null) controller.kill('SIGKILL');
    }
    log('cleaning up (namespaces are deleted in the background)');
    await Promise.all(Object.values(namespaces).map((name) => deleteScratchNamespace(kc, name).catch(() => undefined)));
    await pool(nodes.length, 50, (i) => deleteNode(kc, nodes[i]!));
  }
}

/** Stops the controller (SIGTERM: it writes its CPU profile as it exits), summarises the profile and removes it. */
async function cpuProfile(proc: ChildProcess, dir: string): Promise<CpuSummary | undefined> {
  proc.kill('SIGTERM');
  await Promise.race([new Promise((r) => proc.once('exit', r)), sleep(60_000)]);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    log('cpu profile: none written');
    return undefined;
  }
  try {
    return summarizeCpuProfile(join(dir, file), repoRoot);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Has the controller write a heap snapshot (SIGUSR2), waits until it is complete, summarises it and removes it. */
async function heapSnapshot(proc: ChildProcess, dir: string): Promise<HeapSummary> {
  log('heap snapshot: writing');
  proc.kill('SIGUSR2');
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the heap snapshot was not written within 10 minutes');
    await sleep(2000);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    // V8 builds the snapshot first, then writes the JSON: complete once it ends with its closing "]}".
    if (file === undefined || !endsWith(join(dir, file), ']}')) continue;
    log(`heap snapshot: ${round(statSync(join(dir, file)).size / 2 ** 20)} MiB written, summarising`);
    const summary = summarizeHeapSnapshot(join(dir, file));
    rmSync(dir, { recursive: true, force: true });
    return summary;
  }
}

/** Whether a file's last non-blank characters are `suffix`. */
function endsWith(file: string, suffix: string): boolean {
  const size = statSync(file).size;
  if (size < suffix.length) return false;
  const fd = openSync(file, 'r');
  try {
    const tail = Buffer.alloc(Math.min(size, 64));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString('utf8').trimEnd().endsWith(suffix);
  } finally {
    closeSync(fd);
  }
}

async function waitReady(url: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the controller exited with ${proc.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('the controller did not become ready within 120 s');
}

/** Waits for the controller's "leading: caches synced" log line; the time it reports (ms). */
async function waitLeading(logFile: string, proc: ChildProcess): Promise<number> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the controller exited with ${proc.exitCode}`);
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('"leading: caches synced, state rebuilt"'));
    if (line !== undefined) return (JSON.parse(line) as { ms: number }).ms;
    await sleep(250);
  }
  throw new Error('the controller did not lead with synced caches within 600 s');
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  return res.text();
}

/** The API server's own /metrics, with the admin client certificate. */
async function apiserverMetrics(kc: KubeConfig): Promise<Sample[]> {
  const cluster = kc.getCurrentCluster()!;
  const url = new URL('/metrics', cluster.server);
  const opts: RequestOptions = { method: 'GET', host: url.hostname, port: url.port, path: url.pathname };
  await kc.applyToHTTPSOptions(opts);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  return parseMetrics(text);
}

const WRITE_VERBS: Record<string, string> = { POST: 'create', PATCH: 'patch', PUT: 'update', DELETE: 'delete' };
const COUNTED = new Set(['offers', 'tasks', 'frameworks', 'pods', 'events', 'leases']);

/** Write requests the API server has served so far, by `verb resource` (Agora's kinds, pods, events, leases). */
function writeCounts(samples: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== 'apiserver_request_total') continue;
    const verb = WRITE_VERBS[s.labels.verb ?? ''];
    const resource = s.labels.resource ?? '';
    if (verb === undefined || !COUNTED.has(resource)) continue;
    const key = `${verb} ${resource}${s.labels.subresource ? `/${s.labels.subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** --other-pods Pods of no framework, bound round-robin, created as fast as the API server takes them. */
async function createOtherPods(kc: KubeConfig, ns: string, nodes: string[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const t0 = performance.now();
  const requests = { cpu: '100m', memory: '128Mi' };
  await pool(OTHER_PODS, 64, async (i) => {
    await retried(
      async () => {
        await core.createNamespacedPod({
          namespace: ns,
          body: {
            metadata: { name: `other-${i}` },
            spec: { nodeName: nodes[i % nodes.length]!, containers: CONTAINERS.map((c) => ({ ...c, resources: { requests } })) },
          },
        });
      },
      { existing: async () => undefined },
    );
  });
  log(`${OTHER_PODS} other Pods created in ${round((performance.now() - t0) / 1000)} s`);
  // kwok starts Pods in the order they come: until it has run these, (a)'s and Agora's Pods would
  // wait behind them, and both figures would measure kwok's backlog.
  for (;;) {
    const pending = await core.listNamespacedPod({ namespace: ns, fieldSelector: 'status.phase!=Running', resourceVersion: '0', limit: 1 });
    const left = pending.items.length === 0 ? 0 : (pending.metadata?.remainingItemCount ?? 0) + 1;
    if (left === 0) break;
    await sleep(5000);
  }
  log(`${OTHER_PODS} other Pods Running after ${round((performance.now() - t0) / 1000)} s`);
}

async function benchRaw(kc: KubeConfig, ns: string, nodes: string[]): Promise<{ rate: number; seconds: number }> {
  const core = kc.makeApiClient(CoreV1Api);
  const kube = new Kube(kc, { qps: QPS, burst: BURST, clock: { now: Date.now, sleep: (ms: number) => sleep(ms) } });
  const running = new Set<string>();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const lw = new ListWatch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, new Watch(kc), () => core.listNamespacedPod({ namespace: ns }), false);
  const seen = (p: V1Pod) => {
    if (p.status?.phase === 'Running' && !running.has(p.metadata!.name!)) {
      running.add(p.metadata!.name!);
      if (running.size === TASKS) done();
    }
  };
  lw.on('add', seen);
  lw.on('update', seen);
  await lw.start();
  const start = performance.now();
  await pool(TASKS, 32, async (i) => {
    const node = nodes[i % nodes.length]!;
    const name = `t-${i}`;
    const task = await retried(
      () =>
        kube.createCustom<TaskObject>('Task', ns, {
          apiVersion: API_VERSION,
          kind: 'Task',
          metadata: { name, namespace: ns },
          spec: { framework: 'raw', nodeName: node, resources: RESOURCES, containers: CONTAINERS },
        }),
      {
        existing: async () =>
          (await kc
            .makeApiClient(CustomObjectsApi)
            .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL.Task, name })) as TaskObject,
      },
    );
    await retried(
      () =>
        kube.createPod(ns, {
          metadata: {
            name,
            ownerReferences: [{ apiVersion: API_VERSION, kind: 'Task', name, uid: task.metadata.uid!, controller: true }],
          },
          spec: {
            nodeName: node,
            restartPolicy: 'Never',
            containers: CONTAINERS.map((c) => ({ ...c, resources: { requests: RESOURCES, limits: RESOURCES } })),
          },
        }),
      { existing: async () => undefined },
    );
  });
  const deadline = performance.now() + TIMEOUT_MS;
  while (running.size < TASKS && performance.now() < deadline) {
    await Promise.race([all, sleep(5000)]);
    if (running.size < TASKS) for (const p of (await core.listNamespacedPod({ namespace: ns })).items) seen(p);
  }
  const seconds = (performance.now() - start) / 1000;
  await lw.stop();
  return { rate: running.size / seconds, seconds };
}

interface AgoraResult {
  rate: number;
  seconds: number;
  running: number;
  writes: Record<string, number>;
  peakRss: number;
  peakHeap: number;
  /** The highest p99 event-loop delay the controller reported (webhook answers wait on it too). */
  peakLoopLag: number;
  lag: { taskP50: number; taskP99: number; taskMax: number; framework: number };
}

async function benchAgora(kc: KubeConfig, ns: string, metricsUrl: string): Promise<AgoraResult> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const podRunning = new Map<string, number>();
  const taskRunning = new Map<string, number>();
  const frameworkRunning = new Map<string, number>();
  let frameworksDone = 0;
  let allRunning!: () => void;
  const running = new Promise<void>((r) => (allRunning = r));
  const checkFrameworks = () => {
    let n = 0;
    for (const v of frameworkRunning.values()) n += v;
    if (n >= TASKS && frameworksDone === 0) frameworksDone = performance.now();
  };
  const pods = new ListWatch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, new Watch(kc), () => core.listNamespacedPod({ namespace: ns }), false);
  const onPod = (p: V1Pod) => {
    if (p.status?.phase === 'Running' && !podRunning.has(p.metadata!.name!)) podRunning.set(p.metadata!.name!, performance.now());
  };
  pods.on('add', onPod);
  pods.on('update', onPod);
  const list =
    <T extends KubernetesObject>(plural: string) =>
    () =>
      custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural }) as Promise<KubernetesListObject<T>>;
  const tasks = new ListWatch<TaskObject>(
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL.Task}`,
    new Watch(kc),
    list<TaskObject>(PLURAL.Task),
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
  const fws = new ListWatch<FrameworkObject>(
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL.Framework}`,
    new Watch(kc),
    list<FrameworkObject>(PLURAL.Framework),
    false,
  );
  const onFramework = (f: FrameworkObject) => {
    frameworkRunning.set(f.metadata.name, f.status?.tasks?.running ?? 0);
    checkFrameworks();
  };
  fws.on('add', onFramework);
  fws.on('update', onFramework);
  await Promise.all([pods.start(), tasks.start(), fws.start()]);

  let peakRss = 0;
  let peakHeap = 0;
  let peakLoopLag = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const m = parseMetrics(await fetchText(metricsUrl));
        for (const s of m) {
          if (s.name === 'process_resident_memory_bytes') peakRss = Math.max(peakRss, s.value);
          if (s.name === 'nodejs_heap_size_used_bytes') peakHeap = Math.max(peakHeap, s.value);
          if (s.name === 'nodejs_eventloop_lag_p99_seconds') peakLoopLag = Math.max(peakLoopLag, s.value);
        }
      } catch {
        // the controller is busy or gone: the next sample
      }
      await sleep(1000);
    }
  })();

  const writesBefore = writeCounts(await apiserverMetrics(kc));
  const start = performance.now();
  const per = Math.floor(TASKS / FRAMEWORKS);
  await pool(FRAMEWORKS, 10, async (i) => {
    const tasksHere = i < TASKS % FRAMEWORKS ? per + 1 : per;
    const name = `fw-${i}`;
    await retried(
      () =>
        custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL.Framework,
          body: {
            apiVersion: API_VERSION,
            kind: 'Framework',
            metadata: { name },
            spec: {
              builtin: {
                tasks: tasksHere,
                tasksPerOffer: PER_OFFER,
                restartPolicy: 'Never',
                template: { resources: RESOURCES, containers: CONTAINERS },
              },
            },
          },
        }),
      {
        existing: () => custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL.Framework, name }),
        // A webhook that gave no decision in time (500) on a loaded machine: keep at it for a minute.
        attempts: 20,
        delayMs: 300,
      },
    );
  });
  const deadline = performance.now() + TIMEOUT_MS;
  let lastLog = performance.now();
  while (taskRunning.size < TASKS && performance.now() < deadline) {
    await Promise.race([running, sleep(5000)]);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`agora: ${taskRunning.size}/${TASKS} TASK_RUNNING after ${round((performance.now() - start) / 1000)} s`);
    }
  }
  const end = performance.now();
  // Framework status catches up after the last task: wait for it a little.
  const fwDeadline = performance.now() + 120_000;
  while (frameworksDone === 0 && performance.now() < fwDeadline) await sleep(250);
  const writes = diff(writeCounts(await apiserverMetrics(kc)), writesBefore);
  sampling = false;
  await sampler;
  await Promise.all([pods.stop(), tasks.stop(), fws.stop()]);
  const lags: number[] = [];
  for (const [name, at] of taskRunning) {
    const p = podRunning.get(name);
    if (p !== undefined) lags.push(Math.max(0, at - p));
  }
  lags.sort((a, b) => a - b);
  const seconds = (end - start) / 1000;
  return {
    rate: taskRunning.size / seconds,
    seconds,
    running: taskRunning.size,
    writes,
    peakRss,
    peakHeap,
    peakLoopLag,
    lag: {
      taskP50: round(median(lags), 0),
      taskP99: round(percentile(lags, 99), 0),
      taskMax: round(lags[lags.length - 1] ?? NaN, 0),
      framework: frameworksDone === 0 ? -1 : round(Math.max(0, frameworksDone - end), 0),
    },
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
