// Allocator benchmarks, after Mesos's HierarchicalAllocator_BENCHMARK_Test.
//
//   node bench/allocator.ts [--workload decline-offers|nested-roles|multi-framework|revocation] [--agents N]
//                           [--frameworks M] [--tasks T] [--cycles C] [--warmup W] [--cpu-time] [--nested-roles]
//
// decline-offers (default) replays DeclineOffers: every agent has cpu 24, memory 4096Mi,
// ephemeral-storage 4096Mi (Mesos's disk) and ports 31000-32000, modelled as an extended
// count resource `ports` of 1001 (the allocator needs only how many are free, not which);
// cpu 16, memory 2014Mi, ephemeral-storage 1024Mi of each agent are pre-allocated to
// framework (agent mod M); every framework is in one role and declines every offer with an
// infinite refuse filter. Each timed cycle is one allocate() call; declines are applied
// between cycles, untimed. Prints one JSON line.
//
// nested-roles: DeclineOffers with the frameworks spread over a three-level role tree of 100
// roles — 4 top-level roles (weights 1-4), 4 children each (16), 5 leaves under each of those
// (80; weights 1-2) — the frameworks round-robin over the 80 leaves (e.g. t2/m1/l4).
//
// multi-framework: see bench/multi-framework.ts. revocation: see bench/revocation.ts (--agents
// is its node count; defaults 10,000 nodes × 1,000 frameworks × 100,000 tasks, 10 victims a cycle;
// --nested-roles puts its ten roles under one parent, for the filling over the role tree).
import { parseArgs } from 'node:util';
import { Allocator } from '../src/allocator/index.ts';
import { runMultiFramework } from './multi-framework.ts';
import { runRevocation } from './revocation.ts';
import { median, percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'decline-offers' },
    agents: { type: 'string' },
    frameworks: { type: 'string' },
    tasks: { type: 'string' },
    'max-revocations': { type: 'string' },
    cycles: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    'cpu-time': { type: 'boolean', default: false },
    'nested-roles': { type: 'boolean', default: false },
  },
});

function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`bench: --${name} must be a non-negative integer, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

const MiB = 2 ** 20;

const round = (x: number) => Math.round(x * 100) / 100;

/** The nested-roles tree: 4 × 4 × 5 (100 roles), weighted; returns the 80 leaves. */
function nestedRoles(a: Allocator): string[] {
  const leaves: string[] = [];
  for (let t = 0; t < 4; t++) {
    a.upsertRole({ name: `t${t}`, weight: t + 1 });
    for (let m = 0; m < 4; m++) {
      a.upsertRole({ name: `t${t}/m${m}` });
      for (let l = 0; l < 5; l++) {
        leaves.push(`t${t}/m${m}/l${l}`);
        a.upsertRole({ name: leaves.at(-1)!, weight: 1 + (l % 2) });
      }
    }
  }
  return leaves;
}

function declineOffers(agents: number, frameworks: number, cycles: number, warmup: number, nested: boolean): void {
  const a = new Allocator();
  const leaves = nested ? nestedRoles(a) : ['role1'];
  const names: string[] = [];
  for (let f = 0; f < frameworks; f++) {
    const name = `framework-${f}`;
    names.push(name);
    a.upsertFramework({ name, role: leaves[f % leaves.length]! });
  }
  for (let i = 0; i < agents; i++) {
    const node = `agent-${i}`;
    a.upsertNode({ name: node, allocatable: { cpu: 24_000, memory: 4096 * MiB, 'ephemeral-storage': 4096 * MiB, ports: 1001 } });
    a.setAllocation(names[i % frameworks]!, node, { cpu: 16_000, memory: 2014 * MiB, 'ephemeral-storage': 1024 * MiB });
  }
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let offers = 0;
  let now = 0;
  for (let c = 0; c < warmup + cycles; c++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = a.allocate(now);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (c >= warmup) {
      times.push(ms);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      offers += result.offers.length;
    }
    for (const o of result.offers) a.decline(o.offerId, now, Infinity);
    now += 1000;
  }
  times.sort((x, y) => x - y);
  cpuTimes.sort((x, y) => x - y);
  const out: Record<string, unknown> = {
    workload: nested ? 'NestedRolesDeclineOffers' : 'DeclineOffers',
    agents,
    frameworks,
    cycles,
    medianMs: round(median(times)),
    p99Ms: round(percentile(times, 99)),
    offers,
  };
  // On a shared machine wall time includes waiting for a core; CPU time does not.
  if (values['cpu-time']) out.cpuMedianMs = round(median(cpuTimes));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (import.meta.main) {
  const cycles = intFlag('cycles', values.cycles, 20);
  const warmup = intFlag('warmup', values.warmup, 2);
  if (values.workload === 'decline-offers' || values.workload === 'DeclineOffers') {
    declineOffers(intFlag('agents', values.agents, 1000), intFlag('frameworks', values.frameworks, 100), cycles, warmup, false);
  } else if (values.workload === 'nested-roles' || values.workload === 'NestedRolesDeclineOffers') {
    declineOffers(intFlag('agents', values.agents, 10_000), intFlag('frameworks', values.frameworks, 1000), cycles, warmup, true);
  } else if (values.workload === 'multi-framework' || values.workload === 'MultiFrameworkAllocations') {
    runMultiFramework({ agents: intFlag('agents', values.agents, 80) });
  } else if (values.workload === 'revocation' || values.workload === 'Revocation') {
    const out = runRevocation({
      nodes: intFlag('agents', values.agents, 10_000),
      frameworks: intFlag('frameworks', values.frameworks, 1000),
      tasks: intFlag('tasks', values.tasks, 100_000),
      maxRevocations: intFlag('max-revocations', values['max-revocations'], 10),
      cycles: intFlag('cycles', values.cycles, 20),
      warmup,
      cpuTime: values['cpu-time'],
      nested: values['nested-roles'],
    });
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stderr.write(
      `bench: unknown --workload ${JSON.stringify(values.workload)} (decline-offers, nested-roles, multi-framework, revocation)\n`,
    );
    process.exit(2);
  }
}
