// Hierarchical roles in the allocator: weights among siblings, a parent's limit and guarantee
// over its subtree, a parent's reservation used by its descendants, and subtree status.
// (Mesos's own tests for these are translated in mesos-nested.test.ts.)
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import type { NodeInfo, Reservation } from './types.ts';

const GiB = 2 ** 30;

/** n nodes of 1 cpu, 1 GiB. */
function cpus(n: number, reservations?: Reservation[]): NodeInfo[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `n${String(i).padStart(2, '0')}`,
    allocatable: { cpu: 1000, memory: GiB },
    reservations,
  }));
}

/** Runs cycles, every framework keeping every offer (as tasks), until none is made; returns cpus per framework. */
function fill(a: Allocator): Record<string, number> {
  const got: Record<string, number> = {};
  for (let now = 0; now < 100; now++) {
    const r = a.allocate(now);
    if (r.offers.length === 0) break;
    for (const o of r.offers) {
      a.accept(o.offerId, now, o.resources);
      if ((o.resources.cpu ?? 0) > 0) got[o.framework] = (got[o.framework] ?? 0) + o.resources.cpu! / 1000;
    }
  }
  return got;
}

function allocator(nodes: NodeInfo[], frameworks: Record<string, string>, roles: Parameters<Allocator['upsertRole']>[0][] = []) {
  const a = new Allocator();
  for (const r of roles) a.upsertRole(r);
  for (const n of nodes) a.upsertNode(n);
  for (const [name, role] of Object.entries(frameworks)) a.upsertFramework({ name, role });
  return a;
}

