// RESERVE and UNRESERVE in an accept (spec.accept.reserve / .unreserve): each operation names
// positive amounts; together, a RESERVE takes no more than the offer's unreserved part, an
// UNRESERVE gives back no more than the offer carries of its role's dynamic reservation (Mesos:
// only offered — idle — reserved resources can be unreserved); and the writer holds the verb on
// the role's ResourceRole ("reserve" / "unreserve" on resourceroles, named as the role with `.`
// for `/`), asked by SubjectAccessReview as the writer.
import { fit } from '../api/fit.ts';
import { add, formatQuantity, type ResourceList } from '../api/quantity.ts';
import { dynamicPart, unreservedPart, type ReservedEntry } from '../api/reservations.ts';
import { roleObjectName } from '../api/role-names.ts';
import type { AccessDecision } from './access-review-cache.ts';
import { child, forbidden, invalid, isRecord, type FieldError } from './field-errors.ts';
import { validateTaskResources } from './resource-fields.ts';

export type ReservationVerb = 'reserve' | 'unreserve';
export const RESERVATION_VERBS: readonly ReservationVerb[] = ['reserve', 'unreserve'];

export interface ReservationReview {
  /** spec.accept. */
  accept: Record<string, unknown>;
  /** spec.role: what is reserved or unreserved is this role's. */
  role: string;
  /** spec.resources, parsed. */
  offered: ResourceList;
  /** spec.reserved. */
  reserved: readonly ReservedEntry[] | undefined;
  username: string;
  /** SubjectAccessReview answers per verb used (non-privileged writers only). */
  access?: Partial<Record<ReservationVerb, AccessDecision>>;
}

/** The verbs an accept uses (the handler asks a SubjectAccessReview for each). */
export function reservationVerbsUsed(accept: unknown): ReservationVerb[] {
  if (!isRecord(accept)) return [];
  return RESERVATION_VERBS.filter((v) => Array.isArray(accept[v]) && accept[v].length > 0);
}

export function reservationErrors(r: ReservationReview): FieldError[] {
  const errors: FieldError[] = [];
  const bounds: Record<ReservationVerb, { bound: ResourceList; what: string }> = {
    reserve: { bound: unreservedPart(r.offered, r.reserved), what: "the offer's unreserved part" },
    unreserve: { bound: dynamicPart(r.reserved, r.role), what: `the offer's dynamic reservation for role "${r.role}" (spec.reserved)` },
  };
  for (const verb of reservationVerbsUsed(r.accept)) {
    const at = child('spec.accept', verb);
    const decision = r.access?.[verb];
    if (decision !== undefined && !decision.allowed) {
      errors.push(
        forbidden(
          at,
          `user "${r.username}" may not ${verb} for role "${r.role}" (grant it the "${verb}" verb on resourceroles "${roleObjectName(r.role)}" in group agora.dev)`,
        ),
      );
      continue;
    }
    const parsed: ResourceList[] = [];
    let shapeErrors = 0;
    (r.accept[verb] as unknown[]).forEach((op, i) => {
      const res = validateTaskResources(isRecord(op) ? op.resources : undefined, child(child(at, i), 'resources'));
      errors.push(...res.errors);
      shapeErrors += res.errors.length;
      parsed.push(res.parsed);
    });
    if (shapeErrors > 0) continue;
    const { bound, what } = bounds[verb];
    const total = parsed.reduce<ResourceList>((sum, p) => add(sum, p), {});
    for (const s of fit(total, bound)) {
      // Reported on the operation at which the running total first goes beyond the bound.
      let running = 0;
      const i = parsed.findIndex((p) => (running += p[s.resource] ?? 0) > s.free);
      const q = (v: number) => formatQuantity(v, s.resource);
      const all = parsed.length === 1 ? '' : ` (all ${parsed.length} together)`;
      errors.push(
        invalid(
          child(child(child(at, i), 'resources'), s.resource),
          `${verb}s ${q(s.asked)} ${s.resource}${all}, more than the ${q(s.free)} of ${what}`,
        ),
      );
    }
  }
  return errors;
}
