// History does not pile up in etcd: Offers that are no longer outstanding are deleted once
// older than the retention, and each framework keeps only its newest
// maxCompletedTasksPerFramework terminal Tasks (their Pods go with them, by owner reference).
// Events and metrics keep the history. Also refreshes the tasks-by-state gauge.
import type { Logger } from 'pino';
import { TASK_STATES } from '../api/index.ts';
import { offerPhase } from '../api/group.ts';
import type { Context } from './context.ts';
import { errorSummary, isNotFound } from '../api/errors.ts';
import { ms, type TaskObject } from '../api/objects.ts';
import { isTerminal } from '../api/group.ts';
import { frameworkKeyOf } from '../api/keys.ts';

/** Pure: which terminal tasks to delete so that at most `keep` remain (oldest finished first). */
export function surplusCompleted(tasks: readonly TaskObject[], keep: number): TaskObject[] {
  const done = tasks.filter((t) => isTerminal(t.status?.state) && t.metadata.deletionTimestamp === undefined);
  if (done.length <= keep) return [];
  const finished = (t: TaskObject) => ms(t.status?.finishedAt ?? t.status?.lastTransitionTime) ?? ms(t.metadata.creationTimestamp) ?? 0;
  done.sort((a, b) => finished(a) - finished(b) || a.metadata.name.localeCompare(b.metadata.name));
  return done.slice(0, done.length - keep);
}

export class GarbageCollector {
  private readonly ctx: Context;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'gc' });
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.collect().catch((err) => this.log.warn({ err: errorSummary(err) }, 'cleanup failed'));
      void this.running.then(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, this.ctx.options.gcIntervalMs);
          this.timer.unref();
        }
      });
    };
    this.timer = setTimeout(tick, this.ctx.options.gcIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async collect(): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const deletes: Promise<void>[] = [];
    for (const o of ctx.state.c.offers.list()) {
      if (!ctx.manages(o.metadata.namespace) || offerPhase(o) === 'Outstanding' || o.metadata.deletionTimestamp !== undefined) continue;
      // A late accept is turned into lost Tasks before the Offer may go.
      if (o.spec.accept !== undefined && o.status?.tasks === undefined) continue;
      const at = ms(o.status?.respondedAt) ?? ms(o.metadata.creationTimestamp) ?? now;
      if (at + ctx.options.offerRetentionMs <= now) deletes.push(this.delete('Offer', o.metadata.namespace, o.metadata.name));
    }
    const byFramework = new Map<string, TaskObject[]>();
    const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
    for (const t of ctx.state.c.tasks.list()) {
      if (!ctx.manages(t.metadata.namespace)) continue;
      const s = t.status?.state ?? 'TASK_STAGING';
      counts[s] = (counts[s] ?? 0) + 1;
      const k = frameworkKeyOf(t);
      let l = byFramework.get(k);
      if (l === undefined) byFramework.set(k, (l = []));
      l.push(t);
    }
    for (const [state, n] of Object.entries(counts)) ctx.metrics.tasks.set({ state }, n);
    for (const tasks of byFramework.values()) {
      for (const t of surplusCompleted(tasks, ctx.options.maxCompletedTasksPerFramework))
        deletes.push(this.delete('Task', t.metadata.namespace, t.metadata.name));
    }
    await Promise.all(deletes);
    if (deletes.length > 0) this.log.debug({ deleted: deletes.length }, 'history cleaned up');
  }

  private async delete(kind: 'Offer' | 'Task', namespace: string, name: string): Promise<void> {
    try {
      await this.ctx.kube.deleteCustom(kind, namespace, name, 'low');
    } catch (err) {
      if (!isNotFound(err)) this.log.warn({ kind, namespace, name, err: errorSummary(err) }, 'delete failed');
    }
  }
}
