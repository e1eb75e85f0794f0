// The DRF sorter: clients (roles, or the frameworks of one role) in Dominant Resource
// Fairness order, as Mesos's DRFSorter. Order: weighted dominant share ascending, then the
// number of allocations (offers) made to the client, then name. Nothing is recomputed
// eagerly: a change marks the client dirty, and sort() re-places only the dirty clients
// (binary search + splice), falling back to a full sort when many changed.

/** One client's sort key, as of the last sort(). */
export interface SorterEntry {
  readonly id: number;
  readonly name: string;
  /** Dominant share divided by weight. */
  share: number;
  /** Allocations (offers) made to the client. */
  count: number;
  weight: number;
  /** count to apply at the next sort(). */
  pendingCount: number;
  dirty: boolean;
}

/** Returns the client's current unweighted dominant share. */
export type ShareFn = (id: number) => number;

export class DrfSorter {
  private readonly entries = new Map<number, SorterEntry>();
  private order: SorterEntry[] = [];
  private dirtyList: SorterEntry[] = [];
  private allDirty = false;
  private readonly shareOf: ShareFn;

  constructor(shareOf: ShareFn) {
    this.shareOf = shareOf;
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  add(id: number, name: string, weight = 1): void {
    if (this.entries.has(id)) return;
    const e: SorterEntry = { id, name, share: 0, count: 0, weight, pendingCount: 0, dirty: false };
    this.entries.set(id, e);
    this.order.push(e);
    this.allDirty = true;
  }

  remove(id: number): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    this.entries.delete(id);
    const i = this.order.indexOf(e);
    if (i >= 0) this.order.splice(i, 1);
    if (e.dirty) this.dirtyList = this.dirtyList.filter((d) => d !== e);
  }

  setWeight(id: number, weight: number): void {
    const e = this.entries.get(id);
    if (e === undefined || e.weight === weight) return;
    e.weight = weight;
    this.markDirty(id);
  }

  /** The client's allocation changed: re-place it at the next sort(). */
  markDirty(id: number): void {
    const e = this.entries.get(id);
    if (e !== undefined && !e.dirty && !this.allDirty) {
      e.dirty = true;
      this.dirtyList.push(e);
    }
  }

  /** The cluster total changed, so every share did. */
  markAllDirty(): void {
    this.allDirty = true;
  }

  /** An offer was made to the client: counts towards the allocation-count tie-break. */
  allocated(id: number): void {
    const e = this.entries.get(id);
    if (e === undefined) return;
    e.pendingCount++;
    this.markDirty(id);
  }

  /** Current share (weighted) of a client as of the last sort. */
  entry(id: number): SorterEntry | undefined {
    return this.entries.get(id);
  }

  /**
   * Clients in DRF order. The returned array is the sorter's own: read it, do not keep it
   * across calls that change the sorter (changes only take effect at the next sort()).
   */
  sort(): readonly SorterEntry[] {
    if (this.allDirty || this.dirtyList.length * 8 > this.order.length) {
      for (const e of this.order) this.refresh(e);
      this.order.sort(compare);
      this.allDirty = false;
      this.dirtyList = [];
      return this.order;
    }
    for (const e of this.dirtyList) {
      // Find e by its stale key, take it out, re-key it, put it back.
      const at = this.locate(e);
      this.order.splice(at, 1);
      this.refresh(e);
      this.order.splice(this.insertionPoint(e), 0, e);
    }
    this.dirtyList = [];
    return this.order;
  }

  private refresh(e: SorterEntry): void {
    e.share = this.shareOf(e.id) / e.weight;
    e.count = e.pendingCount;
    e.dirty = false;
  }

  private locate(e: SorterEntry): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.order[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (this.order[lo] === e) return lo;
    return this.order.indexOf(e); // equal keys cannot happen (names are unique); defensive
  }

  private insertionPoint(e: SorterEntry): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.order[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function compare(a: SorterEntry, b: SorterEntry): number {
  if (a.share !== b.share) return a.share < b.share ? -1 : 1;
  if (a.count !== b.count) return a.count - b.count;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
