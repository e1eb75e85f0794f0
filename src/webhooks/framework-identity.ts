// Who may change a Framework, and make it run as which ServiceAccount; and which namespaces may
// use a role. A Framework with spec.serviceAccountName S answers offers, kills tasks and runs
// Pods as S, so naming S is acting as S: a writer may set or change spec.serviceAccountName only
// to its own ServiceAccount, or to one it may impersonate (the Kubernetes rule for acting as
// another identity; a namespace's `admin` and `edit` roles grant it). For the same reason a
// Framework that runs as S is changed only by S, by an identity that may impersonate S, or by the
// controller; one with no ServiceAccount by anyone RBAC allows, except another framework's
// ServiceAccount — a framework never acts for another.
import { selectorMismatch, type LabelSelector } from '../api/selector.ts';
import { roleObjectName } from '../api/role-names.ts';
import { forbidden, isRecord, specOf, type FieldError } from './field-errors.ts';
import { parseServiceAccountUser, serviceAccountUser } from './identity.ts';

export interface IdentityReview {
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  framework: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
}

export interface IdentityFacts {
  /** The ServiceAccounts asked about (identityQuestions().impersonate) that the writer may impersonate. */
  mayImpersonate: readonly string[];
  /** Other frameworks of the namespace whose ServiceAccount is the writer (when identityQuestions() asked). */
  frameworksOfWriter: readonly string[];
}

const nameOf = (o: unknown): string => (isRecord(o) && isRecord(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '');
const saOf = (o: unknown): string | undefined => {
  const sa = specOf(o).serviceAccountName;
  return typeof sa === 'string' && sa !== '' ? sa : undefined;
};

/** The writer's own ServiceAccount in the namespace, if it is one. */
function ownServiceAccount(r: IdentityReview): string | undefined {
  const sa = parseServiceAccountUser(r.writer.username);
  return sa !== undefined && sa.namespace === r.namespace ? sa.name : undefined;
}

/** What the handler must look up: ServiceAccounts to ask "may the writer impersonate it?", and whether to list frameworksOfWriter. */
export function identityQuestions(r: IdentityReview): { impersonate: string[]; frameworksOfWriter: boolean } {
  if (r.writer.privileged) return { impersonate: [], frameworksOfWriter: false };
  const own = ownServiceAccount(r);
  const before = r.operation === 'UPDATE' ? saOf(r.old) : undefined;
  const after = saOf(r.framework);
  const ask = new Set<string>();
  if (before !== undefined) ask.add(before);
  if (after !== undefined && (r.operation === 'CREATE' || after !== before)) ask.add(after);
  if (own !== undefined) ask.delete(own);
  return { impersonate: [...ask].sort(), frameworksOfWriter: r.operation === 'UPDATE' && before === undefined && own !== undefined };
}

export function frameworkIdentityErrors(r: IdentityReview, facts: IdentityFacts | undefined): FieldError[] {
  if (r.writer.privileged) return [];
  if (facts === undefined) throw new Error('frameworkIdentityErrors: facts are required for a non-privileged writer');
  const own = ownServiceAccount(r);
  const actsAs = (sa: string) => sa === own || facts.mayImpersonate.includes(sa);
  const who = `user "${r.writer.username}"`;
  const name = nameOf(r.framework);
  const before = r.operation === 'UPDATE' ? saOf(r.old) : undefined;
  if (r.operation === 'UPDATE') {
    if (before !== undefined && !actsAs(before)) {
      return [
        forbidden(
          'spec',
          `${who} may not change framework "${name}": it runs as ServiceAccount "${before}" (${serviceAccountUser(r.namespace, before)}), so only that ServiceAccount, an identity allowed to impersonate it, or the Agora controller may`,
        ),
      ];
    }
    const others = facts.frameworksOfWriter.filter((f) => f !== name);
    if (before === undefined && others.length > 0) {
      return [forbidden('spec', `${who} is the ServiceAccount of framework "${others[0]}" and may not change framework "${name}"`)];
    }
  }
  const after = saOf(r.framework);
  if (after !== undefined && (r.operation === 'CREATE' || after !== before) && !actsAs(after)) {
    return [
      forbidden(
        'spec.serviceAccountName',
        `${who} may not make framework "${name}" run as ServiceAccount "${after}": name your own ServiceAccount, or get permission to impersonate "${after}" (verb impersonate on serviceaccounts in namespace "${r.namespace}")`,
      ),
    ];
  }
  return [];
}

export interface RoleFacts {
  /** The role whose ResourceRole this is: the framework's role or one of its ancestors. */
  of: string;
  /** The ResourceRole exists (a role without one has no restriction, as today). */
  exists: boolean;
  selector?: LabelSelector;
  namespaceLabels: Record<string, string>;
}

/** A role a Framework names, and where: `spec.role` or `spec.roles[i]`. */
export interface NamedRole {
  role: string;
  path: string;
}

/**
 * The roles named by the write that must be checked against their namespaceSelector: on create
 * all of them, on update those the framework was not already in (spec.role or spec.roles).
 */
export function rolesToCheck(r: Pick<IdentityReview, 'operation' | 'framework' | 'old'>): NamedRole[] {
  const named = namedRoles(specOf(r.framework));
  if (r.operation !== 'UPDATE') return named;
  const before = new Set(namedRoles(specOf(r.old)).map((x) => x.role));
  return named.filter((x) => !before.has(x.role));
}

export function namedRoles(spec: Record<string, unknown>): NamedRole[] {
  if (Array.isArray(spec.roles)) {
    return spec.roles.flatMap((role: unknown, i) => (typeof role === 'string' && role !== '' ? [{ role, path: `spec.roles[${i}]` }] : []));
  }
  return typeof spec.role === 'string' && spec.role !== '' ? [{ role: spec.role, path: 'spec.role' }] : [];
}

/**
 * The namespaceSelector of the role's ResourceRole and of every ancestor's must match: a subrole
 * uses its ancestors' reservations and counts against their quota, so it is theirs to allow.
 */
export function roleErrors(role: string, namespace: string, facts: RoleFacts, path = 'spec.role'): FieldError[] {
  if (!facts.exists || facts.selector === undefined) return [];
  const key = selectorMismatch(facts.selector, facts.namespaceLabels);
  if (key === undefined) return [];
  const value = facts.namespaceLabels[key];
  const whose = facts.of === role ? "the ResourceRole's" : `the ResourceRole of its ancestor "${facts.of}" (${roleObjectName(facts.of)}):`;
  return [
    forbidden(
      path,
      `role "${role}" may not be used in namespace "${namespace}": ${whose} spec.namespaceSelector does not match the namespace (its label "${key}" is ${value === undefined ? 'not set' : JSON.stringify(value)}); ask a cluster administrator to allow the namespace, or choose another role`,
    ),
  ];
}
