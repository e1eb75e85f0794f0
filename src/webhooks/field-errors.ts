// Field errors: what every validator returns and every rejection is made of.

export interface FieldError {
  /** Where, as a field path: `spec.accept.tasks[1].resources.cpu`. */
  path: string;
  /** What is wrong and, where it helps, what to do instead. One line, no trailing period. */
  message: string;
  /** Forbidden: the writer may not do this (identity, privilege). Invalid (default): the value is wrong. */
  reason?: 'Forbidden' | 'Invalid';
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `base.key`, or `base[key]` for a key that is not a plain identifier (`resources[nvidia.com/gpu]`). */
export function child(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (SIMPLE_KEY.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${key}]`;
}

export const invalid = (path: string, message: string): FieldError => ({ path, message });
export const forbidden = (path: string, message: string): FieldError => ({ path, message, reason: 'Forbidden' });

/** At most this many errors are spelled out in one rejection; the rest are counted. */
export const MAX_REPORTED_ERRORS = 5;

/** One line a person can act on: `path: message; path: message (and 3 more)`. */
export function formatErrors(errors: readonly FieldError[]): string {
  const shown = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => `${e.path}: ${e.message}`.replace(/\s*\n\s*/g, ' '));
  const more = errors.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

/**
 * An error when `value` nests objects and lists deeper than `maxDepth` — measured without
 * recursion, so that a 10,000-deep value is refused before any recursive code (jsonEqual,
 * JSON.stringify, the controller's) sees it.
 */
export function nestingError(value: unknown, maxDepth: number): FieldError | undefined {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return invalid(path, `nests objects and lists more than ${maxDepth} levels deep`);
    for (const [k, item] of Object.entries(v)) stack.push([item, depth + 1, child(path, Array.isArray(v) ? Number(k) : k)]);
  }
  return undefined;
}

/** Structural equality for JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object's spec as a record ({} when it has none or it is not an object): what validators read. */
export const specOf = (o: unknown): Record<string, unknown> => (isRecord(o) && isRecord(o.spec) ? o.spec : {});

/** A DNS-1123 subdomain (a ServiceAccount name, a label key's prefix); at most 253 characters is checked apart. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
