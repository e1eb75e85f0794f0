// Helpers for the controller's integration tests: a pool of fake nodes only this file's
// controller offers, a controller scoped to the file's namespace and pool (in process, or as
// a child process), and a minimal framework scheduler that answers offers through the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { deleteNode, ensureFakeNode, isReady, repoRoot, type FakeNodeSpec } from '../../../scripts/cluster/index.ts';
import { API_VERSION, GROUP, VERSION } from '../../../src/api/index.ts';
import { startController, type ControllerHandle } from '../../../src/controller/manager.ts';
import type { ControllerOptions } from '../../../src/controller/options.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { fits } from '../../../src/api/fit.ts';
import { add, parseResourceList, type ResourceList } from '../../../src/api/quantity.ts';
import { isPodActive, podRequests } from '../../../src/api/pod-resources.ts';
import { custom, eventually, kubeConfig } from '../support/kube.ts';

export const POOL_LABEL = 'agora.dev/test-pool';

export interface Pool {
  readonly id: string;
  readonly selector: string;
  node(i: number): string;
}

/** Fake nodes labelled with a pool of their own, created before the file's tests and deleted after. */
export function usePool(prefix: string, nodes: Omit<FakeNodeSpec, 'name'>[]): Pool {
  const id = `${prefix}-${randomBytes(3).toString('hex')}`;
  const pool: Pool = { id, selector: `${POOL_LABEL}=${id}`, node: (i) => `${id}-n${i}` };
  beforeAll(async () => {
    const kc = kubeConfig();
    await Promise.all(nodes.map((n, i) => ensureFakeNode(kc, { ...n, name: pool.node(i), labels: { ...n.labels, [POOL_LABEL]: id } })));
    await eventually('pool nodes Ready', async () => {
      const list = await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: pool.selector });
      return list.items.length === nodes.length && list.items.every(isReady);
    });
  });
  afterAll(async () => {
    const kc = kubeConfig();
    await Promise.all(nodes.map((_, i) => deleteNode(kc, pool.node(i))));
  });
  return pool;
}

export const testLogger = () => pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' });

/** Options for a controller that sees only this namespace and pool, and runs fast. */
export function scopedOptions(ns: string, pool: Pool, extra: Partial<ControllerOptions> = {}): Partial<ControllerOptions> {
  return {
    kubeconfig: kubeConfig(),
    namespaces: [ns],
    nodeSelector: pool.selector,
    leaderElect: false,
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
    allocationIntervalMs: 200,
    gcIntervalMs: 500,
    logger: testLogger(),
    builtinScheduler: false,
    ...extra,
  };
}

/** An in-process controller for the file's tests. */
export function useController(
  ns: { name: string },
  pool: Pool,
  extra: Partial<ControllerOptions> = {},
): { readonly handle: ControllerHandle } {
  const box = {} as { handle: ControllerHandle };
  beforeAll(async () => {
    box.handle = await startController(scopedOptions(ns.name, pool, extra));
    await box.handle.leading();
  });
  afterAll(async () => {
    await box.handle?.stop();
  });
  return box;
}

