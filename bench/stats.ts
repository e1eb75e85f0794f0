// Order statistics for the benchmarks' timings (input sorted ascending).
import { readFileSync } from 'node:fs';
import { isConflict, statusCode } from '../src/api/errors.ts';
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export function median(sorted: number[]): number {
  if (sorted.length === 0) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

/**
 * The q-quantile (0..1) of a histogram, summed over the series matching `match`, interpolated
 * linearly within the bucket it falls in (as PromQL's histogram_quantile). NaN without samples.
 */
export function histogramQuantile(samples: Sample[], name: string, q: number, match: Record<string, string> = {}): number {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    if (Object.entries(match).some(([k, v]) => s.labels[k] !== v)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1, count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Runs `work(i)` for i < n with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/**
 * An API call that a loaded API server may drop (a reset connection, a 5xx, 429): tried again, up
 * to `attempts` times, `delayMs` × the attempt apart. With `existing`, a create that had in fact
 * gone through (409) is read back with it.
 */
export async function retried<T>(
  call: () => Promise<T>,
  opts: { existing?: () => Promise<T>; attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (opts.existing !== undefined && isConflict(err)) return opts.existing();
      const code = statusCode(err);
      if (attempt >= (opts.attempts ?? 5) || (code !== undefined && code < 500 && code !== 429)) throw err;
      await new Promise((r) => setTimeout(r, (opts.delayMs ?? 200) * attempt));
    }
  }
}

/**
 * Whether Linux's scheduler autogroups are on (undefined: not Linux, or not known). With them on,
 * each session gets an equal share of the CPU: the local control plane's processes are started
 * detached (a session each), so the kube-apiserver, however many threads it runs, gets about one
 * share among kwok, etcd, the controller and the benchmark — at 1,000 nodes on 2 cores that
 * halved Agora's rate (the API server was the limit), while (a), held by its client rate limit,
 * did not move. `sysctl kernel.sched_autogroup_enabled=0` turns them off.
 */
export function schedAutogroup(): boolean | undefined {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return undefined;
  }
}
