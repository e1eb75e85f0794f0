// The DRF sorter: clients (roles, or the frameworks of one role) in Dominant Resource
// Fairness order, as Mesos's DRFSorter. Order: weighted dominant share ascending, then the
// number of allocations (offers) made to the client, then name. Nothing is recomputed
// eagerly: a change marks the client dirty, and sort() re-places only the dirty clients
// (binary search + one memmove of the clients it passes), falling back to a full sort when many
// changed. A cycle re-sorts after every offer, so this is on the hot path.

/** Returns the client's current unweighted dominant share. */
export type ShareFn = (id: number) => number;

/** One client's standing as of the last sort(). */
export interface SorterEntry {
  id: number;
  name: string;
  /** Dominant share divided by weight. */
  share: number;
  /** Allocations (offers) made to the client. */
  count: number;
  weight: number;
}

export class DrfSorter {
  private readonly shareOf: ShareFn;
  // Per client, by local slot.
  private readonly slotOf = new Map<number, number>();
  private ids: number[] = [];
  private names: string[] = [];
  private weights: number[] = [];
  /** Offers made to each client so far: the tie-break after share. */
  private offersMade: number[] = [];
  private dirtyFlag: boolean[] = [];
  private freeSlots: number[] = [];
  // In sorted order: slot, and the key it was placed with.
  private order = new Int32Array(16);
  private keyShare = new Float64Array(16);
  private keyCount = new Float64Array(16);
  private n = 0;
  // By slot: the key each client was placed with, to find it again.
  private placedShare = new Float64Array(16);
  private placedCount = new Float64Array(16);
  private dirty: number[] = [];
  private allDirty = false;

  constructor(shareOf: ShareFn) {
    this.shareOf = shareOf;
  }

  get size(): number {
    return this.n;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  add(id: number, name: string, weight = 1): void {
    if (this.slotOf.has(id)) return;
    const slot = this.freeSlots.pop() ?? this.ids.length;
    this.slotOf.set(id, slot);
    this.ids[slot] = id;
    this.names[slot] = name;
    this.weights[slot] = weight;
    this.offersMade[slot] = 0;
    this.dirtyFlag[slot] = false;
    if (this.n === this.order.length) this.growKeys();
    this.order[this.n] = slot;
    this.keyShare[this.n] = 0;
    this.keyCount[this.n] = 0;
    this.n++;
    this.allDirty = true;
  }

  remove(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const at = this.order.subarray(0, this.n).indexOf(slot);
    this.cut(at);
    this.slotOf.delete(id);
    if (this.dirtyFlag[slot]) this.dirty = this.dirty.filter((s) => s !== slot);
    this.dirtyFlag[slot] = false;
    this.freeSlots.push(slot);
  }

  setWeight(id: number, weight: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined || this.weights[slot] === weight) return;
    this.weights[slot] = weight;
    this.markDirty(id);
  }

