// Pure: judging an accept. A framework may lie (ask for more than it was offered, reuse a name)
// and the node may have changed since the offer was made, so every task is checked again, in
// the order the accept lists them: a name held by another offer's or framework's task is a
// conflict; a task judged before (it has a state: the accept is being re-run after a restart)
// keeps what it holds; when the offer or its node can no longer take tasks every new task is
// lost; otherwise a task must fit in what the offer has left and in what the node has free for
// this offer (with a pod slot). No API, no clock.
import { fit } from '../api/fit.ts';
import { offerPhase } from '../api/group.ts';
import { add, formatQuantity, parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import { isNodeReady } from './nodes.ts';
import type { AcceptedTask, OfferObject, TaskObject } from '../api/objects.ts';
import { taskHolding } from '../api/pod-resources.ts';
import { isTerminal } from '../api/group.ts';
import { TaskReason } from './task-state.ts';
import type { V1Node } from '@kubernetes/client-node';

/** Why a task will not run. */
export interface Failure {
  state: 'TASK_ERROR' | 'TASK_LOST';
  reason: string;
  message: string;
}

export interface Verdict {
  spec: AcceptedTask;
  /** The Task as it exists (cache or create response). */
  task?: TaskObject;
  /** Undefined: launch it. */
  fail?: Failure;
  /** The name is taken by another offer's or framework's task: nothing can be recorded on it. */
  conflict?: string;
  /** What it holds on the node (its resources and a pod slot) once launched. */
  holding: ResourceList;
}

export interface AcceptCase {
  offer: Pick<OfferObject, 'metadata' | 'spec'>;
  /** Why no new task can launch from this offer, if none can (see acceptProblem). */
  problem?: Failure;
  /** What the node has free for this offer: its other pods, tasks and offers deducted. */
  free: ResourceList;
  /** The framework's task of that name, if one exists (cache or just created). */
  existing: (name: string) => TaskObject | undefined;
}

/**
 * Why an accept can launch nothing: the offer was withdrawn before it was accepted, or its node
 * is gone, cordoned or not Ready. Undefined: tasks may launch if they fit.
 */
export function acceptProblem(
  offer: Pick<OfferObject, 'status'>,
  outstanding: boolean,
  nodeName: string,
  node: V1Node | undefined,
): Failure | undefined {
  if (!outstanding) {
    return {
      state: 'TASK_LOST',
      reason: TaskReason.OfferNotOutstanding,
      message: `the offer was ${offerPhase(offer)} before it was accepted`,
    };
  }
  if (node === undefined) return { state: 'TASK_LOST', reason: TaskReason.NodeLost, message: `node ${nodeName} is gone` };
  if (node.spec?.unschedulable === true || !isNodeReady(node)) {
    return {
      state: 'TASK_LOST',
      reason: TaskReason.NodeNotReady,
      message: `node ${nodeName} is ${node.spec?.unschedulable ? 'cordoned' : 'not Ready'}`,
    };
  }
  return undefined;
}

/** Decides, task by task in order, which launch and why the others do not. */
export function judgeAccept(c: AcceptCase): Verdict[] {
  const { offer } = c;
  const nodeName = offer.spec.nodeName;
  const offered = parseResourceListLenient(offer.spec.resources as Record<string, unknown> | undefined);
  // Offers list their pod slots apart from their resources (tasks do not ask for one; each takes one).
  const slots = typeof offer.spec.podSlots === 'number' ? offer.spec.podSlots : undefined;
  let usedSlots = 0;
  let usedOffer: ResourceList = {};
  let usedNode: ResourceList = {};
  const out: Verdict[] = [];
  const tasks = Array.isArray(offer.spec.accept?.tasks) ? offer.spec.accept.tasks : [];
  for (const spec of tasks) {
    const v: Verdict = { spec, holding: {} };
    out.push(v);
    const existing = c.existing(spec.name);
    if (existing !== undefined) {
      if (existing.spec.offer !== offer.metadata.name || existing.spec.framework !== offer.spec.framework) {
        v.conflict = `task name ${spec.name} is taken by another task`;
        continue;
      }
      v.task = existing;
      const st = existing.status?.state;
      if (st !== undefined && isTerminal(st) && existing.status?.podName === undefined) {
        v.fail = { state: st as Failure['state'], reason: existing.status?.reason ?? '', message: existing.status?.message ?? '' };
        continue;
      }
      if (st !== undefined) {
        // Judged and launched before.
        try {
          v.holding = taskHolding(existing.spec.resources);
        } catch {
          v.holding = {};
        }
        const { pods: _slot, ...inOffer } = v.holding;
        usedOffer = add(usedOffer, inOffer);
        usedNode = add(usedNode, v.holding);
        usedSlots++;
        continue;
      }
    }
    if (c.problem !== undefined) {
      v.fail = c.problem;
      continue;
    }
    let holding: ResourceList;
    try {
      holding = taskHolding(spec.resources);
    } catch (err) {
      v.fail = { state: 'TASK_ERROR', reason: TaskReason.InvalidResources, message: (err as Error).message };
      continue;
    }
    if (slots !== undefined && usedSlots + 1 > slots) {
      v.fail = {
        state: 'TASK_ERROR',
        reason: TaskReason.ExceedsOffer,
        message: `pods: the offer's tasks need ${usedSlots + 1} Pods but the offer has ${slots} pod slots (its node takes no more Pods)`,
      };
      continue;
    }
    const { pods: _p, ...asked } = holding;
    const nextOffer = add(usedOffer, asked);
    const [overOffer] = fit(nextOffer, offered);
    if (overOffer !== undefined) {
      v.fail = {
        state: 'TASK_ERROR',
        reason: TaskReason.ExceedsOffer,
        message: `${overOffer.resource}: the offer's tasks ask for ${q(overOffer.asked, overOffer.resource)} but the offer has ${q(overOffer.free, overOffer.resource)}`,
      };
      continue;
    }
    const nextNode = add(usedNode, holding);
    const [overNode] = fit(nextNode, c.free);
    if (overNode !== undefined) {
      v.fail = {
        state: 'TASK_ERROR',
        reason: TaskReason.InsufficientResources,
        message: `${overNode.resource}: node ${nodeName} has ${q(overNode.free, overNode.resource)} free for this offer, the tasks ask for ${q(overNode.asked, overNode.resource)}`,
      };
      continue;
    }
    usedOffer = add(usedOffer, asked);
    usedNode = nextNode;
    usedSlots++;
    v.holding = holding;
  }
  return out;
}

function q(v: number, resource: string): string {
  return formatQuantity(v, resource);
}
