// Resource maps in requests: every amount a positive exact quantity, and accepted tasks that
// together fit inside what was offered.
import { formatQuantity, parseQuantity, type ResourceList } from '../api/quantity.ts';
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
 * reported once per resource, on the task at which the running total first exceeds the offer.
 */
export function validateFit(tasks: readonly ResourceList[], offered: ResourceList, tasksPath: string): FieldError[] {
  const errors: FieldError[] = [];
  const totals: ResourceList = {};
  const reported = new Set<string>();
  tasks.forEach((task, i) => {
    for (const [name, amount] of Object.entries(task)) {
      totals[name] = (totals[name] ?? 0) + amount;
      if (reported.has(name)) continue;
      const have = offered[name] ?? 0;
      if (totals[name]! <= have) continue;
      reported.add(name);
      const at = child(child(child(tasksPath, i), 'resources'), name);
      if (have === 0) {
        errors.push(invalid(at, `the offer has no ${name}; ask only for offered resources (${offeredList(offered)})`));
        continue;
      }
      const total = tasks.reduce((sum, t) => sum + (t[name] ?? 0), 0);
      const q = (v: number) => formatQuantity(v, name);
      const who = tasks.length === 1 ? 'the task asks' : `the ${tasks.length} tasks ask`;
      errors.push(
        invalid(
          at,
          `${who} for ${q(total)} ${name} in total but the offer has ${q(have)} (over by ${q(total - have)}); accept fewer or smaller tasks`,
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
