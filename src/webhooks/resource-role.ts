// The ResourceRole validator: a positive weight, exact quantities, guarantee within limit,
// reservations of positive amounts on distinct nodes.
import { formatQuantity } from '../api/quantity.ts';
import { child, invalid, isRecord, type FieldError } from './field-errors.ts';
import { validateOfferedResources, validateTaskResources } from './resource-fields.ts';

const MAX_WEIGHT = 1_000_000;

export function validateResourceRole(role: unknown): { errors: FieldError[]; warnings: string[] } {
  const warnings: string[] = [];
  const spec = isRecord(role) && isRecord(role.spec) ? role.spec : {};
  const errors: FieldError[] = [];
  if (spec.weight !== undefined) {
    const w = spec.weight;
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > MAX_WEIGHT) {
      errors.push(invalid('spec.weight', `must be a number greater than 0 and at most ${MAX_WEIGHT}, got ${JSON.stringify(w)}`));
    }
  }
  const guarantee = spec.guarantee === undefined ? undefined : validateOfferedResources(spec.guarantee, 'spec.guarantee');
  const limit = spec.limit === undefined ? undefined : validateOfferedResources(spec.limit, 'spec.limit');
  errors.push(...(guarantee?.errors ?? []), ...(limit?.errors ?? []));
  if (guarantee && limit) {
    for (const [name, g] of Object.entries(guarantee.parsed)) {
      const l = limit.parsed[name];
      if (l !== undefined && g > l) {
        errors.push(
          invalid(
            child('spec.guarantee', name),
            `${formatQuantity(g, name)} exceeds the limit of ${formatQuantity(l, name)}; a role is never guaranteed more than its limit`,
          ),
        );
      }
    }
  }
  if (spec.reservations !== undefined) {
    if (!Array.isArray(spec.reservations)) {
      errors.push(invalid('spec.reservations', 'must be a list of {nodeName, resources}'));
    } else {
      const nodes = new Map<string, number>();
      spec.reservations.forEach((r: unknown, i) => {
        const at = child('spec.reservations', i);
        if (!isRecord(r) || typeof r.nodeName !== 'string' || r.nodeName === '') {
          errors.push(invalid(child(at, 'nodeName'), 'is required'));
          return;
        }
        const first = nodes.get(r.nodeName);
        if (first !== undefined)
          errors.push(
            invalid(child(at, 'nodeName'), `node "${r.nodeName}" is already reserved in spec.reservations[${first}]; merge the two`),
          );
        else nodes.set(r.nodeName, i);
        errors.push(...validateTaskResources(r.resources, child(at, 'resources')).errors);
      });
    }
  }
  return { errors, warnings };
}
