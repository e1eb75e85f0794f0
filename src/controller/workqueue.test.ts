import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './workqueue.ts';

describe('WorkQueue.addAfter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function queue(): { q: WorkQueue; seen: number[] } {
    const seen: number[] = [];
    const q = new WorkQueue({ name: 't', concurrency: 1, log: pino({ level: 'silent' }), handler: async () => void seen.push(Date.now()) });
    q.start();
    return { q, seen };
  }

  it.each([
    { name: 'a later delayed add does not postpone an earlier one', delays: [100, 5000], wantAt: [100] },
    { name: 'an earlier delayed add replaces a later one', delays: [5000, 100], wantAt: [100] },
    { name: 'equal delays coalesce', delays: [300, 300], wantAt: [300] },
  ])('$name', async ({ delays, wantAt }) => {
    const { q, seen } = queue();
    const start = Date.now();
    for (const d of delays) q.addAfter('k', d);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.map((t) => t - start)).toEqual(wantAt);
    q.stop();
  });
});

describe('WorkQueue.waiting', () => {
  it('counts the keys queued behind busy workers, not those being processed', async () => {
    const release: (() => void)[] = [];
    const q = new WorkQueue({
      name: 't',
      concurrency: 2,
      log: pino({ level: 'silent' }),
      handler: () => new Promise<void>((r) => release.push(r)),
    });
    q.start();
    for (const k of ['a', 'b', 'c', 'd', 'c']) q.add(k);
    expect(q.waiting).toBe(2);
    expect(q.length).toBe(4);
    release.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    expect(q.waiting).toBe(0);
    release.splice(0).forEach((r) => r());
    await q.idle();
    q.stop();
  });
});
