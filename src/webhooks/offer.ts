// The Offer validator: who may write what, and whether an answer is admissible.
//
// Phase rule: an answer is admissible while status.phase is Outstanding, or while it is absent —
// the controller sets Outstanding right after creating the offer, and a framework watching Offers
// may see (and answer) it in between. Every other phase is final, so an absent phase can only mean
// "not yet processed"; expiresAt still applies then.
import type { ResourceList } from '../api/quantity.ts';
import { validateContainers } from './containers.ts';
import { controllerMetadataErrors } from './controller-metadata.ts';
import { child, forbidden, invalid, isRecord, jsonEqual, specOf, type FieldError } from './field-errors.ts';
import { answerAccessErrors, type FrameworkIdentity } from './identity.ts';
import { validateFit, validateOfferedResources, validateTaskResources } from './resource-fields.ts';
import { taskPodErrors } from './task-pod.ts';
import { reservationErrors, reservationVerbsUsed, type ReservationReview } from './offer-reservations.ts';
import type { ReservedEntry } from '../api/reservations.ts';
import { REVOCABLE_RESOURCES } from '../api/group.ts';

export type OfferResponse = 'accept' | 'decline';
const RESPONSES: readonly OfferResponse[] = ['accept', 'decline'];

/** Facts the handler fetches when a non-privileged writer answers an offer. */
export interface AnswerFacts {
  /** The offer's framework; undefined when it does not exist. */
  framework: FrameworkIdentity | undefined;
  /** Other frameworks whose ServiceAccount is the writer. */
  frameworksOfWriter: readonly string[];
  /** The namespace opts out of the Pod Security baseline (namespaceAllowsPrivileged). */
  allowPrivileged: boolean;
  /** SubjectAccessReview: may the writer create Pods in the namespace? (accepts only) */
  canCreatePods?: { allowed: boolean; reason?: string };
  /** SubjectAccessReviews: may the writer reserve / unreserve for the offer's role? (accepts that do) */
  reservations?: ReservationReview['access'];
}

export interface OfferReview {
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  offer: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
  now: Date;
  /** Required when a non-privileged writer answers (see answeredBy). */
  facts?: AnswerFacts;
  /** Names among the accepted tasks that already exist as Task objects in the namespace. */
  existingTasks?: readonly string[];
}

type Obj = Record<string, unknown>;
const offerName = (o: unknown): string | undefined =>
  isRecord(o) && isRecord(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : undefined;
const statusOf = (o: unknown): Obj => (isRecord(o) && isRecord(o.status) ? o.status : {});

/** The answer this write adds (absent before, present now), if any. */
export function answeredBy(operation: 'CREATE' | 'UPDATE', offer: unknown, old: unknown): OfferResponse | undefined {
  const spec = specOf(offer);
  const before = operation === 'UPDATE' ? specOf(old) : {};
  return RESPONSES.find((r) => spec[r] !== undefined && before[r] === undefined);
}

/** The accepted tasks' names (for the handler's "already exists" lookup). */
export function acceptedTaskNames(offer: unknown): string[] {
  const accept = specOf(offer).accept;
  const tasks = isRecord(accept) && Array.isArray(accept.tasks) ? accept.tasks : [];
  return tasks.flatMap((t: unknown) => (isRecord(t) && typeof t.name === 'string' ? [t.name] : []));
}

export function validateOffer(r: OfferReview): FieldError[] {
  const spec = specOf(r.offer);
  const errors: FieldError[] = [];
  if (r.operation === 'CREATE') {
    if (!r.writer.privileged) {
      return [
        forbidden(
          'spec',
          `user "${r.writer.username}" may not create Offers: offers are made by the Agora controller; answer one by setting its spec.accept or spec.decline`,
        ),
      ];
    }
    errors.push(...validateOfferedResources(spec.resources, 'spec.resources').errors);
  } else {
    const old = specOf(r.old);
    if (!r.writer.privileged) {
      errors.push(...controllerMetadataErrors('Offer', r.old, r.offer, r.writer.username));
      errors.push(...controllerOnlyFieldErrors(old, spec, r.writer.username));
    }
    errors.push(...answeredOnceErrors(old, spec));
  }
  if (errors.length === 0 && spec.accept !== undefined && spec.decline !== undefined) {
    errors.push(invalid('spec', 'an offer is answered with spec.accept or spec.decline, not both'));
  }
  const response = answeredBy(r.operation, r.offer, r.old);
  if (response !== undefined && errors.length === 0) errors.push(...answerErrors(r, response));
  return errors;
}

function controllerOnlyFieldErrors(old: Obj, spec: Obj, username: string): FieldError[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(spec)]);
  const errors: FieldError[] = [];
  for (const key of [...keys].sort()) {
    if ((RESPONSES as readonly string[]).includes(key) || jsonEqual(old[key], spec[key])) continue;
    errors.push(
      forbidden(
        child('spec', key),
        `user "${username}" may not change an Offer's spec.${key}: only the Agora controller may; a framework only sets spec.accept or spec.decline`,
      ),
    );
  }
  return errors;
}

