// Mesos's own sorter and allocator tests for nested roles, fairness exclusion and reservations
// counted by quota, translated: each case names the Mesos test (src/tests/sorter_tests.cpp or
// src/tests/hierarchical_allocator_tests.cpp) and asserts what it asserts. Mesos's sorter
// clients are roles here: one framework per role, named after it, holding what the Mesos test
// allocates to the client; sorter.sort() is Allocator.roleOrder(). Mesos's mem is in MB.
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import { GPU_RESOURCES, type CycleResult, type ResourceList } from './types.ts';

const MiB = 2 ** 20;

/** Mesos's DRFSorter driven through the allocator: one agent, one framework per client role. */
class Sorter {
  readonly a = new Allocator({ minAllocatable: [] });
  private readonly held = new Map<string, [number, number]>();

  constructor(cpus: number, mem: number) {
    this.a.upsertNode({ name: 'agent', allocatable: { cpu: cpus * 1000, memory: mem * MiB } });
  }

  add(client: string): void {
    this.a.upsertFramework({ name: client, role: client });
  }

  remove(client: string): void {
    this.held.delete(client);
    this.a.setAllocation(client, 'agent', {});
    this.a.removeFramework(client);
  }

  allocated(client: string, cpus: number, mem: number, sign = 1): void {
    const [c, m] = this.held.get(client) ?? [0, 0];
    const next: [number, number] = [c + sign * cpus, m + sign * mem];
    this.held.set(client, next);
    this.a.setAllocation(client, 'agent', { cpu: next[0] * 1000, memory: next[1] * MiB });
  }

  unallocated(client: string, cpus: number, mem: number): void {
    this.allocated(client, cpus, mem, -1);
  }

  updateWeight(role: string, weight: number): void {
    this.a.upsertRole({ name: role, weight });
  }

  sort(): string[] {
    return this.a.roleOrder();
  }
}

