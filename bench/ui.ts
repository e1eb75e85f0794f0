// npm run --silent bench:ui -- [--nodes 1000,5000] [--loads 3] [--viewers 10] [--window 20]
//
// The web console on the local control plane: for each node count, kwok nodes, a controller
// (a child process, --ui-addr) with two built-in frameworks running, and a headless Chromium.
// Prints one JSON line:
// - time to first meaningful paint of the overview and of the nodes page (navigation start to
//   the first render of the page's data, the `agora:first-render` mark), median of --loads loads;
// - the bytes the overview downloads (page, script, styles, uPlot, its JSON);
// - the controller's extra CPU per connected viewer: its CPU (utime + stime of the process) over
//   --window seconds with --viewers simulated viewers (each holding the event stream open and
//   fetching the overview on every change, as the page does), minus the same window with none;
// - the machine's load average when it ran (the machine may be shared).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { clusterPaths, deleteNode, deleteScratchNamespace, ensureFakeNode, isReady, repoRoot, up } from '../scripts/cluster/index.ts';
import { freePorts } from '../scripts/cluster/processes.ts';
import { launchBrowser } from '../scripts/browser.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../src/api/group.ts';
import { median, pool, retried } from './stats.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000,5000' },
    loads: { type: 'string', default: '3' },
    viewers: { type: 'string', default: '10' },
    window: { type: 'string', default: '20' },
  },
});
const COUNTS = values.nodes.split(',').map(Number);
const LOADS = Number(values.loads);
const VIEWERS = Number(values.viewers);
const WINDOW_MS = Number(values.window) * 1000;

const id = randomBytes(3).toString('hex');
const POOL = `ui-${id}`;
const SELECTOR = `agora.dev/bench-pool=${POOL}`;
const NS = `bench-ui-${id}`;
const log = (msg: string) => process.stderr.write(`[bench:ui] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A viewer as the page is one: the event stream open, the overview fetched on every change. */
function viewer(base: string, signal: AbortSignal): Promise<void> {
  return (async () => {
    const res = await fetch(`${base}api/v1/watch`, { signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (decoder.decode(value).includes('event: change')) await (await fetch(`${base}api/v1/overview`, { signal })).arrayBuffer();
    }
  })().catch((err: unknown) => {
    if (!signal.aborted) throw err;
  });
}

async function startController(uiPort: number, healthPort: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      'src/cli/main.ts',
      'controller',
      `--kubeconfig=${clusterPaths().kubeconfig}`,
      `--namespaces=${NS}`,
      `--node-selector=${SELECTOR}`,
      '--leader-elect=false',
      '--no-webhooks',
      '--metrics-addr=',
      `--health-addr=127.0.0.1:${healthPort}`,
      `--ui-addr=127.0.0.1:${uiPort}`,
      '--log-level=warn',
    ],
    { cwd: repoRoot, stdio: ['ignore', openSync(join(repoRoot, '.agora', `bench-ui-${id}.log`), 'a'), 'inherit'] },
  );
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the controller exited (${child.exitCode})`);
    const ok = await fetch(`http://127.0.0.1:${uiPort}/api/v1/overview`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(500);
  }
  throw new Error('the controller did not serve the console within 5 minutes');
}

