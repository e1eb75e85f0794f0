import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './queue.ts';

describe('AsyncQueue', () => {
  it('delivers buffered and later items in order, then ends on close', async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    const got: number[] = [];
    const done = (async () => {
      for await (const n of q) got.push(n);
    })();
    q.push(2);
    await new Promise((r) => setTimeout(r, 0));
    q.push(3);
    q.close();
    await done;
    expect(got).toEqual([1, 2, 3]);
  });
});
