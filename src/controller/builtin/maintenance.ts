// Pure: how the built-in scheduler answers maintenance. Its tasks are replaceable copies of one
// template, so it accepts every inverse offer, kills its tasks on the node, relaunches them
// elsewhere (a task killed this way is marked moved and uses no retry), and declines offers on the node until the
// window is over.
import { isTerminal, type TaskState } from '../../api/group.ts';
import { inverseOfferPhase } from '../../api/maintenance.ts';
import type { IInverseOffer, IOffer, ITask } from '../../api/index.ts';
import { DeclineReason, type OfferAnswer } from './decide.ts';

type InverseOfferLike = { metadata?: { name?: string }; spec: Pick<IInverseOffer['spec'], 'nodeName' | 'answer' | 'end'> };
type TaskLike = {
  metadata?: { name?: string };
  spec: Pick<ITask['spec'], 'nodeName' | 'kill'>;
  status?: Pick<NonNullable<ITask['status']>, 'state'>;
};
type OfferLike = { metadata?: { name?: string }; spec: Pick<IOffer['spec'], 'nodeName'> };

export interface MaintenanceActions {
  /** Inverse offers to accept (names). */
  accept: string[];
  /** Tasks to kill: active, on a node being given back, not already asked to die. */
  kill: string[];
  /** Offers on such nodes, declined until the window ends. */
  declines: OfferAnswer[];
}

export function maintenanceActions(
  inverseOffers: readonly InverseOfferLike[],
  tasks: readonly TaskLike[],
  open: readonly OfferLike[],
  now: number,
): MaintenanceActions {
  const accept: string[] = [];
  /** node → when it is available again, for nodes being given back now. */
  const draining = new Map<string, number>();
  for (const io of inverseOffers) {
    const phase = inverseOfferPhase(io, now);
    if (phase === 'Declined' || phase === 'Expired') continue;
    if (phase === 'Pending') accept.push(io.metadata?.name ?? '');
    const end = Date.parse(io.spec.end);
    draining.set(io.spec.nodeName, Math.max(end, draining.get(io.spec.nodeName) ?? 0));
  }
  const kill: string[] = [];
  for (const t of tasks) {
    const state = t.status?.state as TaskState | undefined;
    const ended = isTerminal(state);
    if (!ended && t.spec.kill !== true && draining.has(t.spec.nodeName)) kill.push(t.metadata?.name ?? '');
  }
  const declines: OfferAnswer[] = [];
  for (const o of open) {
    const end = draining.get(o.spec.nodeName);
    if (end === undefined) continue;
    declines.push({
      offer: o.metadata?.name ?? '',
      action: 'decline',
      refuseSeconds: Math.max(1, Math.ceil((end - now) / 1000)),
      reason: DeclineReason.NodeInMaintenance,
      message: `node ${o.spec.nodeName} is being given back for maintenance until ${new Date(end).toISOString()}`,
    });
  }
  return { accept, kill, declines };
}
