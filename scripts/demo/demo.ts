// The demo that `agora demo` (npm run demo) runs from a checkout: the local control plane, the controller and webhooks, example
// frameworks with different demands, and their DRF shares converging live in the terminal.
//
// The story runs on three partitions of the same cluster, each with its own controller (scoped by
// namespace and node selector), because DRF shares are fractions of the resources a controller
// offers:
//   1. "The DRF paper": one node of 9 CPU / 18 GiB and the paper's two users as built-in
//      frameworks, A <1 CPU, 4 GiB> and B <3 CPU, 1 GiB> per task. DRF ends at A = 3 tasks,
//      B = 2 tasks, both dominant shares 2/3 (Ghodsi et al., NSDI 2011, section 4).
//   2. "Shared pool": three 8 CPU / 32 GiB nodes running a built-in batch job that completes, a
//      built-in web service, a built-in job that keeps crashing (retries, then Failed), and two
//      SDK programs: an MPI-like gang (all-or-nothing) and a Marathon-like service whose first
//      instance crashes and is replaced.
//   3. "Revocation": one node of 4 CPU / 8 GiB that an early framework fills with tasks that never
//      end; a late framework arrives once it has, and takes its fair share (2 of 4) back by
//      revocation: notice, grace period, kill (the revocations show in the recent events).
// Ctrl-C deletes what the demo created (and stops the cluster if the demo started it).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { pino, type Logger } from 'pino';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import type { IFramework } from '../../src/api/index.ts';
import { adminKubeConfig, deleteNode, down, ensureFakeNode, isReady, repoRoot, up, type FakeNodeSpec } from '../cluster/index.ts';
import { runGang } from '../../examples/gang.ts';
import { startService, type Service } from '../../examples/service.ts';
import { CLEAR_SCREEN, bar, percent, plain, styleFor, table, type Style } from '../../src/cli/output.ts';
import { fetchStatus } from '../../src/cli/status.ts';
import type { FrameworkRow, StatusView } from '../../src/cli/status-view.ts';
import { parseDemoArgs, type DemoOptions } from '../../src/cli/demo.ts';

const DEMO_LABEL = 'agora.dev/demo';
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

interface Partition {
  title: string;
  namespace: string;
  nodeSelector: string;
  nodes: FakeNodeSpec[];
  /** Manifests (examples/*.yaml) whose Frameworks run here. */
  manifests: string[];
  /** Manifests applied once the first ones' frameworks run every task they asked for. */
  later?: string[];
  /** Revocation cycles more often than the controller's default 5 s: the demo stays short. */
  revocationIntervalMs?: number;
}

const PARTITIONS: Partition[] = [
  {
    title: 'The DRF paper — one node, 9 CPU / 18 GiB; A runs <1 CPU, 4 GiB> tasks, B <3 CPU, 1 GiB>',
    namespace: 'agora-demo-drf',
    nodeSelector: `${DEMO_LABEL}=drf-paper`,
    nodes: [{ name: 'agora-demo-drf', cpu: '9', memory: '18Gi', labels: { [DEMO_LABEL]: 'drf-paper', 'agora.dev/pool': 'drf-paper' } }],
    manifests: ['drf-paper.yaml'],
  },
  {
    title: 'Shared pool — three nodes, 8 CPU / 32 GiB each',
    namespace: 'agora-demo',
    nodeSelector: `${DEMO_LABEL}=pool`,
    nodes: [1, 2, 3].map((i) => ({ name: `agora-demo-pool-${i}`, cpu: '8', memory: '32Gi', labels: { [DEMO_LABEL]: 'pool' } })),
    manifests: ['batch.yaml', 'web.yaml', 'flaky.yaml'],
  },
  {
    title: 'Revocation — one node, 4 CPU / 8 GiB; early fills it, late arrives and takes its fair share back',
    namespace: 'agora-demo-revoke',
    nodeSelector: `${DEMO_LABEL}=revocation`,
    nodes: [{ name: 'agora-demo-revoke', cpu: '4', memory: '8Gi', labels: { [DEMO_LABEL]: 'revocation', 'agora.dev/pool': 'revocation' } }],
    manifests: ['revocation-early.yaml'],
    later: ['revocation-late.yaml'],
    revocationIntervalMs: 1000,
  },
];

