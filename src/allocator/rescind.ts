// Which outstanding offers must be taken back, and why. Rescinded offers stay counted as
// held until the controller confirms with removeOffer, so their resources cannot be offered
// again before the rescind is applied; until then every cycle reports them again (the
// controller's apply is idempotent).
import type { AllocatorState, NodeState } from './state.ts';
import type { RescindDecision, RescindReason } from './types.ts';

export function findRescinds(s: AllocatorState, now: number, offerTimeoutMs: number): RescindDecision[] {
  const out: RescindDecision[] = [];
  const overcommitted = new Map<NodeState, boolean>();
  for (const o of s.offers.values()) {
    const reason = rescindReason(o.framework.declared, o.framework.suppressed, o.node, now - o.createdAt, offerTimeoutMs, overcommitted);
    if (reason !== undefined) out.push({ offerId: o.id, framework: o.framework.name, node: o.node.name, reason });
  }
  return out;
}

function rescindReason(
  frameworkDeclared: boolean,
  suppressed: boolean,
  n: NodeState,
  age: number,
  timeout: number,
  overcommitted: Map<NodeState, boolean>,
): RescindReason | undefined {
  if (!frameworkDeclared) return 'FrameworkGone';
  if (!n.declared) return 'NodeGone';
  if (!n.schedulable) return 'NodeUnschedulable';
  if (!n.ready) return 'NodeNotReady';
  if (suppressed) return 'FrameworkSuppressed';
  if (age >= timeout) return 'Expired';
  let over = overcommitted.get(n);
  if (over === undefined) overcommitted.set(n, (over = isOvercommitted(n)));
  if (over) return 'NodeResourcesGone';
  return undefined;
}

/** Tasks + offers + other pods exceed the node's allocatable (it shrank, or a pod landed). */
function isOvercommitted(n: NodeState): boolean {
  for (let i = 0; i < n.used.length; i++) {
    const t = i < n.total.length ? n.total[i]! : 0;
    const e = i < n.external.length ? n.external[i]! : 0;
    if (n.used[i]! + e > t) return true;
  }
  return false;
}
