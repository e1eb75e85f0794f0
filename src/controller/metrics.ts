// Prometheus metrics, in a registry per controller instance (tests run several in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry: Registry;
  readonly cycleDuration: Histogram;
  readonly applyDuration: Histogram;
  readonly offersOutstanding: Gauge;
  readonly offers: Counter<'result'>;
  readonly tasks: Gauge<'state'>;
  readonly taskTransitions: Counter<'state'>;
  readonly dominantShare: Gauge<'namespace' | 'framework'>;
  readonly apiWrites: Counter<'verb' | 'resource'>;
  readonly isLeader: Gauge;
  readonly reconcileErrors: Counter<'queue'>;
  readonly revocations: Counter<'reason' | 'role' | 'dry_run'>;
  readonly revocationNoticeToKill: Histogram;
  readonly revocationDuration: Histogram;

  constructor(defaultMetrics = false, registry = new Registry()) {
    this.registry = registry;
    const registers = [this.registry];
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.cycleDuration = new Histogram({
      name: 'agora_allocation_cycle_duration_seconds',
      help: 'Time the allocator took to compute one allocation cycle',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.applyDuration = new Histogram({
      name: 'agora_allocation_apply_duration_seconds',
      help: "Time to apply one cycle's decisions (Offer creates, rescinds) through the API",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers,
    });
    this.offersOutstanding = new Gauge({
      name: 'agora_offers_outstanding',
      help: 'Offers made and not yet answered, rescinded or expired',
      registers,
    });
    this.offers = new Counter({
      name: 'agora_offers_total',
      help: 'Offers by outcome (created, accepted, declined, rescinded, expired)',
      labelNames: ['result'],
      registers,
    });
    this.tasks = new Gauge({ name: 'agora_tasks', help: 'Tasks known to the controller, by state', labelNames: ['state'], registers });
    this.taskTransitions = new Counter({
      name: 'agora_task_transitions_total',
      help: 'Task state transitions, by the state entered',
      labelNames: ['state'],
      registers,
    });
    this.dominantShare = new Gauge({
      name: 'agora_framework_dominant_share',
      help: "Each framework's DRF dominant share (0..1)",
      labelNames: ['namespace', 'framework'],
      registers,
    });
    this.apiWrites = new Counter({
      name: 'agora_api_writes_total',
      help: 'API writes made by the controller',
      labelNames: ['verb', 'resource'],
      registers,
    });
    this.isLeader = new Gauge({ name: 'agora_leader', help: '1 while this replica is the leader', registers });
    this.reconcileErrors = new Counter({
      name: 'agora_reconcile_errors_total',
      help: 'Reconciles that failed and were retried',
      labelNames: ['queue'],
      registers,
    });
    this.revocations = new Counter({
      name: 'agora_revocations_total',
      help: "Tasks told they are revoked, by reason (FairShare, Priority), the victim's role, and dry_run (true: only reported)",
      labelNames: ['reason', 'role', 'dry_run'],
      registers,
    });
    this.revocationNoticeToKill = new Histogram({
      name: 'agora_revocation_notice_to_kill_seconds',
      help: 'From the revocation notice to the task ending TASK_KILLED (grace period plus Pod termination)',
      buckets: [1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.revocationDuration = new Histogram({
      name: 'agora_revocation_plan_duration_seconds',
      help: 'Time to compute the fair allocation and choose victims, per revocation cycle',
      buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
  }
}
