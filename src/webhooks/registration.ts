// The ValidatingWebhookConfiguration and MutatingWebhookConfiguration that point the API server
// at the admission server, and registering them.
//
// failurePolicy, per webhook, and why:
// - offers, tasks, inverseoffers, frameworks: Fail. If the webhook is down, an unchecked accept could over-commit
//   a node, answer another framework's offer or launch a privileged Pod through the controller; a
//   Task created directly would bypass offers; a Framework template would bypass the privilege
//   check. Failing closed only delays: a framework retries its answer, an unanswered offer expires
//   and is offered again.
// - resourceroles: Ignore. Only cluster administrators write them and the CRD's own rules (CEL)
//   cover the same ground; the webhook adds exact-quantity messages.
// - frameworks defaults (mutating): Ignore. The CRD schema defaults role, tasksPerOffer and
//   defaultRefuseSeconds itself; the controller reads a missing builtin.refuseSeconds as
//   defaultRefuseSeconds.
// A local run records its process as the owner (local-owner.ts): it removes only its own
// registrations on exit, and anyone may remove one whose owner is gone.
//
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
import { hostname } from 'node:os';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import { isConflict, isNotFound } from '../api/errors.ts';
import { WEBHOOK_PATHS } from './handlers.ts';
import { ownerOf, ownerState, probeProcess, sameOwner, type LocalOwner, type OwnerState, type ProcessProbe } from './local-owner.ts';

/** Where the API server reaches the admission server. */
export type WebhookEndpoint = { url: string } | { service: { namespace: string; name: string; port?: number } };

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
  /** Set on both objects (a local run's owner annotations). */
  annotations?: Record<string, string>;
  /**
   * The controller's identities: their status writes are admitted without calling the webhook
   * (it allows them unread), so the controller's most frequent writes cost no round trip.
   */
  controller?: { usernames: readonly string[]; groups: readonly string[] };
}

/**
 * A matchCondition (CEL) that is false for a status write by one of `ids` — and, with `creates`,
 * for a create by one of them — and true for anything else. The webhook would allow those writes
 * unread (status), or check again what the controller already checked when it was accepted
 * (the Tasks it creates from an accept, the Offers and InverseOffers it makes): at scale they are
 * most of the writes, and each call costs the API server a round trip.
 */
export function notControllerWrite(
  ids: { usernames: readonly string[]; groups: readonly string[] },
  opts: { creates: boolean },
): {
  name: string;
  expression: string;
} {
  const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const who = [
    ...(ids.usernames.length > 0 ? [`request.userInfo.username in ${list(ids.usernames)}`] : []),
    ...(ids.groups.length > 0 ? [`request.userInfo.groups.exists(g, g in ${list(ids.groups)})`] : []),
  ];
  const byController = who.length > 0 ? who.join(' || ') : 'false';
  const status = 'has(request.subResource) && request.subResource == "status"';
  // A dry run is still sent: the controller never makes one, and waitUntilEnforced (probe.ts)
  // dry-runs an Offer create — locally as the very identity the controller runs as — to learn
  // whether the webhooks are called yet.
  const dryRun = 'has(request.dryRun) && request.dryRun';
  return opts.creates
    ? {
        name: 'not-the-controllers-create-or-status-write',
        expression: `!((request.operation == "CREATE" || (${status})) && (${byController}) && !(${dryRun}))`,
      }
    : { name: 'not-the-controllers-status-write', expression: `!(${status} && (${byController}))` };
}

export const DEFAULT_CONFIGURATION_NAME = 'agora';

