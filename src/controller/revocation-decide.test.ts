import { describe, expect, it } from 'vitest';
import type { RevocationDecision } from '../allocator/index.ts';
import type { FrameworkObject, TaskObject, TaskStatus } from '../api/objects.ts';
import { isRevoking, noticesFor, revocationBudget, revocationSnapshot } from './revocation-decide.ts';

const NOW = Date.parse('2026-01-01T00:01:00.000Z');

function fw(name: string, spec: Partial<FrameworkObject['spec']> = {}): FrameworkObject {
  return { apiVersion: 'agora.dev/v1alpha1', kind: 'Framework', metadata: { name, namespace: 'ns' }, spec: { ...spec } };
}

function task(name: string, framework: string, status?: TaskStatus): TaskObject {
  return {
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace: 'ns', creationTimestamp: new Date('2026-01-01T00:00:00.000Z') },
    spec: { framework, nodeName: 'n1', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'x' }] },
    status,
  };
}

function decision(taskKey: string, extra: Partial<RevocationDecision> = {}): RevocationDecision {
  return {
    task: taskKey,
    framework: 'ns/h',
    role: 'default',
    node: 'n1',
    for: 'ns/w',
    forRole: 'default',
    reason: 'FairShare',
    set: 0,
    forResources: { cpu: 1000 },
    victimShare: 0.5,
    waitingShare: 0.5,
    ...extra,
  };
}

const running: TaskStatus = { state: 'TASK_RUNNING', startedAt: '2026-01-01T00:00:05.000Z' };

describe('revocationSnapshot', () => {
  it("carries the controller's fairness exclusion", () => {
    const view = { nodes: [], roles: [], frameworks: [], tasks: [], now: NOW };
    expect(revocationSnapshot({ ...view, excludedResources: ['nvidia.com/gpu'] }).excludedResources).toEqual(['nvidia.com/gpu']);
    expect(revocationSnapshot({ ...view, excludedResources: [] }).excludedResources).toBeUndefined();
  });

  it('nodes: capacity without external pods, free only where offerable; tasks with priority and start; roles that opt out', () => {
    const s = revocationSnapshot({
      nodes: [
        { name: 'n1', allocatable: { cpu: 4000 }, external: { cpu: 1000 }, used: { cpu: 2000 }, offerable: true },
        { name: 'n2', allocatable: { cpu: 4000 }, external: {}, used: {}, offerable: false },
      ],
      roles: [
        { apiVersion: 'agora.dev/v1alpha1', kind: 'ResourceRole', metadata: { name: 'keep' }, spec: { revocation: 'Never', weight: 2 } },
      ],
      frameworks: [
        { key: 'ns/h', framework: fw('h', { priority: 5, role: 'keep' }), demand: undefined },
        { key: 'ns/w', framework: fw('w'), demand: [{ resources: { cpu: 1000 }, count: 2 }] },
      ],
      tasks: [
        { key: 'ns/h-0', task: task('h-0', 'h', running), holding: { cpu: 1000, pods: 1 } },
        {
          key: 'ns/h-1',
          task: task('h-1', 'h', {
            ...running,
            revocation: { reason: 'FairShare', for: 'ns/w', noticedAt: '2026-01-01T00:00:30.000Z', deadline: '2026-01-01T00:01:00.000Z' },
          }),
          holding: { cpu: 1000, pods: 1 },
        },
        { key: 'ns/h-2', task: task('h-2', 'h', { state: 'TASK_FINISHED' }), holding: { cpu: 1000, pods: 1 } },
        { key: 'ns/gone-0', task: task('gone-0', 'gone', running), holding: { cpu: 1000, pods: 1 } },
      ],
      now: NOW,
    });
    expect(s.excludedResources).toBeUndefined();
    expect(s.nodes).toEqual([
      { name: 'n1', capacity: { cpu: 3000 }, free: { cpu: 1000 } },
      { name: 'n2', capacity: { cpu: 4000 }, free: {} },
    ]);
    expect(s.roles).toEqual([{ name: 'keep', weight: 2, guarantee: undefined, limit: undefined, revocable: false }]);
    // w has a task being revoked for it: nothing more is revoked for it until that settles
    expect(s.frameworks.map((f) => [f.name, f.role, f.priority, f.awaitingRevoked])).toEqual([
      ['ns/h', 'keep', 5, undefined],
      ['ns/w', 'default', 0, true],
    ]);
    expect(s.tasks.map((t) => [t.id, t.priority, t.startedAt, t.revoking])).toEqual([
      ['ns/h-0', 5, Date.parse('2026-01-01T00:00:05.000Z'), false],
      ['ns/h-1', 5, Date.parse('2026-01-01T00:00:05.000Z'), true],
    ]);
  });
});

