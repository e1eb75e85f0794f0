// Every framework's dominant share over the last minutes, sampled at a fixed interval into a
// ring buffer: what the console's overview chart draws. In memory only (never in etcd); a new
// leader starts an empty history.

export interface ShareSeries {
  /** Sample times, ms since the epoch, oldest first. */
  times: number[];
  /** framework key → its share at each time (null: the framework did not exist then). */
  shares: Record<string, (number | null)[]>;
}

export class ShareHistory {
  private readonly capacity: number;
  private readonly times: number[] = [];
  /** One map per sample, aligned with `times`. */
  private readonly samples: Map<string, number>[] = [];
  private start = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  record(time: number, shares: ReadonlyMap<string, number>): void {
    const copy = new Map(shares);
    if (this.times.length < this.capacity) {
      this.times.push(time);
      this.samples.push(copy);
      return;
    }
    // Full: overwrite the oldest.
    this.times[this.start] = time;
    this.samples[this.start] = copy;
    this.start = (this.start + 1) % this.capacity;
  }

  get size(): number {
    return this.times.length;
  }

  /** The samples oldest first, one aligned series per framework seen in any of them. */
  series(): ShareSeries {
    const order = [...this.times.keys()].map((i) => (this.start + i) % this.times.length);
    const names = new Set<string>();
    for (const s of this.samples) for (const k of s.keys()) names.add(k);
    const shares: Record<string, (number | null)[]> = {};
    for (const n of [...names].sort()) shares[n] = order.map((i) => this.samples[i]!.get(n) ?? null);
    return { times: order.map((i) => this.times[i]!), shares };
  }
}
