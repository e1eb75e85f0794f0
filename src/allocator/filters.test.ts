import { describe, expect, it } from 'vitest';
import { FilterIndex } from './filters.ts';

const v = (...xs: number[]) => new Float64Array(xs);

describe('FilterIndex', () => {
  it.each([
    { name: 'blocks while active and contained', offerable: v(1, 1), now: 5, wantBlocked: true },
    { name: 'expired at until', offerable: v(1, 1), now: 10, wantBlocked: false },
    { name: 'void when offerable grew', offerable: v(3, 1), now: 5, wantBlocked: false },
    { name: 'blocks a smaller offerable', offerable: v(0, 1), now: 5, wantBlocked: true },
  ])('$name', ({ offerable, now, wantBlocked }) => {
    const f = new FilterIndex();
    f.add(7, 3, v(2, 2), 10);
    expect(f.blocksOrLifts(3, 7, offerable, now)).toBe(wantBlocked);
    // A filter that no longer applies is dropped.
    expect(f.countOnNode(3)).toBe(wantBlocked ? 1 : 0);
  });

  it('expires through the heap in time order, skipping replaced filters', () => {
    const f = new FilterIndex();
    f.add(1, 1, v(1), 30);
    f.add(2, 1, v(1), 10);
    f.add(3, 2, v(1), 20);
    f.add(2, 1, v(1), 40); // replaces the one until 10
    f.add(4, 2, v(1), Infinity);
    const expired: number[] = [];
    f.expire(25, (n) => expired.push(n));
    expect(expired).toEqual([2]); // framework 3's filter on node 2 (until 20)
    expect(f.get(1, 2)?.until).toBe(40);
    f.expire(1000, (n) => expired.push(n));
    expect(expired).toEqual([2, 1, 1]);
    expect(f.get(2, 4)?.until).toBe(Infinity);
  });

  it('removeFramework (revive) returns the nodes it had filters on', () => {
    const f = new FilterIndex();
    f.add(1, 5, v(1), Infinity);
    f.add(1, 6, v(1), Infinity);
    f.add(2, 6, v(1), Infinity);
    expect(f.removeFramework(1).sort()).toEqual([5, 6]);
    expect(f.countOnNode(5)).toBe(0);
    expect(f.countOnNode(6)).toBe(1);
  });
});
