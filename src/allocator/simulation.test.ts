import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError, simulate } from './simulation.ts';

const drfPaper = {
  nodes: [{ name: 'node-1', resources: { cpu: '9', memory: '18Gi' } }],
  frameworks: [
    { name: 'A', task: { cpu: '1', memory: '4Gi' } },
    { name: 'B', task: { cpu: '3', memory: '1Gi' } },
  ],
};

describe('simulate', () => {
  it('reproduces the DRF paper example exactly', () => {
    expect(simulate(parseScenario(drfPaper))).toEqual({
      frameworks: {
        // A: 3 tasks → 3/9 cpu, 12/18 memory: dominant share 2/3
        A: { role: 'default', tasks: 3, allocated: { cpu: '3', memory: '12Gi' }, dominantShare: 2 / 3 },
        // B: 2 tasks → 6/9 cpu, 2/18 memory: dominant share 2/3
        B: { role: 'default', tasks: 2, allocated: { cpu: '6', memory: '2Gi' }, dominantShare: 2 / 3 },
      },
      nodes: { 'node-1': { free: { cpu: '0', memory: '4Gi' } } },
      cycles: 8,
    });
  });

  it.each([
    { name: 'tasks caps a framework', tasks: 1, tasksPerOffer: 1, wantA: 1 },
    // A takes the first whole-node offer and launches 4 tasks (16 of 18 GiB) at once: offers are not fair shares.
    { name: 'tasksPerOffer launches several per offer', tasks: undefined, tasksPerOffer: 4, wantA: 4 },
    { name: 'tasks: 0 runs nothing', tasks: 0, tasksPerOffer: 1, wantA: 0 },
  ])('$name', ({ tasks, tasksPerOffer, wantA }) => {
    const s = parseScenario({
      ...drfPaper,
      frameworks: [{ ...drfPaper.frameworks[0], tasks, tasksPerOffer }, drfPaper.frameworks[1]],
    });
    expect(simulate(s).frameworks.A!.tasks).toBe(wantA);
  });

  it.each([
    // Without a minimum, batch runs on both nodes; with {cpu: 4} the 2-cpu node is never offered to it.
    { name: 'no minimum offer', minOffer: undefined, wantTasks: 10, wantSmallFree: '0' },
    { name: 'a minimum offer of 4 cpus', minOffer: [{ cpu: '4' }], wantTasks: 8, wantSmallFree: '2' },
  ])("a framework's own minimum offer: $name", ({ minOffer, wantTasks, wantSmallFree }) => {
    const r = simulate(
      parseScenario({
        nodes: [
          { name: 'small', resources: { cpu: '2', memory: '8Gi' } },
          { name: 'big', resources: { cpu: '8', memory: '8Gi' } },
        ],
        frameworks: [{ name: 'batch', task: { cpu: '1', memory: '256Mi' }, tasksPerOffer: 8, minOffer }],
      }),
    );
    expect([r.frameworks.batch!.tasks, r.nodes.small!.free.cpu]).toEqual([wantTasks, wantSmallFree]);
  });

  it('a framework that cannot fit does not stop the others', () => {
    // `huge` sorts first and declines; `small` still gets the node on the next cycle.
    const out = simulate(
      parseScenario({
        nodes: [{ name: 'n', resources: { cpu: '2', memory: '2Gi' } }],
        frameworks: [
          { name: 'huge', task: { cpu: '64' } },
          { name: 'small', task: { cpu: '1' }, tasks: 2 },
        ],
      }),
    );
    expect(out.frameworks.huge!.tasks).toBe(0);
    expect(out.frameworks.small!.tasks).toBe(2);
  });
});

