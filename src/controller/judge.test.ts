import { describe, expect, it } from 'vitest';
import type { V1Node } from '@kubernetes/client-node';
import { acceptProblem, judgeAccept, type AcceptCase } from './judge.ts';
import type { AcceptedTask, OfferObject, TaskObject } from '../api/objects.ts';

const GiB = 2 ** 30;
const containers = [{ name: 'main', image: 'busybox' }];

function offer(tasks: AcceptedTask[], resources: Record<string, string> = { cpu: '4', memory: '8Gi' }): AcceptCase['offer'] {
  return {
    metadata: { name: 'o1', namespace: 'ns' },
    spec: { framework: 'fw', nodeName: 'n1', resources, accept: { tasks } },
  } as OfferObject;
}

const task = (name: string, cpu: string, memory = '1Gi'): AcceptedTask => ({ name, resources: { cpu, memory }, containers });

function existing(name: string, o: Partial<{ offer: string; framework: string; state: string; podName: string }>): TaskObject {
  return {
    metadata: { name, namespace: 'ns' },
    spec: { framework: o.framework ?? 'fw', offer: o.offer ?? 'o1', nodeName: 'n1', resources: { cpu: '1', memory: '1Gi' }, containers },
    ...(o.state ? { status: { state: o.state, ...(o.podName ? { podName: o.podName } : {}) } } : {}),
  } as unknown as TaskObject;
}

const roomy = { cpu: 8000, memory: 32 * GiB, pods: 10 };

describe('judgeAccept', () => {
  it.each([
    {
      name: 'all fit',
      tasks: [task('a', '1'), task('b', '2')],
      free: roomy,
      want: ['a:launch', 'b:launch'],
    },
    {
      name: 'over the offer: that task fails, the next one still fits',
      tasks: [task('a', '3'), task('b', '2'), task('c', '1')],
      free: roomy,
      want: ['a:launch', 'b:ExceedsOffer', 'c:launch'],
    },
    {
      name: 'the node has less free now than was offered',
      tasks: [task('a', '1'), task('b', '1')],
      free: { cpu: 1500, memory: 32 * GiB, pods: 10 },
      want: ['a:launch', 'b:InsufficientResources'],
    },
    {
      name: 'a pod slot each',
      tasks: [task('a', '1'), task('b', '1')],
      free: { cpu: 8000, memory: 32 * GiB, pods: 1 },
      want: ['a:launch', 'b:InsufficientResources'],
    },
    {
      name: 'a bad quantity fails only that task',
      tasks: [task('a', 'lots'), task('b', '1')],
      free: roomy,
      want: ['a:InvalidResources', 'b:launch'],
    },
    {
      name: "a name taken by another offer's task is a conflict",
      tasks: [task('a', '1')],
      free: roomy,
      existing: { a: existing('a', { offer: 'other' }) },
      want: ['a:conflict'],
    },
    {
      name: 'a task launched before keeps its hold (re-run after a restart)',
      tasks: [task('a', '1'), task('b', '3'), task('c', '1')],
      free: roomy,
      existing: { a: existing('a', { state: 'TASK_RUNNING', podName: 'a' }) },
      want: ['a:launch', 'b:launch', 'c:ExceedsOffer'],
    },
    {
      name: "more tasks than the offer's pod slots: the ones past them fail",
      tasks: [task('a', '1'), task('b', '1'), task('c', '1')],
      free: roomy,
      podSlots: 2,
      want: ['a:launch', 'b:launch', 'c:ExceedsOffer'],
    },
    {
      name: 'a task launched before uses one of the pod slots',
      tasks: [task('a', '1'), task('b', '1')],
      free: roomy,
      podSlots: 1,
      existing: { a: existing('a', { state: 'TASK_RUNNING', podName: 'a' }) },
      want: ['a:launch', 'b:ExceedsOffer'],
    },
  ])('$name', ({ tasks, free, existing: ex, want, podSlots }) => {
    const o = offer(tasks);
    if (podSlots !== undefined) o.spec.podSlots = podSlots;
    const got = judgeAccept({ offer: o, free, existing: (n) => (ex as Record<string, TaskObject> | undefined)?.[n] });
    expect(got.map((v) => `${v.spec.name}:${v.conflict !== undefined ? 'conflict' : (v.fail?.reason ?? 'launch')}`)).toEqual(want);
  });

  it('a problem with the offer or node loses every new task', () => {
    const problem = acceptProblem({}, true, 'n1', undefined);
    const got = judgeAccept({ offer: offer([task('a', '1')]), problem, free: {}, existing: () => undefined });
    expect(got[0]!.fail).toEqual({ state: 'TASK_LOST', reason: 'NodeLost', message: 'node n1 is gone' });
  });

  it('an accept whose tasks are not a list judges nothing', () => {
    const bad = offer([]);
    (bad.spec.accept as unknown as { tasks: unknown }).tasks = { a: 1 };
    expect(judgeAccept({ offer: bad, free: roomy, existing: () => undefined })).toEqual([]);
  });
});

describe('acceptProblem', () => {
  const ready: V1Node = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  it.each([
    { name: 'outstanding, node Ready', outstanding: true, node: ready, want: undefined },
    { name: 'withdrawn first', outstanding: false, node: ready, want: 'OfferNotOutstanding' },
    { name: 'node gone', outstanding: true, node: undefined, want: 'NodeLost' },
    { name: 'node cordoned', outstanding: true, node: { ...ready, spec: { unschedulable: true } }, want: 'NodeNotReady' },
    {
      name: 'node not Ready',
      outstanding: true,
      node: { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
      want: 'NodeNotReady',
    },
  ])('$name', ({ outstanding, node, want }) => {
    expect(acceptProblem({ status: { phase: 'Rescinded' } }, outstanding, 'n1', node)?.reason).toBe(want);
  });
});
