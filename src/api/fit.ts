// Does a request fit, and what does a node have free — the one definition of each, used by the
// allocator, the controller (judging an accept), the webhooks (validating one), the SDK (packing
// tasks into an offer) and `agora status`. As kube-scheduler's noderesources Fits(), a misfit is
// reported as structured reasons, not a boolean, so every caller can say exactly what is short.
import type { ResourceList } from './quantity.ts';

/** One resource asked for beyond what is free. Amounts in quantity.ts units (millicores, bytes, units). */
export interface Insufficient {
  resource: string;
  asked: number;
  free: number;
  /** asked − free, > 0. */
  shortBy: number;
}

/** Every resource of `asked` that `free` lacks, in the order of `asked` (a missing resource is zero). Empty: it fits. */
export function fit(asked: ResourceList, free: ResourceList): Insufficient[] {
  const out: Insufficient[] = [];
  for (const [resource, amount] of Object.entries(asked)) {
    const have = free[resource] ?? 0;
    if (amount > have) out.push({ resource, asked: amount, free: have, shortBy: amount - have });
  }
  return out;
}

/** fit(asked, free) is empty — without building the reasons (the allocator's hot path). */
export function fits(asked: ResourceList, free: ResourceList): boolean {
  for (const [k, v] of Object.entries(asked)) if (v > (free[k] ?? 0)) return false;
  return true;
}

/**
 * A node's free resources: for each resource it has, allocatable minus everything in use there —
 * the requests of its non-terminal Pods (Agora's tasks or not) and its outstanding offers —
 * never below zero.
 */
export function nodeFree(allocatable: ResourceList, inUse: Iterable<ResourceList>): ResourceList {
  const out: ResourceList = { ...allocatable };
  for (const used of inUse) for (const [k, v] of Object.entries(used)) if (k in out) out[k] = out[k]! - v;
  for (const k of Object.keys(out)) out[k] = Math.max(0, out[k]!);
  return out;
}
