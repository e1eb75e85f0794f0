import { describe, expect, it } from 'vitest';
import type { ResourceList } from '../api/quantity.ts';
import { nestedGuaranteeErrors } from './nested-guarantees.ts';

describe('nested guarantees', () => {
  const others = (o: Record<string, ResourceList>) => new Map(Object.entries(o));
  it.each<{
    name: string;
    role: string;
    guarantee: ResourceList;
    others: Record<string, ResourceList>;
    wantPaths: string[];
    want?: RegExp;
  }>([
    { name: 'a top-level role', role: 'eng', guarantee: { cpu: 4000 }, others: {}, wantPaths: [] },
    {
      name: 'children within the parent',
      role: 'eng/a',
      guarantee: { cpu: 2000 },
      others: { eng: { cpu: 4000 }, 'eng/b': { cpu: 2000 } },
      wantPaths: [],
    },
    {
      name: 'children over the parent',
      role: 'eng/a',
      guarantee: { cpu: 3000 },
      others: { eng: { cpu: 4000 }, 'eng/b': { cpu: 2000 } },
      wantPaths: ['spec.guarantee.cpu'],
      want: /the children of "eng" would be guaranteed 5 cpu in all \(this role 3, its siblings 2\), more than "eng" guarantees \(4\)/,
    },
    {
      name: 'a parent without that resource guaranteed',
      role: 'eng/a',
      guarantee: { memory: 2 ** 30 },
      others: { eng: { cpu: 4000 } },
      wantPaths: [],
    },
    {
      name: 'a parent below its children',
      role: 'eng',
      guarantee: { cpu: 3000 },
      others: { 'eng/a': { cpu: 2000 }, 'eng/b': { cpu: 2000 }, 'eng/b/x': { cpu: 9000 } },
      wantPaths: ['spec.guarantee.cpu'],
      want: /3 cpu is less than its child roles are guaranteed in all \(4\)/,
    },
  ])('$name', ({ role, guarantee, others: o, wantPaths, want }) => {
    const errors = nestedGuaranteeErrors(role, guarantee, others(o));
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    if (want) expect(errors[0]!.message).toMatch(want);
  });
});
