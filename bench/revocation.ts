// The revocation workload: the time to compute the fair allocation of the whole cluster and
// choose victims (src/allocator/victims.ts, planRevocations), on a cluster that hoarders have
// filled and that newcomers wait for.
//
// N nodes of 32 CPU / 128 GiB / 110 pods; the first 90 % of the M frameworks ("hoarders",
// in 10 roles) run T tasks of 3 CPU / 12 GiB between them, ten to a node, leaving 2 CPU free on
// each: no newcomer's task fits anywhere. The other 10 % ("newcomers", in the same roles) run
// nothing and each want 1,000 tasks of 4 CPU / 16 GiB. Each timed cycle is one
// planRevocations() call with at most --max-revocations victims; the victims it chose are then
// marked revoking (their notices given), untimed, as the controller does between cycles.
import { planRevocations, type RunningTask, type RevocationSnapshot } from '../src/allocator/index.ts';
import { median, percentile } from './stats.ts';

const GiB = 2 ** 30;

export interface RevocationBench {
  nodes: number;
  frameworks: number;
  tasks: number;
  cycles: number;
  warmup: number;
  maxRevocations: number;
  /** Also report the median CPU time (user + system of the process) per cycle. */
  cpuTime?: boolean;
  /** The ten roles as children of one parent (`t/r0` …): the filling over the role tree. */
  nested?: boolean;
}

export function revocationSnapshot(o: Pick<RevocationBench, 'nodes' | 'frameworks' | 'tasks' | 'nested'>): RevocationSnapshot {
  const role = (r: number) => (o.nested === true ? `t/r${r}` : `r${r}`);
  const hoarders = Math.max(1, Math.floor(o.frameworks * 0.9));
  const perNode = 10;
  const task = { cpu: 3000, memory: 12 * GiB, pods: 1 };
  const capacity = { cpu: 32_000, memory: 128 * GiB, pods: 110 };
  const tasks: RunningTask[] = [];
  const load = new Array<number>(o.nodes).fill(0);
  for (let i = 0; i < o.tasks; i++) {
    const node = i % o.nodes;
    if (load[node]! >= perNode) continue;
    load[node]!++;
    tasks.push({ id: `t${i}`, framework: `f${i % hoarders}`, node: `n${node}`, resources: task, priority: i % 3, startedAt: i });
  }
  return {
    nodes: Array.from({ length: o.nodes }, (_, i) => ({
      name: `n${i}`,
      capacity,
      free: { cpu: capacity.cpu - load[i]! * task.cpu, memory: capacity.memory - load[i]! * task.memory, pods: capacity.pods - load[i]! },
    })),
    roles: Array.from({ length: 10 }, (_, r) => ({ name: role(r), weight: 1 + (r % 3) })),
    frameworks: Array.from({ length: o.frameworks }, (_, f) => ({
      name: `f${f}`,
      role: role(f % 10),
      demand: f < hoarders ? [] : [{ resources: { cpu: 4000, memory: 16 * GiB, pods: 1 }, count: 1000 }],
    })),
    tasks,
  };
}

export function runRevocation(o: RevocationBench): Record<string, unknown> {
  const snapshot = revocationSnapshot(o);
  const byId = new Map(snapshot.tasks.map((t) => [t.id, t]));
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let revoked = 0;
  for (let c = 0; c < o.warmup + o.cycles; c++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = planRevocations(snapshot, { maxRevocations: o.maxRevocations });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (c >= o.warmup) {
      times.push(ms);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      revoked += plan.revocations.length;
    }
    for (const d of plan.revocations) byId.get(d.task)!.revoking = true;
  }
  times.sort((x, y) => x - y);
  cpuTimes.sort((x, y) => x - y);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    workload: o.nested === true ? 'RevocationNestedRoles' : 'Revocation',
    nodes: o.nodes,
    frameworks: o.frameworks,
    tasks: snapshot.tasks.length,
    cycles: o.cycles,
    maxRevocations: o.maxRevocations,
    medianMs: round(median(times)),
    p99Ms: round(percentile(times, 99)),
    ...(o.cpuTime ? { cpuMedianMs: round(median(cpuTimes)) } : {}),
    revocations: revoked,
  };
}
