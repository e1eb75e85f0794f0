import { describe, expect, it } from 'vitest';
import type { OfferObject, TaskObject } from '../../api/objects.ts';
import { taskViews } from './scheduler.ts';

const task = (name: string, state?: NonNullable<TaskObject['status']>['state'], finishedAt?: string, reason?: string): TaskObject => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Task',
  metadata: { name, namespace: 'ns' },
  spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' }, containers: [{ name: 'c', image: 'i' }] },
  ...(state ? { status: { state, ...(finishedAt ? { finishedAt } : {}), ...(reason ? { reason } : {}) } } : {}),
});
const accepted = (name: string, tasks: string[], phase?: NonNullable<OfferObject['status']>['phase']): OfferObject => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Offer',
  metadata: { name, namespace: 'ns', uid: name },
  spec: {
    framework: 'fw',
    nodeName: 'n',
    resources: { cpu: '8' },
    accept: { tasks: tasks.map((t) => ({ name: t, resources: { cpu: '1' }, containers: [{ name: 'c', image: 'i' }] })) },
  },
  ...(phase ? { status: { phase } } : {}),
});

describe('taskViews', () => {
  it.each([
    {
      name: 'Task objects with their state and finish time',
      tasks: [task('fw-0', 'TASK_FAILED', '2025-01-01T00:00:10Z')],
      offers: [],
      answered: [],
      want: [['fw-0', 'TASK_FAILED', Date.parse('2025-01-01T00:00:10Z')]],
    },
    {
      name: 'accepted, Task not yet created: pending',
      tasks: [],
      offers: [accepted('o1', ['fw-0', 'fw-1'])],
      answered: [],
      want: [
        ['fw-0', undefined, undefined],
        ['fw-1', undefined, undefined],
      ],
    },
    {
      name: 'accepted and processed, Task seen: the Task wins',
      tasks: [task('fw-0', 'TASK_RUNNING')],
      offers: [accepted('o1', ['fw-0'], 'Accepted')],
      answered: [],
      want: [['fw-0', 'TASK_RUNNING', undefined]],
    },
    {
      name: 'an accept on a rescinded offer launched nothing',
      tasks: [],
      offers: [accepted('o1', ['fw-0'], 'Rescinded')],
      answered: [],
      want: [],
    },
    {
      name: 'answered by this process, cache not caught up',
      tasks: [],
      offers: [],
      answered: [['fw-3']],
      want: [['fw-3', undefined, undefined]],
    },
  ])('$name', ({ tasks, offers, answered, want }) => {
    const local = new Map(answered.map((names, i) => [`uid-${i}`, { names }]));
    expect(taskViews(tasks, offers, local).map((v) => [v.name, v.state, v.finishedAt])).toEqual(want);
  });
});

describe('taskViews: revoked', () => {
  it.each([
    { name: 'killed, reason Revoked', state: 'TASK_KILLED' as const, reason: 'Revoked', want: true },
    { name: 'killed on request', state: 'TASK_KILLED' as const, reason: 'KillRequested', want: undefined },
    { name: 'failed', state: 'TASK_FAILED' as const, reason: 'PodFailed', want: undefined },
  ])('$name → revoked $want', ({ state, reason, want }) => {
    const [v] = taskViews([task('fw-0', state, '2025-01-01T00:00:10Z', reason)], [], new Map());
    expect(v!.revoked).toBe(want);
  });
});