  /** The client's allocation changed: re-place it at the next sort(). */
  markDirty(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot !== undefined && !this.dirtyFlag[slot] && !this.allDirty) {
      this.dirtyFlag[slot] = true;
      this.dirty.push(slot);
    }
  }

  /** The cluster total changed, so every share did. */
  markAllDirty(): void {
    this.allDirty = true;
  }

  /** An offer was made to the client: counts towards the allocation-count tie-break. */
  allocated(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.offersMade[slot]!++;
    this.markDirty(id);
  }

  /** Brings the order up to date; then idAt(0..size-1) are the clients in DRF order. */
  sort(): void {
    if (this.allDirty || (this.dirty.length > 16 && this.dirty.length * 8 > this.n)) {
      this.fullSort();
      return;
    }
    for (const slot of this.dirty) {
      this.dirtyFlag[slot] = false;
      this.move(slot);
    }
    this.dirty.length = 0;
  }

  /** The client at position i of the order as of the last sort(). */
  idAt(i: number): number {
    return this.ids[this.order[i]!]!;
  }

  /** Clients in order with their keys (sorts first). For status and tests, not the hot path. */
  entries(): SorterEntry[] {
    this.sort();
    const out: SorterEntry[] = [];
    for (let i = 0; i < this.n; i++) {
      const s = this.order[i]!;
      out.push({ id: this.ids[s]!, name: this.names[s]!, share: this.keyShare[i]!, count: this.keyCount[i]!, weight: this.weights[s]! });
    }
    return out;
  }

  private fullSort(): void {
    const items: { slot: number; share: number; count: number; name: string }[] = [];
    for (let i = 0; i < this.n; i++) {
      const slot = this.order[i]!;
      this.dirtyFlag[slot] = false;
      items.push({
        slot,
        share: this.shareOf(this.ids[slot]!) / this.weights[slot]!,
        count: this.offersMade[slot]!,
        name: this.names[slot]!,
      });
    }
    items.sort((a, b) =>
      a.share !== b.share
        ? a.share < b.share
          ? -1
          : 1
        : a.count !== b.count
          ? a.count - b.count
          : a.name < b.name
            ? -1
            : a.name > b.name
              ? 1
              : 0,
    );
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      this.order[i] = it.slot;
      this.keyShare[i] = it.share;
      this.keyCount[i] = it.count;
      this.remember(it.slot, it.share, it.count);
    }
    this.dirty.length = 0;
    this.allDirty = false;
  }

  /** Position of slot in the order, found by binary search on the key it was placed with. */
  private locate(slot: number): number {
    const share = this.placedShare[slot]!;
    const count = this.placedCount[slot]!;
    const name = this.names[slot]!;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(mid, share, count, name)) lo = mid + 1;
      else hi = mid;
    }
    if (this.order[lo] === slot) return lo;
    return this.order.subarray(0, this.n).indexOf(slot); // unreachable: names are unique
  }

  /** Does the client at position pos sort before the key (share, count, name)? */
  private before(pos: number, share: number, count: number, name: string): boolean {
    const a = this.keyShare[pos]!;
    if (a !== share) return a < share;
    const c = this.keyCount[pos]!;
    if (c !== count) return c < count;
    return this.names[this.order[pos]!]! < name;
  }

  /**
   * Re-keys slot and moves it to its new position, shifting only the clients between its
   * old and new positions (one memmove per array).
   */
  private move(slot: number): void {
    const at = this.locate(slot);
    const share = this.shareOf(this.ids[slot]!) / this.weights[slot]!;
    const count = this.offersMade[slot]!;
    const name = this.names[slot]!;
    let to: number;
    if (!this.before(at, share, count, name)) {
      // Same key or smaller: search [0, at) for the first client not before the new key.
      let lo = 0;
      let hi = at;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.before(mid, share, count, name)) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
      this.order.copyWithin(to + 1, to, at);
      this.keyShare.copyWithin(to + 1, to, at);
      this.keyCount.copyWithin(to + 1, to, at);
    } else {
      // Larger: search (at, n) for the first client not before the new key; land just before it.
      let lo = at + 1;
      let hi = this.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.before(mid, share, count, name)) lo = mid + 1;
        else hi = mid;
      }
      to = lo - 1;
      this.order.copyWithin(at, at + 1, lo);
      this.keyShare.copyWithin(at, at + 1, lo);
      this.keyCount.copyWithin(at, at + 1, lo);
    }
    this.order[to] = slot;
    this.keyShare[to] = share;
    this.keyCount[to] = count;
    this.remember(slot, share, count);
  }

  private remember(slot: number, share: number, count: number): void {
    if (slot >= this.placedShare.length) {
      const len = Math.max(16, slot * 2);
      const ps = new Float64Array(len);
      ps.set(this.placedShare);
      const pc = new Float64Array(len);
      pc.set(this.placedCount);
      this.placedShare = ps;
      this.placedCount = pc;
    }
    this.placedShare[slot] = share;
    this.placedCount[slot] = count;
  }

  private cut(at: number): void {
    this.order.copyWithin(at, at + 1, this.n);
    this.keyShare.copyWithin(at, at + 1, this.n);
    this.keyCount.copyWithin(at, at + 1, this.n);
    this.n--;
  }

  private growKeys(): void {
    const len = this.order.length * 2;
    const o = new Int32Array(len);
    o.set(this.order);
    const s = new Float64Array(len);
    s.set(this.keyShare);
    const c = new Float64Array(len);
    c.set(this.keyCount);
    this.order = o;
    this.keyShare = s;
    this.keyCount = c;
  }
}
