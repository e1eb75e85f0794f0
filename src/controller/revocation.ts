// The revocation step: every --revocation-interval, while leading with synced caches, it builds
// the allocator's revocation snapshot from the caches, asks the allocator for a plan (fair
// shares and victims, src/allocator/victims.ts), and tells each victim Task: status.revocation
// says why, for whom and the deadline, with an Event. The kill at the deadline is the task
// reconciler's (task-state.ts reads the notice), so a restart neither loses a notice nor gives
// it twice. revocation-decide.ts decides; this file reads the caches and writes.
import type { Logger } from 'pino';
import { planRevocations, type RevocationPlan } from '../allocator/index.ts';
import { targetOf } from './events.ts';
import type { Context } from './context.ts';
import { errorSummary, isNotFound } from '../api/errors.ts';
import type { TaskObject } from '../api/objects.ts';
import { revocationViewOf } from './revocation-view.ts';
import { DEFAULT_REVOCATION_GRACE_PERIOD_SECONDS } from './options.ts';
import { noticesFor, revocationBudget, revocationSnapshot, type RevocationView, type TaskRevocation } from './revocation-decide.ts';

/** How long after a revocation's deadline its node stays nominated for the waiting framework. */
export const NOMINATION_SLACK_MS = 15_000;

export class RevocationLoop {
  private readonly ctx: Context;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();
  /** Notices written by this process that the cache does not show yet. */
  private readonly told = new Map<string, TaskRevocation>();
  /** The last plan, for tests and diagnostics. */
  lastPlan: RevocationPlan | undefined;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'revocation' });
  }

  start(): void {
    if (!this.ctx.options.revocation) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.cycle()
        .catch((err: unknown) => this.log.warn({ err: errorSummary(err) }, 'revocation cycle failed'))
        .finally(() => this.schedule());
    }, this.ctx.options.revocationIntervalMs);
  }

  /** The caches as the allocator's revocation view, with this process's unseen notices laid over. */
  view(): { view: RevocationView; tasks: Map<string, TaskObject> } {
    const { state, manages } = this.ctx;
    const out = revocationViewOf(state, {
      manages,
      now: this.ctx.clock.now(),
      excludedResources: this.ctx.options.fairSharingExcludedResources,
      overlay: (k, t) => {
        const told = this.told.get(k);
        if (told === undefined) return t;
        if (t.status?.revocation?.noticedAt === told.noticedAt) {
          this.told.delete(k);
          return t;
        }
        return { ...t, status: { ...t.status, revocation: told } };
      },
    });
    for (const k of this.told.keys()) if (!out.tasks.has(k)) this.told.delete(k);
    return out;
  }

  /**
   * What revocation frees goes to the framework it is freed for (kube-scheduler's
   * nominatedNodeName): from the notice until NOMINATION_SLACK_MS after the deadline, unless that
   * framework declines an offer there first. Rebuilt from the notices every cycle, so a new
   * leader nominates as the old one did.
   */
  private nominate(tasks: Iterable<TaskObject>, now: number): void {
    for (const t of tasks) {
      const r = t.status?.revocation;
      if (r === undefined || r === null || r.dryRun === true || r.for === undefined) continue;
      const until = Date.parse(r.deadline) + NOMINATION_SLACK_MS;
      if (until > now) this.ctx.allocator.nominate(t.spec.nodeName, r.for, until);
    }
  }

  /** One revocation cycle: plan within the budget, then tell the victims. */
  async cycle(): Promise<void> {
    const { ctx } = this;
    const { options } = ctx;
    const now = ctx.clock.now();
    const { view, tasks } = this.view();
    const noticed: number[] = [];
    for (const t of tasks.values()) {
      const r = t.status?.revocation;
      if (r !== undefined && r !== null && (r.dryRun === true) === options.revocationDryRun) noticed.push(Date.parse(r.noticedAt));
    }
    this.nominate(tasks.values(), now);
    const budget = revocationBudget(options.maxRevocationsPerCycle, options.maxRevocationsPerMinute, noticed, now);
    const started = performance.now();
    const plan = planRevocations(revocationSnapshot(view), { maxRevocations: budget });
    ctx.metrics.revocationDuration.observe((performance.now() - started) / 1000);
    this.lastPlan = plan;
    const frameworks = new Map(view.frameworks.map((f) => [f.key, f.framework]));
    const maxGraceMs = options.maxRevocationGracePeriodMs;
    const notices = noticesFor(plan.revocations, tasks, {
      now,
      dryRun: options.revocationDryRun,
      graceMs: (fw) =>
        Math.min(maxGraceMs, (frameworks.get(fw)?.spec.revocationGracePeriodSeconds ?? DEFAULT_REVOCATION_GRACE_PERIOD_SECONDS) * 1000),
    });
    for (const n of notices.write) {
      const task = tasks.get(n.key)!;
      const log = this.log.child({ task: n.key });
      try {
        await ctx.kube.patchCustomStatus(
          'Task',
          task.metadata.namespace,
          task.metadata.name,
          { status: { revocation: n.revocation } },
          'high',
        );
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      this.told.set(n.key, n.revocation);
      if (n.revocation.dryRun !== true) this.nominate([{ ...task, status: { ...task.status, revocation: n.revocation } }], now);
      const dryRun = n.revocation.dryRun === true;
      ctx.metrics.revocations.inc({ reason: n.revocation.reason, role: n.decision.role, dry_run: String(dryRun) });
      const target = targetOf('Task', task);
      if (dryRun) ctx.events.normal(target, 'WouldRevoke', `dry run: ${n.revocation.message}`);
      else {
        ctx.events.warning(target, 'Revoking', `${n.revocation.message}; its Pod is deleted at ${n.revocation.deadline}`);
        ctx.queues.tasks.addAfter(n.key, Math.max(0, Date.parse(n.revocation.deadline) - now) + 10);
      }
      log.info(
        { reason: n.revocation.reason, for: n.revocation.for, node: n.decision.node, deadline: n.revocation.deadline, dryRun },
        dryRun ? 'would revoke task' : 'revoking task',
      );
    }
    for (const key of notices.clear) {
      const task = tasks.get(key)!;
      try {
        await ctx.kube.patchCustomStatus('Task', task.metadata.namespace, task.metadata.name, { status: { revocation: null } }, 'low');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
