import { describe, expect, it } from 'vitest';
import type { Explanation } from '../allocator/index.ts';
import { Explanations } from './explanations.ts';

describe('Explanations', () => {
  it('asks the allocator at most once per interval, for every framework', () => {
    let t = 0;
    const asked: (string | undefined)[] = [];
    const allocator = {
      explain: (now: number, framework?: string): Explanation => {
        asked.push(framework);
        return { offers: [], refusals: [{ node: `at-${now}`, reason: 'NodeNotReady' }] };
      },
    };
    const e = new Explanations(allocator, { now: () => t }, 5000);
    expect(e.all().refusals[0]!.node).toBe('at-0');
    t = 4999;
    expect(e.all().refusals[0]!.node).toBe('at-0');
    t = 5000;
    expect(e.all().refusals[0]!.node).toBe('at-5000');
    expect(asked).toEqual([undefined, undefined]);
  });
});
