import { describe, expect, it } from 'vitest';
import { validateTask, type KillFacts, type TaskReview } from './task.ts';

const NS = 'team-a';
const SA_A = 'system:serviceaccount:team-a:sched-a';
const spec = {
  framework: 'fw-a',
  offer: 'o1',
  nodeName: 'node-1',
  resources: { cpu: '1' },
  containers: [{ name: 'main', image: 'busybox' }],
};
const task = (s: Record<string, unknown> = {}) => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Task',
  metadata: { name: 't1' },
  spec: { ...spec, ...s },
});
const facts: KillFacts = { framework: { name: 'fw-a', serviceAccountName: 'sched-a' }, frameworksOfWriter: ['fw-a'] };
const update = (change: Record<string, unknown>, over: Partial<TaskReview> = {}, old = task()): TaskReview => ({
  operation: 'UPDATE',
  namespace: NS,
  old,
  task: { ...old, spec: { ...old.spec, ...change } },
  writer: { username: SA_A, privileged: false },
  facts,
  ...over,
});
const controller = { writer: { username: 'controller', privileged: true }, facts: undefined };

describe('validateTask', () => {
  it.each([
    { name: 'a kill by the framework ServiceAccount', review: update({ kill: true }), wantPaths: [] },
    { name: 'a kill by the controller', review: update({ kill: true }, controller), wantPaths: [] },
    {
      name: 'a Task created by the controller',
      review: { operation: 'CREATE' as const, namespace: NS, task: task(), ...controller },
      wantPaths: [],
    },
    { name: 'a repeated kill', review: update({ kill: true }, { facts: undefined }, task({ kill: true })), wantPaths: [] },
  ])('admits $name', ({ review, wantPaths }) => {
    expect(validateTask(review).map((e) => e.path)).toEqual(wantPaths);
  });

  it.each([
    {
      name: 'a Task created by a framework',
      review: { operation: 'CREATE' as const, namespace: NS, task: task(), writer: { username: SA_A, privileged: false } },
      wantPaths: ['spec'],
      wantMessage: /may not create Tasks: tasks are made by the Agora controller from an accepted offer; accept an offer instead/,
    },
    {
      name: 'a moved task',
      review: update({ nodeName: 'node-2' }),
      wantPaths: ['spec.nodeName'],
      wantMessage: /immutable except spec\.kill; to change spec\.nodeName, kill the task/,
    },
    {
      name: 'a resized task, even by the controller',
      review: update({ resources: { cpu: '2' } }, controller),
      wantPaths: ['spec.resources'],
      wantMessage: /immutable except spec\.kill/,
    },
    {
      name: 'a withdrawn kill',
      review: update({ kill: false }, {}, task({ kill: true })),
      wantPaths: ['spec.kill'],
      wantMessage: /cannot be withdrawn/,
    },
    {
      name: 'another framework killing',
      review: update(
        { kill: true },
        {
          writer: { username: 'system:serviceaccount:team-a:sched-b', privileged: false },
          facts: { framework: { name: 'fw-a' }, frameworksOfWriter: ['fw-b'] },
        },
      ),
      wantPaths: ['spec.kill'],
      wantMessage: /is the ServiceAccount of framework "fw-b" and may not kill this task for framework "fw-a"/,
    },
    {
      name: 'a Task with zero cpu created by the controller',
      review: { operation: 'CREATE' as const, namespace: NS, task: task({ resources: { cpu: '0' } }), ...controller },
      wantPaths: ['spec.resources.cpu'],
      wantMessage: /must be positive/,
    },
  ])('rejects $name', ({ review, wantPaths, wantMessage }) => {
    const errors = validateTask(review);
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    expect(errors[0]!.message).toMatch(wantMessage);
  });
});
