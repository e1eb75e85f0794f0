// Exact Kubernetes resource quantities.
//
// A quantity is parsed with bigint arithmetic (no floating point anywhere) into an integer in
// the resource's unit: millicores for `cpu`, base units (bytes, or a count) for everything
// else. A fraction of that unit is rounded UP, as Kubernetes' Quantity.MilliValue()/Value() do
// (`0.5` memory is 1 byte, `0.1m` cpu is 1m): a request never shrinks by parsing.
//
// Values are returned as plain numbers, and parsing refuses anything above
// Number.MAX_SAFE_INTEGER (2^53 − 1), so every value handed out is an exact integer double.
// Sums of such values stay exact as long as they stay ≤ 2^53 − 1: the allocator checks that
// bound on the cluster total of each resource (see src/allocator/vectors.ts), and every
// allocation, offer or free amount is a part of that total, so none can exceed it. 2^53 bytes
// is 8 PiB of memory per cluster, 2^53 millicores is 9·10^12 cores.

/** Resource name → integer amount in the resource's unit (millicores for cpu, else base units). */
export type ResourceList = Record<string, number>;

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const EXPONENT_RE = /^[eE]([+-]?\d+)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The unit an integer amount of `resourceName` is counted in. */
export function unitOf(resourceName: string): 'millicores' | 'bytes' | 'units' {
  if (resourceName === 'cpu') return 'millicores';
  return isByteResource(resourceName) ? 'bytes' : 'units';
}

function isByteResource(name: string): boolean {
  return name === 'memory' || name === 'ephemeral-storage' || name === 'storage' || name.startsWith('hugepages-');
}

/**
 * Parses a Kubernetes quantity (`1500m`, `2`, `4Gi`, `1e3`, `0.5`) into an exact integer in the
 * unit of `resourceName`: millicores for `cpu`, base units otherwise, rounding a fraction up.
 * Numbers are accepted too (YAML `cpu: 2`) and read as their decimal text.
 * Throws an Error saying what is wrong for malformed, negative or too-large input.
 */
export function parseQuantity(input: string | number, resourceName: string): number {
  const text = typeof input === 'number' ? numberText(input) : input;
  if (typeof text !== 'string') throw new Error(`invalid quantity ${JSON.stringify(input)}: not a string`);
  const m = QUANTITY_RE.exec(text);
  if (m === null) throw new Error(`invalid quantity ${JSON.stringify(text)}: expected a number with an optional suffix, e.g. 500m, 2, 4Gi`);
  const [, sign, digits, suffix] = m as unknown as [string, string, string, string];
  let pow10 = 0;
  let pow2 = 0;
  if (suffix in BINARY_SUFFIXES) pow2 = BINARY_SUFFIXES[suffix]!;
  else if (suffix in DECIMAL_SUFFIXES) pow10 = DECIMAL_SUFFIXES[suffix]!;
  else {
    const e = EXPONENT_RE.exec(suffix);
    if (e === null) {
      throw new Error(
        `invalid quantity ${JSON.stringify(text)}: unknown suffix ${JSON.stringify(suffix)} (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent like e3)`,
      );
    }
    pow10 = Number(e[1]);
    if (Math.abs(pow10) > 30) throw new Error(`invalid quantity ${JSON.stringify(text)}: exponent out of range`);
  }
  const dot = digits.indexOf('.');
  const intPart = dot < 0 ? digits : digits.slice(0, dot);
  const fracPart = dot < 0 ? '' : digits.slice(dot + 1);
  let mantissa = BigInt((intPart || '0') + fracPart);
  if (sign === '-' && mantissa !== 0n) throw new Error(`invalid quantity ${JSON.stringify(text)}: must not be negative`);
  pow10 -= fracPart.length;
  if (resourceName === 'cpu') pow10 += 3;
  mantissa <<= BigInt(pow2);
  let value: bigint;
  if (pow10 >= 0) value = mantissa * 10n ** BigInt(pow10);
  else {
    const div = 10n ** BigInt(-pow10);
    value = mantissa / div + (mantissa % div === 0n ? 0n : 1n);
  }
  if (value > MAX_SAFE) {
    throw new Error(`invalid quantity ${JSON.stringify(text)}: larger than ${Number.MAX_SAFE_INTEGER} ${unitOf(resourceName)}`);
  }
  return Number(value);
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  // toString gives "1e+21" for huge numbers and exact short decimals otherwise: both parse.
  return String(n).replace('e+', 'e');
}

/**
 * Formats an integer amount back to a canonical Kubernetes quantity string.
 * cpu: whole cores as `2`, otherwise `1500m`. Byte resources: the largest binary suffix that
 * is exact (`4Gi`, `1536Mi`), else the largest exact decimal suffix (`1M`), else plain bytes.
 * Counts: decimal SI (`110`, `1k`), as Kubernetes prints a DecimalSI quantity.
 */
export function formatQuantity(value: number, resourceName: string): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`cannot format ${value} ${resourceName}: not a non-negative safe integer`);
  if (value === 0) return '0';
  if (resourceName === 'cpu') return value % 1000 === 0 ? String(value / 1000) : `${value}m`;
  if (isByteResource(resourceName)) {
    for (const [suffix, p] of [
      ['Ei', 60],
      ['Pi', 50],
      ['Ti', 40],
      ['Gi', 30],
      ['Mi', 20],
      ['Ki', 10],
    ] as const) {
      const unit = 2 ** p;
      if (value % unit === 0) return `${value / unit}${suffix}`;
    }
  }
  for (const [suffix, p] of [
    ['E', 18],
    ['P', 15],
    ['T', 12],
    ['G', 9],
    ['M', 6],
    ['k', 3],
  ] as const) {
    const unit = 10 ** p;
    if (value >= unit && value % unit === 0) return `${value / unit}${suffix}`;
  }
  return String(value);
}

/** Parses a map of quantities (`{cpu: "2", memory: "4Gi"}`); errors name the resource. */
export function parseResourceList(input: Record<string, string | number>): ResourceList {
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(input)) {
    try {
      out[name] = parseQuantity(q, name);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * Like parseResourceList, but an entry that does not parse is left out instead of failing the
 * whole list: for reading objects someone else wrote (a Pod's requests, an Offer), where one bad
 * amount must not hide the rest.
 */
export function parseResourceListLenient(input: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(input ?? {})) {
    try {
      out[name] = parseQuantity(q as string | number, name);
    } catch {
      // an unparseable amount counts as none
    }
  }
  return out;
}

/** Formats every non-zero amount (all amounts with `keepZero`) as quantity strings, names sorted. */
export function formatResourceList(list: ResourceList, keepZero = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(list).sort()) {
    const v = list[name]!;
    if (v !== 0 || keepZero) out[name] = formatQuantity(v, name);
  }
  return out;
}

/** a + b, per resource. */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** a − b, per resource, clamped at zero (a resource is never negative). */
export function subtract(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(0, (out[k] ?? 0) - v);
  return out;
}

export function isZero(a: ResourceList): boolean {
  for (const v of Object.values(a)) if (v !== 0) return false;
  return true;
}

/** Per resource minimum of a and b (resources missing from either are zero). */
export function min(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) out[k] = Math.min(v, b[k] ?? 0);
  return out;
}

/** Drops zero entries, so equal lists compare equal. */
export function compact(a: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) if (v !== 0) out[k] = v;
  return out;
}