function answeredOnceErrors(old: Obj, spec: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const previous = RESPONSES.find((r) => old[r] !== undefined);
  if (previous === undefined) return errors;
  const done = previous === 'accept' ? 'accepted' : 'declined';
  for (const r of RESPONSES) {
    if (r === previous && !jsonEqual(old[r], spec[r])) {
      errors.push(invalid(child('spec', r), `the offer was already ${done}; an answer is written once and cannot be changed or removed`));
    } else if (r !== previous && spec[r] !== undefined) {
      errors.push(invalid(child('spec', r), `the offer was already ${done}; an offer is answered once`));
    }
  }
  return errors;
}

function answerErrors(r: OfferReview, response: OfferResponse): FieldError[] {
  const at = child('spec', response);
  const spec = specOf(r.offer);
  const status = statusOf(r.operation === 'UPDATE' ? r.old : r.offer);
  const errors: FieldError[] = [];

  const phase = status.phase;
  if (phase !== undefined && phase !== 'Outstanding') {
    const why = typeof status.reason === 'string' && status.reason !== '' ? ` (${status.reason})` : '';
    return [invalid(at, `the offer is ${String(phase)}${why}; only an Outstanding offer can be answered, wait for a new offer`)];
  }
  if (typeof spec.expiresAt === 'string') {
    const expires = Date.parse(spec.expiresAt);
    if (Number.isFinite(expires) && r.now.getTime() >= expires) {
      const ago = Math.max(0, Math.round((r.now.getTime() - expires) / 1000));
      return [
        invalid(at, `the offer expired at ${spec.expiresAt} (${ago}s ago); only an unexpired offer can be answered, wait for a new offer`),
      ];
    }
  }

  let checkPrivilege = false;
  if (!r.writer.privileged) {
    const facts = r.facts;
    if (facts === undefined) throw new Error('validateOffer: facts are required for a non-privileged answer');
    const access = answerAccessErrors(
      {
        namespace: r.namespace,
        username: r.writer.username,
        framework: facts.framework,
        frameworkName: String(spec.framework ?? ''),
        frameworksOfWriter: facts.frameworksOfWriter,
      },
      at,
      'answer this offer',
    );
    if (access.length > 0) return access;
    if (response === 'accept') {
      if (facts.canCreatePods !== undefined && !facts.canCreatePods.allowed && acceptedTaskNames(r.offer).length > 0) {
        errors.push(
          forbidden(
            at,
            `user "${r.writer.username}" may not create pods in namespace "${r.namespace}", so it may not launch tasks there (grant it "create pods" in the namespace)`,
          ),
        );
      }
      checkPrivilege = !facts.allowPrivileged;
    }
  }
  if (response === 'accept') {
    errors.push(...revocableAcceptErrors(spec, r.facts?.framework));
    errors.push(...acceptErrors(r, spec, checkPrivilege));
  }
  return errors;
}

/**
 * A revocable offer lends what is held back for others: only a framework that declares
 * REVOCABLE_RESOURCES may launch on it (it may have dropped the capability since the offer was
 * made), and what it lends is never the framework's to RESERVE.
 */