describe('nested roles', () => {
  it('weights apply among siblings: eng (3) and ops (1) split 12 nodes 9:3, eng/a and eng/b halve eng', () => {
    const a = allocator(cpus(12), { a: 'eng/a', b: 'eng/b', x: 'ops/x' }, [{ name: 'eng', weight: 3 }]);
    const got = fill(a);
    // eng's subtree share 9/12 ÷ 3 = 1/4 equals ops's 3/12: weighted shares level.
    expect(got.a! + got.b!).toBe(9);
    expect(got.x).toBe(3);
    expect(Math.abs(got.a! - got.b!)).toBeLessThanOrEqual(1);
    expect(a.roleStatus('eng')).toMatchObject({ allocated: { cpu: 9000, memory: 9 * GiB }, share: 0.25 });
  });

  it("a parent's weight does not change its children's standing among themselves", () => {
    // eng/a weight 2 beside eng/b weight 1: inside eng they split 2:1, whatever eng's weight.
    const a = allocator(cpus(9), { a: 'eng/a', b: 'eng/b' }, [
      { name: 'eng', weight: 5 },
      { name: 'eng/a', weight: 2 },
    ]);
    expect(fill(a)).toEqual({ a: 6, b: 3 });
  });

  it("a parent's limit bounds its subtree's sum, and says which role limits", () => {
    const a = allocator(cpus(10), { a: 'eng/a', b: 'eng/b', x: 'ops/x' }, [{ name: 'eng', limit: { cpu: 3000 } }]);
    const got = fill(a);
    expect(got.a! + got.b!).toBe(3);
    expect(got.x).toBe(7);
    a.upsertNode({ name: 'extra', allocatable: { cpu: 1000, memory: GiB } });
    a.upsertFramework({ name: 'x', role: 'ops/x', suppressed: true });
    const r = a.allocate(1000, { explain: true });
    expect(r.offers).toEqual([]);
    expect(r.refusals).toContainEqual({
      node: 'extra',
      framework: 'a',
      role: 'eng/a',
      reason: 'RoleLimit',
      resource: 'cpu',
      limit: 3000,
      allocated: 3000,
      limitedBy: 'eng',
    });
  });

  it("a parent's guarantee is met by its subtree, served first and held back from others", () => {
    // 6 nodes; eng guarantees 4 cpus. ops/x alone: it gets only the 2 nodes the headroom leaves.
    const a = allocator(cpus(6), { x: 'ops/x', a: 'eng/ml/a' }, [{ name: 'eng', guarantee: { cpu: 4000 } }]);
    a.suppress('a');
    expect(fill(a)).toEqual({ x: 2 });
    // eng/ml/a arrives: the 4 nodes left go to it, in the guarantee stage.
    a.revive('a');
    expect(fill(a)).toEqual({ a: 4 });
    expect(a.roleStatus('eng')!.consumed.cpu).toBe(4000);
  });

  it("a sibling's guarantee keeps its headroom while another child meets the parent's", () => {
    // eng guarantees 4 cpus, eng/b 2 of them. eng/a alone gets 4 of the 6: the 2 eng/b's
    // guarantee still needs are held back, though eng/a's 4 meet eng's.
    const a = allocator(cpus(6), { a: 'eng/a', b: 'eng/b', x: 'ops' }, [
      { name: 'eng', guarantee: { cpu: 4000 } },
      { name: 'eng/b', guarantee: { cpu: 2000 } },
    ]);
    a.suppress('b');
    a.suppress('x');
    expect(fill(a)).toEqual({ a: 4 });
    a.revive('b');
    expect(fill(a)).toEqual({ b: 2 });
  });

  it("a parent's reservation is offered to its descendants, not to other roles", () => {
    const reserved = [{ role: 'eng', resources: { cpu: 1000, memory: GiB } }];
    const a = allocator(cpus(1, reserved), { ml: 'eng/ml', x: 'ops' });
    const r = a.allocate(0, { explain: true });
    expect(r.offers.map((o) => [o.framework, o.resources])).toEqual([['ml', { cpu: 1000, memory: GiB }]]);
    // Used by eng/ml: eng's reservation is no longer idle.
    a.accept(r.offers[0]!.offerId, 0, { cpu: 1000, memory: GiB });
    expect(a.roleStatus('eng')).toMatchObject({ allocated: { cpu: 1000, memory: GiB }, unusedReserved: {} });
    expect(a.roleStatus('eng/ml')!.allocated).toEqual({ cpu: 1000, memory: GiB });
  });

  it("a child's use is charged to its own reservation first, then its parent's", () => {
    // One node of 4 cpus: eng reserves 2, eng/ml 1. eng/ml runs 2: its own 1, then 1 of eng's.
    const node: NodeInfo = {
      name: 'n',
      allocatable: { cpu: 4000, memory: 4 * GiB },
      reservations: [
        { role: 'eng', resources: { cpu: 2000 } },
        { role: 'eng/ml', resources: { cpu: 1000 } },
      ],
    };
    const a = allocator([node], { ml: 'eng/ml' });
    expect(a.roleStatus('eng')!.unusedReserved).toEqual({ cpu: 3000 });
    a.setAllocation('ml', 'n', { cpu: 2000 });
    expect(a.roleStatus('eng/ml')!.unusedReserved).toEqual({});
    // eng's subtree: eng/ml's reservation used up, 1 of eng's 2 idle.
    expect(a.roleStatus('eng')!.unusedReserved).toEqual({ cpu: 1000 });
    expect(a.roleStatus('eng')!.consumed).toEqual({ cpu: 3000 });
    // The node's free part offered to eng/ml: 2 cpus, 1 of them reserved (eng's idle one).
    const r = a.allocate(0);
    expect(r.offers.map((o) => [o.framework, o.resources.cpu])).toEqual([['ml', 2000]]);
  });

  it('a role with frameworks and children competes inside its subtree as a child of weight 1', () => {
    // eng (weight 4) runs 2 nodes itself, eng/ml none: eng/ml is first inside eng.
    const a = allocator(cpus(4), { own: 'eng', ml: 'eng/ml' }, [{ name: 'eng', weight: 4 }]);
    a.setAllocation('own', 'n00', { cpu: 1000, memory: GiB });
    a.setAllocation('own', 'n01', { cpu: 1000, memory: GiB });
    expect(a.roleOrder()).toEqual(['eng/ml', 'eng']);
  });
});
