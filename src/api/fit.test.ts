import { describe, expect, it } from 'vitest';
import { fit, fits, nodeFree, type Insufficient } from './fit.ts';
import type { ResourceList } from './quantity.ts';

const GiB = 1024 ** 3;

describe('fit', () => {
  it.each<{ name: string; asked: ResourceList; free: ResourceList; want: Insufficient[] }>([
    { name: 'fits exactly', asked: { cpu: 2000, memory: GiB }, free: { cpu: 2000, memory: GiB }, want: [] },
    {
      name: 'one resource short',
      asked: { cpu: 2500, memory: GiB },
      free: { cpu: 2000, memory: 4 * GiB },
      want: [{ resource: 'cpu', asked: 2500, free: 2000, shortBy: 500 }],
    },
    {
      name: 'a resource the node does not have is zero free',
      asked: { 'nvidia.com/gpu': 1 },
      free: { cpu: 8000 },
      want: [{ resource: 'nvidia.com/gpu', asked: 1, free: 0, shortBy: 1 }],
    },
    {
      name: 'every short resource, in the order asked',
      asked: { memory: 2 * GiB, cpu: 3000, pods: 1 },
      free: { cpu: 1000, memory: GiB, pods: 5 },
      want: [
        { resource: 'memory', asked: 2 * GiB, free: GiB, shortBy: GiB },
        { resource: 'cpu', asked: 3000, free: 1000, shortBy: 2000 },
      ],
    },
    { name: 'asking for zero always fits', asked: { cpu: 0 }, free: {}, want: [] },
  ])('$name', ({ asked, free, want }) => {
    expect(fit(asked, free)).toEqual(want);
    expect(fits(asked, free)).toBe(want.length === 0);
  });
});

describe('nodeFree', () => {
  it.each<{ name: string; allocatable: ResourceList; inUse: ResourceList[]; want: ResourceList }>([
    { name: 'nothing in use', allocatable: { cpu: 8000, pods: 110 }, inUse: [], want: { cpu: 8000, pods: 110 } },
    {
      name: 'pods, tasks and offers all count',
      allocatable: { cpu: 8000, memory: 32 * GiB, pods: 110 },
      inUse: [
        { cpu: 1000, pods: 1 },
        { cpu: 2000, memory: 4 * GiB, pods: 1 },
        { cpu: 500, memory: GiB },
      ],
      want: { cpu: 4500, memory: 27 * GiB, pods: 108 },
    },
    { name: 'never below zero', allocatable: { cpu: 1000 }, inUse: [{ cpu: 3000 }, { cpu: 500 }], want: { cpu: 0 } },
    { name: 'only resources the node has', allocatable: { cpu: 1000 }, inUse: [{ 'nvidia.com/gpu': 1 }], want: { cpu: 1000 } },
  ])('$name', ({ allocatable, inUse, want }) => {
    expect(nodeFree(allocatable, inUse)).toEqual(want);
  });
});