const [DRF, POOL, REVOKE] = PARTITIONS as [Partition, Partition, Partition];

/** What the demo waits for; each check says what is still missing. */
export function convergence(
  drf: StatusView,
  pool: StatusView,
  revoke: StatusView,
  sdk: { gangFinished: boolean; serviceReplaced: number; serviceRunning: number },
): string[] {
  const missing: string[] = [];
  const fw = (v: StatusView, name: string) => v.frameworks.find((f) => f.name === name);
  const a = fw(drf, 'drf-a');
  const b = fw(drf, 'drf-b');
  const near = (x: number | undefined) => x !== undefined && Math.abs(x - 2 / 3) < 0.005;
  if ((a?.tasks.running ?? 0) !== 3 || (b?.tasks.running ?? 0) !== 2 || !near(a?.dominantShare) || !near(b?.dominantShare)) {
    missing.push(
      `DRF pair: want A 3 tasks / B 2 tasks at shares 2/3, have A ${a?.tasks.running ?? 0} (${percent(a?.dominantShare)}), B ${b?.tasks.running ?? 0} (${percent(b?.dominantShare)})`,
    );
  }
  const batch = fw(pool, 'batch-job');
  // Completed, and its status counts caught up with it (the final table shows them).
  if (batch?.phase !== 'Completed' || batch.tasks.finished < (batch.wanted ?? Infinity) || (batch.tasks.running ?? 0) > 0)
    missing.push(`batch-job: ${batch?.tasks.finished ?? 0}/${batch?.wanted ?? '?'} finished`);
  if (!sdk.gangFinished) missing.push('gang: not finished');
  if (sdk.serviceReplaced < 1 || sdk.serviceRunning < 3)
    missing.push(`service: ${sdk.serviceRunning}/3 running, ${sdk.serviceReplaced} replaced`);
  const early = fw(revoke, 'early');
  const late = fw(revoke, 'late');
  const revoked = early?.tasks.killed ?? 0;
  if ((early?.tasks.running ?? 0) !== 2 || (late?.tasks.running ?? 0) !== 2 || revoked < 2)
    missing.push(
      `revocation: want early 2 / late 2 tasks after 2 revoked, have early ${early?.tasks.running ?? 0} (${revoked} revoked), late ${late === undefined ? 'not arrived' : (late.tasks.running ?? 0)}`,
    );
  return missing;
}

/** Has every framework of the view all the tasks it asked for running? */
function allRunning(v: StatusView): boolean {
  return v.frameworks.length > 0 && v.frameworks.every((f) => f.wanted !== undefined && (f.tasks.running ?? 0) >= f.wanted);
}

/** Runs the demo; resolves to the exit code. */
export function runDemo(o: DemoOptions): Promise<number> {
  return new Demo(o).run();
}

interface Cleanup {
  what: string;
  fn: () => Promise<unknown>;
}

class Demo {
  private readonly o: { once: boolean; timeoutMs: number; webhooks: boolean };
  private readonly tty = process.stdout.isTTY === true;
  private readonly style: Style = styleFor(process.stdout);
  private readonly started = Date.now();
  private readonly cleanups: Cleanup[] = [];
  private readonly events: string[] = [];
  private readonly abort = new AbortController();
  private log!: Logger;
  private logFile = '';
  private kc!: KubeConfig;
  private service: Service | undefined;
  private gangFinished = false;
  private webhooksEnforced: (() => Promise<void>) | undefined;
  private lastPlain = new Map<string, string>();
  private consoleUrl = '';
  private laterApplied = false;
  private readonly revocationsSeen = new Set<string>();

  constructor(o: DemoOptions) {
    this.o = o;
  }

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  private step(msg: string): void {
    process.stderr.write(`${this.style.cyan('▸')} ${msg}\n`);
  }