describe('Mesos sorter_tests.cpp, nested roles', () => {
  it('DRFSorterTest.HierarchicalAllocation', () => {
    const s = new Sorter(100, 100);
    s.add('a');
    s.add('b/c');
    s.add('b/d');
    // Shares: a = 0, b/c = 0, b/d = 0.
    expect(s.sort()).toEqual(['a', 'b/c', 'b/d']);
    s.allocated('a', 6, 6);
    // Shares: a = 0.06, b/c = 0, b/d = 0.
    expect(s.sort()).toEqual(['b/c', 'b/d', 'a']);
    s.allocated('b/c', 4, 4);
    s.allocated('b/d', 3, 3);
    // Shares: a = 0.06, b/d = 0.03, b/c = 0.04 (b's subtree 0.07).
    expect(s.sort()).toEqual(['a', 'b/d', 'b/c']);
    s.allocated('a', 2, 2);
    // Shares: b/d = 0.03, b/c = 0.04, a = 0.08.
    expect(s.sort()).toEqual(['b/d', 'b/c', 'a']);
    s.add('b/e/f');
    // Shares: b/e/f = 0, b/d = 0.03, b/c = 0.04, a = 0.08.
    expect(s.sort()).toEqual(['b/e/f', 'b/d', 'b/c', 'a']);
    s.allocated('b/e/f', 3.5, 3.5);
    // Shares: a = 0.08, b/d = 0.03, b/e/f = 0.035, b/c = 0.04 (b's subtree 0.105).
    expect(s.sort()).toEqual(['a', 'b/d', 'b/e/f', 'b/c']);
    // Removing a client updates the share of the subtree that contained it.
    s.remove('b/e/f');
    // Shares: b/d = 0.03, b/c = 0.04, a = 0.08.
    expect(s.sort()).toEqual(['b/d', 'b/c', 'a']);
    s.unallocated('b/c', 3, 3);
    // Shares: b/c = 0.01, b/d = 0.03, a = 0.08.
    expect(s.sort()).toEqual(['b/c', 'b/d', 'a']);
    s.add('b/e/f');
    s.allocated('b/e/f', 3.5, 3.5);
    // Shares: b/c = 0.01, b/d = 0.03, b/e/f = 0.035, a = 0.08.
    expect(s.sort()).toEqual(['b/c', 'b/d', 'b/e/f', 'a']);
  });

  it('DRFSorterTest.HierarchicalIterationOrder', () => {
    const s = new Sorter(100, 100);
    for (const c of ['a/b', 'c', 'd', 'd/e']) s.add(c);
    // Shares: a/b = 0, c = 0, d = 0, d/e = 0.
    expect(s.sort()).toEqual(['a/b', 'c', 'd', 'd/e']);
    s.allocated('c', 8, 8);
    // Shares: a/b = 0, d = 0, d/e = 0, c = 0.08.
    expect(s.sort()).toEqual(['a/b', 'd', 'd/e', 'c']);
    s.allocated('d', 3, 3);
    s.allocated('d/e', 2, 2);
    // Shares: a/b = 0, d/e = 0.02, d = 0.03, c = 0.08.
    expect(s.sort()).toEqual(['a/b', 'd/e', 'd', 'c']);
    s.allocated('a/b', 6, 6);
    // Shares: d/e = 0.02, d = 0.03, a/b = 0.06, c = 0.08.
    expect(s.sort()).toEqual(['d/e', 'd', 'a/b', 'c']);
  });

  it('DRFSorterTest.AddChildToLeaf', () => {
    const s = new Sorter(100, 100);
    s.add('a');
    s.allocated('a', 10, 10);
    s.add('b');
    s.allocated('b', 6, 6);
    expect(s.sort()).toEqual(['b', 'a']);
    // The "a" subtree now competes against "b"; inside it, "a" competes with "a/c" as a sibling.
    s.add('a/c');
    s.allocated('a/c', 5, 5);
    expect(s.sort()).toEqual(['b', 'a/c', 'a']);
    // Without the "a" client, the "a" subtree is farther below its fair share than "b".
    s.remove('a');
    expect(s.sort()).toEqual(['a/c', 'b']);
    s.add('a');
    s.allocated('a', 10, 10);
    expect(s.sort()).toEqual(['b', 'a/c', 'a']);
    // "a" has weight 1 when it competes against "a/c".
    s.updateWeight('a/c', 0.2);
    expect(s.sort()).toEqual(['b', 'a', 'a/c']);
    // The weight of "a" counts against its siblings ("b"), not its children ("a/c").
    s.updateWeight('a', 3);
    expect(s.sort()).toEqual(['a', 'a/c', 'b']);
    s.updateWeight('a/c', 1);
    expect(s.sort()).toEqual(['a/c', 'a', 'b']);
  });

  it('DRFSorterTest.AddChildToInternal', () => {
    const s = new Sorter(100, 100);
    s.add('x/a');
    s.allocated('x/a', 10, 10);
    s.add('x/b');
    s.allocated('x/b', 6, 6);
    expect(s.sort()).toEqual(['x/b', 'x/a']);
    s.add('x');
    s.allocated('x', 7, 7);
    expect(s.sort()).toEqual(['x/b', 'x', 'x/a']);
    s.add('z');
    s.allocated('z', 20, 20);
    expect(s.sort()).toEqual(['z', 'x/b', 'x', 'x/a']);
    s.remove('x');
    expect(s.sort()).toEqual(['x/b', 'x/a', 'z']);
  });
});

/** Offers of one cycle as [framework, node], in order. */
const placed = (r: CycleResult) => r.offers.map((o) => [o.framework, o.node]);
const agent = (name: string, cpus: number, mem: number, extra: ResourceList = {}) => ({
  name,
  allocatable: { cpu: cpus * 1000, memory: mem * MiB, ...extra },
});

