// Nested quota, checked across ResourceRoles (what CEL, seeing one object, cannot): a parent's
// guarantee covers its children's — for every resource the parent guarantees, the children's
// guarantees add up to at most the parent's, as Mesos requires of nested quota. (A parent that
// guarantees nothing of a resource leaves its children free to.)
import { formatQuantity, type ResourceList } from '../api/quantity.ts';
import { parentRole } from '../api/role-names.ts';
import { child, invalid, type FieldError } from './field-errors.ts';

/**
 * Errors of role's new `guarantee` against the other roles' guarantees (`others`, by role name,
 * role itself left out), at spec.guarantee.<resource>.
 */
export function nestedGuaranteeErrors(role: string, guarantee: ResourceList, others: ReadonlyMap<string, ResourceList>): FieldError[] {
  const errors: FieldError[] = [];
  const childrenOf = (p: string) => [...others].filter(([name]) => parentRole(name) === p);
  const sum = (entries: [string, ResourceList][], res: string) => entries.reduce((s, [, g]) => s + (g[res] ?? 0), 0);
  // As a child: with its siblings, within its parent's guarantee.
  const parent = parentRole(role);
  const pg = parent === undefined ? undefined : others.get(parent);
  if (parent !== undefined && pg !== undefined) {
    const siblings = childrenOf(parent);
    for (const [res, amount] of Object.entries(guarantee)) {
      const cap = pg[res];
      if (cap === undefined) continue;
      const total = amount + sum(siblings, res);
      if (total > cap) {
        const q = (v: number) => formatQuantity(v, res);
        errors.push(
          invalid(
            child('spec.guarantee', res),
            `the children of "${parent}" would be guaranteed ${q(total)} ${res} in all (this role ${q(amount)}, its siblings ${q(total - amount)}), more than "${parent}" guarantees (${q(cap)}); a parent's guarantee must cover its children's`,
          ),
        );
      }
    }
  }
  // As a parent: its guarantee covers its children's.
  const children = childrenOf(role);
  for (const [res, cap] of Object.entries(guarantee)) {
    const total = sum(children, res);
    if (total > cap) {
      const q = (v: number) => formatQuantity(v, res);
      errors.push(
        invalid(
          child('spec.guarantee', res),
          `${q(cap)} ${res} is less than its child roles are guaranteed in all (${q(total)}); a parent's guarantee must cover its children's`,
        ),
      );
    }
  }
  return errors;
}
