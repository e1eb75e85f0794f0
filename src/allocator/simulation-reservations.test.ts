// The simulator's RESERVE / UNRESERVE: a framework's operations are answered on an offer of their
// node for their role, the reservation is then offered only to that role, and an UNRESERVE gives
// it back to everyone.
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate, type SimulationEvent } from './simulation.ts';

const nodes = [
  { name: 'node-1', resources: { cpu: '8', memory: '16Gi' } },
  { name: 'node-2', resources: { cpu: '8', memory: '16Gi' } },
];
/** Wants every CPU it can get, one task per CPU; arrives once db has answered its first offers. */
const batch = { name: 'batch', role: 'batch', arriveAt: 2, task: { cpu: '1', memory: '1Gi' }, tasksPerOffer: 8 };

function db(extra: Record<string, unknown>) {
  return { name: 'db', role: 'db', task: { cpu: '2', memory: '4Gi' }, tasks: 1, duration: 4, ...extra };
}

const operations = (events: SimulationEvent[] | undefined) =>
  (events ?? []).filter((e) => /serve/.test(e.event)).map((e) => [e.cycle, e.event, e.framework, e.node, e.role, e.resources, e.reason]);

describe('simulate: dynamic reservations', () => {
  it('a reservation is offered only to its role while it lasts, even idle', () => {
    const r = simulate(
      parseScenario({
        nodes,
        frameworks: [db({ reserve: [{ node: 'node-1', resources: { cpu: '4', memory: '8Gi' } }] }), batch],
      }),
    );
    expect(operations(r.events)).toEqual([[1, 'Reserved', 'db', 'node-1', 'db', { cpu: '4', memory: '8Gi' }, undefined]]);
    // batch gets node-2's 8 CPUs and node-1's 4 unreserved ones, never the 4 reserved for db, not
    // even once db's task has finished (cycle 5) and the reservation is idle.
    expect(r.frameworks.batch!.tasks).toBe(12);
    expect(r.frameworks.db!.tasks).toBe(0);
    expect(r.nodes['node-1']).toEqual({ free: { cpu: '4', memory: '12Gi' }, reserved: { db: { cpu: '4', memory: '8Gi' } } });
  });

  it('an UNRESERVE returns it: the other role is offered it next', () => {
    const r = simulate(
      parseScenario({
        nodes,
        frameworks: [
          db({
            reserve: [{ node: 'node-1', resources: { cpu: '4', memory: '8Gi' } }],
            unreserve: [{ node: 'node-1', resources: { cpu: '4', memory: '8Gi' }, at: 6 }],
          }),
          batch,
        ],
      }),
    );
    expect(operations(r.events)).toEqual([
      [1, 'Reserved', 'db', 'node-1', 'db', { cpu: '4', memory: '8Gi' }, undefined],
      [6, 'Unreserved', 'db', 'node-1', 'db', { cpu: '4', memory: '8Gi' }, undefined],
    ]);
    expect(r.frameworks.batch!.tasks).toBe(16);
    expect(r.nodes['node-1']).toEqual({ free: { cpu: '0', memory: '8Gi' } });
  });

  it('a framework that only reserves (tasks: 0) still answers an offer with its RESERVE, and its role is offered nothing else', () => {
    const r = simulate(
      parseScenario({
        nodes: [nodes[0]],
        frameworks: [
          { name: 'holder', role: 'db', task: { cpu: '1' }, tasks: 0, reserve: [{ node: 'node-1', resources: { cpu: '6' } }] },
          { name: 'user', role: 'db', arriveAt: 2, task: { cpu: '1', memory: '1Gi' }, tasks: 3, tasksPerOffer: 3 },
          { ...batch, arriveAt: 2 },
        ],
      }),
    );
    expect(operations(r.events)).toEqual([[1, 'Reserved', 'holder', 'node-1', 'db', { cpu: '6' }, undefined]]);
    // user, in the reserving role, runs on the reservation; batch only on the 2 unreserved CPUs.
    expect([r.frameworks.user!.tasks, r.frameworks.batch!.tasks]).toEqual([3, 2]);
    expect(r.nodes['node-1']!.reserved).toEqual({ db: { cpu: '6' } });
  });

  it.each([
    {
      name: 'a RESERVE beyond the offer’s unreserved part',
      frameworks: [db({ reserve: [{ node: 'node-1', resources: { cpu: '9' } }] })],
      want: [[1, 'ReserveRefused', 'db', 'node-1', 'db', { cpu: '9' }, 'BeyondUnreserved']],
    },
    {
      // db's task (2 CPUs) still runs on its reservation at cycle 3: only 2 CPUs of it are idle.
      name: 'an UNRESERVE of reserved resources in use',
      frameworks: [
        db({
          reserve: [{ node: 'node-1', resources: { cpu: '4' } }],
          unreserve: [{ node: 'node-1', resources: { cpu: '4' }, at: 3 }],
        }),
      ],
      want: [
        [1, 'Reserved', 'db', 'node-1', 'db', { cpu: '4' }, undefined],
        [3, 'UnreserveRefused', 'db', 'node-1', 'db', { cpu: '4' }, 'BeyondDynamic'],
      ],
    },
    {
      name: 'an UNRESERVE with nothing reserved',
      frameworks: [db({ unreserve: [{ node: 'node-1', resources: { cpu: '1' } }] })],
      want: [[1, 'UnreserveRefused', 'db', 'node-1', 'db', { cpu: '1' }, 'BeyondDynamic']],
    },
    {
      name: 'an operation on a node the framework is never offered',
      frameworks: [db({ constraints: { matchLabels: { disk: 'ssd' } }, reserve: [{ node: 'node-1', resources: { cpu: '1' } }] })],
      want: [[1, 'ReserveRefused', 'db', 'node-1', 'db', { cpu: '1' }, 'NotOffered']],
    },
  ])('refuses $name, and says why', ({ frameworks, want }) => {
    const r = simulate(parseScenario({ nodes, frameworks }));
    expect(operations(r.events)).toEqual(want);
    expect(r.nodes['node-1']!.reserved).toEqual(want.some((w) => w[1] === 'Reserved') ? { db: { cpu: '4' } } : undefined);
  });

  it('a multi-role framework reserves for the role it names, on an offer made for that role', () => {
    const r = simulate(
      parseScenario({
        nodes: [nodes[0]],
        frameworks: [
          { name: 'm', roles: ['a', 'b'], task: { cpu: '1' }, tasks: 0, reserve: [{ node: 'node-1', role: 'b', resources: { cpu: '3' } }] },
        ],
      }),
    );
    expect(operations(r.events)).toEqual([[1, 'Reserved', 'm', 'node-1', 'b', { cpu: '3' }, undefined]]);
    expect(r.nodes['node-1']!.reserved).toEqual({ b: { cpu: '3' } });
  });

  it.each([
    { op: { node: 'node-9', resources: { cpu: '1' } }, want: 'frameworks[0].reserve[0].node: no node "node-9" in nodes' },
    {
      op: { node: 'node-1', role: 'other', resources: { cpu: '1' } },
      want: "frameworks[0].reserve[0].role: must be one of the framework's roles (db)",
    },
    { op: { node: 'node-1', resources: { cpu: '0' } }, want: 'frameworks[0].reserve[0].resources: must name some resource' },
    { op: { node: 'node-1', resources: { cpu: 'x' } }, want: 'frameworks[0].reserve[0].resources.cpu: invalid quantity' },
    { op: { node: 'node-1', resources: { cpu: '1' }, at: 0 }, want: 'frameworks[0].reserve[0].at: must be an integer ≥ 1' },
    { op: { node: 'node-1', resources: { cpu: '1' }, when: 2 }, want: 'frameworks[0].reserve[0].when: unknown field' },
  ])('names a bad operation field: $want', ({ op, want }) => {
    expect(() => parseScenario({ nodes, frameworks: [db({ reserve: [op] })] })).toThrow(want);
  });
});
