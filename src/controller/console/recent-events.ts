// The controller's most recent Events, kept in memory for the console's framework page, so that
// showing them costs the API server nothing. Oldest are dropped past the capacity.
import type { RecordedEvent } from '../events.ts';

export class RecentEvents {
  private readonly capacity: number;
  private items: RecordedEvent[] = [];

  constructor(capacity = 5000) {
    this.capacity = capacity;
  }

  add(e: RecordedEvent): void {
    this.items.push(e);
    // Trim in batches: one copy per capacity/4 events rather than a shift per event.
    if (this.items.length > this.capacity + Math.ceil(this.capacity / 4)) this.items = this.items.slice(-this.capacity);
  }

  /** Newest first: events in `namespace` about objects `about` says yes to, at most `limit`. */
  find(namespace: string, about: (kind: string, name: string) => boolean, limit = 100): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    for (let i = this.items.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.items[i]!;
      if (e.target.namespace === namespace && about(e.target.kind, e.target.name)) out.push(e);
    }
    return out;
  }
}