/** On every configuration Agora makes (the chart's too). */
export const REGISTRATION_LABELS = { 'app.kubernetes.io/part-of': 'agora', 'app.kubernetes.io/component': 'webhooks' } as const;

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
    apiGroups: [GROUP],
    apiVersions: [VERSION],
    resources: status ? [plural, `${plural}/status`] : [plural],
    operations: ['CREATE', 'UPDATE'],
    scope,
  });
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    matchPolicy: 'Equivalent',
    timeoutSeconds: opts.timeoutSeconds ?? 5,
  };
  const skip = (creates: boolean) =>
    opts.controller !== undefined ? { matchConditions: [notControllerWrite(opts.controller, { creates })] } : {};
  const namespaced = opts.namespaceSelector ? { namespaceSelector: opts.namespaceSelector } : {};
  const cluster = opts.clusterObjectSelector ? { objectSelector: opts.clusterObjectSelector } : {};
  const validate = (
    hook: string,
    path: string,
    plural: string,
    failurePolicy: 'Fail' | 'Ignore',
    scope: 'Namespaced' | 'Cluster',
    { status = true, controllerCreates = false }: { status?: boolean; controllerCreates?: boolean } = {},
  ): V1ValidatingWebhook => ({
    name: `${hook}.${GROUP}`,
    clientConfig: clientConfig(opts.endpoint, path, caBundle),
    rules: [rule(plural, scope, status)],
    failurePolicy,
    ...common,
    ...skip(controllerCreates),
    ...(scope === 'Namespaced' ? namespaced : cluster),
  });
  const labels = { ...REGISTRATION_LABELS };
  const annotations = opts.annotations ? { annotations: { ...opts.annotations } } : {};
  const mutate: V1MutatingWebhook = {
    name: `framework-defaults.${GROUP}`,
    clientConfig: clientConfig(opts.endpoint, WEBHOOK_PATHS.frameworkDefaults, caBundle),
    rules: [rule(PLURAL.Framework, 'Namespaced', false)],
    failurePolicy: 'Ignore',
    reinvocationPolicy: 'Never',
    ...common,
    ...skip(false),
    ...namespaced,
  };
  return {
    validating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name, labels, ...annotations },
      webhooks: [
        // Only the controller creates these: its creates are not sent to the webhook.
        validate('offers', WEBHOOK_PATHS.offers, PLURAL.Offer, 'Fail', 'Namespaced', { controllerCreates: true }),
        validate('tasks', WEBHOOK_PATHS.tasks, PLURAL.Task, 'Fail', 'Namespaced', { controllerCreates: true }),
        validate('inverseoffers', WEBHOOK_PATHS.inverseOffers, PLURAL.InverseOffer, 'Fail', 'Namespaced', {
          status: false,
          controllerCreates: true,
        }),
        validate('frameworks', WEBHOOK_PATHS.frameworks, PLURAL.Framework, 'Fail', 'Namespaced'),
        validate('resourceroles', WEBHOOK_PATHS.resourceRoles, PLURAL.ResourceRole, 'Ignore', 'Cluster'),
      ],
    },
    mutating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name, labels, ...annotations },
      webhooks: [mutate],
    },
  };
}

/**
 * Creates or replaces both configurations; returns the owners recorded on those it replaced.
 * Two local processes may register at the same moment: a create that finds the object created
 * meanwhile, or a replace that finds it changed, reads it again and replaces it (409 → retry), so
 * the last writer holds the registration and neither start fails.
 */
export async function registerWebhooks(
  kc: KubeConfig,
  configs: ReturnType<typeof webhookConfigurations>,
): Promise<{ replaced: { configuration: string; owner: LocalOwner | undefined }[] }> {
  const replaced: { configuration: string; owner: LocalOwner | undefined }[] = [];
  const pairs = [
    ['ValidatingWebhookConfiguration', configs.validating],
    ['MutatingWebhookConfiguration', configs.mutating],
  ] as const;
  for (const [kind, body] of pairs) {
    const api = configurationApi(kc, kind);
    const name = body.metadata!.name!;
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = await api.read(name).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        if (existing === undefined) {
          await api.create(body);
        } else {
          await api.replace({ ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
          replaced.push({ configuration: `${kind}/${name}`, owner: ownerOf(existing.metadata?.annotations) });
        }
        break;
      } catch (err) {
        if (!isConflict(err) || attempt >= REGISTER_ATTEMPTS) throw err;
      }
    }
  }
  return { replaced };
}

/** How often a registration that races another writer (409) is read and written again. */
const REGISTER_ATTEMPTS = 5;

/**
 * Deletes both configurations (absent ones are fine). With `owner`, only what that owner registered:
 * a configuration another process has since replaced is left to it.
 */
