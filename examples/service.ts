// A service framework (Marathon-like): keeps --instances copies of a long-running task
// running. An instance that is lost, fails, is killed or exits is replaced on the next offer
// that fits. While every instance runs it suppresses offers; it revives when one must be
// replaced. Runs until Ctrl-C (the instances keep running: --teardown removes them too).
// Run a second copy with --standby for failover: it waits, takes over when the first one's
// Lease lapses, and adopts the running instances; a copy started without --standby replaces
// the active one, which prints its result and exits.
//
//   node examples/service.ts --namespace demo --instances 3 --cpu 1 --memory 1Gi
//   node examples/service.ts --namespace demo --instances 3 --cpu 1 --memory 1Gi --standby
import {
  SchedulerDriver,
  TERMINAL_TASK_STATES,
  copiesThatFit,
  type FailedOver,
  type OfferObject,
  type TaskInfo,
  type TaskUpdate,
} from '../src/sdk/index.ts';
import { aborted, boolean, count, optionalText, parseFlags, runMain, simulated, text, type Common } from './support.ts';

export interface ServiceOptions extends Common {
  instances: number;
  cpu: string;
  memory: string;
  image?: string;
  /** Make the very first instance crash after this long (e.g. `5s`), to watch it be replaced. */
  crashFirstAfter?: string;
  /** The framework's failover timeout (default 300 s): its instances outlive a dead scheduler this long. */
  failoverTimeoutSeconds?: number;
  /** Wait as a hot standby (startService resolves once this copy is the active one). */
  standby?: boolean;
  onEvent?: (e: ServiceEvent) => void;
}

export type ServiceEvent =
  | { type: 'launched'; slot: number; task: string; node: string }
  | { type: 'lost'; slot: number; task: string; state: string; reason?: string }
  | { type: 'failedOver'; reason: string; by?: string };

export interface Service {
  driver: SchedulerDriver;
  /** Task names of the instances currently running (TASK_RUNNING). */
  running(): string[];
  /** How many instances were replaced. */
  replaced(): number;
  /** Resolves if another copy of the scheduler replaces this one (it has stopped answering). */
  failedOver: Promise<FailedOver>;
  /** Stops scheduling; `teardown` also unregisters (killing the instances). */
  stop(opts?: { teardown?: boolean }): Promise<void>;
}

interface Slot {
  task: string | undefined;
  state: string | undefined;
  generation: number;
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const driver = await SchedulerDriver.start({
    kubeConfig: o.kubeConfig,
    namespace: o.namespace,
    name: o.name,
    logger: o.log,
    spec: { role: o.role, failoverTimeoutSeconds: o.failoverTimeoutSeconds ?? 300, suppressed: false },
    standby: o.standby,
  });
  const log = driver.log;
  const emit = (e: ServiceEvent) => {
    log.info(e, `instance ${e.type}`);
    o.onEvent?.(e);
  };
  const per = { cpu: o.cpu, memory: o.memory };
  const slots: Slot[] = Array.from({ length: o.instances }, () => ({ task: undefined, state: undefined, generation: 0 }));
  const bySlotTask = new Map<string, number>();
  let replacements = 0;

  // Reconcile: adopt instances an earlier run of this scheduler launched.
  for (const s of await driver.reconcile()) {
    const m = /-i(\d+)-(\d+)$/.exec(s.name);
    const slot = m ? slots[Number(m[1])] : undefined;
    if (!m || slot === undefined) continue;
    slot.generation = Math.max(slot.generation, Number(m[2]) + 1);
    if (!TERMINAL_TASK_STATES.has(s.state)) {
      slot.task = s.name;
      slot.state = s.state;
      bySlotTask.set(s.name, Number(m[1]));
    }
  }
  const needed = () => slots.map((s, i) => (s.task === undefined ? i : -1)).filter((i) => i >= 0);

