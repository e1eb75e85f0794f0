// Thin admission handlers: read the request, fetch the context a validator needs through
// AdmissionLookups, call the pure validator, return its verdict.
import type { LabelSelector } from '../api/selector.ts';
import type { AdmissionRequest, Verdict } from './admission.ts';
import { namespaceAllowsPrivileged } from './containers.ts';
import { forbidden, nestingError } from './field-errors.ts';
import { frameworkDefaults, launchReviewNeeded, validateFramework } from './framework.ts';
import { frameworkIdentityErrors, identityQuestions, roleErrors, rolesToCheck } from './framework-identity.ts';
import { isPrivileged, parseServiceAccountUser, type FrameworkIdentity, type PrivilegedIdentities, type UserInfo } from './identity.ts';
import { acceptedTaskNames, answeredBy, validateOffer, type AnswerFacts, type OfferResponse } from './offer.ts';
import { reservationVerbsUsed, type ReservationVerb } from './offer-reservations.ts';
import { inverseOfferAnswered, validateInverseOffer } from './inverse-offer.ts';
import { validateResourceRole } from './resource-role.ts';
import { killRequested, validateTask } from './task.ts';
import type { Clock } from '../api/clock.ts';
import { roleChain, roleOfObject } from '../api/role-names.ts';
import { parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import { nestedGuaranteeErrors } from './nested-guarantees.ts';
import { priorityClassErrors, priorityClassToCheck, priorityDefault } from './priority-class.ts';
import { builtinReserveErrors, builtinReserveRoles } from './builtin-reserve.ts';

/** What the handlers need to know from the cluster. The server wires these to the API. */
export interface AdmissionLookups {
  /** The framework's identity, or undefined when there is no such Framework. */
  getFramework(namespace: string, name: string): Promise<FrameworkIdentity | undefined>;
  /** Frameworks in the namespace whose spec.serviceAccountName is `serviceAccount`. */
  frameworksOfServiceAccount(namespace: string, serviceAccount: string): Promise<string[]>;
  namespaceLabels(namespace: string): Promise<Record<string, string>>;
  /** SubjectAccessReview: may `user` create Pods in the namespace? */
  canCreatePods(user: UserInfo, namespace: string): Promise<{ allowed: boolean; reason?: string }>;
  /** SubjectAccessReview: may `user` use `verb` (reserve, unreserve) on the ResourceRole of `role`? */
  canUseRole(user: UserInfo, verb: ReservationVerb, role: string): Promise<{ allowed: boolean; reason?: string }>;
  /** Which of `names` already exist as Task objects in the namespace. */
  existingTasks(namespace: string, names: readonly string[]): Promise<string[]>;
  /** SubjectAccessReview: may `user` impersonate the ServiceAccount `name` of the namespace? */
  canImpersonateServiceAccount(user: UserInfo, namespace: string, name: string): Promise<{ allowed: boolean; reason?: string }>;
  /** The spec.namespaceSelector of the role's ResourceRole (named roleObjectName(role)); exists: false when there is none. */
  roleNamespaceSelector(role: string): Promise<{ exists: boolean; selector?: LabelSelector }>;
  /** Every ResourceRole's spec.guarantee, by role name (`eng/ml` for the ResourceRole eng.ml). */
  roleGuarantees(): Promise<Map<string, ResourceList>>;
  /** The value of the PriorityClass `name`; undefined when there is no such class. */
  priorityClassValue(name: string): Promise<number | undefined>;
}

export interface HandlerOptions {
  lookups: AdmissionLookups;
  privileged: PrivilegedIdentities;
  clock: Clock;
}

export type Handler = (req: AdmissionRequest) => Promise<Verdict>;

/** The URL path of each webhook, under the server's base URL. */
export const WEBHOOK_PATHS = {
  offers: '/validate/offers',
  tasks: '/validate/tasks',
  frameworks: '/validate/frameworks',
  resourceRoles: '/validate/resourceroles',
  inverseOffers: '/validate/inverseoffers',
  frameworkDefaults: '/mutate/frameworks',
} as const;

const ALLOW: Verdict = { errors: [] };

/** Deeper than any Agora object with a Pod's container inside it (about 15 levels) can be. */
const MAX_NESTING = 32;

export function createHandlers(opts: HandlerOptions): Record<string, Handler> {
  const r = new Reviewer(opts);
  return {
    [WEBHOOK_PATHS.offers]: (req) => reviewOffer(r, req),
    [WEBHOOK_PATHS.tasks]: (req) => reviewTask(r, req),
    [WEBHOOK_PATHS.frameworks]: (req) => reviewFramework(r, req),
    [WEBHOOK_PATHS.resourceRoles]: (req) => reviewResourceRole(r, req),
    [WEBHOOK_PATHS.inverseOffers]: (req) => reviewInverseOffer(r, req),
    [WEBHOOK_PATHS.frameworkDefaults]: (req) => defaultFramework(r, req),
  };
}

/** What every handler shares: who writes, whether the request is reviewed, the framework's access facts. */
class Reviewer {
  readonly lookups: AdmissionLookups;
  readonly clock: Clock;
  private readonly privileged: PrivilegedIdentities;

  constructor(opts: HandlerOptions) {
    this.lookups = opts.lookups;
    this.clock = opts.clock;
    this.privileged = opts.privileged;
  }

  writerOf(req: AdmissionRequest): { username: string; privileged: boolean } {
    return { username: req.userInfo.username ?? '', privileged: isPrivileged(req.userInfo, this.privileged) };
  }

  /** Only CREATE and UPDATE of the main resource are reviewed; a status write is the controller's. */
  reviewable(req: AdmissionRequest): 'CREATE' | 'UPDATE' | Verdict {
    const tooDeep = nestingError(req.object, MAX_NESTING);
    if (tooDeep) return { errors: [tooDeep] };
    if (req.subResource) {
      return this.writerOf(req).privileged
        ? ALLOW
        : {
            errors: [
              forbidden(
                req.subResource,
                `user "${req.userInfo.username ?? ''}" may not write ${req.resource.resource}/${req.subResource}: only the Agora controller does`,
              ),
            ],
          };
    }
    return req.operation === 'CREATE' || req.operation === 'UPDATE' ? req.operation : ALLOW;
  }

  /**
   * The framework, and the other frameworks the writer is the ServiceAccount of — looked up only
   * when the rule reads them: for a framework that exists and names no ServiceAccount.
   */
  async frameworkAccess(namespace: string, name: string, user: UserInfo) {
    const framework = await this.lookups.getFramework(namespace, name);
    const sa = parseServiceAccountUser(user.username);
    const needOthers = framework !== undefined && !framework.serviceAccountName && sa !== undefined && sa.namespace === namespace;
    return { framework, frameworksOfWriter: needOthers ? await this.lookups.frameworksOfServiceAccount(namespace, sa.name) : [] };
  }

  async allowsPrivileged(namespace: string): Promise<boolean> {
    return namespaceAllowsPrivileged(await this.lookups.namespaceLabels(namespace));
  }
}

function specField(obj: unknown, field: string): string {
  const spec = (obj as { spec?: Record<string, unknown> } | undefined)?.spec;
  return typeof spec?.[field] === 'string' ? spec[field] : '';
}

async function reviewOffer(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  const operation = r.reviewable(req);
  if (typeof operation !== 'string') return operation;
  const namespace = req.namespace ?? '';
  const writer = r.writerOf(req);
  const response = answeredBy(operation, req.object, req.oldObject);
  const names = response === 'accept' ? acceptedTaskNames(req.object) : [];
  const [existingTasks, facts] = await Promise.all([
    names.length > 0 ? r.lookups.existingTasks(namespace, names) : Promise.resolve([]),
    response === undefined || writer.privileged ? Promise.resolve(undefined) : answerFacts(r, req, namespace, response),
  ]);
  return {
    errors: validateOffer({
      operation,
      namespace,
      offer: req.object,
      old: req.oldObject,
      writer,
      now: new Date(r.clock.now()),
      facts,
      existingTasks,
    }),
  };
}

/** What an unprivileged answer to an offer is judged against: the framework's access, Pod and role permissions. */
async function answerFacts(r: Reviewer, req: AdmissionRequest, namespace: string, response: OfferResponse): Promise<AnswerFacts> {
  const verbs = response === 'accept' ? reservationVerbsUsed((req.object as { spec?: { accept?: unknown } }).spec?.accept) : [];
  const role = specField(req.object, 'role');
  const [access, allowPrivileged, canCreatePods, ...decisions] = await Promise.all([
    r.frameworkAccess(namespace, specField(req.object, 'framework'), req.userInfo),
    response === 'accept' ? r.allowsPrivileged(namespace) : Promise.resolve(false),
    response === 'accept' ? r.lookups.canCreatePods(req.userInfo, namespace) : Promise.resolve(undefined),
    ...verbs.map((v) => r.lookups.canUseRole(req.userInfo, v, role)),
  ]);
  const reservations = verbs.length > 0 ? Object.fromEntries(verbs.map((v, i) => [v, decisions[i]!])) : undefined;
  return { ...access, allowPrivileged, canCreatePods, reservations };
}

async function reviewTask(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  const operation = r.reviewable(req);
  if (typeof operation !== 'string') return operation;
  const namespace = req.namespace ?? '';
  const writer = r.writerOf(req);
  let facts;
  if (!writer.privileged && killRequested(operation, req.object, req.oldObject)) {
    facts = await r.frameworkAccess(namespace, specField(req.object, 'framework'), req.userInfo);
  }
  return { errors: validateTask({ operation, namespace, task: req.object, old: req.oldObject, writer, facts }) };
}

async function reviewInverseOffer(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  const operation = r.reviewable(req);
  if (typeof operation !== 'string') return operation;
  const namespace = req.namespace ?? '';
  const writer = r.writerOf(req);
  let facts;
  if (!writer.privileged && inverseOfferAnswered(operation, req.object, req.oldObject)) {
    facts = await r.frameworkAccess(namespace, specField(req.object, 'framework'), req.userInfo);
  }
  return { errors: validateInverseOffer({ operation, namespace, inverseOffer: req.object, old: req.oldObject, writer, facts }) };
}

async function reviewFramework(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  const operation = r.reviewable(req);
  if (typeof operation !== 'string') return operation;
  const namespace = req.namespace ?? '';
  const writer = r.writerOf(req);
  const review = { operation, namespace, framework: req.object, old: req.oldObject, writer };
  const questions = identityQuestions(review);
  const named = rolesToCheck(review);
  const launch = launchReviewNeeded(review);
  const reserving = builtinReserveRoles(review);
  const sa = parseServiceAccountUser(writer.username);
  const { lookups } = r;
  const priorityClass = priorityClassToCheck(req.object);
  const [labels, canCreatePods, mayImpersonate, frameworksOfWriter, roleSelectors, reserveDecisions, priorityValue] = await Promise.all([
    launch || named.length > 0 ? lookups.namespaceLabels(namespace) : Promise.resolve({} as Record<string, string>),
    launch ? lookups.canCreatePods(req.userInfo, namespace) : Promise.resolve(undefined),
    Promise.all(
      questions.impersonate.map(async (name) =>
        (await lookups.canImpersonateServiceAccount(req.userInfo, namespace, name)).allowed ? [name] : [],
      ),
    ),
    questions.frameworksOfWriter && sa ? lookups.frameworksOfServiceAccount(namespace, sa.name) : Promise.resolve([]),
    // Each role and its ancestors, each ResourceRole looked up once.
    Promise.all(
      [...new Set(named.flatMap((x) => roleChain(x.role)))].map(async (of) => ({ of, ...(await lookups.roleNamespaceSelector(of)) })),
    ),
    Promise.all(reserving.map(async (x) => ({ ...x, decision: await lookups.canUseRole(req.userInfo, 'reserve', x.role) }))),
    priorityClass === undefined ? Promise.resolve(undefined) : lookups.priorityClassValue(priorityClass),
  ]);
  const facts = canCreatePods ? { allowPrivileged: namespaceAllowsPrivileged(labels), canCreatePods } : undefined;
  const verdict = validateFramework({ ...review, facts });
  const identity = frameworkIdentityErrors(review, { mayImpersonate: mayImpersonate.flat(), frameworksOfWriter });
  const selectorOf = new Map(roleSelectors.map((s) => [s.of, s]));
  const roles = named.flatMap(({ role, path }) =>
    roleChain(role).flatMap((of) => roleErrors(role, namespace, { ...selectorOf.get(of)!, namespaceLabels: labels }, path)),
  );
  const reserve = builtinReserveErrors(writer.username, reserveDecisions);
  const priority = priorityClassErrors(req.object, priorityValue);
  return { ...verdict, errors: [...identity, ...roles, ...reserve, ...verdict.errors, ...priority] };
}

async function reviewResourceRole(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  const operation = r.reviewable(req);
  if (typeof operation !== 'string') return operation;
  const verdict = validateResourceRole(req.object);
  const o = req.object as { metadata?: { name?: unknown }; spec?: { guarantee?: unknown } } | undefined;
  const name = o?.metadata?.name;
  if (verdict.errors.length > 0 || typeof name !== 'string' || o?.spec?.guarantee === undefined) return verdict;
  const role = roleOfObject(name);
  const others = await r.lookups.roleGuarantees();
  others.delete(role);
  const guarantee = parseResourceListLenient(o.spec.guarantee as Record<string, unknown>);
  return { ...verdict, errors: nestedGuaranteeErrors(role, guarantee, others) };
}

async function defaultFramework(r: Reviewer, req: AdmissionRequest): Promise<Verdict> {
  if (req.subResource || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return ALLOW;
  const priorityClass = priorityClassToCheck(req.object);
  const value = priorityClass === undefined ? undefined : await r.lookups.priorityClassValue(priorityClass);
  return { errors: [], patch: [...frameworkDefaults(req.object), ...priorityDefault(req.object, value)] };
}
