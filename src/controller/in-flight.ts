// Writes started in the background (not awaited by their caller) that a stop must wait for.

export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles. */
  add(p: Promise<unknown>): void {
    const tracked = p.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    // The caller handles its own errors; a rejection here must not be unhandled.
    tracked.catch(() => undefined);
  }

  /** Resolves when everything added so far has settled (fulfilled or rejected). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