  driver.on('update', (s: TaskUpdate) => {
    const i = bySlotTask.get(s.name);
    if (i === undefined) return;
    const slot = slots[i]!;
    slot.state = s.state;
    if (!TERMINAL_TASK_STATES.has(s.state)) return;
    bySlotTask.delete(s.name);
    slot.task = undefined;
    replacements++;
    emit({ type: 'lost', slot: i, task: s.name, state: s.state, reason: s.reason });
    void driver.wantOffers(true);
  });

  const instance = (i: number): TaskInfo => {
    const slot = slots[i]!;
    const name = `${o.name}-i${i}-${slot.generation++}`;
    const crash = o.crashFirstAfter !== undefined && i === 0 && name.endsWith('-i0-0');
    return {
      name,
      resources: per,
      containers: [{ name: 'server', image: o.image ?? 'nginx' }],
      labels: { 'agora.dev/example': 'service', 'agora.dev/instance': String(i) },
      ...(crash ? { annotations: simulated(1, o.crashFirstAfter!) } : {}),
    };
  };

  const answer = async (offer: OfferObject) => {
    const want = needed();
    const n = copiesThatFit(offer.spec.resources, per, want.length);
    if (n === 0) {
      if (want.length === 0) void driver.wantOffers(false);
      await driver.decline(offer, { refuseSeconds: want.length === 0 ? 30 : 5 });
      return;
    }
    const chosen = want.slice(0, n);
    const tasks = chosen.map(instance);
    chosen.forEach((i, k) => {
      slots[i]!.task = tasks[k]!.name;
      bySlotTask.set(tasks[k]!.name, i);
    });
    const res = await driver.accept(offer, tasks);
    if (!res.ok) {
      log.info({ offer: res.offer, reason: res.reason }, 'offer lost');
      for (const [k, i] of chosen.entries()) {
        bySlotTask.delete(tasks[k]!.name);
        slots[i]!.task = undefined;
      }
      return;
    }
    chosen.forEach((i, k) => emit({ type: 'launched', slot: i, task: tasks[k]!.name, node: offer.spec.nodeName }));
    if (needed().length === 0) void driver.wantOffers(false);
  };

  const failedOver = new Promise<FailedOver>((resolve) =>
    driver.on('failedOver', (f) => {
      emit({ type: 'failedOver', ...f });
      resolve(f);
    }),
  );
  const loop = (async () => {
    for await (const offer of driver.offers()) await answer(offer);
  })();
  if (needed().length > 0) void driver.wantOffers(true);

  return {
    driver,
    running: () => slots.filter((s) => s.state === 'TASK_RUNNING').map((s) => s.task!),
    replaced: () => replacements,
    failedOver,
    async stop(opts = {}) {
      if (opts.teardown) await driver.teardown();
      else await driver.stop();
      await loop;
    },
  };
}

if (import.meta.main) {
  const { common, flags } = parseFlags(
    process.argv.slice(2),
    {
      name: 'web',
      role: 'service',
      usage:
        'usage: node examples/service.ts [--instances 3] [--cpu 1] [--memory 1Gi] [--crash-first-after 5s] [--failover-timeout 300 (s)] [--standby] [--teardown]',
    },
    {
      instances: count(3),
      cpu: text('1'),
      memory: text('1Gi'),
      image: text('nginx'),
      'crash-first-after': optionalText(),
      'failover-timeout': count(300),
      standby: boolean(),
      teardown: boolean(),
    },
  );
  const { 'crash-first-after': crashFirstAfter, 'failover-timeout': failoverTimeoutSeconds, teardown, ...rest } = flags;
  await runMain(async (signal) => {
    const svc = await startService({ ...common, ...rest, crashFirstAfter, failoverTimeoutSeconds });
    const failedOver = await Promise.race([aborted(signal).then(() => undefined), svc.failedOver]);
    if (failedOver === undefined) await svc.stop({ teardown });
    return { running: svc.running().length, replaced: svc.replaced(), ...(failedOver ? { failedOver } : {}) };
  });
}
