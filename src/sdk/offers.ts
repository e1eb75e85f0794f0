// Pure helpers over Offer objects: is an offer still open, and what a failed answer means.
import { isAnswered, isOpen, offerPhase } from '../api/group.ts';
import type { AnswerFailure, AnswerResult, OfferObject } from './types.ts';
import { formatResourceList, parseResourceListLenient } from '../api/quantity.ts';
import { dynamicPart, unreservedPart } from '../api/reservations.ts';

export { isAnswered, isOpen, offerPhase };

/** What the offer carries of its role's own dynamic reservation, idle: what an UNRESERVE may give back (`{}`: none). */
export function dynamicReservation(offer: OfferObject): Record<string, string> {
  return formatResourceList(dynamicPart(offer.spec.reserved, offer.spec.role ?? ''));
}

/**
 * The offer lends resources held back for others (made only to a framework with the
 * REVOCABLE_RESOURCES capability): its tasks are the first revoked when the owner wants them
 * back, and nothing of it may be reserved.
 */
export function isRevocable(offer: OfferObject): boolean {
  return offer.spec.revocable === true;
}

/** The offer's unreserved part: what a RESERVE may set aside (spec.resources less spec.reserved). */
export function unreservedResources(offer: OfferObject): Record<string, string> {
  return formatResourceList(unreservedPart(parseResourceListLenient(offer.spec.resources), offer.spec.reserved));
}

/**
 * What a rejected answer (HTTP `code`) means, given the offer as re-read afterwards (`current`
 * undefined: it no longer exists). The offer's own state is the better witness than the status
 * code: a webhook, a CEL rule and a resourceVersion conflict all reject a late answer, each with
 * its own code, while the offer says plainly whether it was rescinded, expired or answered.
 * Returns undefined when the answer may simply be retried (a conflict on a still-open offer).
 */
export function classifyAnswerFailure(
  code: number | undefined,
  message: string,
  current: OfferObject | undefined,
): { reason: AnswerFailure; message: string } | undefined {
  if (current === undefined) return { reason: 'Gone', message: message || 'the offer no longer exists' };
  const phase = offerPhase(current);
  if (phase === 'Rescinded' || phase === 'Expired') {
    return { reason: phase, message: current.status?.message ?? current.status?.reason ?? message };
  }
  if (isAnswered(current) || phase === 'Accepted' || phase === 'Declined') {
    return { reason: 'AlreadyAnswered', message: `the offer was already ${phase === 'Outstanding' ? 'answered' : phase.toLowerCase()}` };
  }
  if (code === 409) return undefined;
  return { reason: 'Rejected', message: message || `the API server refused the answer (HTTP ${code ?? '?'})` };
}

export function failed(offer: string, reason: AnswerFailure, message: string): AnswerResult {
  return { ok: false, offer, reason, message };
}
