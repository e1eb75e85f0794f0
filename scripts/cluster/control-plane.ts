// The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// kwok on loopback, built from upstream and started as plain processes. up() is idempotent: it
// reuses a healthy running cluster and otherwise starts a fresh one.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/api/kubeconfig.ts';
import { clusterPaths, repoRoot, type ClusterPaths } from '../../src/api/local-paths.ts';
import { ensureCa, ensureCert, ensureServiceAccountKey } from '../../src/api/pki.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { freePorts, isAlive, startDetached, stopAll, waitFor, type RunningProcess } from './processes.ts';
import { ensureFakeNode, isReady, releaseNodeLeases, strayNodeLeases, type FakeNodeSpec } from './nodes.ts';
import { toolPath } from './tools.ts';
import { removeStaleRegistrations } from '../../src/webhooks/registration.ts';

export interface UpOptions {
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  gpuNodes?: number;
  nodeGpus?: number;
  nodeLabels?: Record<string, string>;
  /** Apply crds/ (default true). */
  crds?: boolean;
  /**
   * Before a measurement: on a reused control plane, see that kwok heartbeats no deleted node
   * (releaseDeletedNodes). A fresh one has none.
   */
  releaseDeletedNodes?: boolean;
  log?: (line: string) => void;
}

export interface ClusterState {
  binDir: string;
  server: string;
  ports: Record<string, number>;
  processes: RunningProcess[];
  /** Processes started on the cluster for a while (a benchmark's own scheduler): `down` stops them too. */
  extras?: RunningProcess[];
  startedAt: string;
  /** What kwok's configuration files held when it started (a reused control plane restarts kwok when they changed). */
  kwokConfigDigest?: string;
}

export interface UpResult {
  kubeconfig: string;
  server: string;
  reused: boolean;
  timings: Record<string, number>;
}

const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;

