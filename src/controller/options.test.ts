import { describe, expect, it } from 'vitest';
import { parseDuration } from './options.ts';

describe('parseDuration', () => {
  it.each([
    { in: '1s', want: 1000 },
    { in: '500ms', want: 500 },
    { in: '1m30s', want: 90_000 },
    { in: '2h', want: 7_200_000 },
    { in: '5', want: 5000 },
    { in: '0.5s', want: 500 },
  ])('$in → $want ms', ({ in: text, want }) => expect(parseDuration(text)).toBe(want));

  it.each(['', 's', '1x', '1s2', '-1s'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(/invalid duration/));
});
