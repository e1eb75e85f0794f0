import { describe, expect, it } from 'vitest';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { IFramework, IOffer, ITask } from '../api/index.ts';
import { bar, table } from './output.ts';
import { buildStatus, phaseOf, renderStatus } from './status-view.ts';

const NOW = Date.parse('2025-01-01T00:01:00Z');

const fw = (name: string, over: Partial<IFramework> = {}): IFramework => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Framework',
  metadata: { name, namespace: 'demo' },
  spec: { role: name },
  ...over,
});
const node = (name: string, cpu: string, memory: string): V1Node => ({
  metadata: { name },
  status: { allocatable: { cpu, memory, pods: '110' } },
});
const pod = (nodeName: string, cpu: string, memory: string, phase = 'Running'): V1Pod => ({
  metadata: { name: `p-${cpu}` },
  spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] },
  status: { phase },
});
const offer = (
  name: string,
  framework: string,
  nodeName: string,
  resources: Record<string, string>,
  over: Partial<IOffer['spec']> = {},
  phase?: 'Outstanding' | 'Accepted',
): IOffer => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Offer',
  metadata: { name, namespace: 'demo', creationTimestamp: '2025-01-01T00:00:50Z' as never },
  spec: { framework, nodeName, resources, expiresAt: '2025-01-01T00:01:20Z', ...over },
  ...(phase ? { status: { phase } } : {}),
});
const task = (name: string, framework: string, state?: NonNullable<ITask['status']>['state']): ITask => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'demo' },
  spec: { framework, nodeName: 'n1', resources: { cpu: '1' }, containers: [{ name: 'c', image: 'i' }] },
  ...(state ? { status: { state } } : {}),
});