  private event(msg: string): void {
    this.events.push(`${this.elapsed().padStart(6)}  ${msg}`);
    if (this.events.length > 6) this.events.shift();
    if (!this.tty) process.stdout.write(`[${this.elapsed()}] ${msg}\n`);
  }

  async run(): Promise<number> {
    let interrupted = 0;
    const onSignal = () => {
      interrupted++;
      if (interrupted > 1) {
        process.stderr.write('\nagora demo: second interrupt, exiting without cleaning up\n');
        process.exit(130);
      }
      this.abort.abort();
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
    let code = 1;
    try {
      await this.setUp();
      code = this.abort.signal.aborted ? 130 : await this.watch();
    } catch (err) {
      process.stderr.write(
        `agora demo: ${err instanceof Error ? err.message : String(err)}${this.logFile ? ` (logs: ${this.logFile})` : ''}\n`,
      );
      code = 1;
    } finally {
      await this.tearDown();
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal);
    }
    return code;
  }

  private async setUp(): Promise<void> {
    const dir = join(repoRoot, '.agora/demo');
    mkdirSync(dir, { recursive: true });
    this.logFile = join(dir, 'demo.log');
    this.log = pino({ level: 'info' }, pino.destination({ dest: this.logFile, sync: false, append: false }));
    this.step(`starting the local control plane (logs: ${this.logFile})`);
    const cluster = await up({ log: (line) => this.log.info({ component: 'cluster' }, line) });
    if (!cluster.reused) this.cleanups.push({ what: 'stopping the local control plane', fn: () => down() });
    this.step(`control plane ${cluster.reused ? 'reused' : 'started'} at ${cluster.server}`);
    this.kc = adminKubeConfig();
    const core = this.kc.makeApiClient(CoreV1Api);

    this.step('adding the demo nodes: 1 × 9 CPU / 18 GiB (the DRF paper), 3 × 8 CPU / 32 GiB (the pool), 1 × 4 CPU / 8 GiB (revocation)');
    const nodes = PARTITIONS.flatMap((p) => p.nodes);
    for (const n of nodes) await ensureFakeNode(this.kc, n);
    this.cleanups.push({ what: 'removing the demo nodes', fn: () => Promise.all(nodes.map((n) => deleteNode(this.kc, n.name))) });
    await until(
      'demo nodes Ready',
      60_000,
      async () => (await core.listNode({ labelSelector: DEMO_LABEL })).items.filter(isReady).length >= nodes.length,
    );

    this.step('starting the controller (one per partition) and the admission webhooks');
    const { startController } = await import('../../src/controller/manager.ts');
    for (const p of PARTITIONS) {
      const ctl = await startController({
        kubeconfig: this.kc,
        namespaces: [p.namespace],
        nodeSelector: p.nodeSelector,
        leaderElect: false,
        metricsAddr: '',
        healthAddr: '',
        ...(p.revocationIntervalMs !== undefined ? { revocationIntervalMs: p.revocationIntervalMs } : {}),
        logger: this.log.child({ partition: p.namespace }),
      });
      this.cleanups.push({ what: `stopping the controller for ${p.namespace}`, fn: () => ctl.stop() });
    }
    // One web console over both partitions (its own watches of the demo's namespaces).
    const { startStandaloneConsole } = await import('../../src/controller/console/standalone.ts');
    const ui = await startStandaloneConsole({
      kc: this.kc,
      log: this.log.child({ component: 'console' }),
      addr: process.env.AGORA_DEMO_UI_ADDR ?? '127.0.0.1:0',
      namespaces: PARTITIONS.map((p) => p.namespace),
    });
    this.cleanups.push({ what: 'stopping the web console', fn: () => ui.stop() });
    this.consoleUrl = ui.url;
    this.step(`web console: ${ui.url}`);
    // Before touching demo objects: a configuration left by a killed run points at a dead server.
    if (this.o.webhooks) await this.startWebhooks();
    // Namespaces after the controllers: one left Terminating by an interrupted run needs a
    // controller to release its frameworks' finalizers.
    for (const p of PARTITIONS) await ensureNamespace(this.kc, p.namespace);
    this.cleanups.push({
      what: 'deleting the demo namespaces',
      fn: () => Promise.all(PARTITIONS.map((p) => core.deleteNamespace({ name: p.namespace }).catch(() => undefined))),
    });
    await this.webhooksEnforced?.().catch((err: unknown) =>
      this.step(this.style.yellow(`webhooks not enforced: ${(err as Error).message}`)),
    );
    // Frameworks from an earlier, interrupted run: removed while the controllers run (finalizers).
    this.cleanups.push({ what: 'deleting the demo frameworks', fn: () => this.deleteFrameworks() });
    await this.deleteFrameworks();
    if (this.abort.signal.aborted) return;

    this.step(`applying the example frameworks: examples/${PARTITIONS.flatMap((p) => p.manifests).join(', ')}`);
    for (const p of PARTITIONS) for (const file of p.manifests) await this.apply(p, file);

    this.step('starting the SDK frameworks: examples/gang.ts (4 × <2 CPU, 2 GiB>, all or nothing) and examples/service.ts (3 instances)');
    const pool = POOL;
    const common = { kubeConfig: this.kc, namespace: pool.namespace, log: this.log.child({ component: 'sdk' }) };
    void runGang({
      ...common,
      name: 'gang',
      role: 'hpc',
      size: 4,
      cpu: '2',
      memory: '2Gi',
      duration: '8s',
      holdMs: 5000,
      refuseSeconds: 1,
      keep: true,
      signal: this.abort.signal,
      onEvent: (e) => {
        if (e.type === 'launched') this.event(`gang: all ${e.tasks.length} ranks launched together (generation ${e.generation})`);
        if (e.type === 'released') this.event(`gang: released ${e.offers} held offer(s): ${e.reason}`);
        if (e.type === 'finished') {
          this.gangFinished = true;
          this.event('gang: every rank finished');
        }
      },
    }).catch((err: unknown) => this.event(`gang: stopped: ${(err as Error).message}`));
    this.service = await startService({
      ...common,
      name: 'service',
      role: 'service',
      instances: 3,
      cpu: '1',
      memory: '1Gi',
      crashFirstAfter: '6s',
      onEvent: (e) =>
        this.event(
          e.type === 'lost'
            ? `service: ${e.task} ${e.state} → replacing it`
            : e.type === 'launched'
              ? `service: ${e.task} launched on ${e.node}`
              : `service: failed over to ${e.by ?? 'another scheduler'}`,
        ),
    });
    this.cleanups.push({ what: 'stopping the service framework', fn: () => this.service!.stop({ teardown: true }) });
  }