async function main(): Promise<void> {
  // A run that deleted many nodes before leaves kwok renewing their Leases (restarted if so).
  await up({ log: (l) => log(l), releaseDeletedNodes: true });
  const kc = new KubeConfig();
  kc.loadFromFile(clusterPaths().kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const browser = await launchBrowser();
  const made: string[] = [];
  const result: Record<string, unknown> = { workload: 'UI', loads: LOADS, viewers: VIEWERS, windowSeconds: WINDOW_MS / 1000 };
  const byNodes: Record<string, unknown> = {};
  try {
    await core.createNamespace({ body: { metadata: { name: NS, labels: { 'agora.dev/bench': 'true' } } } });
    for (const name of ['alpha', 'beta'])
      await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: PLURAL.Framework,
        body: {
          apiVersion: API_VERSION,
          kind: 'Framework',
          metadata: { name, namespace: NS },
          spec: {
            builtin: {
              tasks: 200,
              tasksPerOffer: 20,
              template: { resources: { cpu: '500m', memory: '1Gi' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
            },
          },
        },
      });
    for (const count of COUNTS) {
      const t0 = performance.now();
      const fresh = Array.from({ length: count - made.length }, (_, i) => `${POOL}-${made.length + i}`);
      await pool(fresh.length, 50, (i) =>
        retried(
          () =>
            ensureFakeNode(kc, {
              name: fresh[i]!,
              cpu: '16',
              memory: '64Gi',
              pods: '110',
              labels: { 'agora.dev/bench-pool': POOL, zone: `z${i % 3}` },
            }),
          { delayMs: 1000 },
        ),
      );
      made.push(...fresh);
      for (;;) {
        const list = await retried(() => core.listNode({ labelSelector: SELECTOR }), { delayMs: 1000 });
        if (list.items.length === made.length && list.items.every(isReady)) break;
        await sleep(1000);
      }
      log(`${count} nodes Ready in ${round((performance.now() - t0) / 1000)} s`);
      const [uiPort, healthPort] = await freePorts(2);
      const controller = await startController(uiPort!, healthPort!);
      const base = `http://127.0.0.1:${uiPort}/`;
      try {
        await sleep(5000); // the frameworks' tasks launch; the chart has samples
        const paint = async (hash: string, name: string): Promise<number> => {
          const times: number[] = [];
          for (let i = 0; i < LOADS; i++) {
            const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
            await page.goto(`${base}${hash}`);
            await page.waitForSelector(`body[data-rendered=${name}]`, { timeout: 60_000 });
            times.push(await page.evaluate(() => performance.getEntriesByName('agora:first-render')[0]!.startTime));
            await page.close();
          }
          return round(median(times.sort((a, b) => a - b)));
        };
        const overviewMs = await paint('#/', 'Overview');
        const nodesMs = await paint('#/nodes', 'Nodes');
        const page = await browser.newPage();
        let bytes = 0;
        page.on(
          'response',
          (r) =>
            void r.body().then(
              (b) => (bytes += b.length),
              () => undefined,
            ),
        );
        await page.goto(base);
        await page.waitForSelector('body[data-rendered=Overview]');
        await sleep(500);
        await page.close();
        byNodes[String(count)] = { overviewFirstPaintMs: overviewMs, nodesPageFirstPaintMs: nodesMs, overviewDownloadBytes: bytes };
        log(`${count} nodes: overview ${overviewMs} ms, nodes page ${nodesMs} ms, ${bytes} bytes`);
        if (count === COUNTS[0]) {
          const idle0 = cpuSeconds(controller.pid!);
          await sleep(WINDOW_MS);
          const idle = cpuSeconds(controller.pid!) - idle0;
          const ac = new AbortController();
          const viewers = Array.from({ length: VIEWERS }, () => viewer(base, ac.signal));
          await sleep(1000);
          const busy0 = cpuSeconds(controller.pid!);
          await sleep(WINDOW_MS);
          const busy = cpuSeconds(controller.pid!) - busy0;
          ac.abort();
          await Promise.all(viewers);
          result.controllerCpu = {
            nodes: count,
            idleMillicores: round((idle / WINDOW_MS) * 1e6, 0),
            withViewersMillicores: round((busy / WINDOW_MS) * 1e6, 0),
            extraPerViewerMillicores: round(((busy - idle) / WINDOW_MS / VIEWERS) * 1e6, 1),
          };
          log(`controller CPU: ${JSON.stringify(result.controllerCpu)}`);
        }
      } finally {
        controller.kill('SIGTERM');
        await new Promise((r) => controller.once('exit', r));
      }
    }
    result.firstPaint = byNodes;
  } finally {
    await browser.close();
    await deleteScratchNamespace(kc, NS).catch(() => undefined);
    await pool(made.length, 50, (i) => deleteNode(kc, made[i]!));
  }
  result.loadAverage = loadavg().map((l) => round(l, 2));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
