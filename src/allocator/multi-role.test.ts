// Multi-role frameworks (Mesos's MULTI_ROLE): a framework in several roles is a separate client
// of each role's framework sorter, holding there only what was allocated in that role. The
// first cases translate Mesos tests (each names its source: src/tests/scheduler_driver_tests.cpp
// and the allocator behaviour they rely on); the rest pin down the accounting this file adds.
// Mesos's mem is in MB; cpu here is in millicores.
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import type { CycleResult, ResourceList } from './types.ts';

const MiB = 2 ** 20;
const agent = (name: string, cpus = 2, mem = 1024): { name: string; allocatable: ResourceList } => ({
  name,
  allocatable: { cpu: cpus * 1000, memory: mem * MiB },
});

const DAY = 86_400;

/** The (framework, role) pairs a cycle offered to, in order. */
function offered(r: CycleResult): string[] {
  return r.offers.map((o) => `${o.framework}:${o.role}`);
}

describe('Mesos scheduler_driver_tests.cpp, multi-role suppress and revive', () => {
  it('MesosSchedulerDriverTest.RegisterWithSuppressedRole: a framework registered with role2 suppressed is offered for role1 only', () => {
    const a = new Allocator();
    a.upsertNode(agent('agent1'));
    a.upsertFramework({ name: 'f', roles: ['role1', 'role2'], suppressedRoles: ['role2'] });
    const r = a.allocate(0);
    // Exactly one offer, for role1.
    expect(offered(r)).toEqual(['f:role1']);
    a.decline(r.offers[0]!.offerId, 0, DAY);
    // role2 stays suppressed: no more offers.
    expect(a.allocate(5).offers).toEqual([]);
  });

  it('MesosSchedulerDriverTest.SuppressSingleRole: suppressing role1 leaves role2 its offers, and only those', () => {
    const a = new Allocator();
    a.upsertFramework({ name: 'f', roles: ['role1', 'role2'] });
    a.suppress('f', 'role1');
    // The agent comes after the suppression, so the offer cannot go to role1.
    a.upsertNode(agent('agent1'));
    const r = a.allocate(0);
    expect(offered(r)).toEqual(['f:role2']);
    a.decline(r.offers[0]!.offerId, 0, DAY);
    // role1 is suppressed and role2 filtered for a day: nothing.
    expect(a.allocate(5).offers).toEqual([]);
    expect(a.explain(5, 'f').refusals.map((x) => `${x.role}:${x.reason}`)).toEqual(['role1:Suppressed', 'role2:Refused']);
  });

  it('MesosSchedulerDriverTest.ReviveSingleRole: reviving role2 removes its filter and suppression; role1 stays filtered', () => {
    const a = new Allocator();
    a.upsertNode(agent('agent1'));
    a.upsertFramework({ name: 'f', roles: ['role1', 'role2'] });
    // Offers for both roles (one node, one offer at a time), each declined for a day.
    const declined = new Set<string>();
    for (let t = 0; t < 2; t++) {
      const r = a.allocate(t);
      expect(r.offers).toHaveLength(1);
      declined.add(r.offers[0]!.role);
      a.decline(r.offers[0]!.offerId, t, DAY);
    }
    expect([...declined].sort()).toEqual(['role1', 'role2']);
    // Besides its filter, role2 is suppressed: revive must lift both.
    a.upsertFramework({ name: 'f', roles: ['role1', 'role2'], suppressedRoles: ['role2'] });
    expect(a.allocate(10).offers).toEqual([]);
    a.revive('f', 'role2');
    const r = a.allocate(11);
    expect(offered(r)).toEqual(['f:role2']);
    a.decline(r.offers[0]!.offerId, 11, DAY);
    // role1 still has its filter.
    expect(a.allocate(12).offers).toEqual([]);
  });
});

