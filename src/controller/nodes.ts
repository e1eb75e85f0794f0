// Node readiness, as kube-scheduler and the node lifecycle controller read it.
import type { V1Node } from '@kubernetes/client-node';

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
