// The one owner of an offer in flight in this process: what this controller has done to an
// Offer that its informer cache may not show yet. The API stays the truth — an entry covers only
// the moments between a write (or an answer applied in memory) and the cache catching up, and
// everything here is rebuilt as empty after a restart (the Offers themselves say the rest).
//
//   (none) ──beginAnswer──► answering ──answered(tasks?)──► applied ──recording──► recording
//   (none) ──beginRescind─► rescinding ──rescinded──────► applied      recording ──recorded──► applied
//   answering | rescinding ──abandon──► (none)       the write failed; the queue retries it
//   recording ──recordFailed──► (none, tasks kept)   the answer is applied again, then recorded anew
//   applied ──expire (60 s)──► (none, tasks kept)    the cache should have caught up long ago
//   any ──final──► gone                              the cache shows a final phase, or no Offer
//
// `tasks`: the tasks an accept launched, vouched for until the Offer's Accepted status (which
// lists them) is in the cache.
import type { Clock } from '../api/clock.ts';

export type OfferStage = 'answering' | 'rescinding' | 'applied' | 'recording';

interface Entry {
  stage: OfferStage | undefined;
  since: number;
  tasks?: ReadonlySet<string>;
  failed?: ReadonlySet<string>;
}

export class OfferLedger {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  stage(key: string): OfferStage | undefined {
    return this.entries.get(key)?.stage;
  }

  /** An answer or a rescind is being applied here: nothing else may start on the offer. */
  busy(key: string): boolean {
    const s = this.stage(key);
    return s === 'answering' || s === 'rescinding';
  }

  /** Answered or withdrawn here (and perhaps being recorded): the cache may still say Outstanding. */
  settled(key: string): boolean {
    const s = this.stage(key);
    return s === 'applied' || s === 'recording';
  }

  /** Starts applying an answer; false if the offer is busy or already settled here. */
  beginAnswer(key: string): boolean {
    if (this.busy(key) || this.settled(key)) return false;
    this.set(key, 'answering');
    return true;
  }

  /** Starts withdrawing the offer; false if an answer or a rescind is being applied. */
  beginRescind(key: string): boolean {
    if (this.busy(key)) return false;
    this.set(key, 'rescinding');
    return true;
  }

  /**
   * The answer is applied (tasks launched, the allocator told); `tasks`: what an accept
   * launched, `failed`: the tasks it failed (their status is written, the cache may lag).
   */
  answered(key: string, tasks?: Iterable<string>, failed?: Iterable<string>): void {
    this.set(key, 'applied');
    const e = this.entries.get(key)!;
    if (tasks !== undefined) e.tasks = new Set(tasks);
    if (failed !== undefined) e.failed = new Set(failed);
  }

  /** The Offer's Rescinded/Expired status is written (or the Offer is gone). */
  rescinded(key: string): void {
    this.set(key, 'applied');
  }

  /** The answer or rescind being applied failed part-way: the offer is free to be tried again. */
  abandon(key: string): void {
    const s = this.stage(key);
    if (s === 'answering' || s === 'rescinding') this.clearStage(key);
  }

  recording(key: string): void {
    this.set(key, 'recording');
  }

  recorded(key: string): void {
    if (this.stage(key) === 'recording') this.set(key, 'applied');
  }

  /** The record failed: the answer is to be applied again (idempotently) and recorded anew. */
  recordFailed(key: string): void {
    this.clearStage(key);
  }

  /** The cache shows the offer answered or withdrawn, or gone: nothing more to cover. */
  final(key: string): void {
    this.entries.delete(key);
  }

  /** Tasks an accept applied here launched, until its Accepted status is in the cache. */
  acceptedTasks(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key)?.tasks;
  }

  /** Tasks an accept applied here failed (and wrote the failure of), until the cache shows the Offer final. */
  failedTasks(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key)?.failed;
  }

  /** Forgets `applied` stages older than `maxAgeMs` (a safety net; tasks stay vouched for). */
  expire(maxAgeMs: number): void {
    const cutoff = this.clock.now() - maxAgeMs;
    for (const [key, e] of this.entries) if (e.stage === 'applied' && e.since < cutoff) this.clearStage(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private set(key: string, stage: OfferStage): void {
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, { stage, since: this.clock.now() });
    else {
      e.stage = stage;
      e.since = this.clock.now();
    }
  }

  private clearStage(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    if (e.tasks === undefined) this.entries.delete(key);
    else e.stage = undefined;
  }
}
