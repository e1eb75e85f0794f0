// AdmissionReview v1 (admission.k8s.io/v1): the request the API server sends and the response it
// expects — only the fields Agora reads or writes.
import { formatErrors, type FieldError } from './field-errors.ts';
import type { UserInfo } from './identity.ts';
import type { JsonPatchOp } from './framework.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** Reads an AdmissionReview body; throws an Error saying what is wrong with it. */
export function decodeReview(body: unknown): AdmissionRequest {
  if (typeof body !== 'object' || body === null) throw new Error('body is not a JSON object');
  const review = body as Partial<AdmissionReview>;
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw new Error(`expected an admission.k8s.io/v1 AdmissionReview, got ${String(review.apiVersion)} ${String(review.kind)}`);
  }
  const req = review.request;
  if (req === undefined || typeof req.uid !== 'string' || typeof req.operation !== 'string')
    throw new Error('AdmissionReview has no request');
  return { ...req, userInfo: req.userInfo ?? {} };
}

export function encodeReview(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** The verdict of a handler, before it is tied to a request uid. */
export interface Verdict {
  errors: FieldError[];
  warnings?: string[];
  patch?: JsonPatchOp[];
}

/**
 * Field errors become one denial line; Forbidden (403) when any error is about who is writing,
 * otherwise Invalid (422), as the API server reports its own validation errors.
 */
export function toResponse(uid: string, verdict: Verdict): AdmissionResponse {
  const res: AdmissionResponse = { uid, allowed: verdict.errors.length === 0 };
  if (!res.allowed) {
    const forbidden = verdict.errors.some((e) => e.reason === 'Forbidden');
    res.status = { code: forbidden ? 403 : 422, reason: forbidden ? 'Forbidden' : 'Invalid', message: formatErrors(verdict.errors) };
  } else if (verdict.patch !== undefined && verdict.patch.length > 0) {
    res.patchType = 'JSONPatch';
    res.patch = Buffer.from(JSON.stringify(verdict.patch)).toString('base64');
  }
  if (verdict.warnings !== undefined && verdict.warnings.length > 0) res.warnings = verdict.warnings;
  return res;
}