describe('parseScenario', () => {
  it.each([
    {
      name: 'bad quantity',
      patch: { frameworks: [drfPaper.frameworks[0], { name: 'B', task: { cpu: 'abc' } }] },
      want: 'frameworks[1].task.cpu: invalid quantity "abc"',
    },
    { name: 'missing nodes', patch: { nodes: undefined }, want: 'nodes: must be a list' },
    { name: 'no nodes', patch: { nodes: [] }, want: 'nodes: must list at least one node' },
    { name: 'node without name', patch: { nodes: [{ resources: { cpu: '1' } }] }, want: 'nodes[0].name: must be a non-empty string' },
    {
      name: 'unknown field',
      patch: { frameworks: [{ name: 'A', task: { cpu: '1' }, taks: 3 }] },
      want: 'frameworks[0].taks: unknown field',
    },
    {
      name: 'duplicate framework',
      patch: { frameworks: [drfPaper.frameworks[0], drfPaper.frameworks[0]] },
      want: 'frameworks[1].name: duplicate name "A"',
    },
    {
      name: 'bad tasks',
      patch: { frameworks: [{ name: 'A', task: { cpu: '1' }, tasks: -1 }] },
      want: 'frameworks[0].tasks: must be an integer ≥ 0',
    },
    {
      name: 'bad tasksPerOffer',
      patch: { frameworks: [{ name: 'A', task: { cpu: '1' }, tasksPerOffer: 0 }] },
      want: 'frameworks[0].tasksPerOffer: must be an integer ≥ 1',
    },
    {
      name: 'empty task',
      patch: { frameworks: [{ name: 'A', task: { cpu: '0' } }] },
      want: 'frameworks[0].task: must request some resource',
    },
    { name: 'bad weight', patch: { roles: [{ name: 'r', weight: 0 }] }, want: 'roles[0].weight: must be a positive number' },
    {
      name: 'bad nested role name',
      patch: { frameworks: [{ name: 'A', role: 'eng/', task: { cpu: '1' } }] },
      want: 'frameworks[0].role: must be lowercase DNS labels joined by "/" (e.g. eng/ml), got "eng/"',
    },
    {
      name: 'bad guarantee',
      patch: { roles: [{ name: 'r', guarantee: { memory: '1Gb' } }] },
      want: 'roles[0].guarantee.memory: invalid quantity "1Gb"',
    },
    {
      name: 'bad reservation',
      patch: { nodes: [{ name: 'n', resources: { cpu: '1' }, reservations: [{ resources: { cpu: '1' } }] }] },
      want: 'nodes[0].reservations[0].role: must be a non-empty string',
    },
    {
      name: 'bad constraint operator',
      patch: { frameworks: [{ name: 'A', task: { cpu: '1' }, constraints: { matchExpressions: [{ key: 'k', operator: 'Is' }] } }] },
      want: 'frameworks[0].constraints.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist',
    },
  ])('names the field: $name', ({ patch, want }) => {
    let err: unknown;
    try {
      parseScenario({ ...drfPaper, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message.startsWith(want)).toBe(true);
  });
});

describe('simulate: timeline and revocation', () => {
  const late = {
    nodes: drfPaper.nodes,
    frameworks: [
      { ...drfPaper.frameworks[0], tasksPerOffer: 4 },
      { ...drfPaper.frameworks[1], arriveAt: 4 },
    ],
  };

  it('the DRF paper arriving in order: A takes 4, B arrives, a revocation ends them at 3 and 2', () => {
    const r = simulate(parseScenario({ ...late, options: { revocation: true } }));
    expect([r.frameworks.A!.tasks, r.frameworks.B!.tasks]).toEqual([3, 2]);
    expect(r.events?.map((e) => `${e.cycle} ${e.event} ${e.task ?? e.framework}${e.for ? ` for ${e.for}` : ''}`)).toEqual([
      '4 FrameworkArrived B',
      '4 Revoking A-1 for B',
      '5 Revoked A-1',
    ]);
  });

  it('without revocation the late framework gets only what is free', () => {
    const r = simulate(parseScenario(late));
    // 5 CPU, 2 GiB left: one B task
    expect([r.frameworks.A!.tasks, r.frameworks.B!.tasks]).toEqual([4, 1]);
    expect(r.events).toEqual([{ cycle: 4, event: 'FrameworkArrived', framework: 'B' }]);
  });

  it('tasks with a duration finish, frameworks and nodes leave', () => {
    const r = simulate(
      parseScenario({
        nodes: [
          { name: 'n1', resources: { cpu: '2', memory: '4Gi' } },
          { name: 'n2', resources: { cpu: '2', memory: '4Gi' }, leaveAt: 3 },
        ],
        frameworks: [
          { name: 'short', task: { cpu: '1', memory: '1Gi' }, tasks: 1, duration: 2 },
          { name: 'gone', task: { cpu: '1', memory: '1Gi' }, tasks: 1, leaveAt: 5 },
        ],
      }),
    );
    // Each cycle: departures first (short's task on n2 is lost as n2 goes at 3, the cycle it
    // would have finished), then kills, then finished tasks; short runs it again on n1 (3 → 5).
    expect(r.events?.map((e) => `${e.cycle} ${e.event} ${e.framework ?? e.node}`)).toEqual([
      '3 TaskLost short',
      '3 NodeLeft n2',
      '5 TaskFinished gone',
      '5 FrameworkLeft gone',
      '5 TaskFinished short',
    ]);
    expect(Object.keys(r.nodes)).toEqual(['n1']);
  });

  it('a maintenance window: inverse offer before it, tasks moved, nothing offered on the node during it, offers after', () => {
    const r = simulate(
      parseScenario({
        nodes: [
          { name: 'a', resources: { cpu: '2', memory: '4Gi' }, maintenance: { at: 4, cycles: 3 } },
          { name: 'b', resources: { cpu: '2', memory: '4Gi' }, arriveAt: 2 },
        ],
        frameworks: [
          { name: 'web', task: { cpu: '1', memory: '1Gi' }, tasks: 2, tasksPerOffer: 2 },
          { name: 'late', task: { cpu: '1', memory: '1Gi' }, tasks: 1, arriveAt: 5 },
        ],
      }),
    );
    // web fills a at cycle 1; one cycle before the window (notice 1) it is asked for a, moves
    // both tasks to b and refuses a. late arrives during the window: b is full and a offered to
    // no one, so it waits until the window ends at 4 + 3 = 7 and then runs on a.
    expect(r.events?.map((e) => `${e.cycle} ${e.event} ${e.framework ?? e.node}`)).toEqual([
      '2 NodeArrived b',
      '3 InverseOffer web',
      '3 TaskMoved web',
      '3 TaskMoved web',
      '4 MaintenanceStarted a',
      '5 FrameworkArrived late',
      '7 MaintenanceEnded a',
    ]);
    expect([r.frameworks.web!.tasks, r.frameworks.late!.tasks]).toEqual([2, 1]);
    expect([r.nodes.a!.free.cpu, r.nodes.b!.free.cpu]).toEqual(['1', '0']);
  });

  it('names a bad maintenance field', () => {
    const node = { name: 'a', resources: { cpu: '1' } };
    expect(() => parseScenario({ ...drfPaper, nodes: [{ ...node, maintenance: { at: 2, cycles: 0 } }] })).toThrow(
      'nodes[0].maintenance.cycles: must be an integer ≥ 1',
    );
    expect(() => parseScenario({ ...drfPaper, nodes: [{ ...node, maintenance: { at: 2, cycles: 1, when: 3 } }] })).toThrow(
      /nodes\[0\]\.maintenance/,
    );
  });

  it('names a bad timeline field', () => {
    expect(() => parseScenario({ ...drfPaper, frameworks: [{ ...drfPaper.frameworks[0], arriveAt: 3, leaveAt: 2 }] })).toThrow(
      'frameworks[0].leaveAt: must be after arriveAt (3)',
    );
    expect(() => parseScenario({ ...drfPaper, options: { revocation: 'yes' } })).toThrow('options.revocation: must be true or false');
  });

  it('speaks multi-role frameworks: each offer is for one role, and its tasks count there', () => {
    const r = simulate(
      parseScenario({
        nodes: [
          { name: 'n1', resources: { cpu: '4', memory: '4Gi' } },
          { name: 'n2', resources: { cpu: '4', memory: '4Gi' } },
        ],
        frameworks: [
          { name: 'g', role: 'a', task: { cpu: '1', memory: '1Gi' }, tasks: 4, tasksPerOffer: 4 },
          { name: 'm', roles: ['a', 'b'], task: { cpu: '1', memory: '1Gi' }, tasks: 4, tasksPerOffer: 4 },
        ],
      }),
    );
    // Cycle 1: roles a and b at share 0, a first by name; in a, g before m by name: g takes n1.
    // Role a is then at 0.5, b at 0: n2 goes to m in role b, and its 4 tasks count there.
    expect(r.frameworks.g).toEqual({ role: 'a', tasks: 4, allocated: { cpu: '4', memory: '4Gi' }, dominantShare: 0.5 });
    expect(r.frameworks.m).toEqual({
      role: 'a',
      tasks: 4,
      allocated: { cpu: '4', memory: '4Gi' },
      dominantShare: 0.5,
      roles: { a: { tasks: 0, allocated: {} }, b: { tasks: 4, allocated: { cpu: '4', memory: '4Gi' } } },
    });
    expect(r.roles).toEqual({
      a: { allocated: { cpu: '4', memory: '4Gi' }, share: 0.5 },
      b: { allocated: { cpu: '4', memory: '4Gi' }, share: 0.5 },
    });
  });

  it('refuses a framework with both role and roles, or a role twice, naming the field', () => {
    const fw = { name: 'm', task: { cpu: '1' } };
    expect(() => parseScenario({ ...drfPaper, frameworks: [{ ...fw, role: 'a', roles: ['a'] }] })).toThrow(
      'frameworks[0].roles: role and roles are mutually exclusive',
    );
    expect(() => parseScenario({ ...drfPaper, frameworks: [{ ...fw, roles: ['a', 'b', 'a'] }] })).toThrow(
      'frameworks[0].roles[2]: duplicate role "a"',
    );
  });
});