export async function unregisterWebhooks(
  kc: KubeConfig,
  name = DEFAULT_CONFIGURATION_NAME,
  opts: { owner?: LocalOwner } = {},
): Promise<{ removed: string[]; left: string[] }> {
  const removed: string[] = [];
  const left: string[] = [];
  for (const kind of CONFIGURATION_KINDS) {
    const api = configurationApi(kc, kind);
    try {
      if (opts.owner === undefined) {
        await api.delete(name);
      } else {
        const existing = await api.read(name);
        if (!sameOwner(ownerOf(existing.metadata?.annotations), opts.owner)) {
          left.push(`${kind}/${name}`);
          continue;
        }
        await api.delete(name, existing.metadata?.resourceVersion);
      }
      removed.push(`${kind}/${name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return { removed, left };
}

export interface RegistrationOwner {
  /** `ValidatingWebhookConfiguration/agora-local` */
  configuration: string;
  owner: LocalOwner | undefined;
  state: OwnerState;
}

/**
 * Removes Agora's webhook configurations whose recorded owner ran on this host and has exited
 * (killed before it could unregister), and reports every Agora configuration's owner. Those with no
 * owner recorded (the chart's, or from an older version) and those of other hosts are left alone.
 */
export async function removeStaleRegistrations(
  kc: KubeConfig,
  opts: { host?: string; probe?: ProcessProbe } = {},
): Promise<{ removed: RegistrationOwner[]; kept: RegistrationOwner[] }> {
  const host = opts.host ?? hostname();
  const probe = opts.probe ?? probeProcess;
  const labelSelector = Object.entries(REGISTRATION_LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const removed: RegistrationOwner[] = [];
  const kept: RegistrationOwner[] = [];
  for (const kind of CONFIGURATION_KINDS) {
    const api = configurationApi(kc, kind);
    for (const item of await api.list(labelSelector)) {
      const name = item.metadata?.name ?? '';
      const owner = ownerOf(item.metadata?.annotations);
      const entry = { configuration: `${kind}/${name}`, owner, state: ownerState(owner, host, probe) };
      if (entry.state !== 'gone') {
        kept.push(entry);
        continue;
      }
      try {
        // Preconditioned on what was judged: a registration replaced meanwhile is someone's again.
        await api.delete(name, item.metadata?.resourceVersion);
        removed.push(entry);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
  return { removed, kept };
}

/**
 * Who holds the local registration `name` now, as seen by `self`: itself, another process that
 * still runs (or one it cannot judge: another host, no owner recorded), or nobody — absent, or
 * recorded as owned by a process of this host that has exited.
 */
export async function registrationHolder(
  kc: KubeConfig,
  name: string,
  self: LocalOwner,
  probe: ProcessProbe = probeProcess,
): Promise<'self' | 'other' | 'nobody'> {
  let owner: LocalOwner | undefined;
  try {
    owner = ownerOf((await configurationApi(kc, 'ValidatingWebhookConfiguration').read(name)).metadata?.annotations);
  } catch (err) {
    if (isNotFound(err)) return 'nobody';
    throw err;
  }
  if (sameOwner(owner, self)) return 'self';
  return ownerState(owner, self.host, probe) === 'gone' ? 'nobody' : 'other';
}

const CONFIGURATION_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'] as const;

type ConfigurationKind = (typeof CONFIGURATION_KINDS)[number];
type ConfigurationObject = V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration;

/** The calls both kinds need, so the logic above is written once. */
function configurationApi(kc: KubeConfig, kind: ConfigurationKind) {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const validating = kind === 'ValidatingWebhookConfiguration';
  const body = (resourceVersion: string | undefined) =>
    resourceVersion === undefined ? {} : { body: { preconditions: { resourceVersion } } };
  return {
    read: (name: string): Promise<ConfigurationObject> =>
      validating ? api.readValidatingWebhookConfiguration({ name }) : api.readMutatingWebhookConfiguration({ name }),
    create: async (body: ConfigurationObject): Promise<void> => {
      if (validating) await api.createValidatingWebhookConfiguration({ body: body as V1ValidatingWebhookConfiguration });
      else await api.createMutatingWebhookConfiguration({ body: body as V1MutatingWebhookConfiguration });
    },
    replace: async (body: ConfigurationObject): Promise<void> => {
      const name = body.metadata!.name!;
      if (validating) await api.replaceValidatingWebhookConfiguration({ name, body: body as V1ValidatingWebhookConfiguration });
      else await api.replaceMutatingWebhookConfiguration({ name, body: body as V1MutatingWebhookConfiguration });
    },
    list: async (labelSelector: string): Promise<ConfigurationObject[]> =>
      (validating
        ? await api.listValidatingWebhookConfiguration({ labelSelector })
        : await api.listMutatingWebhookConfiguration({ labelSelector })
      ).items,
    delete: async (name: string, resourceVersion?: string): Promise<void> => {
      if (validating) await api.deleteValidatingWebhookConfiguration({ name, ...body(resourceVersion) });
      else await api.deleteMutatingWebhookConfiguration({ name, ...body(resourceVersion) });
    },
  };
}