describe('Mesos hierarchical_allocator_tests.cpp', () => {
  it('HierarchicalAllocatorTest.NestedRoleDRF', () => {
    const a = new Allocator();
    let now = 0;
    a.upsertNode(agent('slave1', 2, 1024));
    // framework1 is offered all of slave1: it is the only framework.
    a.upsertFramework({ name: 'framework1', role: 'a/b' });
    expect(placed(a.allocate(now++))).toEqual([['framework1', 'slave1']]);
    a.upsertFramework({ name: 'framework2', role: 'a/c' });
    a.upsertFramework({ name: 'framework3', role: 'd/e' });
    // slave2 goes to "d/e", not "a/c": the "a" subtree holds more than the "d" subtree.
    a.upsertNode(agent('slave2', 1, 512));
    expect(placed(a.allocate(now++))).toEqual([['framework3', 'slave2']]);
    // a share = 0.666667, d share = 0.333333
    expect(a.roleStatus('a')!.share).toBeCloseTo(2 / 3, 6);
    expect(a.roleStatus('d')!.share).toBeCloseTo(1 / 3, 6);
    a.upsertFramework({ name: 'framework4', role: 'd/f' });
    // slave3 goes to "d/f" (not "a/c"): the "d" subtree has fewer allocated resources.
    a.upsertNode(agent('slave3', 2, 1024));
    expect(placed(a.allocate(now++))).toEqual([['framework4', 'slave3']]);
    // a share = 0.4, d share = 0.6 (d/e 0.2, d/f 0.4)
    expect([a.roleStatus('a')!.share, a.roleStatus('d')!.share, a.roleStatus('d/e')!.share, a.roleStatus('d/f')!.share]).toEqual([
      0.4, 0.6, 0.2, 0.4,
    ]);
  });

  it('HierarchicalAllocatorTest.DRFWithFairnessExclusion', () => {
    const a = new Allocator({ fairSharingExcludedResources: ['nvidia.com/gpu'] });
    let now = 0;
    a.upsertNode(agent('agent1', 2, 1024, { 'nvidia.com/gpu': 1 }));
    a.upsertFramework({ name: 'framework1', role: 'role1', capabilities: [GPU_RESOURCES] });
    expect(placed(a.allocate(now++))).toEqual([['framework1', 'agent1']]);
    a.upsertFramework({ name: 'framework2', role: 'role2' });
    // role1 share = 0.66 (gpus ignored), role2 share = 0
    a.upsertNode(agent('agent2', 1, 512));
    expect(placed(a.allocate(now++))).toEqual([['framework2', 'agent2']]);
    // role1 share = 0.33, role2 share = 0.16
    a.upsertNode(agent('agent3', 3, 2048));
    expect(placed(a.allocate(now++))).toEqual([['framework2', 'agent3']]);
    a.upsertFramework({ name: 'framework3', role: 'role1' });
    // role1 share = 0.2, role2 share = 0.4; framework3 has the lowest share in role1.
    a.upsertNode(agent('agent4', 4, 4096));
    expect(placed(a.allocate(now++))).toEqual([['framework3', 'agent4']]);
    a.upsertFramework({ name: 'framework4', role: 'role1' });
    // role1 share = 0.63, role2 share = 0.36: framework4 has nothing, but role2 is lower.
    a.upsertNode(agent('agent5', 1, 512));
    expect(placed(a.allocate(now++))).toEqual([['framework2', 'agent5']]);
    // role1 = 6/11 cpus, 5120/8192 mem; the GPU is not counted (counted, it would be 1).
    expect(a.roleStatus('role1')!.share).toBeCloseTo(5120 / 8192, 12);
  });

  it('HierarchicalAllocatorTestWithReservations.ReservationUnallocated', () => {
    const a = new Allocator();
    const quota = { cpu: 1000, memory: 1024 * MiB };
    a.upsertNode({ ...agent('agent1', 1, 1024), reservations: [{ role: 'quota-role', resources: quota }] });
    a.upsertRole({ name: 'quota-role', guarantee: quota, limit: quota });
    a.upsertFramework({ name: 'framework1', role: 'quota-role' });
    // framework1 is offered the reserved resources at agent1: they are reserved for its role.
    const first = a.allocate(0);
    expect(placed(first)).toEqual([['framework1', 'agent1']]);
    expect(first.offers[0]!.resources).toEqual(quota);
    a.decline(first.offers[0]!.offerId, 0, 86_400);
    // agent2 is not offered to framework1: the idle reservation counts towards the quota,
    // and agent2 would exceed its limit.
    a.upsertNode(agent('agent2', 1, 1024));
    const second = a.allocate(1000, { explain: true });
    expect(second.offers).toEqual([]);
    expect(second.refusals).toContainEqual(
      expect.objectContaining({ node: 'agent2', framework: 'framework1', reason: 'RoleLimit', resource: 'cpu' }),
    );
  });
});
