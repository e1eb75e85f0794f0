// Exact resource arithmetic for framework schedulers: does a task fit what an offer holds.
import { fit, type Insufficient } from '../api/fit.ts';
import { parseResourceList, subtract, type ResourceList } from '../api/quantity.ts';

export type Quantities = Record<string, string | number>;

/** One resource a task asks for more of than is left: resource, asked, free, shortBy. */
export type Shortfall = Insufficient;

/** Every resource of `want` that `have` lacks (empty: it fits). Amounts in quantity.ts units. */
export const shortfalls: (want: ResourceList, have: ResourceList) => Shortfall[] = fit;

/**
 * Packs tasks in order into an offer, first-fit: each task that fits is taken and its resources
 * subtracted; a task that does not fit is skipped with its shortfalls. At most `max` are taken.
 */
export function pack<T extends { resources: Quantities }>(
  offered: Quantities,
  tasks: readonly T[],
  max = Number.POSITIVE_INFINITY,
): { fits: T[]; skipped: { task: T; shortfalls: Shortfall[] }[]; remaining: ResourceList } {
  let remaining = parseResourceList(offered);
  const fits: T[] = [];
  const skipped: { task: T; shortfalls: Shortfall[] }[] = [];
  for (const task of tasks) {
    const want = parseResourceList(task.resources);
    const short = fits.length >= max ? [] : shortfalls(want, remaining);
    if (fits.length < max && short.length === 0) {
      fits.push(task);
      remaining = subtract(remaining, want);
    } else {
      skipped.push({ task, shortfalls: short });
    }
  }
  return { fits, skipped, remaining };
}

/** How many copies of `per` fit in `offered` (no more than `max`). */
export function copiesThatFit(offered: Quantities, per: Quantities, max = Number.POSITIVE_INFINITY): number {
  const have = parseResourceList(offered);
  const want = parseResourceList(per);
  let n = max;
  for (const [name, amount] of Object.entries(want)) {
    if (amount === 0) continue;
    n = Math.min(n, Math.floor((have[name] ?? 0) / amount));
  }
  return Number.isFinite(n) ? n : 0;
}
