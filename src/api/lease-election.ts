// Leader election on a coordination.k8s.io Lease, after client-go's leaderelection: acquire
// when the Lease is free or its holder has not renewed for leaseDuration (measured on this
// process's clock from when the holder's record was last seen changing, so clock skew between
// replicas does not matter), renew every retryPeriod, and give up leadership if no renewal
// succeeded for renewDeadline (< leaseDuration), before anyone else may take it. A leader that
// finds another holder in the Lease was replaced and steps down at once. With `takeover`, the
// first attempt acquires even a held Lease (a Mesos scheduler re-registering replaces the old
// one). The controller's replicas and a framework's scheduler processes both elect through it.
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorSummary, isConflict, isNotFound } from '../api/errors.ts';
import type { Clock } from '../api/clock.ts';

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  clock: Clock;
  log: Logger;
  /** Take the Lease on the first attempt even if someone else holds it (default false). */
  takeover?: boolean;
  /** Labels for a Lease this creates. */
  labels?: Record<string, string>;
  onStartedLeading: () => void;
  onStoppedLeading: (why: StoppedLeading) => void;
}

/** Why a leader stepped down: another process took the Lease, or no renewal succeeded in time. */
export type StoppedLeading = { reason: 'Replaced'; holder: string } | { reason: 'RenewDeadline' };

export class LeaderElector {
  private readonly o: LeaderElectionOptions;
  private observed: { holder?: string; renew?: string; at: number } | undefined;
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private takeover: boolean;

  constructor(o: LeaderElectionOptions) {
    this.o = o;
    this.takeover = o.takeover === true;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** The Lease's holder as last read (every retry period while standing by); undefined while unknown or free. */
  get holder(): string | undefined {
    const h = this.observed?.holder;
    return h === undefined || h === '' ? undefined : h;
  }

  start(): void {
    void this.tick();
  }

  /**
   * Feeds a Lease seen elsewhere (a watch): a leader that sees another holder steps down now
   * rather than at its next renewal.
   */
  observe(lease: V1Lease): void {
    const holder = lease.spec?.holderIdentity ?? '';
    if (this.leading && !this.stopped && holder !== '' && holder !== this.o.identity) this.stepDown({ reason: 'Replaced', holder });
  }

  /** Stops campaigning; a leader releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.leading = false;
      await this.release();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.o.retryPeriodMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.o.log.warn({ lease: `${this.o.namespace}/${this.o.name}`, err: errorSummary(err) }, 'leader election request failed');
    }
    if (this.stopped) return;
    const holder = this.observed?.holder ?? '';
    if (!ok && this.leading && holder !== '' && holder !== this.o.identity) {
      this.stepDown({ reason: 'Replaced', holder });
      return;
    }
    const now = this.o.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.o.log.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'became leader');
        this.o.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew >= this.o.renewDeadlineMs) {
      this.stepDown({ reason: 'RenewDeadline' });
      return;
    }
    this.schedule();
  }

  private stepDown(why: StoppedLeading): void {
    if (!this.leading) return;
    this.leading = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.o.log.error({ lease: `${this.o.namespace}/${this.o.name}`, ...why }, 'lost leadership');
    this.o.onStoppedLeading(why);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity } = this.o;
    const now = this.o.clock.now();
    const durationSeconds = Math.max(1, Math.ceil(this.o.leaseDurationMs / 1000));
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace, ...(this.o.labels ? { labels: this.o.labels } : {}) },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: new V1MicroTime(now),
              renewTime: new V1MicroTime(now),
              leaseTransitions: 0,
            },
          },
        });
        this.takeover = false;
        return true;
      } catch (e) {
        if (isConflict(e)) return false;
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renew = spec.renewTime === undefined ? undefined : new Date(spec.renewTime).toISOString();
    if (this.observed === undefined || this.observed.holder !== holder || this.observed.renew !== renew)
      this.observed = { holder, renew, at: now };
    const held = holder !== '' && holder !== identity;
    const leaseMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    // A leader never takes the Lease back from whoever replaced it; a takeover does so once.
    if (held && this.leading) return false;
    if (held && !this.takeover && this.observed.at + leaseMs > now) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: new V1MicroTime(now),
        acquireTime: holder === identity && spec.acquireTime ? new V1MicroTime(new Date(spec.acquireTime).getTime()) : new V1MicroTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
      },
    };
    try {
      await api.replaceNamespacedLease({ name, namespace, body });
      this.takeover = false;
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.o.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.o.api.replaceNamespacedLease({
        name: this.o.name,
        namespace: this.o.namespace,
        body: {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.o.clock.now()) },
        },
      });
    } catch (err) {
      this.o.log.debug({ err: errorSummary(err) }, 'lease not released');
    }
  }
}
