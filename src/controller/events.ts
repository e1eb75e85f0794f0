// Kubernetes Events, best effort: recording never fails or delays a reconcile. Writes go
// through the rate limiter like any other, so a burst of events queues behind real work
// rather than in front of it; past a backlog they are dropped (metrics and status keep the
// facts).
import type { Logger } from 'pino';
import type { Kube } from './kube.ts';
import { errorSummary } from '../api/errors.ts';
import type { Clock } from '../api/clock.ts';
import { API_VERSION } from '../api/group.ts';
import { InFlight } from './in-flight.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

/** The Event target for one of Agora's namespaced objects. */
export function targetOf(
  kind: 'Framework' | 'Offer' | 'Task',
  obj: { metadata: { namespace: string; name: string; uid?: string } },
): EventTarget {
  return { apiVersion: API_VERSION, kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid };
}

export interface RecordedEvent {
  /** ms since the epoch. */
  time: number;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  target: EventTarget;
}

export const COMPONENT = 'agora-controller';
const MAX_PENDING = 500;

export class EventRecorder {
  private readonly kube: Kube;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private pending = 0;
  readonly enabled: boolean;
  private readonly inflight = new InFlight();
  private readonly listeners: ((e: RecordedEvent) => void)[] = [];

  constructor(kube: Kube, log: Logger, clock: Clock, random: () => number, enabled = true) {
    this.kube = kube;
    this.log = log;
    this.clock = clock;
    this.random = random;
    this.enabled = enabled;
  }

  normal(target: EventTarget, reason: string, message: string): void {
    this.record(target, 'Normal', reason, message);
  }

  warning(target: EventTarget, reason: string, message: string): void {
    this.record(target, 'Warning', reason, message);
  }

  /**
   * News that is not written to the API, only shown to this process's listeners (the console's
   * recent events): a task's progress towards running, which its status already says. At scale
   * an Event per launch was one more API write per task than launching it takes.
   */
  progress(target: EventTarget, reason: string, message: string): void {
    this.notify(target, 'Normal', reason, message);
  }

  /** Called with every event this recorder is asked for, written or not (the console keeps the recent ones in memory). */
  onRecord(listener: (e: RecordedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves when every event in flight has been written (or failed). */
  async flush(): Promise<void> {
    await this.inflight.settled();
  }

  private notify(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.listeners.length === 0) return;
    const e: RecordedEvent = { time: this.clock.now(), type, reason, message, target };
    for (const l of this.listeners) l(e);
  }

  private record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.notify(target, type, reason, message);
    if (!this.enabled || this.pending >= MAX_PENDING) return;
    const now = new Date(this.clock.now());
    const suffix = `${now.getTime().toString(16)}${Math.floor(this.random() * 0xffff).toString(16)}`;
    this.pending++;
    const p = this.kube
      .createEvent(target.namespace, {
        metadata: { name: `${target.name.slice(0, 200)}.${suffix}`, namespace: target.namespace },
        involvedObject: {
          apiVersion: target.apiVersion,
          kind: target.kind,
          namespace: target.namespace,
          name: target.name,
          uid: target.uid,
        },
        reason,
        message: message.slice(0, 1024),
        type,
        source: { component: COMPONENT },
        reportingComponent: COMPONENT,
        reportingInstance: COMPONENT,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      })
      .catch((err) =>
        this.log.debug(
          { reason, target: `${target.kind}/${target.namespace}/${target.name}`, err: errorSummary(err) },
          'event not recorded',
        ),
      )
      .finally(() => {
        this.pending--;
      });
    this.inflight.add(p);
  }
}
