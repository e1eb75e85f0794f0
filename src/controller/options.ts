// The controller's options, their defaults, and duration parsing for flags.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Handler } from './health-server.ts';
import type { SleepingClock } from '../api/clock.ts';

export interface ControllerOptions {
  /** A kubeconfig path or a loaded KubeConfig; default: KUBECONFIG, ~/.kube/config or in-cluster. */
  kubeconfig?: string | KubeConfig;
  /** How often an allocation cycle runs (also run early when resources are freed). */
  allocationIntervalMs: number;
  /** An unanswered Offer expires after this. */
  offerTimeoutMs: number;
  /** Answered, expired and rescinded Offers are deleted this long after they were. */
  offerRetentionMs: number;
  /** Terminal Tasks (and their Pods) kept per framework; the oldest beyond it are deleted. */
  maxCompletedTasksPerFramework: number;
  /** A label selector over the Nodes this controller offers; default all. */
  nodeSelector?: string;
  /** Only Frameworks (and their Offers and Tasks) in these namespaces; default all. */
  namespaces?: string[];
  leaderElect: boolean;
  leaseName: string;
  leaderElectionNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** This replica's identity in the Lease; default hostname + random suffix. */
  identity?: string;
  /** `[host]:port` for /metrics; port 0 picks one; '' disables. */
  metricsAddr: string;
  /** `[host]:port` for /healthz and /readyz; may equal metricsAddr. */
  healthAddr: string;
  logLevel: string;
  /** `[host]:port` for the web console (read-only, from the caches); '' (the default) disables it. */
  uiAddr: string;
  /**
   * This replica's own Pod (default $POD_NAME in $POD_NAMESPACE, else the leader election
   * namespace): while the console is served, it is labelled `agora.dev/leader=true|false` so that
   * the console Service selects the leader. Undefined (outside a cluster): no label.
   */
  podName?: string;
  podNamespace?: string;
  /** How much history of dominant shares the console's overview chart keeps (in memory). */
  uiHistoryMs: number;
  /** How often the dominant shares are sampled for that chart. */
  uiSampleIntervalMs: number;
  /** Client-side rate limit on API writes, as client-go's --kube-api-qps / --kube-api-burst. */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** Parallel reconciles per queue. */
  workers: number;
  /** How often history (old Offers, surplus completed Tasks) is cleaned up. */
  gcIntervalMs: number;
  /** Record Kubernetes Events. */
  events: boolean;
  /** An Offer's phase (absent = Outstanding) is written this long after it is made, if still unanswered. */
  outstandingStatusDelayMs: number;
  /**
   * Resources left out of every dominant share (Mesos's --fair_sharing_excluded_resource_names),
   * e.g. `nvidia.com/gpu`: a GPU framework's share is judged on what the others compete for.
   * Default none.
   */
  fairSharingExcludedResources: string[];
  /** Run the built-in scheduler (answers the offers of Frameworks with spec.builtin). */
  builtinScheduler: boolean;
  /**
   * The tasks on a node whose Ready condition has not been True for this long (measured from
   * the condition's lastTransitionTime) are TASK_LOST and their Pods deleted, as Mesos removes
   * an agent it stopped hearing from; 0 never gives them up. Default 5m, Kubernetes' default
   * eviction of Pods from a NotReady node (DefaultTolerationSeconds).
   */
  nodeLostTimeoutMs: number;
  /**
   * Revocation: every revocationIntervalMs, tasks of frameworks over their DRF fair share (never
   * below a guarantee) are told they are revoked for a framework below its share, and their Pods
   * deleted after the grace period; also priority preemption within a role. See revocation.ts.
   */
  revocation: boolean;
  /** Only report what would be revoked (Task status.revocation with dryRun, Events, metrics). */
  revocationDryRun: boolean;
  revocationIntervalMs: number;
  /** At most this many tasks told per revocation cycle, and per rolling minute. */
  maxRevocationsPerCycle: number;
  maxRevocationsPerMinute: number;
  /** A framework's spec.revocationGracePeriodSeconds is cut to this. */
  maxRevocationGracePeriodMs: number;
  /** The clock (and the waits of the API rate limiter); injected for tests, default the system's. */
  clock?: SleepingClock;
  random?: () => number;
  logger?: Logger;
  /** Extra HTTP handlers served on the health address (e.g. admission webhooks), tried first. */
  extraHandlers?: Handler[];
  /** The registry /metrics serves (shared with the webhooks in `agora controller`); default: a new one. */
  registry?: Registry;
  /** Also export the process's own metrics (memory, CPU, event loop); default: when no logger is injected. */
  processMetrics?: boolean;
}

export const DEFAULT_OPTIONS: ControllerOptions = {
  allocationIntervalMs: 1000,
  offerTimeoutMs: 30_000,
  offerRetentionMs: 60_000,
  maxCompletedTasksPerFramework: 1000,
  leaderElect: true,
  leaseName: 'agora-controller',
  leaderElectionNamespace: process.env.POD_NAMESPACE ?? 'default',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  metricsAddr: ':8080',
  healthAddr: ':8081',
  logLevel: 'info',
  uiAddr: '',
  ...(process.env.POD_NAME ? { podName: process.env.POD_NAME } : {}),
  ...(process.env.POD_NAMESPACE ? { podNamespace: process.env.POD_NAMESPACE } : {}),
  uiHistoryMs: 15 * 60_000,
  uiSampleIntervalMs: 2000,
  kubeApiQps: 50,
  kubeApiBurst: 100,
  workers: 32,
  gcIntervalMs: 5_000,
  events: true,
  builtinScheduler: true,
  fairSharingExcludedResources: [],
  outstandingStatusDelayMs: 1000,
  nodeLostTimeoutMs: 300_000,
  revocation: true,
  revocationDryRun: false,
  revocationIntervalMs: 5_000,
  maxRevocationsPerCycle: 10,
  maxRevocationsPerMinute: 60,
  maxRevocationGracePeriodMs: 300_000,
};

/** Framework.spec.revocationGracePeriodSeconds when unset. */
export const DEFAULT_REVOCATION_GRACE_PERIOD_SECONDS = 30;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1s`, `500ms`, `1m30s`, `2h` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (end === 0 || end !== t.length) throw new Error(`invalid duration ${JSON.stringify(text)}: want e.g. 500ms, 1s, 1m30s`);
  return total;
}

/** Milliseconds as Go prints a duration: `500ms`, `1.5s`, `5m0s`, `1h0m0s` (parseDuration reads it back). */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t}ms`;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = (t % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}
