// A framework's demand as the controller reads it: spec.demand, or for a built-in framework the
// tasks it still has to launch (its template × progressOf().toLaunch). One pod slot per task is
// added, as every task holds one (resources.ts). Revocation reads demand only through here.
import type { Demand } from '../allocator/index.ts';
import { add, parseResourceListLenient } from '../api/quantity.ts';
import { progressOf, type TaskView } from './builtin/decide.ts';
import type { FrameworkObject, TaskObject } from '../api/objects.ts';
import { POD_SLOT } from '../api/pod-resources.ts';
import type { TaskState } from '../api/index.ts';

/**
 * undefined: the framework publishes no demand. `accepted`: names of tasks in accepts not yet
 * seen as Task objects (a built-in framework's launched tasks are no longer demand).
 */
export function frameworkDemand(fw: FrameworkObject, tasks: readonly TaskObject[], accepted: readonly string[] = []): Demand[] | undefined {
  const b = fw.spec.builtin;
  if (b !== undefined) {
    if (b.template === undefined) return [];
    const views: TaskView[] = tasks.map((t) => {
      const ended = t.status?.finishedAt ?? t.status?.lastTransitionTime;
      return { name: t.metadata.name, state: t.status?.state as TaskState | undefined, finishedAt: ended ? Date.parse(ended) : undefined };
    });
    const seen = new Set(views.map((v) => v.name));
    for (const name of accepted) if (!seen.has(name)) views.push({ name, state: undefined });
    const count = progressOf(fw, views).toLaunch;
    const resources = add(parseResourceListLenient(b.template.resources as Record<string, unknown>), POD_SLOT);
    return count > 0 ? [{ resources, count, perOffer: Math.max(1, b.tasksPerOffer ?? 1) }] : [];
  }
  if (fw.spec.demand === undefined) return undefined;
  return fw.spec.demand.map((d) => ({
    resources: add(parseResourceListLenient(d.resources as Record<string, unknown>), POD_SLOT),
    count: d.count,
    ...(d.perOffer !== undefined ? { perOffer: d.perOffer } : {}),
  }));
}