describe('revocationSnapshot: revocable resources', () => {
  it("carries tasks launched from revocable offers and each node's reservations", () => {
    const lent = task('b-0', 'b', running);
    lent.spec.revocable = true;
    const s = revocationSnapshot({
      nodes: [
        {
          name: 'n1',
          allocatable: { cpu: 4000 },
          external: {},
          used: { cpu: 2000 },
          offerable: true,
          reservations: [{ role: 'owner', resources: { cpu: 3000 } }],
        },
        { name: 'n2', allocatable: { cpu: 4000 }, external: {}, used: {}, offerable: true, reservations: [] },
      ],
      roles: [],
      frameworks: [
        { key: 'ns/b', framework: fw('b'), demand: [] },
        { key: 'ns/o', framework: fw('o', { role: 'owner' }), demand: [{ resources: { cpu: 1000 }, count: 1 }] },
      ],
      tasks: [
        { key: 'ns/b-0', task: lent, holding: { cpu: 1000 } },
        { key: 'ns/b-1', task: task('b-1', 'b', running), holding: { cpu: 1000 } },
      ],
      now: NOW,
    });
    expect(s.nodes).toEqual([
      { name: 'n1', capacity: { cpu: 4000 }, free: { cpu: 2000 }, reservations: [{ role: 'owner', resources: { cpu: 3000 } }] },
      { name: 'n2', capacity: { cpu: 4000 }, free: { cpu: 4000 } },
    ]);
    expect(s.tasks.map((t) => [t.id, t.revocable])).toEqual([
      ['ns/b-0', true],
      ['ns/b-1', undefined],
    ]);
  });

  it('a Revocable notice says whose resources the task ran on', () => {
    const plan = noticesFor(
      [decision('ns/h-0', { reason: 'Revocable', for: 'ns/o', forRole: 'owner' })],
      new Map([['ns/h-0', task('h-0', 'h', running)]]),
      {
        now: NOW,
        dryRun: false,
        graceMs: () => 30_000,
      },
    );
    expect(plan.write.map((w) => [w.revocation.reason, w.revocation.message])).toEqual([
      [
        'Revocable',
        'revoked for ns/o (role owner): the task runs on revocable resources held back for that role, which now wants them back',
      ],
    ]);
  });
});

describe('revocationBudget', () => {
  it.each([
    { name: 'per cycle', perCycle: 3, perMinute: 60, noticed: [], want: 3 },
    {
      name: 'per minute, counting the last minute only',
      perCycle: 10,
      perMinute: 5,
      noticed: [NOW - 1000, NOW - 59_000, NOW - 61_000],
      want: 3,
    },
    { name: 'spent', perCycle: 10, perMinute: 2, noticed: [NOW - 1, NOW - 2, NOW - 3], want: 0 },
  ])('$name', ({ perCycle, perMinute, noticed, want }) => expect(revocationBudget(perCycle, perMinute, noticed, NOW)).toBe(want));
});

describe('noticesFor', () => {
  const opts = { now: NOW, dryRun: false, graceMs: () => 30_000 };

  it('tells each planned victim why, for whom and until when', () => {
    const tasks = new Map([['ns/h-0', task('h-0', 'h', running)]]);
    const { write, clear } = noticesFor([decision('ns/h-0')], tasks, opts);
    expect(clear).toEqual([]);
    expect(write).toHaveLength(1);
    expect(write[0]!.revocation).toEqual({
      reason: 'FairShare',
      for: 'ns/w',
      forRole: 'default',
      message: expect.stringMatching(/^revoked for ns\/w \(role default\), below its fair share: ns\/h is over its fair share; .*50\.0%/),
      noticedAt: '2026-01-01T00:01:00.000Z',
      deadline: '2026-01-01T00:01:30.000Z',
    });
  });

  it('never tells a task twice', () => {
    const told = task('h-0', 'h', {
      ...running,
      revocation: { reason: 'FairShare', noticedAt: '2026-01-01T00:00:00.000Z', deadline: '2026-01-01T00:00:30.000Z' },
    });
    expect(noticesFor([decision('ns/h-0')], new Map([['ns/h-0', told]]), opts).write).toEqual([]);
    expect(isRevoking(told)).toBe(true);
  });

  it('dry run: reports once, clears what no longer holds, and a dry-run notice is not revoking', () => {
    const dry = {
      ...running,
      revocation: {
        reason: 'FairShare' as const,
        for: 'ns/w',
        noticedAt: '2026-01-01T00:00:00.000Z',
        deadline: '2026-01-01T00:00:30.000Z',
        dryRun: true,
      },
    };
    const tasks = new Map([
      ['ns/h-0', task('h-0', 'h', dry)],
      ['ns/h-1', task('h-1', 'h', dry)],
      ['ns/h-2', task('h-2', 'h', running)],
    ]);
    const { write, clear } = noticesFor([decision('ns/h-0'), decision('ns/h-2')], tasks, { ...opts, dryRun: true });
    expect(write.map((w) => [w.key, w.revocation.dryRun])).toEqual([['ns/h-2', true]]);
    expect(clear).toEqual(['ns/h-1']);
    expect(isRevoking(tasks.get('ns/h-0')!)).toBe(false);
  });
});