describe('multi-role accounting (Mesos: per-role framework sorters, allocation by allocation role)', () => {
  it('a framework in two roles takes its turn in each: the node goes to the role with the lower share', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1'));
    a.upsertNode(agent('n2'));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    a.upsertFramework({ name: 'g', role: 'a' });
    // g already holds all of n1 in role a: role a's share 0.5, role b's 0.
    a.setAllocation('g', 'n1', { cpu: 2000, memory: 1024 * MiB });
    expect(offered(a.allocate(0))).toEqual(['f:b']);
  });

  it("tasks launched from a role-b offer count to role b: role status, the framework's share in each role", () => {
    const a = new Allocator();
    a.upsertNode(agent('n1', 4, 4096));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    a.suppress('f', 'a');
    const r = a.allocate(0);
    expect(offered(r)).toEqual(['f:b']);
    a.accept(r.offers[0]!.offerId, 0, { cpu: 1000, memory: 1024 * MiB });
    expect(a.roleStatus('b')!.allocated).toEqual({ cpu: 1000, memory: 1024 * MiB });
    expect(a.roleStatus('a')!.allocated).toEqual({});
    const st = a.frameworkStatus('f')!;
    expect(st.role).toBe('a');
    expect(st.allocated).toEqual({ cpu: 1000, memory: 1024 * MiB });
    // 1 of 4 cpus, 1 of 4 GiB: 0.25 in role b, nothing in role a; 0.25 overall.
    expect(st.roles.map((x) => [x.role, x.dominantShare, x.suppressed])).toEqual([
      ['a', 0, true],
      ['b', 0.25, false],
    ]);
    expect(st.dominantShare).toBe(0.25);
  });

  it("a role's limit counts only what was allocated in that role", () => {
    const a = new Allocator();
    a.upsertRole({ name: 'b', limit: { cpu: 1000 } });
    a.upsertNode(agent('n1', 4, 4096));
    a.upsertNode(agent('n2', 4, 4096));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    // 3 cpus in role a: role b is still under its 1-cpu limit and is offered up to it.
    a.setAllocation('f', 'n1', { cpu: 3000, memory: MiB }, 'a');
    a.suppress('f', 'a');
    const r = a.allocate(0);
    expect(offered(r)).toEqual(['f:b']);
    expect(r.offers[0]!.resources.cpu).toBe(1000);
  });

  it("a guarantee of one role is met by offers for that role, not by the framework's other role", () => {
    const a = new Allocator();
    a.upsertRole({ name: 'b', guarantee: { cpu: 2000 } });
    a.upsertNode(agent('n1'));
    a.upsertNode(agent('n2'));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    a.setAllocation('f', 'n1', { cpu: 2000, memory: 1024 * MiB }, 'a');
    // n2 goes to role b first (stage 1: its unmet guarantee), though f's share in a is higher.
    expect(offered(a.allocate(0))).toEqual(['f:b']);
  });

  it('decline filters are per role: role a declining a node leaves it to role b', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1'));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    const r = a.allocate(0);
    expect(offered(r)).toEqual(['f:a']);
    a.decline(r.offers[0]!.offerId, 0, DAY);
    expect(offered(a.allocate(1))).toEqual(['f:b']);
  });

  it('per-role minimum offers (offer_filters keyed by role)', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1', 2, 1024));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'], minOfferByRole: { a: [{ cpu: 4000 }] } });
    // Role a comes first (equal shares, by name) but 2 cpus are below its 4-cpu minimum.
    const refusals = a.explain(0, 'f').refusals;
    expect(refusals.filter((x) => x.role === 'a').map((x) => [x.reason, x.resource])).toEqual([['BelowFrameworkMinimum', 'cpu']]);
    expect(offered(a.allocate(0))).toEqual(['f:b']);
  });

  it('a role removed from the list keeps its tasks charged to it until they end; its offers are rescinded', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1', 4, 4096));
    a.upsertNode(agent('n2', 4, 4096));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    a.setAllocation('f', 'n1', { cpu: 1000, memory: MiB }, 'b');
    const r = a.allocate(0);
    const inB = r.offers.filter((o) => o.role === 'b').map((o) => o.offerId);
    a.upsertFramework({ name: 'f', roles: ['a'] });
    const next = a.allocate(1);
    expect(next.rescinds.filter((x) => inB.includes(x.offerId)).map((x) => x.reason)).toEqual(inB.map(() => 'FrameworkGone'));
    expect(a.roleStatus('b')!.allocated.cpu).toBeGreaterThanOrEqual(1000);
    for (const id of inB) a.removeOffer(id);
    expect(a.roleStatus('b')!.allocated).toEqual({ cpu: 1000, memory: MiB });
    a.setAllocation('f', 'n1', {}, 'b');
    expect(a.roleStatus('b')!.allocated).toEqual({});
    expect(a.frameworkStatus('f')!.roles.map((x) => x.role)).toEqual(['a']);
  });

  it('demand is one list for the framework: an offer in either role covers it', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1'));
    a.upsertNode(agent('n2'));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'], demand: [{ resources: { cpu: 1000 }, count: 1 }] });
    const r = a.allocate(0);
    expect(r.offers).toHaveLength(1);
    expect(a.explain(1, 'f').refusals.map((x) => x.reason)).toContain('DemandMet');
  });

  it('snapshot round trip keeps roles, per-role allocations, filters and suppression', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1'));
    a.upsertNode(agent('n2'));
    a.upsertFramework({ name: 'f', roles: ['a', 'b'] });
    a.setAllocation('f', 'n1', { cpu: 500 }, 'b');
    a.suppress('f', 'a');
    const copy = Allocator.from(a.snapshot());
    expect(copy.roleStatus('b')!.allocated).toEqual({ cpu: 500 });
    expect(copy.frameworkStatus('f')!.roles.map((x) => [x.role, x.suppressed])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(offered(copy.allocate(0))).toEqual(offered(a.allocate(0)));
  });

  it('a single `role` is a one-element list (existing frameworks unchanged)', () => {
    const one = new Allocator();
    const list = new Allocator();
    for (const x of [one, list]) x.upsertNode(agent('n1'));
    one.upsertFramework({ name: 'f', role: 'eng' });
    list.upsertFramework({ name: 'f', roles: ['eng'] });
    expect(offered(one.allocate(0))).toEqual(['f:eng']);
    expect(offered(list.allocate(0))).toEqual(['f:eng']);
    expect(one.snapshot()).toEqual({ ...list.snapshot(), frameworks: one.snapshot().frameworks });
  });
});
