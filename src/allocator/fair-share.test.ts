import { describe, expect, it } from 'vitest';
import { fairShares, type RevocationFramework, type RevocationRole, type RunningTask } from './fair-share.ts';

const GiB = 2 ** 30;

function node(name: string, cores: number, gib: number) {
  const capacity = { cpu: cores * 1000, memory: gib * GiB };
  return { name, capacity, free: capacity };
}

function tasks(framework: string, n: number, cpu: number, gib: number, nodeName = 'n1'): RunningTask[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${framework}-${i}`,
    framework,
    node: nodeName,
    resources: { cpu: cpu * 1000, memory: gib * GiB },
    startedAt: i,
  }));
}

function want(cpu: number, gib: number, count = 1000) {
  return [{ resources: { cpu: cpu * 1000, memory: gib * GiB }, count }];
}

describe('fairShares (progressive filling over the whole cluster)', () => {
  it.each<{
    name: string;
    cores: number;
    gib: number;
    roles?: RevocationRole[];
    frameworks: RevocationFramework[];
    running?: RunningTask[];
    wantTasks: Record<string, number>;
  }>([
    {
      // The DRF paper: A <1 CPU, 4 GiB>, B <3 CPU, 1 GiB> on <9, 18>: A 3 tasks, B 2 — even when A
      // arrived first and runs 4.
      name: 'the DRF paper, A arrived first',
      cores: 9,
      gib: 18,
      frameworks: [
        { name: 'A', demand: want(1, 4) },
        { name: 'B', demand: want(3, 1) },
      ],
      running: tasks('A', 4, 1, 4),
      wantTasks: { A: 3, B: 2 },
    },
    {
      // weights 2:1 over 12 CPU: 8 and 4
      name: 'role weights',
      cores: 12,
      gib: 1000,
      roles: [{ name: 'heavy', weight: 2 }],
      frameworks: [
        { name: 'h', role: 'heavy', demand: want(1, 1) },
        { name: 'l', role: 'light', demand: want(1, 1) },
      ],
      wantTasks: { h: 8, l: 4 },
    },
    {
      // guarantee 6 of 10 CPU: 6 first, the other role fills the rest (4)
      name: 'a guarantee is filled first',
      cores: 10,
      gib: 1000,
      roles: [{ name: 'g', guarantee: { cpu: 6000 } }],
      frameworks: [
        { name: 'g1', role: 'g', demand: want(1, 1) },
        { name: 'o1', role: 'o', demand: want(1, 1) },
      ],
      wantTasks: { g1: 6, o1: 4 },
    },
    {
      // limit 2 CPU: 2, the rest to the other role
      name: 'a limit is never exceeded',
      cores: 10,
      gib: 1000,
      roles: [{ name: 'l', limit: { cpu: 2000 } }],
      frameworks: [
        { name: 'l1', role: 'l', demand: want(1, 1) },
        { name: 'o1', demand: want(1, 1) },
      ],
      wantTasks: { l1: 2, o1: 8 },
    },
    {
      // max-min: s wants 2 of 10 CPU, the rest is split between the others (4 each)
      name: 'a small demand is met in full, the rest shared',
      cores: 10,
      gib: 1000,
      frameworks: [
        { name: 's', demand: want(1, 1, 2) },
        { name: 'x', demand: want(1, 1) },
        { name: 'y', demand: want(1, 1) },
      ],
      wantTasks: { s: 2, x: 4, y: 4 },
    },
    {
      // no demand: what it runs is its fair allocation while nobody else wants anything
      name: 'no demand anywhere keeps what runs',
      cores: 4,
      gib: 16,
      frameworks: [{ name: 'A' }],
      running: tasks('A', 4, 1, 1),
      wantTasks: { A: 4 },
    },
    {
      // within a role frameworks split evenly: 3 + 3 of 6 CPU
      name: 'frameworks within a role',
      cores: 6,
      gib: 1000,
      frameworks: [
        { name: 'a', role: 'r', demand: want(1, 1) },
        { name: 'b', role: 'r', demand: want(1, 1) },
      ],
      running: tasks('a', 6, 1, 1),
      wantTasks: { a: 3, b: 3 },
    },
  ])('$name', ({ cores, gib, roles, frameworks, running, wantTasks }) => {
    const got = fairShares({ nodes: [node('n1', cores, gib)], roles, frameworks, tasks: running ?? [] });
    expect(Object.fromEntries(got.map((s) => [s.framework, s.fairTasks]))).toEqual(wantTasks);
  });

  it('reports current and fair dominant shares', () => {
    const [a, b] = fairShares({
      nodes: [node('n1', 9, 18)],
      frameworks: [
        { name: 'A', demand: want(1, 4) },
        { name: 'B', demand: want(3, 1) },
      ],
      tasks: tasks('A', 4, 1, 4),
    });
    // A runs 4: 16/18 memory; fair 3: 12/18. B runs nothing; fair 2: 6/9 CPU.
    expect(a!.share).toBeCloseTo(16 / 18, 12);
    expect(a!.fairShare).toBeCloseTo(2 / 3, 12);
    expect(a!.running).toBe(4);
    expect(b!.share).toBe(0);
    expect(b!.fairShare).toBeCloseTo(2 / 3, 12);
    expect(b!.fair).toEqual({ cpu: 6000, memory: 2 * GiB });
  });

  it('hands out large demand counts in batches without losing exactness', () => {
    // 100 nodes × 64 CPU, tasks of 10m: 640,000 tasks split between two frameworks.
    const nodes = Array.from({ length: 100 }, (_, i) => ({ name: `n${i}`, capacity: { cpu: 64_000 }, free: { cpu: 64_000 } }));
    const got = fairShares({
      nodes,
      frameworks: [
        { name: 'a', demand: [{ resources: { cpu: 10 }, count: 10_000_000 }] },
        { name: 'b', demand: [{ resources: { cpu: 10 }, count: 100_000 }] },
      ],
      tasks: [],
    });
    expect(got.map((s) => s.fairTasks)).toEqual([540_000, 100_000]);
  });

  it('leaves excluded resources out of the shares, not out of what fits', () => {
    // 16 CPU, 4 GPU. A runs 4 tasks <1 CPU, 1 GPU> and wants <2 CPU> tasks; B wants <2 CPU> tasks.
    const nodes = [{ name: 'n1', capacity: { cpu: 16_000, gpu: 4 }, free: {} }];
    const running = Array.from({ length: 4 }, (_, i) => ({
      id: `a-${i}`,
      framework: 'A',
      node: 'n1',
      resources: { cpu: 1000, gpu: 1 },
      startedAt: i,
    }));
    const frameworks = [
      { name: 'A', demand: [{ resources: { cpu: 2000 }, count: 100 }] },
      { name: 'B', demand: [{ resources: { cpu: 2000 }, count: 100 }] },
    ];
    const tasksOf = (excludedResources?: string[]) =>
      fairShares({ nodes, frameworks, tasks: running, ...(excludedResources ? { excludedResources } : {}) }).map((s) => [
        s.fairTasks,
        s.fairShare,
      ]);
    // Counted, A's 4 GPUs make its share 1: B gets the 12 free CPUs (6 tasks, 0.75), A nothing more.
    expect(tasksOf()).toEqual([
      [4, 1],
      [6, 0.75],
    ]);
    // Excluded, A's share is its CPUs: 4 + 2·2 = 8 of 16 and B's 4·2 = 8: 0.5 each.
    expect(tasksOf(['gpu'])).toEqual([
      [6, 0.5],
      [4, 0.5],
    ]);
  });

  it('names bad input', () => {
    expect(() => fairShares({ nodes: [], frameworks: [{ name: 'a', demand: [{ resources: { cpu: 1 }, count: -1 }] }], tasks: [] })).toThrow(
      /framework a: demand\[0\]\.count -1/,
    );
    expect(() => fairShares({ nodes: [], frameworks: [], tasks: tasks('ghost', 1, 1, 1) })).toThrow(/task ghost-0: framework ghost/);
  });
});
