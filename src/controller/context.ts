// What every part of a running (leading) controller shares: options, the API writer, caches,
// the allocator, metrics, events, the clock, and the queues that reconcile by key.
import type { V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Allocator } from '../allocator/index.ts';
import type { Clock } from '../api/clock.ts';
import type { ClusterState } from './cluster-state.ts';
import type { EventRecorder } from './events.ts';
import type { Explanations } from './explanations.ts';
import type { Informer } from '../api/informer.ts';
import type { Kube } from './kube.ts';
import type { Metrics } from './metrics.ts';
import type { OfferLedger } from './offer-ledger.ts';
import type { ControllerOptions } from './options.ts';
import type { WorkQueue } from './workqueue.ts';

export interface Queues {
  offers: WorkQueue;
  tasks: WorkQueue;
  /** Task status writes (task-reconciler.ts reconcileStatus). */
  taskStatus: WorkQueue;
  frameworks: WorkQueue;
  roles: WorkQueue;
}

export interface Context {
  options: ControllerOptions;
  kube: Kube;
  state: ClusterState;
  leases: Informer<V1Lease>;
  allocator: Allocator;
  metrics: Metrics;
  events: EventRecorder;
  log: Logger;
  clock: Clock;
  random: () => number;
  queues: Queues;
  /** Frameworks whose scheduler missed its failover timeout (framework keys). */
  disconnected: Set<string>;
  /** Offers in flight in this process: answers and rescinds being applied or recorded (offer-ledger.ts). */
  ledger: OfferLedger;
  /** When this process created each task's Pod (ms), to let a fresh Pod reach Running before its first status is written. */
  podCreatedAt: Map<string, number>;
  /** Why each framework gets no offer now, recomputed at most every few seconds (explanations.ts). */
  explanations: Explanations;
  /** Asks for an allocation cycle soon (resources were freed, a framework revived, …). */
  kick: () => void;
  /** Is the framework's namespace one this controller manages? */
  manages: (namespace: string | undefined) => boolean;
}

export function isoNow(ctx: Pick<Context, 'clock'>): string {
  return new Date(ctx.clock.now()).toISOString();
}
