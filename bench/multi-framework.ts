// The multi-framework workload, modelled on Mesos's MultiFrameworkAllocations benchmark:
// 80 agents of 64 CPUs / 488 GB, and three kinds of frameworks competing for them —
//   4 Marathon-like  (long-running services: many small tasks, 0.5 cpu / 1 GiB, 500 each),
//   500 Jenkins-like (CI: a few 1 cpu / 2 GiB tasks each, 4 each),
//   50 Spark-like    (batch: 2 cpu / 8 GiB executors, 200 each, 20 per offer),
// which together ask for far more than the cluster has, so DRF decides who gets what.
// Frameworks accept up to tasksPerOffer tasks that fit, decline offers in
// which nothing fits (refuse until revive), suppress when done; time advances 1 s per cycle. Runs until a cycle
// makes no offer, then prints one JSON line: cycle times and the final dominant shares.
import { Allocator } from '../src/allocator/index.ts';
import type { ResourceList } from '../src/allocator/index.ts';
import { fits } from '../src/api/fit.ts';
import { subtract } from '../src/api/quantity.ts';
import { median, percentile } from './stats.ts';

interface Profile {
  kind: string;
  count: number;
  task: ResourceList;
  tasks: number;
  tasksPerOffer: number;
}

const GiB = 2 ** 30;
const PROFILES: Profile[] = [
  { kind: 'marathon', count: 4, task: { cpu: 500, memory: 1 * GiB }, tasks: 500, tasksPerOffer: 10 },
  { kind: 'jenkins', count: 500, task: { cpu: 1000, memory: 2 * GiB }, tasks: 4, tasksPerOffer: 4 },
  { kind: 'spark', count: 50, task: { cpu: 2000, memory: 8 * GiB }, tasks: 200, tasksPerOffer: 20 },
];

export function runMultiFramework({ agents = 80 }: { agents?: number } = {}): void {
  const a = new Allocator();
  for (let i = 0; i < agents; i++) a.upsertNode({ name: `agent-${i}`, allocatable: { cpu: 64_000, memory: 488e9 } });
  const fws = new Map<string, Profile & { launched: number }>();
  for (const p of PROFILES) {
    for (let i = 0; i < p.count; i++) {
      const name = `${p.kind}-${i}`;
      fws.set(name, { ...p, launched: 0 });
      a.upsertFramework({ name, role: p.kind === 'jenkins' ? 'ci' : p.kind === 'spark' ? 'analytics' : 'services' });
    }
  }
  const times: number[] = [];
  let now = 0;
  let offers = 0;
  let launched = 0;
  for (let cycle = 0; cycle < 100_000; cycle++) {
    const t0 = performance.now();
    const r = a.allocate(now);
    times.push(performance.now() - t0);
    if (r.offers.length === 0) break;
    offers += r.offers.length;
    for (const o of r.offers) {
      const f = fws.get(o.framework)!;
      let left = o.resources;
      let k = 0;
      while (k < f.tasksPerOffer && f.launched < f.tasks && fits(f.task, left)) {
        left = subtract(left, f.task);
        k++;
        f.launched++;
      }
      if (k === 0) {
        a.decline(o.offerId, now, Infinity);
        continue;
      }
      launched += k;
      const used: ResourceList = {};
      for (const [res, v] of Object.entries(f.task)) used[res] = v * k;
      a.accept(o.offerId, now, used);
      if (f.launched >= f.tasks) a.suppress(o.framework);
    }
    now += 1000;
  }
  const shares: Record<string, { frameworks: number; tasks: number; minShare: number; maxShare: number; meanShare: number }> = {};
  for (const p of PROFILES) {
    const s = [...fws.entries()].filter(([, f]) => f.kind === p.kind).map(([name]) => a.frameworkStatus(name)!.dominantShare);
    const tasks = [...fws.values()].filter((f) => f.kind === p.kind).reduce((n, f) => n + f.launched, 0);
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    shares[p.kind] = {
      frameworks: p.count,
      tasks,
      minShare: r4(Math.min(...s)),
      maxShare: r4(Math.max(...s)),
      meanShare: r4(s.reduce((x, y) => x + y, 0) / s.length),
    };
  }
  const sorted = [...times].sort((x, y) => x - y);
  const round = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      workload: 'MultiFrameworkAllocations',
      agents,
      frameworks: fws.size,
      cycles: times.length,
      medianMs: round(median(sorted)),
      p99Ms: round(percentile(sorted, 99)),
      offers,
      tasks: launched,
      dominantShares: shares,
    })}\n`,
  );
}