export function readState(paths: ClusterPaths): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function httpsGet(
  url: string,
  tls: { ca: string; cert?: string; key?: string; insecure?: boolean },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: readFileSync(tls.ca),
        cert: tls.cert ? readFileSync(tls.cert) : undefined,
        key: tls.key ? readFileSync(tls.key) : undefined,
        rejectUnauthorized: !tls.insecure,
        timeout: 2000,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function healthy(paths: ClusterPaths, state: ClusterState): Promise<boolean> {
  if (!state.processes.every((p) => isAlive(p.pid))) return false;
  const pki = paths.pki;
  const res = await httpsGet(`${state.server}/readyz`, {
    ca: join(pki, 'ca.crt'),
    cert: join(pki, 'admin.crt'),
    key: join(pki, 'admin.key'),
  }).catch(() => undefined);
  return res?.status === 200;
}

/** Serializes up/down across processes (the test setup and a developer's shell may race). */
async function withLock<T>(paths: ClusterPaths, fn: () => Promise<T>): Promise<T> {
  mkdirSync(paths.dir, { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      const fd = openSync(paths.lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      const holder = Number(readFileSync(paths.lock, 'utf8').trim() || '0');
      if (!holder || !isAlive(holder)) {
        rmSync(paths.lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the cluster lock held by pid ${holder}`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lock, { force: true });
  }
}

export function buildBinaries(log: (line: string) => void): string {
  log('building (or reusing) the pinned control plane binaries; the first build takes several minutes');
  const res = spawnSync('bash', [join(repoRoot, 'hack/build-control-plane.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`hack/build-control-plane.sh failed (exit ${res.status})`);
  const binDir = res.stdout.trim().split('\n').pop() ?? '';
  for (const c of COMPONENTS) if (!existsSync(join(binDir, c))) throw new Error(`missing ${c} in ${binDir}`);
  return binDir;
}

function nodeSpecs(opts: UpOptions): FakeNodeSpec[] {
  const count = opts.nodes ?? 3;
  const base = { cpu: opts.nodeCpu ?? '8', memory: opts.nodeMemory ?? '32Gi', labels: opts.nodeLabels };
  const specs: FakeNodeSpec[] = Array.from({ length: count }, (_, i) => ({ name: `agora-node-${i + 1}`, ...base }));
  for (let i = 0; i < (opts.gpuNodes ?? 0); i++) specs.push({ name: `agora-gpu-node-${i + 1}`, ...base, gpus: opts.nodeGpus ?? 4 });
  return specs;
}

export function adminKubeConfig(paths = clusterPaths()): KubeConfig {
  return loadKubeConfig({ kubeconfig: paths.kubeconfig });
}

async function ensureNodes(paths: ClusterPaths, opts: UpOptions): Promise<void> {
  const kc = adminKubeConfig(paths);
  const specs = nodeSpecs(opts);
  for (const spec of specs) await ensureFakeNode(kc, spec);
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    'fake nodes Ready',
    async () => {
      const nodes = await core.listNode();
      return specs.every((s) => nodes.items.some((n) => n.metadata?.name === s.name && isReady(n)));
    },
    60_000,
  );
}

function applyCrds(paths: ClusterPaths): void {
  const kubectl = toolPath('kubectl');
  execFileSync(kubectl, ['--kubeconfig', paths.kubeconfig, 'apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds')], {
    stdio: 'pipe',
  });
  execFileSync(
    kubectl,
    ['--kubeconfig', paths.kubeconfig, 'wait', '--for=condition=Established', '--timeout=60s', '-f', join(repoRoot, 'crds')],
    { stdio: 'pipe' },
  );
}

async function startFresh(paths: ClusterPaths, opts: UpOptions, timings: Record<string, number>): Promise<ClusterState> {
  const log = opts.log ?? (() => {});
  let t = Date.now();
  const binDir = buildBinaries(log);
  timings.buildMs = Date.now() - t;
  t = Date.now();
  rmSync(paths.etcdData, { recursive: true, force: true });
  rmSync(paths.logs, { recursive: true, force: true });
  mkdirSync(paths.logs, { recursive: true });

  const pki = paths.pki;
  const ca = ensureCa(pki);
  const serving = ensureCert(pki, {
    name: 'apiserver',
    commonName: 'kube-apiserver',
    usage: 'server',
    ips: ['127.0.0.1', '10.96.0.1'],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
  });
  const admin = ensureCert(pki, { name: 'admin', commonName: 'agora-admin', organization: 'system:masters', usage: 'client' });
  const kcm = ensureCert(pki, { name: 'kube-controller-manager', commonName: 'system:kube-controller-manager', usage: 'client' });
  const sched = ensureCert(pki, { name: 'kube-scheduler', commonName: 'system:kube-scheduler', usage: 'client' });
  const kwok = ensureCert(pki, { name: 'kwok', commonName: 'kwok-controller', organization: 'system:masters', usage: 'client' });
  const sa = ensureServiceAccountKey(pki);

  const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await freePorts(6);
  const server = `https://127.0.0.1:${apiPort}`;
  const procs: RunningProcess[] = [];
  const bin = (c: string) => join(binDir, c);
  try {
    const etcd = startDetached(
      'etcd',
      bin('etcd'),
      [
        '--name',
        'agora',
        '--data-dir',
        paths.etcdData,
        '--listen-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster',
        `agora=http://127.0.0.1:${etcdPeer}`,
        // A disposable development cluster: durability is not worth an fsync per write.
        '--unsafe-no-fsync',
        '--quota-backend-bytes',
        String(4 * 1024 ** 3),
        '--log-level',
        'warn',
      ],
      paths.logs,
    );
    procs.push(etcd);
    await waitFor(
      'etcd',
      async () => {
        const res = await fetch(`http://127.0.0.1:${etcdClient}/health`);
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      30_000,
      etcd,
    );

    const apiserver = startDetached(
      'kube-apiserver',
      bin('kube-apiserver'),
      [
        '--etcd-servers',
        `http://127.0.0.1:${etcdClient}`,
        '--bind-address',
        '127.0.0.1',
        '--advertise-address',
        '127.0.0.1',
        '--secure-port',
        String(apiPort),
        '--cert-dir',
        pki,
        '--tls-cert-file',
        serving.cert,
        '--tls-private-key-file',
        serving.key,
        '--client-ca-file',
        ca.cert,
        '--service-account-issuer',
        'https://kubernetes.default.svc.cluster.local',
        '--service-account-key-file',
        sa.pub,
        '--service-account-signing-key-file',
        sa.key,
        '--api-audiences',
        'https://kubernetes.default.svc.cluster.local',
        '--service-cluster-ip-range',
        '10.96.0.0/16',
        '--authorization-mode',
        'Node,RBAC',
        '--enable-admission-plugins',
        'NodeRestriction',
        '--allow-privileged=true',
        '--max-requests-inflight',
        '1000',
        '--max-mutating-requests-inflight',
        '500',
        '--profiling=false',
        '--v',
        '1',
      ],
      paths.logs,
    );
    procs.push(apiserver);
    await waitFor(
      'kube-apiserver',
      async () => (await httpsGet(`${server}/readyz`, { ca: ca.cert, cert: admin.cert, key: admin.key })).status === 200,
      90_000,
      apiserver,
    );

    writeKubeconfig(paths.kubeconfig, { server, ca: ca.cert, ...admin, user: 'agora-admin' });
    const kubeconfigFor = (name: string, cred: { cert: string; key: string }) => {
      const path = join(pki, `${name}.kubeconfig`);
      writeKubeconfig(path, { server, ca: ca.cert, ...cred, user: name });
      return path;
    };
    const kcmConfig = kubeconfigFor('kube-controller-manager', kcm);
    const schedConfig = kubeconfigFor('kube-scheduler', sched);
    const kwokConfig = kubeconfigFor('kwok', kwok);

    const kcmProc = startDetached(
      'kube-controller-manager',
      bin('kube-controller-manager'),
      [
        '--kubeconfig',
        kcmConfig,
        '--authentication-kubeconfig',
        kcmConfig,
        '--authorization-kubeconfig',
        kcmConfig,
        '--bind-address',
        '127.0.0.1',
        '--secure-port',
        String(kcmPort),
        '--service-account-private-key-file',
        sa.key,
        '--root-ca-file',
        ca.cert,
        '--use-service-account-credentials=true',
        '--cluster-signing-cert-file',
        ca.cert,
        '--cluster-signing-key-file',
        ca.key,
        '--leader-elect=false',
        '--node-monitor-grace-period',
        '240s',
        '--kube-api-qps',
        '200',
        '--kube-api-burst',
        '400',
        '--v',
        '1',
      ],
      paths.logs,
    );
    procs.push(kcmProc);
    const schedProc = startDetached(
      'kube-scheduler',
      bin('kube-scheduler'),
      [
        '--kubeconfig',
        schedConfig,
        '--authentication-kubeconfig',
        schedConfig,
        '--authorization-kubeconfig',
        schedConfig,
        '--bind-address',
        '127.0.0.1',
        '--secure-port',
        String(schedPort),
        '--leader-elect=false',
        '--v',
        '1',
      ],
      paths.logs,
    );
    procs.push(schedProc);
    const kwokProc = startKwok(paths, binDir, kwokConfig, kwokPort);
    procs.push(kwokProc);
    for (const [proc, port] of [
      [kcmProc, kcmPort],
      [schedProc, schedPort],
    ] as const) {
      await waitFor(
        proc.name,
        async () => (await httpsGet(`https://127.0.0.1:${port}/healthz`, { ca: ca.cert, insecure: true })).status === 200,
        60_000,
        proc,
      );
    }
    const core = adminKubeConfig(paths).makeApiClient(CoreV1Api);
    // The ServiceAccount controller creating `default` shows the controller-manager is working.
    await waitFor(
      'default ServiceAccount',
      async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })) !== undefined,
      60_000,
      kcmProc,
    );
    timings.startMs = Date.now() - t;
    const state: ClusterState = {
      binDir,
      server,
      ports: { etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort },
      processes: procs,
      startedAt: new Date().toISOString(),
      kwokConfigDigest: kwokConfigDigest(),
    };
    writeFileSync(paths.state, JSON.stringify(state, null, 2));
    return state;
  } catch (err) {
    await stopAll(procs, 5000);
    throw err;
  }
}

const KWOK_CONFIGS = ['hack/kwok/kwok.yaml', 'hack/kwok/stages.yaml'].map((f) => join(repoRoot, f));

function kwokConfigDigest(): string {
  const hash = createHash('sha256');
  for (const f of KWOK_CONFIGS) hash.update(readFileSync(f));
  return hash.digest('hex');
}

/** kwok, as startFresh and restartKwok start it. */
function startKwok(paths: ClusterPaths, binDir: string, kubeconfig: string, port: number): RunningProcess {
  return startDetached(
    'kwok',
    join(binDir, 'kwok'),
    [
      '--kubeconfig',
      kubeconfig,
      ...KWOK_CONFIGS.flatMap((f) => ['--config', f]),
      // Not a line per node patch and lease renewal: at thousands of nodes that is most of its work.
      '--v',
      'WARN',
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector',
      'kwok.x-k8s.io/node=fake',
      '--cidr',
      '10.128.0.0/10',
      '--node-ip',
      '10.0.0.1',
      // Renewed every quarter of this: 40 s for each node. Kubelets' 40 s (a renewal every 10 s)
      // would be 100 writes a second at 1,000 fake nodes, 500 at 5,000 — more than the rest of
      // a benchmark on a 2-core machine. The node lifecycle controller's grace period is set to match.
      '--node-lease-duration-seconds',
      '160',
      '--server-address',
      `127.0.0.1:${port}`,
    ],
    paths.logs,
    { ...process.env, HOME: paths.dir },
  );
}

/**
 * Stops kwok and starts it again on the same port. kwok v0.8 keeps renewing the Leases of fake
 * nodes deleted in bulk (it misses their deletion), and the garbage collector deletes each
 * Lease again: thousands of writes a minute, for as long as kwok runs. A new kwok lists the
 * nodes there are and heartbeats those only.
 */
async function restartKwok(paths = clusterPaths()): Promise<void> {
  await withLock(paths, async () => {
    const state = readState(paths);
    if (state === undefined) throw new Error('no local control plane is running (npm run cluster:up)');
    await replaceKwok(paths, state);
  });
}

/** Stops the running cluster's kwok and starts another on its port, with the configuration there is now (under the lock). */
async function replaceKwok(paths: ClusterPaths, state: ClusterState): Promise<void> {
  const old = state.processes.find((p) => p.name === 'kwok');
  if (old === undefined) throw new Error('the local control plane has no kwok (npm run cluster:down, then cluster:up)');
  await stopAll([old], 5000);
  await releaseNodeLeases(adminKubeConfig(paths));
  const proc = startKwok(paths, state.binDir, join(paths.pki, 'kwok.kubeconfig'), state.ports.kwokPort);
  state.processes = state.processes.map((p) => (p.name === 'kwok' ? proc : p));
  state.kwokConfigDigest = kwokConfigDigest();
  writeFileSync(paths.state, JSON.stringify(state, null, 2));
}

/**
 * Sees that kwok heartbeats no deleted node before a measurement: while Leases name no Node,
 * looks every 2 s; if they are still there after `graceMs` (the garbage collector alone would
 * have removed them), restarts kwok (restartKwok), then waits for them to go, and logs how many
 * there were.
 */
async function releaseDeletedNodes(
  { log = () => {}, graceMs = 10_000, timeoutMs = 300_000 }: { log?: (line: string) => void; graceMs?: number; timeoutMs?: number } = {},
  paths = clusterPaths(),
): Promise<void> {
  const kc = adminKubeConfig(paths);
  const t0 = Date.now();
  const first = await strayNodeLeases(kc);
  let stray = first;
  let restarted = false;
  while (stray > 0) {
    if (!restarted && Date.now() - t0 >= graceMs) {
      log(`kwok still renews ${stray} deleted nodes' Leases: restarting kwok`);
      await restartKwok(paths);
      restarted = true;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${stray} Leases of deleted nodes still there after ${timeoutMs / 1000} s`);
    await sleep(2000);
    stray = await strayNodeLeases(kc);
  }
  if (first > 0) log(`${first} Leases of deleted nodes are gone`);
}

export async function up(opts: UpOptions = {}, paths = clusterPaths()): Promise<UpResult> {
  const result = await startOrReuse(opts, paths);
  // After the lock: restarting kwok takes it.
  if (opts.releaseDeletedNodes === true && result.reused) await releaseDeletedNodes({ log: opts.log }, paths);
  return result;
}

function startOrReuse(opts: UpOptions, paths: ClusterPaths): Promise<UpResult> {
  return withLock(paths, async () => {
    const timings: Record<string, number> = {};
    const t0 = Date.now();
    const log = opts.log ?? (() => {});
    const existing = readState(paths);
    let reused = false;
    let state: ClusterState;
    if (existing && (await healthy(paths, existing))) {
      log(`reusing the running control plane at ${existing.server}`);
      state = existing;
      reused = true;
      // A local controller killed before it could unregister leaves Fail webhooks that block every
      // write to Offers, Tasks and Frameworks (a fresh start has an empty etcd; down deletes it).
      const { removed } = await removeStaleRegistrations(adminKubeConfig(paths));
      for (const r of removed) log(`removed ${r.configuration}, left by pid ${r.owner?.pid} (exited)`);
      // Stages edited since kwok started (a checkout of another commit) would otherwise not apply.
      if (existing.kwokConfigDigest !== kwokConfigDigest()) {
        log(`kwok's configuration (hack/kwok) changed since it started: restarting kwok`);
        await replaceKwok(paths, existing);
      }
    } else {
      if (existing) await stopAll(existing.processes, 5000);
      state = await startFresh(paths, opts, timings);
      log(`control plane up at ${state.server}`);
    }
    let t = Date.now();
    if (opts.crds !== false) applyCrds(paths);
    timings.crdsMs = Date.now() - t;
    t = Date.now();
    await ensureNodes(paths, opts);
    timings.nodesMs = Date.now() - t;
    timings.totalMs = Date.now() - t0;
    return { kubeconfig: paths.kubeconfig, server: state.server, reused, timings };
  });
}

export async function down(paths = clusterPaths()): Promise<{ stopped: string[] }> {
  return withLock(paths, async () => {
    const state = readState(paths);
    const procs = [...(state?.processes ?? []), ...(state?.extras ?? [])];
    await stopAll(procs);
    rmSync(paths.etcdData, { recursive: true, force: true });
    for (const f of [paths.state, paths.kubeconfig]) if (existsSync(f)) unlinkSync(f);
    return { stopped: procs.map((p) => p.name) };
  });
}

export async function status(paths = clusterPaths()): Promise<{ running: boolean; state?: ClusterState }> {
  const state = readState(paths);
  return { running: state !== undefined && (await healthy(paths, state)), state };
}

export function logFiles(paths = clusterPaths()): string[] {
  return existsSync(paths.logs) ? readdirSync(paths.logs).map((f) => join(paths.logs, f)) : [];
}
