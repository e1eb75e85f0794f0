// A fixed-size gang framework (MPI-like): all N tasks start together or none do. It holds the
// offers it receives until together they fit the whole gang, then accepts them all at once. It
// never hoards: offers held for --hold without completing a gang are declined (refused for
// --refuse seconds) so other frameworks can use them. If any part of a launch is lost (an offer
// rescinded at the last moment) or any member fails, the rest of the gang is killed and the gang
// is formed again. Exits when every member has finished.
//
//   node examples/gang.ts --namespace demo --size 4 --cpu 2 --memory 2Gi --duration 5s
import { setTimeout as sleep } from 'node:timers/promises';
import { parseResourceList, subtract, type ResourceList } from '../src/api/quantity.ts';
import {
  SchedulerDriver,
  TERMINAL_TASK_STATES,
  shortfalls,
  type AnswerResult,
  type OfferObject,
  type TaskInfo,
  type TaskUpdate,
} from '../src/sdk/index.ts';
import { aborted, boolean, count, optionalText, parseFlags, runMain, simulated, text, type Common } from './support.ts';

export interface GangOptions extends Common {
  size: number;
  cpu: string;
  memory: string;
  duration?: string;
  /** How long offers are held waiting for a full gang, ms. */
  holdMs?: number;
  /** How long released offers are refused, seconds. */
  refuseSeconds?: number;
  /** How many times the gang may be re-formed after a failure. */
  retries?: number;
  image?: string;
  keep?: boolean;
  signal?: AbortSignal;
  /** Called on every gang event (for tests and logs). */
  onEvent?: (e: GangEvent) => void;
}

export type GangEvent =
  | { type: 'held'; offers: number; node: string }
  | { type: 'released'; offers: number; reason: string }
  | { type: 'launched'; generation: number; tasks: string[] }
  | { type: 'aborted'; generation: number; reason: string }
  | { type: 'finished'; generation: number };

export interface GangResult {
  finished: boolean;
  generations: number;
}

/**
 * Pure: places `size` tasks of `per` onto held offers, first-fit in offer order. Returns, per
 * offer name, how many tasks it gets, or undefined if the gang does not fit.
 */
export function placeGang(
  offers: readonly { name: string; resources: Record<string, string | number> }[],
  per: Record<string, string | number>,
  size: number,
): Map<string, number> | undefined {
  const want = parseResourceList(per);
  const placement = new Map<string, number>();
  let left = size;
  for (const o of offers) {
    let free: ResourceList = parseResourceList(o.resources);
    let n = 0;
    while (left > 0 && shortfalls(want, free).length === 0) {
      free = subtract(free, want);
      n++;
      left--;
    }
    if (n > 0) placement.set(o.name, n);
    if (left === 0) return placement;
  }
  return undefined;
}