describe('buildStatus', () => {
  const view = buildStatus({
    frameworks: [
      fw('b', {
        spec: { role: 'drf-b', builtin: { tasks: 10, template: { resources: { cpu: '3' }, containers: [{ name: 'c', image: 'i' }] } } },
        status: { phase: 'Active', dominantShare: 2 / 3, allocated: { cpu: '6', memory: '2Gi' }, launched: 2, tasks: { running: 2 } },
      }),
      fw('a', { status: { dominantShare: 0.5 } }),
    ],
    offers: [
      offer('o1', 'a', 'n1', { cpu: '2', memory: '4Gi' }),
      offer('o2', 'a', 'n1', { cpu: '1' }, {}, 'Accepted'),
      offer('o3', 'a', 'n1', { cpu: '1' }, { decline: {} }),
    ],
    tasks: [task('a-1', 'a', 'TASK_RUNNING'), task('a-2', 'a', 'TASK_FINISHED'), task('a-3', 'a'), task('b-1', 'b', 'TASK_RUNNING')],
    nodes: [node('n1', '9', '18Gi')],
    pods: [pod('n1', '3', '2Gi'), pod('n1', '1', '1Gi', 'Succeeded')],
    now: NOW,
  });

  it('lists frameworks sorted, with tasks from status when present, else counted', () => {
    expect(view.frameworks.map((f) => [f.name, f.role, f.scheduler, f.phase, f.tasks, f.outstandingOffers])).toEqual([
      ['a', 'a', 'external', 'Pending', { staging: 1, running: 1, finished: 1 }, 1],
      ['b', 'drf-b', 'builtin', 'Active', { running: 2 }, 0],
    ]);
    expect(view.frameworks[1]).toMatchObject({ dominantShare: 2 / 3, allocated: { cpu: '6', memory: '2Gi' }, launched: 2, wanted: 10 });
  });

  it('computes node free = allocatable − used (non-terminal pods) − outstanding offers', () => {
    expect(view.nodes).toEqual([
      {
        name: 'n1',
        allocatable: { cpu: '9', memory: '18Gi' },
        used: { cpu: '3', memory: '2Gi' },
        offered: { cpu: '2', memory: '4Gi' },
        free: { cpu: '4', memory: '12Gi' },
      },
    ]);
  });

  it('lists only outstanding, unanswered offers with age and expiry', () => {
    expect(view.offers).toEqual([
      {
        namespace: 'demo',
        name: 'o1',
        framework: 'a',
        node: 'n1',
        resources: { cpu: '2', memory: '4Gi' },
        ageSeconds: 10,
        expiresInSeconds: 20,
      },
    ]);
  });

  it("computes each framework's demand and fair share of what Agora may use (9 CPU less 3 of other Pods)", () => {
    // a publishes no demand: its 2 tasks (2 CPU) are its fair allocation. b runs 1 CPU and wants
    // 9 × 3 CPU: 1 + 3 of the 6 fit, 4/6.
    expect(view.frameworks.map((f) => [f.name, f.demand, f.fairShare?.toFixed(4)])).toEqual([
      ['a', undefined, (2 / 6).toFixed(4)],
      ['b', '9 × cpu 3', (4 / 6).toFixed(4)],
    ]);
  });

  it('lists the tasks being revoked, and renders them', () => {
    const revoking: ITask = {
      ...task('a-1', 'a', 'TASK_RUNNING'),
      status: {
        state: 'TASK_RUNNING',
        revocation: { reason: 'FairShare', for: 'demo/b', noticedAt: '2025-01-01T00:00:50Z', deadline: '2025-01-01T00:01:20Z' },
      },
    };
    const killed: ITask = {
      ...revoking,
      metadata: { name: 'a-0', namespace: 'demo' },
      status: { ...revoking.status, state: 'TASK_KILLED' },
    };
    const v = buildStatus({
      frameworks: [fw('a')],
      offers: [],
      tasks: [revoking, killed],
      nodes: [node('n1', '9', '18Gi')],
      pods: [],
      now: NOW,
    });
    expect(v.revocations).toEqual([
      {
        namespace: 'demo',
        task: 'a-1',
        framework: 'a',
        node: 'n1',
        reason: 'FairShare',
        for: 'demo/b',
        deadlineInSeconds: 20,
        dryRun: false,
      },
    ]);
    expect(renderStatus(v)).toMatch(
      /Being revoked\nNAMESPACE\s+TASK\s+FRAMEWORK\s+NODE\s+REASON\s+FOR\s+KILLED IN\ndemo\s+a-1\s+a\s+n1\s+FairShare\s+demo\/b\s+20s/,
    );
  });

  it('counts revocable tasks not ended and marks revocable offers', () => {
    const lent = (name: string, state: NonNullable<ITask['status']>['state']): ITask => {
      const t = task(name, 'a', state);
      return { ...t, spec: { ...t.spec, revocable: true } };
    };
    const v = buildStatus({
      frameworks: [fw('a'), fw('b')],
      offers: [offer('o1', 'a', 'n1', { cpu: '2' }, { revocable: true }, 'Outstanding')],
      tasks: [lent('a-0', 'TASK_RUNNING'), lent('a-1', 'TASK_KILLED'), task('a-2', 'a', 'TASK_RUNNING'), task('b-0', 'b', 'TASK_RUNNING')],
      nodes: [node('n1', '9', '18Gi')],
      pods: [],
      now: NOW,
    });
    expect(v.frameworks.map((f) => [f.name, f.revocableTasks])).toEqual([
      ['a', 1],
      ['b', undefined],
    ]);
    expect(v.offers.map((o) => [o.name, o.revocable])).toEqual([['o1', true]]);
    const out = renderStatus(v);
    expect(out).toMatch(/demo\s+a\s.*2 running, 1 killed \(1 revocable\)/);
    expect(out).not.toMatch(/demo\s+b\s.*revocable/);
    expect(out).toMatch(/o1\s+a\s+n1\s+cpu 2 \(revocable\)/);
  });

  it('lists dynamic reservations by role and node, in a section of their own', () => {
    const v = buildStatus({
      frameworks: [fw('a')],
      offers: [],
      tasks: [],
      nodes: [node('n1', '9', '18Gi')],
      pods: [],
      reservations: [
        {
          apiVersion: 'agora.dev/v1alpha1',
          kind: 'Reservation',
          metadata: { name: 'resv-2' },
          spec: { role: 'web', nodeName: 'n1', resources: { cpu: '1' } },
        },
        {
          apiVersion: 'agora.dev/v1alpha1',
          kind: 'Reservation',
          metadata: { name: 'resv-1' },
          spec: { role: 'db', nodeName: 'n1', resources: { cpu: '2', memory: '4Gi' } },
        },
      ],
      now: NOW,
    });
    expect(v.reservations.map((r) => [r.role, r.node, r.resources])).toEqual([
      ['db', 'n1', { cpu: '2', memory: '4Gi' }],
      ['web', 'n1', { cpu: '1' }],
    ]);
    expect(renderStatus(v)).toMatch(/Dynamic reservations\nROLE\s+NODE\s+RESERVED\ndb\s+n1\s+cpu=2 memory=4Gi\nweb\s+n1\s+cpu=1/);
    expect(renderStatus(view)).not.toContain('Dynamic reservations');
  });

  it('leaves the excluded resources out of the fair shares, as the controller does', () => {
    // One node of 8 CPU and 4 GPUs; g runs 2 tasks of 1 CPU + 2 GPUs, c wants 8 tasks of 1 CPU.
    const gpuTask = (name: string): ITask => ({
      ...task(name, 'g', 'TASK_RUNNING'),
      spec: { framework: 'g', nodeName: 'n1', resources: { cpu: '1', 'nvidia.com/gpu': '2' }, containers: [{ name: 'c', image: 'i' }] },
    });
    const input = {
      frameworks: [fw('g'), fw('c', { spec: { role: 'c', demand: [{ resources: { cpu: '1' }, count: 8 }] } })],
      offers: [],
      tasks: [gpuTask('g-1'), gpuTask('g-2')],
      nodes: [{ metadata: { name: 'n1' }, status: { allocatable: { cpu: '8', 'nvidia.com/gpu': '4', pods: '110' } } }],
      pods: [],
      now: NOW,
    };
    const fair = (v: ReturnType<typeof buildStatus>) => Object.fromEntries(v.frameworks.map((f) => [f.name, f.fairShare]));
    // GPUs counted: g's 2 tasks hold every GPU, 4/4 = 1; c gets the 6 CPU left, 6/8.
    expect(fair(buildStatus(input))).toEqual({ g: 1, c: 0.75 });
    // GPUs excluded: g's 2 tasks are 2/8 CPU = 0.25; c the other 6/8.
    expect(fair(buildStatus({ ...input, excludedResources: ['nvidia.com/gpu'] }))).toEqual({ g: 0.25, c: 0.75 });
  });

  it('renders plain tables', () => {
    const out = renderStatus(view);
    expect(out).toContain('Frameworks\nNAMESPACE  NAME  ROLE   SCHEDULER     PHASE    DOMINANT SHARE');
    expect(out).toMatch(
      /demo\s+b\s+drf-b\s+builtin 2\/10\s+Active\s+█+▍?░+\s+66\.7%\s+66\.7%\s+9 × cpu 3\s+cpu 6, mem 2Gi\s+2 running\s+0/,
    );
    expect(out).not.toContain('Being revoked');
    expect(out).toContain('n1    4 / 2 / 3 / 9');
    expect(out).not.toContain('\u001b[');
  });
});

