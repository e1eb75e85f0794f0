// Role names. Roles form a tree by name, as Mesos's nested roles: `eng/ml/training` is a child
// of `eng/ml`, itself a child of `eng`. Each `/`-separated segment is a lowercase DNS label.
//
// A ResourceRole object cannot have `/` in its name, so the ResourceRole of role `eng/ml` is
// named `eng.ml`: a role's segments joined by `.` (a DNS label has no dots, so the two spellings
// map one to one, and every ResourceRole name — a DNS subdomain — is the name of one role).

/** Framework.spec.role when unset. */
export const DEFAULT_ROLE = 'default';

/** The longest role name (a ResourceRole name's limit). */
export const MAX_ROLE_NAME = 253;

const SEGMENT = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
/** A role name: DNS labels joined by `/`. (The CRD's pattern for Framework.spec.role.) */
export const ROLE_NAME = new RegExp(`^${SEGMENT}(/${SEGMENT})*$`);

export function isRoleName(name: string): boolean {
  return name.length <= MAX_ROLE_NAME && ROLE_NAME.test(name);
}

/** `eng/ml` for `eng/ml/training`; undefined for a top-level role. */
export function parentRole(name: string): string | undefined {
  const i = name.lastIndexOf('/');
  return i < 0 ? undefined : name.slice(0, i);
}

/** `eng/ml/training` → [`eng`, `eng/ml`, `eng/ml/training`]: the role and its ancestors, top first. */
export function roleChain(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) out.push(name.slice(0, i));
  out.push(name);
  return out;
}

/**
 * The roles a framework is in (Mesos's MULTI_ROLE): `roles` when given, else its one `role`
 * (default `default`); duplicates dropped, order kept — the first is where a task naming no role
 * is charged.
 */
export function frameworkRoles(spec: { role?: string; roles?: readonly string[] }): string[] {
  if (spec.roles !== undefined && spec.roles.length > 0) return [...new Set(spec.roles)];
  return [spec.role || DEFAULT_ROLE];
}

/** Is `name` the role `of` or one of its descendants? */
export function inSubtree(name: string, of: string): boolean {
  return name === of || name.startsWith(`${of}/`);
}

/** The ResourceRole object name of a role: `eng/ml` → `eng.ml`. */
export function roleObjectName(role: string): string {
  return role.replaceAll('/', '.');
}

/** The role a ResourceRole object stands for: `eng.ml` → `eng/ml`. */
export function roleOfObject(objectName: string): string {
  return objectName.replaceAll('.', '/');
}
