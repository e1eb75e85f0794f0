// spec.builtin.reserve: the built-in scheduler answers offers with the controller's rights, so a
// Framework that makes it RESERVE for a role is held to what its writer could reserve itself — the
// "reserve" verb on the role's ResourceRole, the rule an SDK framework's accept is held to.
import { roleObjectName } from '../api/role-names.ts';
import type { AccessDecision } from './access-review-cache.ts';
import { forbidden, isRecord, type FieldError } from './field-errors.ts';
import { namedRoles, type NamedRole } from './framework-identity.ts';

export interface BuiltinReserveReview {
  operation: 'CREATE' | 'UPDATE';
  framework: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
}

const specOf = (o: unknown): Record<string, unknown> => (isRecord(o) && isRecord(o.spec) ? o.spec : {});
const reserves = (spec: Record<string, unknown>): boolean => isRecord(spec.builtin) && spec.builtin.reserve === true;

/**
 * The roles whose "reserve" verb the writer must hold: every role of a Framework created with
 * spec.builtin.reserve or updated to it, and the roles an update adds to one that already
 * reserves. None for a privileged writer.
 */
export function builtinReserveRoles(r: BuiltinReserveReview): NamedRole[] {
  const spec = specOf(r.framework);
  if (r.writer.privileged || !reserves(spec)) return [];
  const named = namedRoles(spec);
  const roles = named.length > 0 ? named : [{ role: 'default', path: 'spec.role' }];
  const old = specOf(r.old);
  if (r.operation === 'CREATE' || !reserves(old)) return roles;
  const before = new Set(namedRoles(old).map((x) => x.role));
  if (before.size === 0) before.add('default');
  return roles.filter((x) => !before.has(x.role));
}

/** A refusal at spec.builtin.reserve for each role the writer may not reserve for. */
export function builtinReserveErrors(username: string, decisions: readonly (NamedRole & { decision: AccessDecision })[]): FieldError[] {
  return decisions
    .filter((d) => !d.decision.allowed)
    .map((d) =>
      forbidden(
        'spec.builtin.reserve',
        `user "${username}" may not reserve for role "${d.role}" (${d.path}), so it may not make the built-in scheduler reserve for it (grant it the "reserve" verb on resourceroles "${roleObjectName(d.role)}" in group agora.dev)`,
      ),
    );
}
