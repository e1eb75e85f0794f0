import { describe, expect, it } from 'vitest';
import { ShareHistory } from './share-history.ts';

describe('ShareHistory', () => {
  it('keeps the last `capacity` samples, oldest first, with null where a framework was absent', () => {
    const h = new ShareHistory(3);
    h.record(1, new Map([['ns/a', 0.1]]));
    h.record(
      2,
      new Map([
        ['ns/a', 0.2],
        ['ns/b', 0.5],
      ]),
    );
    expect(h.series()).toEqual({ times: [1, 2], shares: { 'ns/a': [0.1, 0.2], 'ns/b': [null, 0.5] } });
    h.record(3, new Map([['ns/b', 0.6]]));
    h.record(4, new Map([['ns/b', 0.7]]));
    h.record(5, new Map([['ns/c', 1]]));
    // 1 and 2 were overwritten: ns/a is gone from the window.
    expect(h.series()).toEqual({ times: [3, 4, 5], shares: { 'ns/b': [0.6, 0.7, null], 'ns/c': [null, null, 1] } });
    expect(h.size).toBe(3);
  });

  it('copies what it is given', () => {
    const h = new ShareHistory(2);
    const m = new Map([['ns/a', 0.1]]);
    h.record(1, m);
    m.set('ns/a', 0.9);
    expect(h.series().shares['ns/a']).toEqual([0.1]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ShareHistory(0)).toThrow(/positive integer/);
  });
});
