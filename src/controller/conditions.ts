// Pure: metav1.Condition lists, as Kubernetes' meta.SetStatusCondition keeps them — the
// transition time moves only when the status does.
import type { FrameworkObject } from '../api/objects.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** Framework condition types and reasons. */
export const FrameworkCondition = {
  Ready: 'Ready',
  Disconnected: 'Disconnected',
  /**
   * Whether it gets offers: True while it holds outstanding offers or the next cycle offers it
   * some; False with the allocator's main refusal as the reason and every refusal, in words with
   * the numbers, as the message (allocator/explain-words.ts).
   */
  OffersAvailable: 'OffersAvailable',
} as const;

export const FrameworkConditionReason = {
  Registered: 'Registered',
  Suppressed: 'Suppressed',
  Terminating: 'Terminating',
  Heartbeating: 'Heartbeating',
  FailoverTimeoutExceeded: 'FailoverTimeoutExceeded',
  NoFailoverTimeout: 'NoFailoverTimeout',
  FailedOver: 'FailedOver',
  OffersOutstanding: 'OffersOutstanding',
  Offered: 'Offered',
} as const;

/** Condition messages are cut to this many characters. */
export const MAX_CONDITION_MESSAGE = 1024;

/** The condition the built-in scheduler owns on its frameworks (the framework reconciler derives the phase from it). */
export const BuiltinCondition = { Complete: 'Complete' } as const;
export const BuiltinConditionReason = {
  AllTasksFinished: 'AllTasksFinished',
  TasksFailed: 'TasksFailed',
  InProgress: 'InProgress',
} as const;

/** Returns a new list with `want` set (others kept); equal input gives an equal output. */
export function setCondition(
  list: readonly Condition[] | undefined,
  want: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((c) => c.type === want.type);
  if (i < 0) {
    out.push({ ...want, lastTransitionTime: now });
    return out;
  }
  const prev = out[i]!;
  out[i] = { ...want, lastTransitionTime: prev.status === want.status ? prev.lastTransitionTime : now };
  return out;
}

export function findCondition(list: readonly Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}

/**
 * Completed or Failed once the built-in scheduler says its workload is over (its Complete
 * condition, for the current generation); undefined while it runs or for other frameworks.
 * This reconciler is the only writer of status.phase; the built-in scheduler owns the condition.
 */
export function builtinOutcome(
  fw: Pick<FrameworkObject, 'spec' | 'status'> & { metadata?: { generation?: number } },
): 'Completed' | 'Failed' | undefined {
  if (fw.spec.builtin === undefined) return undefined;
  const c = findCondition(fw.status?.conditions as Condition[] | undefined, BuiltinCondition.Complete);
  if (c === undefined || (c.observedGeneration !== undefined && c.observedGeneration !== fw.metadata?.generation)) return undefined;
  if (c.status === 'True') return 'Completed';
  return c.reason === BuiltinConditionReason.TasksFailed ? 'Failed' : undefined;
}

/**
 * The framework's phase; a built-in framework's Complete condition (written by the built-in
 * scheduler) decides Completed or Failed, whatever phase another writer left.
 */
export function phaseOf(f: Pick<FrameworkObject, 'spec' | 'status'> & { metadata?: { generation?: number } }): string {
  return builtinOutcome(f) ?? f.status?.phase ?? (f.spec.suppressed ? 'Suppressed' : 'Pending');
}
