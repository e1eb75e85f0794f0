import { describe, expect, it } from 'vitest';
import { inSubtree, isRoleName, parentRole, roleChain, roleObjectName, roleOfObject } from './role-names.ts';

describe('role names', () => {
  it.each([
    { name: 'default', want: true },
    { name: 'eng/ml/training', want: true },
    { name: 'a-1/b-2', want: true },
    { name: 'eng/', want: false },
    { name: '/eng', want: false },
    { name: 'eng//ml', want: false },
    { name: 'eng.ml', want: false },
    { name: 'Eng', want: false },
    { name: '-eng', want: false },
    { name: `${'a'.repeat(64)}`, want: false },
    { name: `${'a'.repeat(63)}/${'b'.repeat(63)}`, want: true },
    { name: Array.from({ length: 64 }, () => 'abc').join('/'), want: false }, // 255 characters
  ])('$name valid: $want', ({ name, want }) => expect(isRoleName(name)).toBe(want));

  it('walks the tree by name', () => {
    expect(parentRole('eng/ml/training')).toBe('eng/ml');
    expect(parentRole('eng')).toBeUndefined();
    expect(roleChain('eng/ml/training')).toEqual(['eng', 'eng/ml', 'eng/ml/training']);
    expect(roleChain('eng')).toEqual(['eng']);
    expect([inSubtree('eng/ml', 'eng'), inSubtree('eng', 'eng'), inSubtree('engineering', 'eng')]).toEqual([true, true, false]);
  });

  it('maps a role to its ResourceRole name and back', () => {
    expect(roleObjectName('eng/ml/training')).toBe('eng.ml.training');
    expect(roleOfObject('eng.ml.training')).toBe('eng/ml/training');
    expect(roleOfObject(roleObjectName('default'))).toBe('default');
  });
});
