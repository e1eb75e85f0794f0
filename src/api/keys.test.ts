import { describe, expect, it } from 'vitest';
import { frameworkKeyOf, keyOf, namespacedKey, splitKey } from './keys.ts';

describe('keys', () => {
  it.each([
    { name: 'namespaced', obj: { metadata: { namespace: 'team-a', name: 'web' } }, want: 'team-a/web' },
    { name: 'cluster-scoped', obj: { metadata: { name: 'node-1' } }, want: 'node-1' },
    { name: 'no metadata', obj: {}, want: '' },
  ])('keyOf: $name', ({ obj, want }) => {
    expect(keyOf(obj)).toBe(want);
  });

  it('frameworkKeyOf names the framework in the object’s namespace', () => {
    expect(frameworkKeyOf({ metadata: { namespace: 'team-a', name: 'offer-1' }, spec: { framework: 'spark' } })).toBe('team-a/spark');
  });

  it.each([
    { k: 'team-a/web', want: { namespace: 'team-a', name: 'web' } },
    { k: 'node-1', want: { namespace: '', name: 'node-1' } },
  ])('splitKey($k) inverts namespacedKey', ({ k, want }) => {
    expect(splitKey(k)).toEqual(want);
    expect(namespacedKey(want.namespace, want.name)).toBe(k);
  });
});
