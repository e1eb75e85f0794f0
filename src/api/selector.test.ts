import { describe, expect, it } from 'vitest';
import { selectorMismatch, type LabelSelector } from './selector.ts';

const labels = { zone: 'a', disk: 'ssd', gpu: 'true' };

describe('selectorMismatch', () => {
  it.each<{ name: string; selector: LabelSelector | undefined; want: string | undefined }>([
    { name: 'no selector', selector: undefined, want: undefined },
    { name: 'empty selector', selector: {}, want: undefined },
    { name: 'matchLabels match', selector: { matchLabels: { zone: 'a', disk: 'ssd' } }, want: undefined },
    { name: 'matchLabels value differs', selector: { matchLabels: { zone: 'b' } }, want: 'zone' },
    { name: 'matchLabels key missing', selector: { matchLabels: { rack: '1' } }, want: 'rack' },
    { name: 'In match', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, want: undefined },
    { name: 'In no match', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, want: 'zone' },
    { name: 'In missing key', selector: { matchExpressions: [{ key: 'rack', operator: 'In', values: ['1'] }] }, want: 'rack' },
    { name: 'NotIn match', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }, want: undefined },
    {
      name: 'NotIn missing key matches',
      selector: { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['1'] }] },
      want: undefined,
    },
    { name: 'NotIn no match', selector: { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }, want: 'disk' },
    { name: 'Exists', selector: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, want: undefined },
    { name: 'Exists missing', selector: { matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, want: 'rack' },
    { name: 'DoesNotExist', selector: { matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, want: undefined },
    { name: 'DoesNotExist present', selector: { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, want: 'gpu' },
    {
      name: 'all must hold',
      selector: { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] },
      want: 'disk',
    },
  ])('$name', ({ selector, want }) => {
    expect(selectorMismatch(selector, labels)).toBe(want);
  });
});
