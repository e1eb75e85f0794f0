import { describe, expect, it } from 'vitest';
import { apiErrorMessage, errorSummary, isConflict, isForbidden, isNotFound, isUnretryable, statusCode } from './errors.ts';

// What client-node throws: an ApiException with the HTTP code and the Status body as JSON text.
function apiException(code: number, body: unknown): Error & { code: number; body: unknown } {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });
}

describe('API errors', () => {
  it.each([
    { name: 'ApiException code', err: apiException(404, '{}'), wantCode: 404 },
    { name: 'statusCode field', err: { statusCode: 409 }, wantCode: 409 },
    { name: 'no code', err: new Error('connect ECONNREFUSED'), wantCode: undefined },
    { name: 'not an object', err: 'boom', wantCode: undefined },
    { name: 'undefined', err: undefined, wantCode: undefined },
  ])('statusCode: $name', ({ err, wantCode }) => {
    expect(statusCode(err)).toBe(wantCode);
  });

  it.each([
    { code: 404, wantNotFound: true, wantConflict: false, wantForbidden: false, wantUnretryable: false },
    { code: 409, wantNotFound: false, wantConflict: true, wantForbidden: false, wantUnretryable: false },
    { code: 403, wantNotFound: false, wantConflict: false, wantForbidden: true, wantUnretryable: true },
    { code: 422, wantNotFound: false, wantConflict: false, wantForbidden: false, wantUnretryable: true },
    { code: 429, wantNotFound: false, wantConflict: false, wantForbidden: false, wantUnretryable: false },
    { code: 500, wantNotFound: false, wantConflict: false, wantForbidden: false, wantUnretryable: false },
  ])('predicates for HTTP $code', ({ code, wantNotFound, wantConflict, wantForbidden, wantUnretryable }) => {
    const err = apiException(code, '');
    expect(isNotFound(err)).toBe(wantNotFound);
    expect(isConflict(err)).toBe(wantConflict);
    expect(isForbidden(err)).toBe(wantForbidden);
    expect(isUnretryable(err)).toBe(wantUnretryable);
  });

  it.each([
    { name: 'Status as JSON text', err: apiException(422, '{"kind":"Status","message":"spec.x: Invalid"}'), want: 'spec.x: Invalid' },
    { name: 'Status parsed', err: apiException(403, { message: 'forbidden: no' }), want: 'forbidden: no' },
    { name: 'body not JSON', err: apiException(502, 'Bad Gateway'), want: 'Bad Gateway' },
    { name: 'body without a message', err: apiException(500, '{}'), want: 'HTTP-Code: 500' },
    { name: 'plain Error', err: new Error('socket hang up'), want: 'socket hang up' },
    { name: 'not an Error', err: 'boom', want: 'boom' },
  ])('apiErrorMessage: $name', ({ err, want }) => {
    expect(apiErrorMessage(err)).toBe(want);
  });

  it('errorSummary cuts long messages and keeps the code', () => {
    const s = errorSummary(apiException(409, JSON.stringify({ message: 'x'.repeat(600) })));
    expect(s.code).toBe(409);
    expect(s.message).toBe(`${'x'.repeat(500)}…`);
    expect(errorSummary(new Error('short'))).toEqual({ message: 'short' });
  });
});
