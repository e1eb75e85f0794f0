// `agora controller`: runs the controller (src/controller/) until SIGINT/SIGTERM. Out of
// cluster it reads the kubeconfig (--kubeconfig, KUBECONFIG or ~/.kube/config); in a Pod the
// in-cluster config. Exits 1 when it loses leadership (the Deployment restarts it and the new
// process rebuilds its state from the API).
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { DEFAULT_OPTIONS, parseDuration, type ControllerOptions } from '../controller/options.ts';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import { startController } from '../controller/manager.ts';
import { startControllerWebhooks } from '../webhooks/controller-flags.ts';
import { commaList, excludedResourcesFlag } from './args.ts';

const HELP = `Usage: agora controller [options]

Offers the cluster's resources to Frameworks in DRF order and turns accepted offers into Tasks
and Pods (see DESIGN.md).

Options:
  --kubeconfig PATH                       kubeconfig (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --allocation-interval DURATION          how often an allocation cycle runs (default 1s)
  --offer-timeout DURATION                unanswered offers expire after this (default 30s)
  --offer-retention DURATION              answered/expired/rescinded Offers are deleted after this (default 1m)
  --node-lost-timeout DURATION            tasks on a node not Ready this long (since its Ready condition's
                                          lastTransitionTime) are TASK_LOST and their Pods deleted (default 5m;
                                          0 never gives them up)
  --max-completed-tasks-per-framework N   terminal Tasks kept per framework (default 1000)
  --revocation BOOL                       revoke tasks over their fair share for frameworks below theirs, and
                                          preempt by priority within a role (default true)
  --revocation-dry-run BOOL               only report what would be revoked: Task status, Events, metrics (default false)
  --revocation-interval DURATION          how often revocation is considered (default 5s)
  --max-revocations-per-cycle N           tasks told per revocation cycle (default 10)
  --max-revocations-per-minute N          tasks told per rolling minute (default 60)
  --max-revocation-grace-period DURATION  a framework's revocationGracePeriodSeconds is cut to this (default 5m)
  --fair-sharing-excluded-resources R[,R…]
                                          resources left out of dominant shares, as Mesos's
                                          --fair_sharing_excluded_resource_names (e.g. nvidia.com/gpu; default none)
  --node-selector SELECTOR                only offer Nodes matching this label selector
  --namespaces NS[,NS…]                   only manage Frameworks in these namespaces
  --leader-elect BOOL                     elect a leader on a Lease (default true)
  --lease-name NAME                       the leader election Lease (default agora-controller)
  --leader-election-namespace NS          its namespace (default $POD_NAMESPACE or default)
  --lease-duration DURATION               leader Lease duration (default 15s; renew deadline 2/3, retry 2/15 of it)
  --identity NAME                         this replica's holder identity in the Lease (default hostname-random)
  --metrics-addr [HOST]:PORT              /metrics (default :8080; port 0 picks one; '' disables)
  --health-addr [HOST]:PORT               /healthz and /readyz (default :8081)
  --ui-addr [HOST]:PORT                   serve the read-only web console here, from the caches (default '':
                                          off); --namespaces limits what it shows
  --pod-name NAME / --pod-namespace NS   this replica's Pod (default $POD_NAME / $POD_NAMESPACE): with the
                                          console on, labelled agora.dev/leader=true while it leads, else false
                                          (the console Service selects it); outside a cluster, leave unset
  --ui-history DURATION                   how much dominant-share history its chart keeps in memory (default 15m)
  --kube-api-qps N / --kube-api-burst N   client-side write rate limit (default 50 / 100, as kube-scheduler)
  --workers N                             parallel reconciles per kind (default 32)
  --events BOOL                           record Kubernetes Events (default true)
  --log-level LEVEL                       trace|debug|info|warn|error (default info)
Admission webhooks (src/webhooks), served by every replica:
  --webhooks[=BOOL] / --no-webhooks       serve them (default true)
  --webhook-port PORT                     default 9443 with a certificate, else a free port
  --webhook-cert-file / --webhook-key-file
                                          serve this certificate on 0.0.0.0 and register nothing (the chart
                                          owns the configurations); without them, generate a local CA, serve
                                          on 127.0.0.1 and register "agora-local" (removed on exit; one left
                                          by a killed run is removed by the next start, with or without webhooks)
  --controller-identity USER              the controller's username, allowed to write what frameworks may not`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  kubeconfig: { type: 'string' },
  'allocation-interval': { type: 'string' },
  'offer-timeout': { type: 'string' },
  'offer-retention': { type: 'string' },
  'node-lost-timeout': { type: 'string' },
  'max-completed-tasks-per-framework': { type: 'string' },
  revocation: { type: 'string' },
  'revocation-dry-run': { type: 'string' },
  'revocation-interval': { type: 'string' },
  'max-revocations-per-cycle': { type: 'string' },
  'max-revocations-per-minute': { type: 'string' },
  'max-revocation-grace-period': { type: 'string' },
  'fair-sharing-excluded-resources': { type: 'string' },
  'node-selector': { type: 'string' },
  namespaces: { type: 'string' },
  'leader-elect': { type: 'string' },
  'lease-name': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'lease-duration': { type: 'string' },
  identity: { type: 'string' },
  'pod-name': { type: 'string' },
  'pod-namespace': { type: 'string' },
  'metrics-addr': { type: 'string' },
  'health-addr': { type: 'string' },
  'ui-addr': { type: 'string' },
  'ui-history': { type: 'string' },
  'kube-api-qps': { type: 'string' },
  'kube-api-burst': { type: 'string' },
  workers: { type: 'string' },
  events: { type: 'string' },
  'log-level': { type: 'string' },
  webhooks: { type: 'boolean' },
  'webhook-port': { type: 'string' },
  'webhook-cert-file': { type: 'string' },
  'webhook-key-file': { type: 'string' },
  'controller-identity': { type: 'string' },
} as const;

