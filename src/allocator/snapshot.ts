// allocate(snapshot, now): the stateless form of the allocator, for callers that rebuild
// everything each time (tests, tools, a first controller). It loads a fresh Allocator and runs
// one cycle. The long-lived Allocator is the better choice in the controller: it keeps the
// sorter's allocation counts (a tie-break) and re-sorts only what changed between cycles.
import { Allocator } from './allocator.ts';
import type { AllocatorOptions, CycleOptions, CycleResult, Snapshot } from './types.ts';

export type { Snapshot };

export function allocate(snapshot: Snapshot, now: number, options: AllocatorOptions & CycleOptions = {}): CycleResult {
  return Allocator.from(snapshot, options).allocate(now, { explain: options.explain });
}
