// Resource maps in requests: every amount a positive exact quantity, and accepted tasks that
// together fit inside what was offered.
import { fit } from '../api/fit.ts';
import { add, formatQuantity, parseQuantity, type ResourceList } from '../api/quantity.ts';
import { child, invalid, isRecord, type FieldError } from './field-errors.ts';

/** Parses a task's resources; each must be a well-formed, positive quantity. */
export function validateTaskResources(resources: unknown, path: string): { errors: FieldError[]; parsed: ResourceList } {
  const parsed: ResourceList = {};
  if (!isRecord(resources) || Object.keys(resources).length === 0) {
    return { errors: [invalid(path, 'must name at least one resource, e.g. {cpu: "500m", memory: "256Mi"}')], parsed };
  }
  const errors: FieldError[] = [];
  for (const [name, q] of Object.entries(resources)) {
    const at = child(path, name);
    if (typeof q !== 'string' && typeof q !== 'number') {
      errors.push(invalid(at, `must be a quantity such as "500m" or "2Gi", got ${JSON.stringify(q)}`));
      continue;
    }
    let value: number;
    try {
      value = parseQuantity(q, name);
    } catch (err) {
      errors.push(invalid(at, (err as Error).message));
      continue;
    }
    if (value <= 0) {
      errors.push(invalid(at, `must be positive, got ${JSON.stringify(q)}; leave out a resource the task does not use`));
      continue;
    }
    parsed[name] = value;
  }
  return { errors, parsed };
}

/** Parses offered (or reserved, or limit) amounts, where zero is allowed. */
export function validateOfferedResources(resources: unknown, path: string): { errors: FieldError[]; parsed: ResourceList } {
  const parsed: ResourceList = {};
  if (!isRecord(resources)) return { errors: [invalid(path, 'must be a map of resource name to quantity')], parsed };
  const errors: FieldError[] = [];
  for (const [name, q] of Object.entries(resources)) {
    try {
      if (typeof q !== 'string' && typeof q !== 'number') throw new Error(`must be a quantity, got ${JSON.stringify(q)}`);
      parsed[name] = parseQuantity(q, name);
    } catch (err) {
      errors.push(invalid(child(path, name), (err as Error).message));
    }
  }
  return { errors, parsed };
}

/**
 * Checks that the tasks together fit inside the offer, per resource, exactly. An overflow is
 * reported once per resource, on the task at which the running total first exceeds the offer,
 * with what all the tasks together ask for.
 */
export function validateFit(tasks: readonly ResourceList[], offered: ResourceList, tasksPath: string): FieldError[] {
  const errors: FieldError[] = [];
  const whole = new Map(
    fit(
      tasks.reduce<ResourceList>((sum, t) => add(sum, t), {}),
      offered,
    ).map((s) => [s.resource, s]),
  );
  let running: ResourceList = {};
  tasks.forEach((task, i) => {
    running = add(running, task);
    const over = new Set(fit(running, offered).map((s) => s.resource));
    for (const name of Object.keys(task)) {
      const all = whole.get(name);
      if (all === undefined || !over.has(name)) continue;
      whole.delete(name);
      const at = child(child(child(tasksPath, i), 'resources'), name);
      if (all.free === 0) {
        errors.push(invalid(at, `the offer has no ${name}; ask only for offered resources (${offeredList(offered)})`));
        continue;
      }
      const q = (v: number) => formatQuantity(v, name);
      const who = tasks.length === 1 ? 'the task asks' : `the ${tasks.length} tasks ask`;
      errors.push(
        invalid(
          at,
          `${who} for ${q(all.asked)} ${name} in total but the offer has ${q(all.free)} (over by ${q(all.shortBy)}); accept fewer or smaller tasks`,
        ),
      );
    }
  });
  return errors;
}

function offeredList(offered: ResourceList): string {
  const names = Object.keys(offered)
    .filter((n) => offered[n]! > 0)
    .sort();
  return names.length === 0 ? 'none' : names.map((n) => `${n} ${formatQuantity(offered[n]!, n)}`).join(', ');
}
