// Who is writing: the controller (and cluster administrators), a framework's ServiceAccount, or
// someone else — and whether that writer may answer for a framework.
import { forbidden, type FieldError } from './field-errors.ts';

/** The requesting user, as the API server describes it in an AdmissionRequest. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/**
 * Identities that act as the controller: they may write any field of Agora's objects and are not
 * held to the framework identity and privilege rules (they are still held to the consistency rules:
 * an accept must fit its offer, whoever writes it).
 */
export interface PrivilegedIdentities {
  usernames: readonly string[];
  groups: readonly string[];
}

/** The installed controller's ServiceAccount (chart defaults) and cluster administrators. */
export const DEFAULT_PRIVILEGED: PrivilegedIdentities = {
  usernames: ['system:serviceaccount:agora-system:agora-controller'],
  groups: ['system:masters'],
};

export function isPrivileged(user: UserInfo, ids: PrivilegedIdentities): boolean {
  if (user.username !== undefined && ids.usernames.includes(user.username)) return true;
  return (user.groups ?? []).some((g) => ids.groups.includes(g));
}

export const serviceAccountUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

export function parseServiceAccountUser(username: string | undefined): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username ?? '');
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}

/** What the identity rule needs to know about the framework being answered for. */
export interface FrameworkIdentity {
  name: string;
  serviceAccountName?: string;
  /** Its spec.capabilities (what the offer webhook checks a revocable accept against). */
  capabilities?: readonly string[];
}

export interface AnswerAccess {
  namespace: string;
  username: string;
  /** The framework named by the object; undefined when it does not exist. */
  framework: FrameworkIdentity | undefined;
  /** The object's spec.framework (for the message when the framework does not exist). */
  frameworkName: string;
  /** Other frameworks in the namespace whose spec.serviceAccountName is the writer (if it is one of the namespace's ServiceAccounts). */
  frameworksOfWriter: readonly string[];
}

/** What a review carries for answerAccessErrors: where, who, and the looked-up framework. */
export interface ActingReview {
  namespace: string;
  writer: { username: string };
  facts?: { framework: FrameworkIdentity | undefined; frameworksOfWriter: readonly string[] };
}

/** answerAccessErrors for a review of an object naming `frameworkName`; its facts must be looked up. */
export function actingErrors(r: ActingReview, frameworkName: string, path: string, action: string, validator: string): FieldError[] {
  if (r.facts === undefined) throw new Error(`${validator}: facts are required for a non-privileged writer to ${action}`);
  return answerAccessErrors(
    {
      namespace: r.namespace,
      username: r.writer.username,
      framework: r.facts.framework,
      frameworkName,
      frameworksOfWriter: r.facts.frameworksOfWriter,
    },
    path,
    action,
  );
}

/**
 * May this (non-privileged) writer act for the framework? A framework with spec.serviceAccountName
 * is answered only by that ServiceAccount; a framework without one by anyone RBAC lets update the
 * object — except another framework's ServiceAccount: a framework never answers for another.
 */
export function answerAccessErrors(a: AnswerAccess, path: string, action: string): FieldError[] {
  const who = `user "${a.username}"`;
  if (a.framework === undefined) {
    return [forbidden(path, `${who} may not ${action}: framework "${a.frameworkName}" does not exist in namespace "${a.namespace}"`)];
  }
  const sa = a.framework.serviceAccountName;
  if (sa) {
    if (a.username === serviceAccountUser(a.namespace, sa)) return [];
    return [
      forbidden(
        path,
        `${who} may not ${action}: framework "${a.framework.name}" is answered only by its ServiceAccount "${sa}" (${serviceAccountUser(a.namespace, sa)}) or the Agora controller`,
      ),
    ];
  }
  const others = a.frameworksOfWriter.filter((f) => f !== a.framework?.name);
  if (others.length > 0) {
    return [
      forbidden(path, `${who} is the ServiceAccount of framework "${others[0]}" and may not ${action} for framework "${a.framework.name}"`),
    ];
  }
  return [];
}