  /** Applies the Frameworks of examples/<file> in the partition's namespace. */
  private async apply(p: Partition, file: string): Promise<void> {
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    for (const doc of loadAll(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as IFramework[]) {
      if (doc?.kind !== 'Framework') continue;
      const body = { ...doc, metadata: { ...doc.metadata, namespace: p.namespace } };
      await custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: p.namespace,
          plural: PLURAL.Framework,
          name: doc.metadata!.name!,
          body,
          fieldManager: 'agora-demo',
          force: true,
        },
        APPLY,
      );
    }
  }

  /** The later manifests once their partition's first frameworks run everything; revocations as events. */
  private async followRevocation(view: StatusView): Promise<void> {
    if (!this.laterApplied && allRunning(view)) {
      this.laterApplied = true;
      for (const file of REVOKE.later ?? []) await this.apply(REVOKE, file);
      this.event(`late arrives (examples/${(REVOKE.later ?? []).join(', ')}): wants 4 tasks on the full node`);
    }
    for (const r of view.revocations) {
      const key = `${r.namespace}/${r.task}`;
      if (this.revocationsSeen.has(key)) continue;
      this.revocationsSeen.add(key);
      this.event(
        `revoking ${r.task} of ${r.framework} for ${r.for.split('/').pop()} (${r.reason}): killed in ${Math.max(0, r.deadlineInSeconds)}s`,
      );
    }
  }

  private async startWebhooks(): Promise<void> {
    try {
      const { startWebhooks } = await import('../../src/webhooks/index.ts');
      const { waitUntilEnforced } = await import('../../src/webhooks/probe.ts');
      const hooks = await startWebhooks({
        kubeConfig: this.kc,
        logger: this.log,
        // Only the demo's namespaces: the cluster may be shared with other work.
        registration: {
          name: 'agora-demo',
          namespaceSelector: { matchLabels: { [DEMO_LABEL]: 'true' } },
          clusterObjectSelector: { matchLabels: { [DEMO_LABEL]: 'true' } },
        },
      });
      this.cleanups.push({ what: 'stopping the webhooks', fn: async () => (await hooks.unregister(), await hooks.stop()) });
      await hooks.register();
      this.webhooksEnforced = () => waitUntilEnforced(this.kc, DRF.namespace);
    } catch (err) {
      this.step(this.style.yellow(`webhooks not running: ${(err as Error).message}`));
    }
  }

  private async deleteFrameworks(): Promise<void> {
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const remaining = async () => {
      let n = 0;
      for (const p of PARTITIONS)
        n += (
          (await custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: p.namespace,
            plural: PLURAL.Framework,
          })) as { items: unknown[] }
        ).items.length;
      return n;
    };
    for (const p of PARTITIONS) {
      await custom
        .deleteCollectionNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: p.namespace, plural: PLURAL.Framework })
        .catch(() => undefined);
    }
    await until('the demo frameworks to be deleted', 30_000, async () => (await remaining()) === 0).catch((err: unknown) =>
      this.log.warn({ err }, 'frameworks left behind'),
    );
  }

  /** Renders until Ctrl-C (or, with --once, until converged or timed out). */
  private async watch(): Promise<number> {
    const deadline = Date.now() + this.o.timeoutMs;
    let last = '';
    for (;;) {
      let drf: StatusView;
      let pool: StatusView;
      let revoke: StatusView;
      try {
        [drf, pool, revoke] = (await Promise.all(
          PARTITIONS.map((p) => fetchStatus(this.kc, { namespace: p.namespace, nodeSelector: p.nodeSelector })),
        )) as [StatusView, StatusView, StatusView];
        await this.followRevocation(revoke);
      } catch (err) {
        this.log.warn({ err }, 'status read failed');
        await sleep(1000, undefined, { signal: this.abort.signal }).catch(() => undefined);
        if (this.abort.signal.aborted) return 130;
        continue;
      }
      const missing = convergence(drf, pool, revoke, {
        gangFinished: this.gangFinished,
        serviceReplaced: this.service?.replaced() ?? 0,
        serviceRunning: this.service?.running().length ?? 0,
      });
      const views = [drf, pool, revoke];
      const screen = this.render(views, missing);
      if (this.tty) {
        if (screen !== last) process.stdout.write(CLEAR_SCREEN + screen);
        last = screen;
      } else this.printChanges(views.flatMap((v) => v.frameworks));
      if (this.o.once && missing.length === 0) {
        if (!this.tty) process.stdout.write(`\n${this.render(views, missing, plain)}`);
        return 0;
      }
      if (this.o.once && Date.now() > deadline) {
        if (!this.tty) process.stdout.write(`\n${this.render(views, missing, plain)}`);
        process.stderr.write(
          `agora demo: did not converge within ${this.o.timeoutMs / 1000}s:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`,
        );
        return 1;
      }
      await sleep(this.tty ? 500 : 1000, undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.abort.signal.aborted) return 130;
    }
  }

  private printChanges(rows: readonly FrameworkRow[]): void {
    for (const r of rows) {
      const line = `${r.namespace}/${r.name} ${r.phase} tasks[${summary(r.tasks)}] share ${percent(r.dominantShare)}`;
      if (this.lastPlain.get(`${r.namespace}/${r.name}`) === line) continue;
      this.lastPlain.set(`${r.namespace}/${r.name}`, line);
      process.stdout.write(`[${this.elapsed()}] ${line}\n`);
    }
  }

  private render(views: readonly StatusView[], missing: readonly string[], s: Style = this.style): string {
    const out: string[] = [];
    out.push(`${s.bold('Agora demo')} — two-level scheduling with DRF offers on Kubernetes   ${s.dim(this.elapsed())}`, '');
    for (const [i, view] of views.entries()) {
      const p = PARTITIONS[i]!;
      out.push(s.cyan(s.bold(p.title)));
      out.push(frameworkTable(view.frameworks, s));
      const used = view.nodes
        .map((n) => `${n.name} ${n.used.cpu}/${n.allocatable.cpu} CPU ${n.used.memory}/${n.allocatable.memory}`)
        .join('   ');
      out.push(s.dim(`  in use: ${used}`), '');
    }
    const paper = missing.find((m) => m.startsWith('DRF pair'));
    out.push(paper ? s.yellow(`… ${paper}`) : s.green('✓ DRF paper: A runs 3 tasks, B runs 2, both dominant shares 2/3'));
    const revoked = missing.find((m) => m.startsWith('revocation'));
    out.push(revoked ? s.yellow(`… ${revoked}`) : s.green('✓ revocation: late took its fair share back, early and late run 2 tasks each'));
    if (missing.length === 0)
      out.push(s.green('✓ converged: batch complete, gang finished all-or-nothing, service replaced its lost instance'));
    else if (missing.some((m) => m !== paper && m !== revoked))
      out.push(s.dim(`  waiting for: ${missing.filter((m) => m !== paper && m !== revoked).join('; ')}`));
    out.push('', s.bold('Recent events'), ...(this.events.length ? this.events.map((e) => `  ${e}`) : ['  -']));
    out.push(
      '',
      s.dim(
        this.o.once
          ? 'Exits when converged.'
          : `Ctrl-C stops everything.  In another terminal: node src/cli/main.ts status (Node 24)   (logs: ${this.logFile})`,
      ),
      `Web console: ${this.consoleUrl}`,
      '',
    );
    return out.join('\n');
  }

  private async tearDown(): Promise<void> {
    if (this.cleanups.length === 0) return;
    this.abort.abort();
    this.step('stopping: deleting the demo frameworks, stopping the controllers, removing the demo nodes');
    for (const c of this.cleanups.reverse()) {
      try {
        await withTimeout(c.fn(), 60_000);
      } catch (err) {
        process.stderr.write(`agora demo: ${c.what}: ${(err as Error).message}\n`);
      }
    }
    this.cleanups.length = 0;
    this.step('stopped');
  }
}