export type ControllerFlags = ReturnType<typeof parseFlags>;

function parseFlags(argv: string[]) {
  // --webhooks=false reads naturally beside --leader-elect=false; parseArgs booleans take no value.
  const args = argv.map((a) => (a === '--webhooks=false' ? '--no-webhooks' : a === '--webhooks=true' ? '--webhooks' : a));
  return parseArgs({ args, options: FLAGS, allowPositionals: false, allowNegative: true }).values;
}

/** Flags → options (throws a usage error naming the flag). */
export function optionsFromFlags(v: ControllerFlags): Partial<ControllerOptions> {
  const o: Partial<ControllerOptions> = {};
  const dur = (flag: keyof typeof FLAGS, set: (ms: number) => void) => {
    const s = v[flag as keyof ControllerFlags];
    if (typeof s !== 'string') return;
    try {
      set(parseDuration(s));
    } catch (err) {
      throw new Error(`--${flag}: ${(err as Error).message}`);
    }
  };
  const int = (flag: keyof typeof FLAGS, set: (n: number) => void, min = 0) => {
    const s = v[flag as keyof ControllerFlags];
    if (typeof s !== 'string') return;
    const n = Number(s);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${flag}: want a number ≥ ${min}, got ${JSON.stringify(s)}`);
    set(n);
  };
  const bool = (flag: keyof typeof FLAGS, set: (b: boolean) => void) => {
    const s = v[flag as keyof ControllerFlags];
    if (typeof s !== 'string') return;
    if (s !== 'true' && s !== 'false') throw new Error(`--${flag}: want true or false, got ${JSON.stringify(s)}`);
    set(s === 'true');
  };
  if (v.kubeconfig) o.kubeconfig = v.kubeconfig;
  dur('allocation-interval', (ms) => (o.allocationIntervalMs = ms));
  dur('offer-timeout', (ms) => (o.offerTimeoutMs = ms));
  dur('offer-retention', (ms) => (o.offerRetentionMs = ms));
  dur('node-lost-timeout', (ms) => (o.nodeLostTimeoutMs = ms));
  dur('lease-duration', (ms) => {
    o.leaseDurationMs = ms;
    o.renewDeadlineMs = (ms * 2) / 3;
    o.retryPeriodMs = (ms * 2) / 15;
  });
  int('max-completed-tasks-per-framework', (n) => (o.maxCompletedTasksPerFramework = Math.floor(n)));
  int('kube-api-qps', (n) => (o.kubeApiQps = n));
  int('kube-api-burst', (n) => (o.kubeApiBurst = Math.floor(n)), 1);
  int('workers', (n) => (o.workers = Math.floor(n)), 1);
  bool('leader-elect', (b) => (o.leaderElect = b));
  bool('events', (b) => (o.events = b));
  bool('revocation', (b) => (o.revocation = b));
  bool('revocation-dry-run', (b) => (o.revocationDryRun = b));
  dur('revocation-interval', (ms) => (o.revocationIntervalMs = ms));
  dur('max-revocation-grace-period', (ms) => (o.maxRevocationGracePeriodMs = ms));
  int('max-revocations-per-cycle', (n) => (o.maxRevocationsPerCycle = Math.floor(n)));
  int('max-revocations-per-minute', (n) => (o.maxRevocationsPerMinute = Math.floor(n)));
  if (v['node-selector']) o.nodeSelector = v['node-selector'];
  if (v.namespaces) o.namespaces = commaList(v.namespaces);
  const excluded = v['fair-sharing-excluded-resources'];
  if (excluded !== undefined) o.fairSharingExcludedResources = excludedResourcesFlag(excluded);
  if (v['lease-name']) o.leaseName = v['lease-name'];
  if (v.identity) o.identity = v.identity;
  if (v['leader-election-namespace']) o.leaderElectionNamespace = v['leader-election-namespace'];
  if (v['metrics-addr'] !== undefined) o.metricsAddr = v['metrics-addr'];
  if (v['health-addr'] !== undefined) o.healthAddr = v['health-addr'];
  if (v['ui-addr'] !== undefined) o.uiAddr = v['ui-addr'];
  if (v['pod-name']) o.podName = v['pod-name'];
  if (v['pod-namespace']) o.podNamespace = v['pod-namespace'];
  dur('ui-history', (ms) => (o.uiHistoryMs = ms));
  if (v['log-level']) o.logLevel = v['log-level'];
  return o;
}

export async function run(argv: string[]): Promise<number> {
  let values: ControllerFlags;
  let options: Partial<ControllerOptions>;
  try {
    values = parseFlags(argv);
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    options = optionsFromFlags(values);
  } catch (err) {
    process.stderr.write(`agora controller: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const logger = pino({ level: options.logLevel ?? DEFAULT_OPTIONS.logLevel });
  const kubeConfig = loadKubeConfig({ kubeconfig: options.kubeconfig });
  // Webhooks first: with failurePolicy Fail, answers wait for them, never for the leader.
  // One /metrics for the controller, its webhooks and the process.
  const registry = new Registry();
  const webhooks = await startControllerWebhooks({ kubeConfig, logger, flags: values, namespaces: options.namespaces, registry });
  const handle = await startController({ ...options, kubeconfig: kubeConfig, logger, registry, processMetrics: true });
  logger.info(
    {
      identity: handle.identity,
      metricsPort: handle.metricsPort,
      healthPort: handle.healthPort,
      uiPort: handle.uiPort,
      webhookPort: webhooks?.webhooks.port,
    },
    'controller started',
  );
  const signal = await Promise.race([
    new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
    handle.lostLeadership.then(() => 'lost-leadership'),
  ]);
  logger.info({ signal }, 'stopping');
  await handle.stop();
  await webhooks?.stop();
  return signal === 'lost-leadership' ? 1 : 0;
}
