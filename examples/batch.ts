// An elastic batch framework (Spark-like): many short tasks, and it takes whatever it is
// offered — every offer is filled with as many pending tasks as fit. Failed tasks are retried
// up to --retries times. When every task has finished it unregisters and exits.
//
//   node examples/batch.ts --namespace demo --tasks 40 --cpu 500m --memory 512Mi --duration 3s
import {
  SchedulerDriver,
  TERMINAL_TASK_STATES,
  copiesThatFit,
  type OfferObject,
  type TaskInfo,
  type TaskUpdate,
} from '../src/sdk/index.ts';
import { aborted, boolean, count, optionalText, parseFlags, runMain, simulated, text, type Common } from './support.ts';

export interface BatchOptions extends Common {
  tasks: number;
  cpu: string;
  memory: string;
  /** How long each task runs (on the local kwok cluster, via the simulation annotations). */
  duration?: string;
  /** Tasks whose first attempt crashes with exit code 1 (to show retries). */
  crash?: number;
  retries?: number;
  image?: string;
  /** Keep the Framework registered when done (default: unregister). */
  keep?: boolean;
  signal?: AbortSignal;
}

export interface BatchResult {
  finished: number;
  failed: number;
  attempts: number;
}

export async function runBatch(o: BatchOptions): Promise<BatchResult> {
  const driver = await SchedulerDriver.start({
    kubeConfig: o.kubeConfig,
    namespace: o.namespace,
    name: o.name,
    logger: o.log,
    spec: { role: o.role, failoverTimeoutSeconds: 60, suppressed: false },
  });
  const log = driver.log;
  const retries = o.retries ?? 3;
  const resources = { cpu: o.cpu, memory: o.memory };
  const pending: number[] = [];
  const attempts = new Map<number, number>();
  const running = new Map<string, number>();
  const finished = new Set<number>();
  const failed = new Set<number>();
  let launches = 0;

  // Reconcile: adopt the tasks of an earlier run of this framework (a restarted scheduler).
  const parse = (name: string) => /-t(\d+)-a(\d+)$/.exec(name);
  for (const s of await driver.reconcile()) {
    const m = parse(s.name);
    if (!m) continue;
    const i = Number(m[1]);
    attempts.set(i, Math.max(attempts.get(i) ?? 0, Number(m[2]) + 1));
    if (s.state === 'TASK_FINISHED') finished.add(i);
    else if (!TERMINAL_TASK_STATES.has(s.state)) running.set(s.name, i);
  }
  for (let i = 0; i < o.tasks; i++) if (!finished.has(i) && ![...running.values()].includes(i)) pending.push(i);
  log.info({ pending: pending.length, running: running.size, finished: finished.size }, 'batch started');
  // What is still to launch, published so that Agora offers about that much and no more.
  const publishDemand = () => void driver.setDemand([{ resources, count: pending.length }]);
  publishDemand();

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const checkDone = () => {
    if (pending.length === 0 && running.size === 0) resolveDone();
  };
  checkDone();

  const onUpdate = (s: TaskUpdate) => {
    const i = running.get(s.name);
    if (i === undefined || !TERMINAL_TASK_STATES.has(s.state)) return;
    running.delete(s.name);
    if (s.state === 'TASK_FINISHED') finished.add(i);
    else if ((attempts.get(i) ?? 0) <= retries) {
      log.info({ task: s.name, state: s.state, reason: s.reason }, 'task failed; will retry');
      pending.push(i);
      publishDemand();
      void driver.wantOffers(true);
    } else failed.add(i);
    checkDone();
  };
  driver.on('update', onUpdate);

  const task = (i: number): TaskInfo => {
    const attempt = attempts.get(i) ?? 0;
    attempts.set(i, attempt + 1);
    const crash = attempt === 0 && i < (o.crash ?? 0);
    return {
      name: `${o.name}-t${i}-a${attempt}`,
      resources,
      containers: [{ name: 'work', image: o.image ?? 'busybox' }],
      labels: { 'agora.dev/example': 'batch' },
      ...(o.duration ? { annotations: simulated(crash ? 1 : 0, o.duration) } : {}),
    };
  };

  const answer = async (offer: OfferObject) => {
    const n = copiesThatFit(offer.spec.resources, resources, pending.length);
    if (n === 0) {
      // Nothing left to launch: stop receiving offers until a retry needs one.
      if (pending.length === 0) void driver.wantOffers(false);
      await driver.decline(offer, { refuseSeconds: pending.length === 0 ? 30 : 5 });
      return;
    }
    const indices = pending.splice(0, n);
    publishDemand();
    const tasks = indices.map(task);
    tasks.forEach((t, k) => running.set(t.name, indices[k]!));
    const res = await driver.accept(offer, tasks);
    if (res.ok) {
      launches += n;
      log.info({ offer: res.offer, node: offer.spec.nodeName, tasks: n }, 'launched');
    } else {
      // Rescinded or expired while we answered: the tasks go back to the queue.
      log.info({ offer: res.offer, reason: res.reason }, 'offer lost');
      for (const t of tasks) running.delete(t.name);
      pending.unshift(...indices);
      publishDemand();
    }
  };

  const loop = (async () => {
    for await (const offer of driver.offers()) await answer(offer);
  })();
  await Promise.race([done, aborted(o.signal)]);
  driver.off('update', onUpdate);
  if (o.keep || o.signal?.aborted) await driver.stop();
  else await driver.teardown();
  await loop;
  const result = { finished: finished.size, failed: failed.size, attempts: launches };
  log.info(result, 'batch done');
  return result;
}

if (import.meta.main) {
  const { common, flags } = parseFlags(
    process.argv.slice(2),
    {
      name: 'batch',
      role: 'batch',
      usage: 'usage: node examples/batch.ts [--tasks 20] [--cpu 500m] [--memory 512Mi] [--duration 3s] [--crash N] [--retries 3] [--keep]',
    },
    {
      tasks: count(20),
      cpu: text('500m'),
      memory: text('512Mi'),
      duration: optionalText(),
      crash: count(0),
      retries: count(3),
      image: text('busybox'),
      keep: boolean(),
    },
  );
  await runMain((signal) => runBatch({ ...common, ...flags, signal }));
}