export async function runGang(o: GangOptions): Promise<GangResult> {
  const driver = await SchedulerDriver.start({
    kubeConfig: o.kubeConfig,
    namespace: o.namespace,
    name: o.name,
    logger: o.log,
    spec: { role: o.role, failoverTimeoutSeconds: 60, suppressed: false },
  });
  const log = driver.log;
  const emit = (e: GangEvent) => {
    log.info(e, `gang ${e.type}`);
    o.onEvent?.(e);
  };
  const per = { cpu: o.cpu, memory: o.memory };
  const holdMs = o.holdMs ?? 10_000;
  const refuse = o.refuseSeconds ?? 3;
  const held = new Map<string, OfferObject>();
  let holdTimer: NodeJS.Timeout | undefined;
  let generation = 0;
  let members = new Map<string, string | undefined>(); // task name → terminal state
  let busy = false;

  let resolveDone!: (finished: boolean) => void;
  const done = new Promise<boolean>((r) => (resolveDone = r));

  const release = async (reason: string) => {
    if (holdTimer) clearTimeout(holdTimer);
    holdTimer = undefined;
    const offers = [...held.values()];
    held.clear();
    if (offers.length === 0) return;
    emit({ type: 'released', offers: offers.length, reason });
    await Promise.all(offers.map((x) => driver.decline(x, { refuseSeconds: refuse })));
  };

  const killGang = async (reason: string) => {
    emit({ type: 'aborted', generation, reason });
    await Promise.all([...members.keys()].map((t) => driver.kill(t)));
    members = new Map();
    if (generation > (o.retries ?? 3)) resolveDone(false);
    else await driver.wantOffers(true);
  };

  const tryLaunch = async () => {
    const offers = [...held.values()].filter((x) => x.status?.phase === undefined || x.status.phase === 'Outstanding');
    const placement = placeGang(
      offers.map((x) => ({ name: x.metadata!.name!, resources: x.spec.resources })),
      per,
      o.size,
    );
    if (placement === undefined) return;
    if (holdTimer) clearTimeout(holdTimer);
    holdTimer = undefined;
    busy = true;
    generation++;
    const tasks: TaskInfo[] = [];
    const accepts: Promise<AnswerResult>[] = [];
    let k = 0;
    for (const offer of offers) {
      const n = placement.get(offer.metadata!.name!) ?? 0;
      const mine: TaskInfo[] = [];
      for (let i = 0; i < n; i++) {
        mine.push({
          name: `${o.name}-g${generation}-${k++}`,
          resources: per,
          containers: [{ name: 'rank', image: o.image ?? 'busybox' }],
          labels: { 'agora.dev/example': 'gang', 'agora.dev/gang-generation': String(generation) },
          ...(o.duration ? { annotations: simulated(0, o.duration) } : {}),
        });
      }
      tasks.push(...mine);
      accepts.push(n > 0 ? driver.accept(offer, mine) : driver.decline(offer, { refuseSeconds: refuse }));
    }
    held.clear();
    members = new Map(tasks.map((t) => [t.name, undefined]));
    const results = await Promise.all(accepts);
    const lost = results.filter((r) => !r.ok);
    await driver.wantOffers(false);
    if (lost.length > 0) {
      // Part of the gang could not launch: all or nothing, so kill the part that did.
      await killGang(`offers lost while launching: ${lost.map((r) => (r.ok ? '' : `${r.offer} ${r.reason}`)).join(', ')}`);
    } else {
      emit({ type: 'launched', generation, tasks: tasks.map((t) => t.name) });
    }
    busy = false;
  };

  driver.on('update', (s: TaskUpdate) => {
    if (!members.has(s.name) || !TERMINAL_TASK_STATES.has(s.state)) return;
    members.set(s.name, s.state);
    if (s.state !== 'TASK_FINISHED') {
      void killGang(`${s.name} ${s.state}${s.reason ? ` (${s.reason})` : ''}`);
      return;
    }
    if ([...members.values()].every((st) => st === 'TASK_FINISHED')) {
      emit({ type: 'finished', generation });
      resolveDone(true);
    }
  });
  driver.on('rescinded', (offer) => held.delete(offer.metadata?.name ?? ''));

  const loop = (async () => {
    for await (const offer of driver.offers()) {
      if (busy || members.size > 0) {
        await driver.decline(offer, { refuseSeconds: 30 });
        continue;
      }
      held.set(offer.metadata!.name!, offer);
      emit({ type: 'held', offers: held.size, node: offer.spec.nodeName });
      // Never hold past the offer's own expiry, nor past --hold.
      if (holdTimer === undefined) {
        const expires = offer.spec.expiresAt ? Date.parse(offer.spec.expiresAt) - Date.now() - 1000 : holdMs;
        holdTimer = setTimeout(() => void release('gang incomplete before the hold timeout'), Math.max(0, Math.min(holdMs, expires)));
      }
      await tryLaunch();
    }
  })();

  const finished = await Promise.race([done, aborted(o.signal).then(() => false)]);
  await release('stopping');
  await sleep(0);
  if (o.keep || o.signal?.aborted) await driver.stop();
  else await driver.teardown();
  await loop;
  return { finished, generations: generation };
}

if (import.meta.main) {
  const { common, flags } = parseFlags(
    process.argv.slice(2),
    {
      name: 'gang',
      role: 'hpc',
      usage:
        'usage: node examples/gang.ts [--size 4] [--cpu 2] [--memory 2Gi] [--duration 5s] [--hold 10 (s)] [--refuse 3 (s)] [--retries 3] [--keep]',
    },
    {
      size: count(4),
      cpu: text('2'),
      memory: text('2Gi'),
      duration: optionalText(),
      hold: count(10),
      refuse: count(3),
      retries: count(3),
      image: text('busybox'),
      keep: boolean(),
    },
  );
  const { hold, refuse, ...rest } = flags;
  await runMain((signal) => runGang({ ...common, ...rest, holdMs: hold * 1000, refuseSeconds: refuse, signal }));
}
