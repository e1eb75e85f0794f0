import { describe, expect, it } from 'vitest';
import { prepare, type Filler, type RevocationSnapshot, type RunningTask } from './fair-share.ts';
import { progressiveFill } from './progressive-filling.ts';
import { rng } from './seeded-random.ts';
import { fill } from './water-level.ts';
import { nestedFill } from './nested-filling.ts';

// The water levels must give exactly what progressive filling gives (its specification): the
// same number of tasks, allocation and share for every framework, on random clusters with
// weights, guarantees, limits, many frameworks of one shape (ties), demand beyond capacity and
// resources excluded from the shares. The filling over a role tree must give it too on a flat tree.

function randomSnapshot(seed: number): RevocationSnapshot {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[int(0, xs.length - 1)]!;
  const shapes = Array.from({ length: int(1, 4) }, () => ({
    cpu: int(1, 8) * pick([100, 250, 1000]),
    memory: int(0, 6) * 512,
    ...(r() < 0.3 ? { gpu: int(0, 2) } : {}),
  }));
  const nodes = Array.from({ length: int(1, 6) }, (_, i) => {
    const capacity = { cpu: int(2, 64) * 1000, memory: int(1, 64) * 1024, ...(r() < 0.3 ? { gpu: int(0, 4) } : {}) };
    return { name: `n${i}`, capacity, free: capacity };
  });
  const roles = Array.from({ length: int(1, 4) }, (_, i) => ({
    name: `r${i}`,
    weight: pick([1, 1, 2, 3, 0.5]),
    guarantee: r() < 0.3 ? { cpu: int(1, 16) * 1000, ...(r() < 0.5 ? { memory: int(1, 16) * 1024 } : {}) } : undefined,
    limit: r() < 0.3 ? { cpu: int(1, 32) * 1000 } : undefined,
  }));
  const frameworks = Array.from({ length: int(1, 40) }, (_, i) => ({
    name: `f${String(i).padStart(2, '0')}`,
    role: pick(roles).name,
    demand: r() < 0.8 ? Array.from({ length: int(1, 3) }, () => ({ resources: pick(shapes), count: int(0, 200) })) : [],
  }));
  const tasks: RunningTask[] = [];
  for (const f of frameworks) {
    const n = r() < 0.5 ? int(0, 30) : 0;
    const shape = pick(shapes);
    for (let k = 0; k < n; k++) {
      tasks.push({
        id: `${f.name}-${k}`,
        framework: f.name,
        node: pick(nodes).name,
        resources: r() < 0.8 ? shape : pick(shapes),
        startedAt: int(0, 50),
        priority: int(0, 1),
      });
    }
  }
  return { nodes, roles, frameworks, tasks, ...(r() < 0.2 ? { excludedResources: [pick(['gpu', 'memory'])] } : {}) };
}

function summary(filled: Map<string, Filler>) {
  return [...filled.values()].map((x) => ({ framework: x.f.name, given: x.given, alloc: [...x.alloc], share: x.share }));
}

describe('water levels match progressive filling', () => {
  it.each(Array.from({ length: 400 }, (_, i) => i + 1))('seed %i', (seed) => {
    const snapshot = randomSnapshot(seed);
    const spec = summary(progressiveFill(prepare(snapshot)));
    expect(summary(fill(prepare(snapshot)))).toEqual(spec);
    // The tree's filling (nested-filling.ts) on a flat tree is the same filling.
    expect(summary(nestedFill(prepare(snapshot)))).toEqual(spec);
  });

  it('one shape, a thousand frameworks in ten weighted roles, a full cluster (the bench)', () => {
    const shape = { cpu: 3000, memory: 12 };
    const frameworks = Array.from({ length: 1000 }, (_, f) => ({
      name: `f${f}`,
      role: `r${f % 10}`,
      demand: f < 900 ? [] : [{ resources: { cpu: 4000, memory: 16 }, count: 1000 }],
    }));
    const tasks = Array.from({ length: 20_000 }, (_, i) => ({
      id: `t${i}`,
      framework: `f${i % 900}`,
      node: 'n',
      resources: shape,
      startedAt: i,
    }));
    const snapshot: RevocationSnapshot = {
      nodes: [{ name: 'n', capacity: { cpu: 64_000_000, memory: 256_000 }, free: {} }],
      roles: Array.from({ length: 10 }, (_, r) => ({ name: `r${r}`, weight: 1 + (r % 3) })),
      frameworks,
      tasks,
    };
    expect(summary(fill(prepare(snapshot)))).toEqual(summary(progressiveFill(prepare(snapshot))));
  });
});
