// What a Pod or a Task holds on its node, as the allocator counts it: exact integer amounts
// (src/api/quantity.ts), plus one `pods` slot per Pod so the kubelet's pod limit is respected.
import type { V1Pod } from '@kubernetes/client-node';
import { add, parseResourceList, parseResourceListLenient, type ResourceList } from './quantity.ts';

/** One Pod slot: every Pod uses one of the node's `pods`. */
export const POD_SLOT: ResourceList = { pods: 1 };

/**
 * A Pod's effective requests, as kube-scheduler computes them: max(Σ containers, each init
 * container) per resource, plus the Pod overhead, plus one pod slot. Unparseable quantities
 * (the API server rejects those) count as zero.
 */
export function podRequests(pod: V1Pod): ResourceList {
  let sum: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) sum = add(sum, parseResourceListLenient(c.resources?.requests));
  for (const c of pod.spec?.initContainers ?? []) {
    const r = parseResourceListLenient(c.resources?.requests);
    for (const [k, v] of Object.entries(r)) if (v > (sum[k] ?? 0)) sum[k] = v;
  }
  sum = add(sum, parseResourceListLenient(pod.spec?.overhead));
  return add(sum, POD_SLOT);
}

/** A Pod that still holds its node's resources (not Succeeded or Failed). */
export function isPodActive(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** A task's resources plus its pod slot; throws (naming the resource) on a bad quantity. */
export function taskHolding(resources: Record<string, string | number>): ResourceList {
  return add(parseResourceList(resources), POD_SLOT);
}
