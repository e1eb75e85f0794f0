// The ValidatingWebhookConfiguration and MutatingWebhookConfiguration that point the API server
// at the admission server, and registering them.
//
// failurePolicy, per webhook, and why:
// - offers, tasks, frameworks: Fail. If the webhook is down, an unchecked accept could over-commit
//   a node, answer another framework's offer or launch a privileged Pod through the controller; a
//   Task created directly would bypass offers; a Framework template would bypass the privilege
//   check. Failing closed only delays: a framework retries its answer, an unanswered offer expires
//   and is offered again.
// - resourceroles: Ignore. Only cluster administrators write them and the CRD's own rules (CEL)
//   cover the same ground; the webhook adds exact-quantity messages.
// - frameworks defaults (mutating): Ignore. The CRD schema defaults role, tasksPerOffer and
//   defaultRefuseSeconds itself; the controller reads a missing builtin.refuseSeconds as
//   defaultRefuseSeconds.
// Status subresources are sent too (as the chart registers them): RBAC already gives them to the
// controller alone, and the webhook refuses anyone else's status write as a second line; the
// controller's own status writes are admitted without a lookup.
import {
  AdmissionregistrationV1Api,
  type KubeConfig,
  type V1LabelSelector,
  type V1MutatingWebhook,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhook,
  type V1ValidatingWebhookConfiguration,
  type AdmissionregistrationV1WebhookClientConfig as V1WebhookClientConfig,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import { isNotFound } from '../controller/kube.ts';
import { WEBHOOK_PATHS } from './handlers.ts';

/** Where the API server reaches the admission server. */
export type WebhookEndpoint =
  | { url: string }
  | { service: { namespace: string; name: string; port?: number } };

export interface ConfigurationOptions {
  /** The name of both configuration objects (default "agora"). */
  name?: string;
  endpoint: WebhookEndpoint;
  /** PEM of the CA that signed the serving certificate. */
  caBundle: string | Buffer;
  /** Limits the namespaced webhooks (offers, tasks, frameworks) to matching namespaces. */
  namespaceSelector?: V1LabelSelector;
  /** Limits the cluster-scoped webhook (resourceroles) to matching objects. */
  clusterObjectSelector?: V1LabelSelector;
  /** The API server's per-call timeout (default 5). */
  timeoutSeconds?: number;
}

export const DEFAULT_CONFIGURATION_NAME = 'agora';

function clientConfig(endpoint: WebhookEndpoint, path: string, caBundle: string): V1WebhookClientConfig {
  if ('url' in endpoint) return { url: `${endpoint.url.replace(/\/$/, '')}${path}`, caBundle };
  return { service: { ...endpoint.service, port: endpoint.service.port ?? 443, path }, caBundle };
}

export function webhookConfigurations(opts: ConfigurationOptions): {
  validating: V1ValidatingWebhookConfiguration;
  mutating: V1MutatingWebhookConfiguration;
} {
  const name = opts.name ?? DEFAULT_CONFIGURATION_NAME;
  const caBundle = Buffer.from(opts.caBundle).toString('base64');
  const rule = (plural: string, scope: 'Namespaced' | 'Cluster', status = true) => ({
    apiGroups: [GROUP], apiVersions: [VERSION], resources: status ? [plural, `${plural}/status`] : [plural], operations: ['CREATE', 'UPDATE'], scope,
  });
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    matchPolicy: 'Equivalent',
    timeoutSeconds: opts.timeoutSeconds ?? 5,
  };
  const namespaced = opts.namespaceSelector ? { namespaceSelector: opts.namespaceSelector } : {};
  const cluster = opts.clusterObjectSelector ? { objectSelector: opts.clusterObjectSelector } : {};
  const validate = (hook: string, path: string, plural: string, failurePolicy: 'Fail' | 'Ignore', scope: 'Namespaced' | 'Cluster'): V1ValidatingWebhook => ({
    name: `${hook}.${GROUP}`,
    clientConfig: clientConfig(opts.endpoint, path, caBundle),
    rules: [rule(plural, scope)],
    failurePolicy,
    ...common,
    ...(scope === 'Namespaced' ? namespaced : cluster),
  });
  const labels = { 'app.kubernetes.io/part-of': 'agora', 'app.kubernetes.io/component': 'webhooks' };
  const mutate: V1MutatingWebhook = {
    name: `framework-defaults.${GROUP}`,
    clientConfig: clientConfig(opts.endpoint, WEBHOOK_PATHS.frameworkDefaults, caBundle),
    rules: [rule(PLURAL.Framework, 'Namespaced', false)],
    failurePolicy: 'Ignore',
    reinvocationPolicy: 'Never',
    ...common,
    ...namespaced,
  };
  return {
    validating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name, labels },
      webhooks: [
        validate('offers', WEBHOOK_PATHS.offers, PLURAL.Offer, 'Fail', 'Namespaced'),
        validate('tasks', WEBHOOK_PATHS.tasks, PLURAL.Task, 'Fail', 'Namespaced'),
        validate('frameworks', WEBHOOK_PATHS.frameworks, PLURAL.Framework, 'Fail', 'Namespaced'),
        validate('resourceroles', WEBHOOK_PATHS.resourceRoles, PLURAL.ResourceRole, 'Ignore', 'Cluster'),
      ],
    },
    mutating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name, labels },
      webhooks: [mutate],
    },
  };
}


/** Creates or replaces both configurations. */
export async function registerWebhooks(kc: KubeConfig, configs: ReturnType<typeof webhookConfigurations>): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const name = configs.validating.metadata!.name!;
  try {
    const existing = await api.readValidatingWebhookConfiguration({ name });
    await api.replaceValidatingWebhookConfiguration({ name, body: { ...configs.validating, metadata: { ...configs.validating.metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await api.createValidatingWebhookConfiguration({ body: configs.validating });
  }
  const mname = configs.mutating.metadata!.name!;
  try {
    const existing = await api.readMutatingWebhookConfiguration({ name: mname });
    await api.replaceMutatingWebhookConfiguration({ name: mname, body: { ...configs.mutating, metadata: { ...configs.mutating.metadata, resourceVersion: existing.metadata?.resourceVersion } } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await api.createMutatingWebhookConfiguration({ body: configs.mutating });
  }
}

/** Deletes both configurations (absent ones are fine). */
export async function unregisterWebhooks(kc: KubeConfig, name = DEFAULT_CONFIGURATION_NAME): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  await api.deleteValidatingWebhookConfiguration({ name }).catch((err: unknown) => { if (!isNotFound(err)) throw err; });
  await api.deleteMutatingWebhookConfiguration({ name }).catch((err: unknown) => { if (!isNotFound(err)) throw err; });
}
