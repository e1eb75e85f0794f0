// Dynamic reservations (Mesos's RESERVE / UNRESERVE) as the allocator sees them: a reservation a
// framework made is one more entry of the node's reservations, marked dynamic, offered only to
// its role's subtree and counted in its quota like a static one; offers say which part of what
// they carry is reserved, for whom, and whether statically or dynamically. The cases named after
// a test of Mesos's src/tests/hierarchical_allocator_tests.cpp assert what that test asserts.
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import type { NodeInfo, Reservation } from './types.ts';

const MiB = 2 ** 20;

function agent(name: string, cpu: number, memMiB: number, reservations?: Reservation[]): NodeInfo {
  return { name, allocatable: { cpu: cpu * 1000, memory: memMiB * MiB }, reservations };
}

function dynamic(role: string, cpu: number, memMiB = 0): Reservation {
  const resources: Record<string, number> = { cpu: cpu * 1000 };
  if (memMiB > 0) resources.memory = memMiB * MiB;
  return { role, resources, dynamic: true };
}

describe('dynamic reservations', () => {
  it('HierarchicalAllocatorTest.UpdateAvailableSuccess: a reservation made on an idle agent comes back in the role’s offer, marked', () => {
    const a = new Allocator();
    a.upsertNode(agent('agent', 100, 100));
    // RESERVE cpus:25;mem:50 for role1 on the agent's available resources.
    a.upsertNode(agent('agent', 100, 100, [dynamic('role1', 25, 50)]));
    a.upsertFramework({ name: 'framework', role: 'role1' });
    const [offer, ...more] = a.allocate(0).offers;
    expect(more).toEqual([]);
    // The whole agent, with the reserved part said to be role1's, dynamically.
    expect(offer!.resources).toEqual({ cpu: 100_000, memory: 100 * MiB });
    expect(offer!.reserved).toEqual([{ role: 'role1', type: 'Dynamic', resources: { cpu: 25_000, memory: 50 * MiB } }]);
  });

  it('HierarchicalAllocatorTest.QuotaSetAsideReservedResources: another role’s reservation is not set aside for a guarantee, nor offered to it', () => {
    const a = new Allocator();
    a.upsertNode(agent('agent1', 4, 512));
    a.upsertNode(agent('agent2', 4, 512, [dynamic('no-quota-role', 4, 512)]));
    a.upsertRole({ name: 'quota-role', guarantee: { cpu: 4000 } });
    a.upsertFramework({ name: 'framework1', role: 'quota-role' });
    // framework1 is offered agent1: agent2 is reserved for another role.
    let r = a.allocate(0);
    expect(r.offers.map((o) => `${o.node}->${o.framework}`)).toEqual(['agent1->framework1']);
    a.decline(r.offers[0]!.offerId, 0, 10);
    expect(a.allocate(1000).offers).toEqual([]);
    // framework2 of the reserving role is offered agent2's reservation, and of agent1 not the
    // CPUs set aside for quota-role's guarantee. (Mesos held all of agent1 back; Agora sets
    // aside per resource, so agent1's memory, which no guarantee names, is offered.)
    a.upsertFramework({ name: 'framework2', role: 'no-quota-role' });
    r = a.allocate(1000);
    expect(r.offers.map((o) => [o.node, o.framework, o.resources, o.reserved])).toEqual([
      ['agent1', 'framework2', { memory: 512 * MiB }, undefined],
      [
        'agent2',
        'framework2',
        { cpu: 4000, memory: 512 * MiB },
        [{ role: 'no-quota-role', type: 'Dynamic', resources: { cpu: 4000, memory: 512 * MiB } }],
      ],
    ]);
    for (const o of r.offers) a.decline(o.offerId, 1000, 10);
    // Nothing more until the filters expire: agent2 is not framework1's (reserved for another
    // role), agent1's CPUs are not framework2's (they would risk quota-role's guarantee).
    expect(a.allocate(2000).offers).toEqual([]);
  });

  it('HierarchicalAllocatorTest.ReservationWithinQuota: reserved resources in use count toward the role’s quota', () => {
    const a = new Allocator();
    a.upsertRole({ name: 'quota-role', guarantee: { cpu: 2000, memory: 256 * MiB } });
    a.upsertFramework({ name: 'framework1', role: 'quota-role' });
    a.upsertFramework({ name: 'framework2', role: 'non-quota-role' });
    // agent1's memory is reserved for quota-role, and framework1 uses it with 2 of the 8 CPUs.
    a.upsertNode({
      name: 'agent1',
      allocatable: { cpu: 8000, memory: 256 * MiB },
      reservations: [{ role: 'quota-role', resources: { memory: 256 * MiB }, dynamic: true }],
    });
    a.setAllocation('framework1', 'agent1', { cpu: 2000, memory: 256 * MiB });
    // quota-role's guarantee is met, so framework2 gets the rest of agent1.
    let r = a.allocate(0);
    expect(r.offers.map((o) => [o.node, o.framework, o.resources])).toEqual([['agent1', 'framework2', { cpu: 6000 }]]);
    // And agent2 too: quota-role's share counts the reserved memory it uses (dominant share 1),
    // framework2's is 6/12.
    a.upsertNode(agent('agent2', 4, 0));
    r = a.allocate(1000);
    expect(r.offers.map((o) => [o.node, o.framework, o.resources])).toEqual([['agent2', 'framework2', { cpu: 4000 }]]);
  });

  it('reserve then launch in one accept, and unreserve: the reservation goes to the role alone until it is unreserved', () => {
    const a = new Allocator();
    a.upsertNode(agent('n', 4, 4096));
    a.upsertFramework({ name: 'db', role: 'db' });
    let r = a.allocate(0);
    expect(r.offers.map((o) => o.framework)).toEqual(['db']);
    expect(r.offers[0]!.reserved).toBeUndefined();
    // ACCEPT with RESERVE cpu 2 and a task on 1 of the reserved CPUs: the controller declares the
    // reservation (a Reservation object), then accepts the task.
    a.upsertNode(agent('n', 4, 4096, [dynamic('db', 2)]));
    a.accept(r.offers[0]!.offerId, 0, { cpu: 1000, memory: 512 * MiB });
    expect(a.roleStatus('db')).toMatchObject({ allocated: { cpu: 1000, memory: 512 * MiB }, unusedReserved: { cpu: 1000 } });
    // Another role's framework is offered only the unreserved rest; db is first in line (its
    // reservation is idle) and gets the node, its idle reservation marked.
    a.upsertFramework({ name: 'web', role: 'web' });
    r = a.allocate(1000);
    expect(r.offers.map((o) => [o.framework, o.resources, o.reserved])).toEqual([
      ['db', { cpu: 3000, memory: 3584 * MiB }, [{ role: 'db', type: 'Dynamic', resources: { cpu: 1000 } }]],
    ]);
    a.decline(r.offers[0]!.offerId, 1000, 60);
    r = a.allocate(2000);
    expect(r.offers.map((o) => [o.framework, o.resources, o.reserved])).toEqual([['web', { cpu: 2000, memory: 3584 * MiB }, undefined]]);
    a.decline(r.offers[0]!.offerId, 2000, 0);
    // UNRESERVE: the Reservation is gone; everyone may have the CPU again.
    a.upsertNode(agent('n', 4, 4096));
    expect(a.roleStatus('db')!.unusedReserved).toEqual({});
    r = a.allocate(3000);
    expect(r.offers.map((o) => [o.framework, o.resources, o.reserved])).toEqual([['web', { cpu: 3000, memory: 3584 * MiB }, undefined]]);
  });

  it('an offer marks a static and a dynamic reservation of the same role apart, and an ancestor’s reservation as the ancestor’s', () => {
    const a = new Allocator();
    a.upsertNode(
      agent('n', 8, 1024, [{ role: 'eng', resources: { cpu: 1000 } }, dynamic('eng', 2), { role: 'eng/ml', resources: { cpu: 1000 } }]),
    );
    a.upsertFramework({ name: 'trainer', role: 'eng/ml' });
    // The trainer uses 2 CPUs: charged to eng/ml's reservation first (1), then eng's (1), which
    // is taken from its static part — the idle part is dynamic first.
    a.setAllocation('trainer', 'n', { cpu: 2000 });
    const [offer] = a.allocate(0).offers;
    expect(offer!.reserved).toEqual([{ role: 'eng', type: 'Dynamic', resources: { cpu: 2000 } }]);
    expect(offer!.resources).toEqual({ cpu: 6000, memory: 1024 * MiB });
  });

  it('a dynamic reservation idle in part: only the idle part is offered as reserved', () => {
    const a = new Allocator();
    a.upsertNode(agent('n', 4, 1024, [{ role: 'db', resources: { cpu: 1000 } }, dynamic('db', 2)]));
    a.upsertFramework({ name: 'db', role: 'db' });
    a.setAllocation('db', 'n', { cpu: 2000 });
    const [offer] = a.allocate(0).offers;
    // 3 reserved, 2 in use: 1 idle, dynamic.
    expect(offer!.reserved).toEqual([{ role: 'db', type: 'Dynamic', resources: { cpu: 1000 } }]);
  });
});
