// startWebhooks: the admission server, ready to serve and to register itself with an API server.
// `npm run controller` calls it (local runs: generated certificates, registration against the
// local control plane); the chart runs it with a mounted certificate and its own configurations.
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { AccessReviewCache, type AccessReviewCacheOptions } from './access-review-cache.ts';
import { createHandlers, type AdmissionLookups } from './handlers.ts';
import { DEFAULT_PRIVILEGED, type PrivilegedIdentities } from './identity.ts';
import { currentOwner, ownerAnnotations, ownerState, probeProcess, sameOwner, type LocalOwner } from './local-owner.ts';
import { kubeLookups } from './lookups.ts';
import { cachedLookups } from './cached-lookups.ts';
import {
  registerWebhooks,
  unregisterWebhooks,
  webhookConfigurations,
  DEFAULT_CONFIGURATION_NAME,
  type ConfigurationOptions,
  type WebhookEndpoint,
} from './registration.ts';
import { startServer } from './server.ts';
import { ensureLocalTls } from './tls.ts';
import { systemClock, type Clock } from '../api/clock.ts';

export {
  webhookConfigurations,
  registerWebhooks,
  unregisterWebhooks,
  removeStaleRegistrations,
  DEFAULT_CONFIGURATION_NAME,
} from './registration.ts';
export { WEBHOOK_PATHS } from './handlers.ts';
export { DEFAULT_PRIVILEGED } from './identity.ts';
export { ALLOW_PRIVILEGED_LABEL } from './containers.ts';

export interface WebhookOptions {
  /** The client the webhooks read Frameworks, Namespaces and Tasks and ask SubjectAccessReviews with. */
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** Listen address (default 127.0.0.1; 0.0.0.0 in a Pod). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * The serving certificate. Omitted: a local CA and a certificate for 127.0.0.1/localhost are made
   * (once) in `tlsDir`. In a cluster: the mounted Secret's files (re-read when they change) and the
   * CA for the caBundle.
   */
  tls?: { certFile: string; keyFile: string; caFile?: string };
  tlsDir?: string;
  /**
   * Who acts as the controller (may write any field; not held to the identity and privilege rules).
   * Default: the chart's controller ServiceAccount and the group system:masters, plus — with
   * trustOwnIdentity — whoever kubeConfig authenticates as.
   */
  privileged?: Partial<PrivilegedIdentities>;
  /** Add kubeConfig's own user (found with a SelfSubjectReview) to the privileged usernames. Default true. */
  trustOwnIdentity?: boolean;
  clock?: Clock;
  /** Replaces the API lookups (tests). */
  lookups?: AdmissionLookups;
  /**
   * Answer Framework and Task lookups from watches of these namespaces (undefined: all) instead
   * of asking the API server each time (cached-lookups.ts); `false`: always ask. Default: all.
   */
  cachedLookups?: { namespaces?: readonly string[] } | false;
  /**
   * Reuse SubjectAccessReview answers for a few seconds (default: allowed 10 s, denied 2 s; see
   * access-review-cache.ts); false asks the API server on every review.
   */
  accessReviewCache?: AccessReviewCacheOptions | false;
  registry?: Registry;
  /**
   * How register() describes the endpoint and scope; the endpoint defaults to https://127.0.0.1:<port>.
   * `owner` (default: this process) is recorded on the configurations, so that unregister() removes
   * only its own and a later run can remove them if this process is killed (local-owner.ts).
   */
  registration?: Omit<ConfigurationOptions, 'endpoint' | 'caBundle' | 'annotations'> & {
    endpoint?: WebhookEndpoint;
    caBundle?: string;
    owner?: LocalOwner;
  };
}

export interface RunningWebhooks {
  port: number;
  /** The usernames and groups treated as the controller. */
  privileged: PrivilegedIdentities;
  registry: Registry;
  /** The configurations register() applies. */
  configurations(): ReturnType<typeof webhookConfigurations>;
  /** Creates or replaces the Validating/MutatingWebhookConfigurations (default: with options.kubeConfig). */
  register(kc?: KubeConfig): Promise<void>;
  unregister(kc?: KubeConfig): Promise<void>;
  stop(): Promise<void>;
}