/** `agora controller` as a child process (for SIGKILL and two-replica tests). */
export function spawnController(args: string[], logName: string): ChildProcess {
  const logs = join(repoRoot, '.agora', 'test-logs');
  mkdirSync(logs, { recursive: true });
  const out = createWriteStream(join(logs, `${logName}.log`), { flags: 'a' });
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/node'),
    [join(repoRoot, 'src/cli/main.ts'), 'controller', '--kubeconfig', inject('kubeconfig'), '--no-webhooks', ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

/**
 * Resolves once a spawned controller logs that it started: on a loaded machine a fresh node
 * process can take tens of seconds to load, which a test's wait for its work should not count.
 */
export function untilStarted(child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`the spawned controller did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('"msg":"controller started"')) done();
    };
    const onExit = () => done(new Error('the spawned controller exited before it started'));
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await done;
}

// ---- objects ----------------------------------------------------------------------------

const plural = { Framework: 'frameworks', Offer: 'offers', Task: 'tasks' } as const;

export async function list<T>(kind: keyof typeof plural, namespace: string, kc = kubeConfig()): Promise<T[]> {
  const res = (await custom(kc).listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: plural[kind] })) as {
    items: T[];
  };
  return res.items;
}

export async function get<T>(kind: keyof typeof plural, namespace: string, name: string, kc = kubeConfig()): Promise<T> {
  return (await custom(kc).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: plural[kind], name })) as T;
}

export async function createFramework(
  namespace: string,
  name: string,
  spec: Partial<FrameworkObject['spec']> = {},
  kc = kubeConfig(),
): Promise<FrameworkObject> {
  return (await custom(kc).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: 'frameworks',
    body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name }, spec },
  })) as FrameworkObject;
}

export async function patch(kind: keyof typeof plural, namespace: string, name: string, body: object, kc = kubeConfig()): Promise<unknown> {
  return custom(kc).patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: plural[kind], name, body },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function deleteObject(kind: keyof typeof plural, namespace: string, name: string, kc = kubeConfig()): Promise<void> {
  await custom(kc)
    .deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: plural[kind], name })
    .catch(() => undefined);
}

export const isOutstanding = (o: OfferObject) =>
  (o.status?.phase ?? 'Outstanding') === 'Outstanding' && o.spec.accept === undefined && o.spec.decline === undefined;

export async function pods(namespace: string, kc = kubeConfig()): Promise<V1Pod[]> {
  return (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;
}

export const tasksIn = (tasks: TaskObject[], state: string) => tasks.filter((t) => t.status?.state === state);

// ---- a framework scheduler for tests --------------------------------------------------------

export interface TaskShape {
  resources: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DriverOptions {
  namespace: string;
  framework: string;
  /** What every task asks for. */
  task: TaskShape;
  /** Launch at most this many tasks in total. */
  max: number;
  tasksPerOffer?: number;
  refuseSeconds?: number;
  kc?: KubeConfig;
  pollMs?: number;
}

/**
 * Answers the framework's offers as a Mesos framework would: accept up to tasksPerOffer tasks
 * that fit (names `<framework>-<n>`), decline an offer where none fits. Polls; stop() ends it.
 */
export function startDriver(o: DriverOptions): { stop(): Promise<void>; launched(): number } {
  const kc = o.kc ?? kubeConfig();
  let launched = 0;
  let stopped = false;
  const answered = new Set<string>();
  const parse = (q: string) => {
    const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(q);
    if (!m) throw new Error(`test driver cannot read ${q}`);
    const n = Number(m[1]);
    return m[2] === 'm' ? n / 1000 : m[2] === 'Ki' ? n * 2 ** 10 : m[2] === 'Mi' ? n * 2 ** 20 : m[2] === 'Gi' ? n * 2 ** 30 : n;
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        const offers = (await list<OfferObject>('Offer', o.namespace, kc)).filter(
          (x) => x.spec.framework === o.framework && isOutstanding(x) && !answered.has(x.metadata.name),
        );
        for (const offer of offers) {
          answered.add(offer.metadata.name);
          const have = Object.fromEntries(Object.entries(offer.spec.resources).map(([k, v]) => [k, parse(String(v))]));
          const tasks = [];
          while (launched < o.max && tasks.length < (o.tasksPerOffer ?? 1)) {
            const fits = Object.entries(o.task.resources).every(([k, v]) => (have[k] ?? 0) >= parse(v));
            if (!fits) break;
            for (const [k, v] of Object.entries(o.task.resources)) have[k] = have[k]! - parse(v);
            tasks.push({
              name: `${o.framework}-${++launched}`,
              resources: o.task.resources,
              annotations: o.task.annotations,
              containers: [{ name: 'main', image: 'busybox' }],
            });
          }
          const body = tasks.length > 0 ? { spec: { accept: { tasks } } } : { spec: { decline: { refuseSeconds: o.refuseSeconds ?? 5 } } };
          await patch('Offer', o.namespace, offer.metadata.name, body, kc);
        }
      } catch {
        // the next poll retries
      }
      await sleep(o.pollMs ?? 100);
    }
  })();
  return {
    launched: () => launched,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** The framework's next outstanding offer (optionally for one node). */
export async function waitOffer(namespace: string, framework: string, node?: string, timeoutMs = 20_000): Promise<OfferObject> {
  return eventually(
    `an offer to ${framework}${node ? ` for ${node}` : ''}`,
    async () => {
      const offers = await list<OfferObject>('Offer', namespace);
      return offers.find((o) => o.spec.framework === framework && isOutstanding(o) && (node === undefined || o.spec.nodeName === node));
    },
    timeoutMs,
  );
}

export async function waitTask(
  namespace: string,
  name: string,
  pred: (t: TaskObject) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<TaskObject> {
  let last: TaskObject | undefined;
  try {
    return await eventually(
      `task ${name} ${what}`,
      async () => {
        last = await get<TaskObject>('Task', namespace, name).catch(() => undefined);
        return last !== undefined && pred(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last?.status ?? (last ? 'no status' : 'no Task'))}`);
  }
}

