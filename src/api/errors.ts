// What a failed Kubernetes API call means. client-node throws an ApiException carrying the HTTP
// `code` and the response `body` (a Status object, as JSON text or parsed); this is the one place
// that reads them, for the controller, the webhooks and the SDK alike.

/** The HTTP status code of a failed API call, if it reached the server. */
export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
export const isForbidden = (err: unknown): boolean => statusCode(err) === 403;

/** A 4xx other than 404/409/429: retrying the same request will not help. */
export function isUnretryable(err: unknown): boolean {
  const c = statusCode(err);
  return c !== undefined && c >= 400 && c < 500 && c !== 404 && c !== 409 && c !== 429;
}

/** The message of a failed API call: the Status object's message when there is one. */
export function apiErrorMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null | undefined)?.body;
  let parsed: { message?: unknown } | undefined;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as { message?: unknown };
    } catch {
      return body;
    }
  } else if (body !== null && typeof body === 'object') parsed = body as { message?: unknown };
  if (typeof parsed?.message === 'string') return parsed.message;
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(err);
}

const MAX_LOGGED_MESSAGE = 500;

/** A failed call as a log field: its message (cut at 500 characters) and its HTTP code. */
export function errorSummary(err: unknown): { message: string; code?: number } {
  const message = apiErrorMessage(err);
  const code = statusCode(err);
  const cut = message.length > MAX_LOGGED_MESSAGE ? `${message.slice(0, MAX_LOGGED_MESSAGE)}…` : message;
  return code === undefined ? { message: cut } : { message: cut, code };
}