function revocableAcceptErrors(spec: Obj, framework: FrameworkIdentity | undefined): FieldError[] {
  if (spec.revocable !== true) return [];
  const errors: FieldError[] = [];
  if (framework !== undefined && !(framework.capabilities ?? []).includes(REVOCABLE_RESOURCES)) {
    errors.push(
      forbidden(
        'spec.revocable',
        `the offer is revocable and framework "${framework.name}" does not declare ${REVOCABLE_RESOURCES} in its spec.capabilities; decline it, or add the capability`,
      ),
    );
  }
  const accept = spec.accept;
  if (isRecord(accept) && Array.isArray(accept.reserve) && accept.reserve.length > 0) {
    errors.push(invalid('spec.accept.reserve', 'a revocable offer lends resources held back for others: they cannot be reserved'));
  }
  return errors;
}

function acceptErrors(r: OfferReview, spec: Obj, checkPrivilege: boolean): FieldError[] {
  const accept = spec.accept;
  const tasksAt = 'spec.accept.tasks';
  const operations = reservationVerbsUsed(accept);
  if (!isRecord(accept) || !Array.isArray(accept.tasks) || (accept.tasks.length === 0 && operations.length === 0)) {
    return [
      invalid(
        tasksAt,
        'must list at least one task unless the accept reserves or unreserves; to launch nothing, decline the offer instead',
      ),
    ];
  }
  const errors: FieldError[] = [];
  const offered = validateOfferedResources(spec.resources, 'spec.resources');
  errors.push(...offered.errors);
  if (operations.length > 0 && offered.errors.length === 0) {
    errors.push(
      ...reservationErrors({
        accept,
        role: typeof spec.role === 'string' ? spec.role : '',
        offered: offered.parsed,
        reserved: Array.isArray(spec.reserved) ? (spec.reserved as ReservedEntry[]) : undefined,
        username: r.writer.username,
        access: r.facts?.reservations,
      }),
    );
  }
  const names = new Map<string, number>();
  const existing = new Set(r.existingTasks ?? []);
  const parsed: ResourceList[] = [];
  accept.tasks.forEach((task: unknown, i) => {
    const at = child(tasksAt, i);
    if (!isRecord(task)) {
      errors.push(invalid(at, 'must be a task object with a name, resources and containers'));
      return;
    }
    if (typeof task.name !== 'string' || task.name === '') {
      errors.push(invalid(child(at, 'name'), 'is required'));
    } else if (names.has(task.name)) {
      errors.push(
        invalid(
          child(at, 'name'),
          `duplicate task name "${task.name}" (also ${child(tasksAt, names.get(task.name)!)}); task names are unique`,
        ),
      );
    } else {
      names.set(task.name, i);
      if (existing.has(task.name)) {
        errors.push(
          invalid(
            child(at, 'name'),
            `a Task named "${task.name}" already exists in namespace "${r.namespace}"; task names are unique among the framework's tasks`,
          ),
        );
      }
    }
    const res = validateTaskResources(task.resources, child(at, 'resources'));
    parsed.push(res.parsed);
    const shape = [...res.errors, ...validateContainers(task.containers, child(at, 'containers'))];
    errors.push(...shape);
    if (shape.length > 0 || !isRecord(task.resources) || !Array.isArray(task.containers)) return;
    const { resources, containers, labels, annotations } = task;
    errors.push(
      ...taskPodErrors({ name: typeof task.name === 'string' ? task.name : undefined, resources, containers, labels, annotations }, at, {
        namespace: r.namespace,
        framework: String(spec.framework ?? ''),
        nodeName: String(spec.nodeName ?? ''),
        offer: offerName(r.offer),
        serviceAccountName: r.facts?.framework?.serviceAccountName,
        baseline: checkPrivilege,
      }),
    );
  });
  if (offered.errors.length === 0) errors.push(...validateFit(parsed, offered.parsed, tasksAt));
  if (typeof spec.podSlots === 'number' && accept.tasks.length > spec.podSlots) {
    errors.push(
      invalid(
        tasksAt,
        `the accept launches ${accept.tasks.length} tasks but the offer has ${spec.podSlots} pod slots (spec.podSlots: its node takes only that many more Pods); accept at most ${spec.podSlots}`,
      ),
    );
  }
  return errors;
}