export const task = (name: string, resources: Record<string, string>, annotations?: Record<string, string>) => ({
  name,
  resources,
  ...(annotations ? { annotations } : {}),
  containers: [{ name: 'main', image: 'busybox' }],
});

export async function accept(
  namespace: string,
  offer: OfferObject,
  tasks: ReturnType<typeof task>[],
  refuseSeconds?: number,
): Promise<void> {
  await patch('Offer', namespace, offer.metadata.name, {
    spec: { accept: { tasks, ...(refuseSeconds !== undefined ? { refuseSeconds } : {}) } },
  });
}

/** Checks the invariants; returns a list of violations (empty when all hold). */
export async function violations(namespace: string, nodes: string[], allocatable: ResourceList): Promise<string[]> {
  const out: string[] = [];
  const [offers, tasks, ps] = await Promise.all([
    list<OfferObject>('Offer', namespace),
    list<TaskObject>('Task', namespace),
    pods(namespace),
  ]);
  for (const node of nodes) {
    let held: ResourceList = {};
    // An unanswered offer holds its resources. An answered one holds nothing of its own: its
    // Pods count below, and what they do not use may already be offered again (the answer is
    // applied before it is recorded in the Offer's status).
    const outstanding = new Set<string>();
    for (const o of offers) {
      if (o.spec.nodeName !== node || !isOutstanding(o)) continue;
      outstanding.add(o.metadata.name);
      held = add(held, parseResourceList(o.spec.resources as Record<string, string>));
    }
    for (const p of ps) {
      if (p.spec?.nodeName !== node || !isPodActive(p) || outstanding.has(p.metadata?.annotations?.['agora.dev/offer'] ?? '')) continue;
      held = add(held, podRequests(p));
    }
    const { pods: _p, ...h } = held;
    if (!fits(h, allocatable)) out.push(`node ${node} overcommitted: ${JSON.stringify(h)}`);
  }
  const podsByName = new Map(ps.map((p) => [p.metadata!.name!, p]));
  const taskByName = new Map(tasks.map((t) => [t.metadata.name, t]));
  for (const o of offers) {
    if (o.status?.phase !== 'Accepted') continue;
    for (const name of o.status.tasks ?? []) {
      const t = taskByName.get(name);
      if (t === undefined) {
        out.push(`accepted task ${name} of ${o.metadata.name} has no Task`);
        continue;
      }
      const launched = t.status?.podName !== undefined;
      const pod = podsByName.get(name);
      if (launched && t.status?.state !== 'TASK_LOST' && t.status?.state !== 'TASK_KILLED' && pod === undefined)
        out.push(`task ${name} (${t.status?.state}) has no Pod`);
      if (pod !== undefined && !(pod.metadata?.ownerReferences ?? []).some((r) => r.uid === t.metadata.uid))
        out.push(`Pod ${name} is not owned by its Task`);
    }
  }
  for (const p of ps) {
    const t = taskByName.get(p.metadata!.name!);
    if (t === undefined) out.push(`Pod ${p.metadata?.name} has no Task`);
  }
  return out;
}
