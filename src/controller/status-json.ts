// Pure helpers for status writes: compare a wanted status with the current one, and shape a
// merge patch so that map keys that went away are removed rather than kept.

/** A merge patch keeps keys it does not mention: null out the ones that went away. */
export function nullMissing(
  prev: Record<string, unknown> | undefined,
  next: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (prev === undefined) return next;
  const out: Record<string, unknown> = { ...(next ?? {}) };
  for (const k of Object.keys(prev)) if (!(k in out)) out[k] = null;
  return out;
}

/** Equal as JSON, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    if (v instanceof Date) return v.toISOString();
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Equal as JSON once the named top-level fields are left out of both. */
export function sameJsonBut(a: Record<string, unknown>, b: Record<string, unknown>, fields: readonly string[]): boolean {
  const without = (x: Record<string, unknown>) => {
    const out = { ...x };
    for (const f of fields) delete out[f];
    return out;
  };
  return sameJson(without(a), without(b));
}