function summary(tasks: Record<string, number>): string {
  return (
    Object.entries(tasks)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || '-'
  );
}

function frameworkTable(rows: readonly FrameworkRow[], s: Style): string {
  if (rows.length === 0) return '  (no frameworks yet)';
  return table(
    ['FRAMEWORK', 'SCHEDULER', 'ROLE', 'PHASE', 'TASKS', 'DOMINANT SHARE'],
    rows.map((r) => [
      r.name,
      r.scheduler === 'builtin' ? `built-in ${r.launched}/${r.wanted}` : 'SDK program',
      r.role,
      r.phase === 'Completed' ? s.green(r.phase) : r.phase === 'Failed' ? s.red(r.phase) : r.phase,
      summary(r.tasks),
      `${bar(r.dominantShare ?? 0, 24, s)} ${percent(r.dominantShare).padStart(6)}`,
    ]),
    { style: s, indent: '  ' },
  );
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await until(`namespace ${name}`, 120_000, async () => {
    try {
      const ns = await core.readNamespace({ name });
      if (ns.status?.phase === 'Terminating') return false;
      if (ns.metadata?.labels?.[DEMO_LABEL] !== 'true') {
        await core.patchNamespace(
          { name, body: { metadata: { labels: { [DEMO_LABEL]: 'true' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
      return true;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await core.createNamespace({ body: { metadata: { name, labels: { [DEMO_LABEL]: 'true' } } } });
      return true;
    }
  });
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no result within ${ms / 1000}s`)), ms))),
  ]).finally(() => clearTimeout(t));
}

if (import.meta.main) {
  const parsed = parseDemoArgs(process.argv.slice(2));
  if ('exit' in parsed) process.exitCode = parsed.exit;
  else process.exitCode = await runDemo(parsed);
}