async function ownUsername(kc: KubeConfig): Promise<string | undefined> {
  const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  return review.status?.userInfo?.username;
}

export async function startWebhooks(options: WebhookOptions): Promise<RunningWebhooks> {
  const logger = (options.logger ?? pino({ name: 'agora' })).child({ component: 'webhooks' });
  const usernames = [...(options.privileged?.usernames ?? DEFAULT_PRIVILEGED.usernames)];
  const groups = [...(options.privileged?.groups ?? DEFAULT_PRIVILEGED.groups)];
  if (options.trustOwnIdentity !== false) {
    const own = await ownUsername(options.kubeConfig);
    if (own !== undefined && !usernames.includes(own)) usernames.push(own);
  }
  const privileged: PrivilegedIdentities = { usernames, groups };

  let tls: { certFile: string; keyFile: string };
  let caBundle = options.registration?.caBundle;
  if (options.tls) {
    tls = options.tls;
    if (caBundle === undefined && options.tls.caFile) caBundle = (await import('node:fs')).readFileSync(options.tls.caFile, 'utf8');
  } else {
    const local = await ensureLocalTls({ dir: options.tlsDir });
    tls = local;
    caBundle ??= local.caBundle;
  }

  const registry = options.registry ?? new Registry();
  const cacheLookups = new Counter({
    name: 'agora_webhook_access_review_cache_total',
    help: 'SubjectAccessReview lookups by the admission webhooks, by whether a cached answer served them',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const accessReviews =
    options.accessReviewCache === false
      ? undefined
      : new AccessReviewCache({ onLookup: (result) => cacheLookups.inc({ result }), ...options.accessReviewCache });
  const direct = kubeLookups(options.kubeConfig, { accessReviews });
  const cached =
    options.lookups === undefined && options.cachedLookups !== false
      ? cachedLookups(options.kubeConfig, direct, { namespaces: options.cachedLookups?.namespaces, log: logger })
      : undefined;
  // Not awaited: until the caches sync (or if they cannot list), lookups ask the API server.
  void cached?.start();
  const handlers = createHandlers({
    lookups: options.lookups ?? cached ?? direct,
    privileged,
    clock: options.clock ?? systemClock,
  });
  const server = await startServer({ handlers, tls, host: options.host, port: options.port, logger, registry });
  logger.info({ privileged }, 'admission webhooks ready');

  const owner = options.registration?.owner ?? currentOwner();
  const configurations = () => {
    if (caBundle === undefined) throw new Error('startWebhooks: register() needs the CA: pass tls.caFile or registration.caBundle');
    const { endpoint, owner: _owner, ...rest } = options.registration ?? {};
    return webhookConfigurations({
      controller: privileged,
      ...rest,
      caBundle,
      endpoint: endpoint ?? { url: `https://127.0.0.1:${server.port}` },
      annotations: ownerAnnotations(owner),
    });
  };
  const name = options.registration?.name ?? DEFAULT_CONFIGURATION_NAME;
  return {
    port: server.port,
    privileged,
    registry: server.registry,
    configurations,
    register: async (kc = options.kubeConfig) => {
      const { replaced } = await registerWebhooks(kc, configurations());
      logger.info({ name, port: server.port }, 'registered the webhook configurations');
      for (const r of replaced) {
        if (r.owner === undefined || sameOwner(r.owner, owner)) continue;
        const state = ownerState(r.owner, owner.host, probeProcess);
        if (state === 'gone')
          logger.info(
            { configuration: r.configuration, previousOwner: r.owner },
            'replaced a registration left by a process that has exited',
          );
        else
          logger.warn(
            { configuration: r.configuration, previousOwner: r.owner, state },
            'replaced the registration of another process that may still be running: it no longer receives admission reviews',
          );
      }
    },
    unregister: async (kc = options.kubeConfig) => {
      const { left } = await unregisterWebhooks(kc, name, { owner });
      if (left.length === 0) logger.info({ name }, 'removed the webhook configurations');
      else logger.warn({ name, left }, 'left the webhook configurations to the process that replaced them');
    },
    stop: async () => {
      await server.stop();
      await cached?.stop();
    },
  };
}
