import { describe, expect, it } from 'vitest';
import { priorityClassErrors, priorityClassToCheck, priorityDefault } from './priority-class.ts';

const fw = (spec: Record<string, unknown>) => ({ apiVersion: 'agora.dev/v1alpha1', kind: 'Framework', metadata: { name: 'f' }, spec });

describe('priorityClassErrors', () => {
  it.each<{ name: string; spec: Record<string, unknown>; value?: number; wantPath?: string; want?: RegExp }>([
    { name: 'no class named', spec: { priority: 5 } },
    { name: 'a class and no priority', spec: { priorityClassName: 'batch' }, value: 100 },
    { name: 'a class and its own value', spec: { priorityClassName: 'batch', priority: 100 }, value: 100 },
    {
      name: 'a class that does not exist',
      spec: { priorityClassName: 'nope' },
      wantPath: 'spec.priorityClassName',
      want: /PriorityClass "nope" does not exist/,
    },
    {
      name: "a priority that contradicts the class's value",
      spec: { priorityClassName: 'batch', priority: 7 },
      value: 100,
      wantPath: 'spec.priority',
      want: /7 contradicts spec\.priorityClassName "batch", whose value is 100/,
    },
    {
      name: 'a system class, even one that exists',
      spec: { priorityClassName: 'system-cluster-critical' },
      value: 2000000000,
      wantPath: 'spec.priorityClassName',
      want: /reserved for system components/,
    },
    {
      name: 'not a name',
      spec: { priorityClassName: 'Not_A_Name' },
      wantPath: 'spec.priorityClassName',
      want: /must be the name of a PriorityClass/,
    },
    {
      name: 'not a string',
      spec: { priorityClassName: 3 },
      wantPath: 'spec.priorityClassName',
      want: /must be the name of a PriorityClass/,
    },
  ])('$name', ({ spec, value, wantPath, want }) => {
    const errors = priorityClassErrors(fw(spec), value);
    expect(errors.map((e) => e.path)).toEqual(wantPath === undefined ? [] : [wantPath]);
    if (want !== undefined) expect(errors[0]!.message).toMatch(want);
  });
});

describe('priorityClassToCheck and priorityDefault', () => {
  it.each<{ name: string; spec: Record<string, unknown>; value?: number; wantLookup?: string; wantPatch: unknown[] }>([
    {
      name: 'only the class: priority filled from it',
      spec: { priorityClassName: 'batch' },
      value: 100,
      wantLookup: 'batch',
      wantPatch: [{ op: 'add', path: '/spec/priority', value: 100 }],
    },
    {
      name: 'a priority given: left as written (the validator judges it)',
      spec: { priorityClassName: 'batch', priority: 3 },
      value: 100,
      wantLookup: 'batch',
      wantPatch: [],
    },
    { name: 'a class that does not exist: nothing filled', spec: { priorityClassName: 'nope' }, wantLookup: 'nope', wantPatch: [] },
    { name: 'a system class is not even looked up', spec: { priorityClassName: 'system-node-critical' }, value: 1, wantPatch: [] },
    { name: 'no class', spec: {}, value: 1, wantPatch: [] },
  ])('$name', ({ spec, value, wantLookup, wantPatch }) => {
    expect(priorityClassToCheck(fw(spec))).toBe(wantLookup);
    expect(priorityDefault(fw(spec), value)).toEqual(wantPatch);
  });
});
