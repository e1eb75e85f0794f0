// Framework.spec.offerFilters (Mesos's FrameworkInfo.offer_filters): the role of each filter is
// one of the framework's own, and every minimum offer is a non-empty list of positive quantities.
import { frameworkRoles } from '../api/role-names.ts';
import { child, invalid, isRecord, type FieldError } from './field-errors.ts';
import { validateTaskResources } from './resource-fields.ts';
import type { ResourceList } from '../api/quantity.ts';

/** The framework's minimum offers, parsed, with the errors of spec.offerFilters. */
export function validateOfferFilters(spec: Record<string, unknown>): { errors: FieldError[]; minOffer?: ResourceList[] } {
  const filters = spec.offerFilters;
  if (filters === undefined) return { errors: [] };
  if (!Array.isArray(filters)) return { errors: [invalid('spec.offerFilters', 'must be a list of {role, minAllocatableResources}')] };
  const roles = frameworkRoles({
    role: typeof spec.role === 'string' ? spec.role : undefined,
    roles: Array.isArray(spec.roles) ? spec.roles.filter((r): r is string => typeof r === 'string') : undefined,
  });
  const field = Array.isArray(spec.roles) ? 'spec.roles' : 'spec.role';
  const errors: FieldError[] = [];
  const minOffer: ResourceList[] = [];
  filters.forEach((f: unknown, i) => {
    const at = child('spec.offerFilters', i);
    if (!isRecord(f)) {
      errors.push(invalid(at, 'must be {role, minAllocatableResources}'));
      return;
    }
    if (typeof f.role !== 'string' || !roles.includes(f.role)) {
      const which =
        roles.length === 1 ? `the framework's role "${roles[0]}"` : `one of the framework's roles ${roles.map((r) => `"${r}"`).join(', ')}`;
      errors.push(invalid(child(at, 'role'), `must be ${which} (${field}), got ${JSON.stringify(f.role)}`));
    }
    const mins = f.minAllocatableResources;
    if (!Array.isArray(mins) || mins.length === 0) {
      errors.push(
        invalid(child(at, 'minAllocatableResources'), 'must list at least one set of resources, e.g. [{cpu: "4"}, {memory: 16Gi}]'),
      );
      return;
    }
    mins.forEach((m: unknown, j) => {
      const r = validateTaskResources(m, child(child(at, 'minAllocatableResources'), j));
      errors.push(...r.errors);
      minOffer.push(r.parsed);
    });
  });
  return { errors, minOffer };
}