describe('output', () => {
  it.each([
    { share: 0, want: '░░░░░░░░░░' },
    { share: 0.5, want: '█████░░░░░' },
    { share: 2 / 3, want: '██████▋░░░' },
    { share: 1, want: '██████████' },
    { share: 1.5, want: '██████████' },
  ])('bar($share)', ({ share, want }) => expect(bar(share, 10)).toBe(want));

  it('aligns columns by visible width', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['xxx', '1'],
          ['y', '22'],
        ],
        { align: ['left', 'right'] },
      ),
    ).toBe('A    BB\nxxx   1\ny    22');
  });
});

describe('phaseOf', () => {
  const builtin = { role: 'r', builtin: { tasks: 1 } };
  const cond = (status: 'True' | 'False', reason: string) => [
    { type: 'Complete', status, reason, message: '', lastTransitionTime: '2025-01-01T00:00:00Z' },
  ];
  it.each([
    { name: 'no status', f: fw('x'), want: 'Pending' },
    { name: 'suppressed, no status', f: fw('x', { spec: { suppressed: true } }), want: 'Suppressed' },
    { name: 'controller phase', f: fw('x', { status: { phase: 'Active' } }), want: 'Active' },
    {
      name: 'builtin complete wins over a stale phase',
      f: fw('x', { spec: builtin, status: { phase: 'Pending', conditions: cond('True', 'AllTasksFinished') } }),
      want: 'Completed',
    },
    {
      name: 'builtin failed',
      f: fw('x', { spec: builtin, status: { phase: 'Pending', conditions: cond('False', 'TasksFailed') } }),
      want: 'Failed',
    },
    {
      name: 'builtin in progress',
      f: fw('x', { spec: builtin, status: { phase: 'Active', conditions: cond('False', 'InProgress') } }),
      want: 'Active',
    },
  ])('$name → $want', ({ f, want }) => expect(phaseOf(f)).toBe(want));
});
