// Revocable offers (Mesos's revocable resources) on the offer path: what is held back from a
// role but idle — another role's unused reservation, static or dynamic, and the quota headroom
// kept for an unmet guarantee — is lent, marked revocable, to a framework that declares
// REVOCABLE_RESOURCES, and to no other; the owner is offered its reservation again only as far
// as the node has it free. (Who is revoked when the owner wants it back: victims.test.ts.)
import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import { REVOCABLE_RESOURCES, type NodeInfo, type Reservation, type RoleInfo } from './types.ts';

const MiB = 2 ** 20;
const CAPABLE = [REVOCABLE_RESOURCES];

function agent(name: string, cpu: number, memMiB: number, reservations?: Reservation[]): NodeInfo {
  return { name, allocatable: { cpu: cpu * 1000, memory: memMiB * MiB }, reservations };
}

interface Case {
  name: string;
  nodes: NodeInfo[];
  roles?: RoleInfo[];
  frameworks: { name: string; role: string; capabilities?: string[] }[];
  /** `node->framework cpu(m) mem(MiB) [revocable]` per offer. */
  want: string[];
}

function show(a: Allocator, now = 0): string[] {
  return a
    .allocate(now)
    .offers.map(
      (o) =>
        `${o.node}->${o.framework} ${o.resources.cpu ?? 0} ${(o.resources.memory ?? 0) / MiB}${o.revocable === true ? ' revocable' : ''}`,
    );
}

describe('revocable offers', () => {
  it.each<Case>([
    {
      name: "another role's idle static reservation is lent to a capable framework",
      nodes: [agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000, memory: 512 * MiB } }])],
      frameworks: [
        { name: 'owner-fw', role: 'owner', capabilities: [] },
        { name: 'borrower', role: 'other', capabilities: CAPABLE },
      ],
      // owner-fw (no demand published: push model) would take it first; see the next cases.
      want: ['n1->owner-fw 4000 1024'],
    },
    {
      name: 'a reservation whose role has no framework: lent, marked revocable',
      nodes: [agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000, memory: 512 * MiB } }])],
      frameworks: [{ name: 'borrower', role: 'other', capabilities: CAPABLE }],
      want: ['n1->borrower 4000 1024 revocable'],
    },
    {
      name: 'an idle dynamic reservation is lent the same way',
      nodes: [agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000 }, dynamic: true }])],
      frameworks: [{ name: 'borrower', role: 'other', capabilities: CAPABLE }],
      want: ['n1->borrower 4000 1024 revocable'],
    },
    {
      name: 'without the capability only the unreserved part is offered, not revocable',
      nodes: [agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000, memory: 512 * MiB } }])],
      frameworks: [{ name: 'plain', role: 'other' }],
      want: ['n1->plain 1000 512'],
    },
    {
      name: 'a node fully reserved for another role: only a capable framework gets it',
      nodes: [agent('n1', 2, 512, [{ role: 'owner', resources: { cpu: 2000, memory: 512 * MiB } }])],
      frameworks: [
        { name: 'plain', role: 'other' },
        { name: 'zz-borrower', role: 'other', capabilities: CAPABLE },
      ],
      want: ['n1->zz-borrower 2000 512 revocable'],
    },
    {
      name: 'quota headroom held back for a guarantee is lent',
      nodes: [agent('n1', 4, 1024)],
      roles: [{ name: 'gold', guarantee: { cpu: 4000 } }],
      frameworks: [{ name: 'borrower', role: 'other', capabilities: CAPABLE }],
      want: ['n1->borrower 4000 1024 revocable'],
    },
    {
      name: 'quota headroom: a framework without the capability gets what is not held back',
      nodes: [agent('n1', 4, 1024)],
      roles: [{ name: 'gold', guarantee: { cpu: 4000 } }],
      frameworks: [{ name: 'plain', role: 'other' }],
      want: ['n1->plain 0 1024'],
    },
    {
      name: 'nothing held back: an ordinary offer, even to a capable framework',
      nodes: [agent('n1', 4, 1024)],
      frameworks: [{ name: 'borrower', role: 'other', capabilities: CAPABLE }],
      want: ['n1->borrower 4000 1024'],
    },
    {
      name: "the borrower's role limit bounds what it is lent",
      nodes: [agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000 } }])],
      roles: [{ name: 'other', limit: { cpu: 2000 } }],
      frameworks: [{ name: 'borrower', role: 'other', capabilities: CAPABLE }],
      want: ['n1->borrower 2000 1024 revocable'],
    },
  ])('$name', ({ nodes, roles, frameworks, want }) => {
    const a = new Allocator();
    for (const n of nodes) a.upsertNode(n);
    for (const r of roles ?? []) a.upsertRole(r);
    for (const f of frameworks) a.upsertFramework(f);
    expect(show(a)).toEqual(want);
  });

  it('the owner is offered its lent reservation only as it is freed, never twice', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1', 4, 1024, [{ role: 'owner', resources: { cpu: 3000, memory: 512 * MiB } }]));
    a.upsertFramework({ name: 'borrower', role: 'other', capabilities: CAPABLE });
    const [lent] = a.allocate(0).offers;
    expect(lent!.revocable).toBe(true);
    // The borrower launches 3 CPU of revocable tasks there.
    a.accept(lent!.offerId, 0, { cpu: 3000, memory: 256 * MiB });
    a.setAllocation('borrower', 'n1', { cpu: 3000, memory: 256 * MiB });
    a.removeOffer(lent!.offerId);
    // The owner arrives: it is offered what the node has free, not its whole reservation.
    a.upsertFramework({ name: 'owner-fw', role: 'owner' });
    expect(show(a, 1000)).toEqual(['n1->owner-fw 1000 768']);
  });

  it('a framework that drops the capability is no longer lent anything', () => {
    const a = new Allocator();
    a.upsertNode(agent('n1', 2, 512, [{ role: 'owner', resources: { cpu: 2000, memory: 512 * MiB } }]));
    a.upsertFramework({ name: 'borrower', role: 'other', capabilities: CAPABLE });
    const [o] = a.allocate(0).offers;
    expect(o!.revocable).toBe(true);
    a.removeOffer(o!.offerId);
    a.upsertFramework({ name: 'borrower', role: 'other', capabilities: [] });
    expect(show(a, 1000)).toEqual([]);
  });
});
