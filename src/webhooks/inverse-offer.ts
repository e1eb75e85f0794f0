// InverseOffers: only the controller creates them and sets what they ask; a framework only
// answers its own (spec.answer, spec.message), once — the same rule as for answering an offer:
// its ServiceAccount, or anyone RBAC allows for a framework without one, but never another
// framework's ServiceAccount. CEL already keeps the answer from changing; this says who.
import { controllerMetadataErrors } from './controller-metadata.ts';
import { child, forbidden, jsonEqual, specOf, type FieldError } from './field-errors.ts';
import { actingErrors, type FrameworkIdentity } from './identity.ts';

export interface InverseOfferReview {
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  inverseOffer: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
  /** Required for a non-privileged answer (see answered()). */
  facts?: { framework: FrameworkIdentity | undefined; frameworksOfWriter: readonly string[] };
}

const ANSWER_FIELDS = ['answer', 'message'];

/** True when this write sets spec.answer (it was not set before). */
export function inverseOfferAnswered(operation: 'CREATE' | 'UPDATE', io: unknown, old: unknown): boolean {
  return operation === 'UPDATE' && specOf(io).answer !== undefined && specOf(old).answer === undefined;
}

export function validateInverseOffer(r: InverseOfferReview): FieldError[] {
  if (r.writer.privileged) return [];
  const who = `user "${r.writer.username}"`;
  if (r.operation === 'CREATE') {
    return [forbidden('spec', `${who} may not create InverseOffers: the Agora controller sends them for a Maintenance`)];
  }
  const spec = specOf(r.inverseOffer);
  const old = specOf(r.old);
  const errors = controllerMetadataErrors('InverseOffer', r.old, r.inverseOffer, r.writer.username);
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(spec)])].sort()) {
    if (ANSWER_FIELDS.includes(key) || jsonEqual(old[key], spec[key])) continue;
    errors.push(
      forbidden(
        child('spec', key),
        `${who} may not change an InverseOffer's spec.${key}: a framework only sets spec.answer and spec.message`,
      ),
    );
  }
  if (errors.length > 0 || !inverseOfferAnswered(r.operation, r.inverseOffer, r.old)) return errors;
  return actingErrors(r, String(spec.framework ?? ''), 'spec.answer', 'answer this inverse offer', 'validateInverseOffer');
}
