// Admission latency added to an accept, on the local control plane.
//
//   node bench/admission.ts [--iterations N] [--warmup W] [--tasks K] [--no-access-review-cache]
//
// A framework's ServiceAccount answers Outstanding offers with a merge patch of spec.accept (K
// tasks that fit), as its scheduler would. Timed: the patch call, client side, one at a time.
// First with no webhook registered, then with the admission server (in this process, as it runs
// inside the controller) registered for the benchmark's namespace. Offers are created by the
// admin beforehand, untimed. Prints one JSON line: p50/p99 of both, the difference, and the
// webhook's own mean decision time (its lookups: Framework, Frameworks of the ServiceAccount,
// Namespace, SubjectAccessReview, existing Tasks) and how many SubjectAccessReviews its cache saved.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../src/api/index.ts';
import { startWebhooks } from '../src/webhooks/index.ts';
import { waitUntilEnforced } from '../src/webhooks/probe.ts';
import { adminKubeConfig, status } from '../scripts/cluster/index.ts';
import { median, percentile } from './stats.ts';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    tasks: { type: 'string', default: '1' },
    // Off: one SubjectAccessReview per accept, as before the cache (for before/after figures).
    'access-review-cache': { type: 'boolean', default: true },
  },
  allowNegative: true,
});

function intFlag(name: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`bench:admission: --${name} must be an integer >= ${min}, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

const iterations = intFlag('iterations', values.iterations, 1);
const warmup = intFlag('warmup', values.warmup, 0);
const tasksPerAccept = intFlag('tasks', values.tasks, 1);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: GROUP, version: VERSION };

async function main(): Promise<void> {
  if (!(await status()).running) {
    process.stderr.write('bench:admission: the local control plane is not running; start it with `npm run cluster:up`\n');
    process.exit(1);
  }
  const admin = adminKubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const namespace = `bench-admission-${randomBytes(3).toString('hex')}`;
  const tlsDir = mkdtempSync(join(tmpdir(), 'agora-bench-tls-'));
  let webhooks: Awaited<ReturnType<typeof startWebhooks>> | undefined;
  try {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'sched' } } });
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'scheduler' },
        rules: [
          { apiGroups: [GROUP], resources: ['offers', 'tasks', 'frameworks'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['create'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'scheduler' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'scheduler' },
        subjects: [{ kind: 'ServiceAccount', name: 'sched', namespace }],
      },
    });
    await custom.createNamespacedCustomObject({
      ...api,
      namespace,
      plural: PLURAL.Framework,
      body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name: 'fw' }, spec: { serviceAccountName: 'sched' } },
    });

    const token = (
      await core.createNamespacedServiceAccountToken({
        name: 'sched',
        namespace,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      })
    ).status!.token;
    const asSched = new KubeConfig();
    asSched.loadFromOptions({
      clusters: [{ ...admin.getCurrentCluster()!, name: 'local' }],
      users: [{ name: 'sched', token }],
      contexts: [{ name: 'sched', cluster: 'local', user: 'sched' }],
      currentContext: 'sched',
    });
    const schedApi = asSched.makeApiClient(CustomObjectsApi);

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const makeOffers = async (prefix: string, n: number): Promise<string[]> => {
      const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
      for (let i = 0; i < names.length; i += 20) {
        await Promise.all(
          names.slice(i, i + 20).map(async (name) => {
            await custom.createNamespacedCustomObject({
              ...api,
              namespace,
              plural: PLURAL.Offer,
              body: {
                apiVersion: API_VERSION,
                kind: 'Offer',
                metadata: { name },
                spec: { framework: 'fw', nodeName: 'agora-node-1', resources: { cpu: '8', memory: '32Gi' }, expiresAt },
              },
            });
            await custom.patchNamespacedCustomObjectStatus(
              { ...api, namespace, plural: PLURAL.Offer, name, body: { status: { phase: 'Outstanding' } } },
              MERGE,
            );
          }),
        );
      }
      return names;
    };
    const acceptAll = async (names: string[]): Promise<number[]> => {
      const timings: number[] = [];
      for (const name of names) {
        const tasks = Array.from({ length: tasksPerAccept }, (_, k) => ({
          name: `${name}-t${k}`,
          resources: { cpu: '100m', memory: '64Mi' },
          containers: [{ name: 'main', image: 'busybox' }],
        }));
        const t0 = process.hrtime.bigint();
        await schedApi.patchNamespacedCustomObject(
          { ...api, namespace, plural: PLURAL.Offer, name, body: { spec: { accept: { tasks } } } },
          MERGE,
        );
        timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return timings;
    };
    const summarize = (all: number[]) => {
      const sorted = all.slice(warmup).sort((a, b) => a - b);
      return { p50Ms: round(median(sorted)), p99Ms: round(percentile(sorted, 99)), maxMs: round(sorted[sorted.length - 1] ?? NaN) };
    };

    const plainOffers = await makeOffers('plain', warmup + iterations);
    const reviewedOffers = await makeOffers('reviewed', warmup + iterations);

    const without = summarize(await acceptAll(plainOffers));

    webhooks = await startWebhooks({
      kubeConfig: admin,
      logger: pino({ level: 'warn' }),
      tlsDir,
      ...(values['access-review-cache'] ? {} : { accessReviewCache: false as const }),
      registration: {
        name: `agora-bench-${namespace}`,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        clusterObjectSelector: { matchLabels: { 'agora.dev/webhook-bench': namespace } },
      },
    });
    await webhooks.register();
    await waitUntilEnforced(admin, namespace);
    const withWebhook = summarize(await acceptAll(reviewedOffers));

    const metric = (await webhooks.registry.getSingleMetric('agora_webhook_admission_duration_seconds')!.get()).values as {
      metricName?: string;
      value: number;
      labels: Record<string, string | number | undefined>;
    }[];
    const offersAllowed = (suffix: string) =>
      metric.find(
        (v) =>
          v.metricName === `agora_webhook_admission_duration_seconds_${suffix}` &&
          v.labels.path === '/validate/offers' &&
          v.labels.verdict === 'allowed',
      )?.value ?? NaN;
    const decisionMeanMs = round((offersAllowed('sum') / offersAllowed('count')) * 1000);
    const cacheValues = (await webhooks.registry.getSingleMetric('agora_webhook_access_review_cache_total')!.get()).values;
    const accessReviews = Object.fromEntries(['hit', 'miss'].map((r) => [r, cacheValues.find((v) => v.labels.result === r)?.value ?? 0]));

    process.stdout.write(
      `${JSON.stringify({
        benchmark: 'admission',
        iterations,
        warmup,
        tasksPerAccept,
        withoutWebhook: without,
        withWebhook,
        addedP50Ms: round(withWebhook.p50Ms - without.p50Ms),
        addedP99Ms: round(withWebhook.p99Ms - without.p99Ms),
        webhookDecisionMeanMs: decisionMeanMs,
        accessReviews,
      })}\n`,
    );
  } finally {
    await webhooks?.unregister().catch(() => undefined);
    await webhooks?.stop();
    rmSync(tlsDir, { recursive: true, force: true });
    await core.deleteNamespace({ name: namespace, propagationPolicy: 'Background' }).catch(() => undefined);
  }
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

main().catch((err: unknown) => {
  process.stderr.write(`bench:admission: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
