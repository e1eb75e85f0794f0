// A framework's demand as the allocator works with it (one notion of demand): the framework's
// own spec.demand, or — for a built-in framework — its tasks still to launch, counted from its
// Task objects and the tasks its accepts name that are not Task objects yet.
import { parseResourceListLenient } from '../api/quantity.ts';
import type { Demand } from '../allocator/index.ts';
import { builtinDemand, taskViews } from './builtin/decide.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../api/objects.ts';

/** undefined: the framework publishes no demand (push model). */
export function frameworkDemand(fw: FrameworkObject, tasks: () => TaskObject[], offers: () => OfferObject[]): Demand[] | undefined {
  if (fw.spec.builtin !== undefined) return builtinDemand(fw, taskViews(tasks(), offers(), new Map()));
  if (fw.spec.demand === undefined) return undefined;
  return fw.spec.demand.map((d) => {
    const out: Demand = { resources: parseResourceListLenient(d.resources), count: d.count };
    if (d.perOffer !== undefined) out.perOffer = d.perOffer;
    return out;
  });
}
