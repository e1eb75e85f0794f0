// Pure: the columns of a framework's row that `agora status` and the web console both show —
// role, phase, scheduler, dominant share, tasks per state, outstanding offers — from the
// Framework and what was counted of its Tasks and Offers. Each view adds its own columns (fair
// share, demand, allocated) and its own formatting.
import { TASK_STATES, taskCountKey } from '../api/group.ts';
import { frameworkRoles } from '../api/role-names.ts';
import { phaseOf } from './conditions.ts';

export interface FrameworkRowBase {
  namespace: string;
  name: string;
  /** Its roles, comma-separated. */
  role: string;
  phase: string;
  /** Built-in frameworks: tasks launched so far and wanted. */
  builtin?: { launched: number; wanted: number };
  /** Framework.status.dominantShare, as the controller wrote it (absent before it did). */
  dominantShare?: number;
  /** Task counts by lower-case state name (running, finished, …) in TASK_STATES order; zero counts omitted. */
  tasks: Record<string, number>;
  outstandingOffers: number;
}

/** Counts tasks by lower-case state name (a task without a state is staging). */
export function countTaskStates(tasks: Iterable<{ status?: { state?: string } | null }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of tasks) {
    const k = taskCountKey(t.status?.state ?? 'TASK_STAGING');
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

export function frameworkRowBase(
  f: Parameters<typeof phaseOf>[0] & { metadata?: { namespace?: string; name?: string; generation?: number } },
  counted: { tasks: Readonly<Record<string, number | undefined>>; outstandingOffers: number },
): FrameworkRowBase {
  const tasks: Record<string, number> = {};
  for (const s of TASK_STATES) {
    const k = taskCountKey(s);
    const n = counted.tasks[k] ?? 0;
    if (n > 0) tasks[k] = n;
  }
  const builtin = f.spec.builtin;
  return {
    namespace: f.metadata?.namespace ?? '',
    name: f.metadata?.name ?? '',
    role: frameworkRoles(f.spec).join(', '),
    phase: phaseOf(f),
    ...(builtin !== undefined ? { builtin: { launched: f.status?.launched ?? 0, wanted: builtin.tasks ?? 0 } } : {}),
    ...(f.status?.dominantShare !== undefined ? { dominantShare: f.status.dominantShare } : {}),
    tasks,
    outstandingOffers: counted.outstandingOffers,
  };
}
