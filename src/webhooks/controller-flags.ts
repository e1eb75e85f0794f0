// The webhooks as `agora controller` runs them, from its flags:
// - in a cluster (the chart passes --webhook-cert-file/--webhook-key-file): serve on 0.0.0.0 with
//   the mounted certificate; the chart owns the webhook configurations, so nothing is registered;
// - locally (no certificate flags): generate a CA and a certificate for 127.0.0.1, serve there and
//   register the configurations against the kubeconfig's API server, removing them on stop — so
//   a local run enforces what the installed chart enforces.
// --webhooks=false (or omitting the webhooks when the caller says so) turns all of it off.
// A local run, with webhooks or without, first removes Agora registrations left on the cluster by
// local processes that have exited (a SIGKILLed controller cannot unregister, and its Fail
// webhooks would block every write to Offers, Tasks and Frameworks). Several local replicas share
// one registration (the last to start holds it); each checks every few seconds and takes it over
// when its holder has exited or removed it, so killing the holder does not leave writes refused.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { isForbidden } from '../api/errors.ts';
import { DEFAULT_PRIVILEGED } from './identity.ts';
import { startWebhooks, type RunningWebhooks } from './index.ts';
import { currentOwner } from './local-owner.ts';
import { registrationHolder, removeStaleRegistrations, type RegistrationOwner } from './registration.ts';
import { waitUntilEnforced } from './probe.ts';

export interface ControllerWebhookFlags {
  /** false turns the webhooks off. */
  webhooks?: boolean;
  'webhook-port'?: string;
  'webhook-cert-file'?: string;
  'webhook-key-file'?: string;
  /** The controller's username (the chart: system:serviceaccount:<ns>:<sa>). */
  'controller-identity'?: string;
}

export interface ControllerWebhooks {
  webhooks: RunningWebhooks;
  /** Unregisters (local runs) and stops the server. */
  stop(): Promise<void>;
}

/** Local runs register under this name, so they never replace an installed chart's configurations. */
export const LOCAL_CONFIGURATION_NAME = 'agora-local';

/** How often a local run checks that a live process holds the shared registration. */
export const LOCAL_TAKEOVER_INTERVAL_MS = 2_000;

/** The port the chart's Service targets when --webhook-port is not given. */
export const IN_CLUSTER_WEBHOOK_PORT = 9443;

function port(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--webhook-port: want a port number 0-65535, got "${text}"`);
  return n;
}

/** Removes registrations whose local owner has exited; returns the others (none if it could not look). */
async function removeStale(kc: KubeConfig, logger: Logger): Promise<RegistrationOwner[]> {
  try {
    const { removed, kept } = await removeStaleRegistrations(kc);
    for (const r of removed)
      logger.info({ configuration: r.configuration, owner: r.owner }, 'removed a webhook configuration left by a process that has exited');
    return kept;
  } catch (err) {
    // In a Pod the controller's RBAC need not cover webhook configurations: nothing local to clean.
    logger[isForbidden(err) ? 'debug' : 'warn'](
      { err: (err as Error).message },
      'could not look for webhook configurations left by exited processes',
    );
    return [];
  }
}

export async function startControllerWebhooks(opts: {
  kubeConfig: KubeConfig;
  logger: Logger;
  flags: ControllerWebhookFlags;
  /** The controller's --namespaces: local registrations then cover only these. */
  namespaces?: readonly string[];
  registry?: Registry;
  /** Name of the local configurations (default agora-local, apart from a chart install's). */
  configurationName?: string;
  /** How often a local run checks that a live process holds the registration (default 2 s). */
  takeoverIntervalMs?: number;
}): Promise<ControllerWebhooks | undefined> {
  const { flags, logger } = opts;
  const localName = opts.configurationName ?? LOCAL_CONFIGURATION_NAME;
  if (flags.webhooks === false) {
    logger.warn('admission webhooks are off (--webhooks=false): offers are answered without identity, fit or privilege checks');
    const kept = await removeStale(opts.kubeConfig, logger);
    const local = kept.find((r) => r.configuration === `ValidatingWebhookConfiguration/${localName}`);
    if (local !== undefined && local.state !== 'alive') {
      logger.warn(
        { configuration: local.configuration, owner: local.owner },
        `a local registration of unknown owner remains; if its server is gone it blocks writes to Offers, Tasks and Frameworks: kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration ${localName}`,
      );
    }
    return undefined;
  }
  const identity = flags['controller-identity'];
  const privileged = { usernames: identity ? [identity] : [...DEFAULT_PRIVILEGED.usernames], groups: [...DEFAULT_PRIVILEGED.groups] };
  const certFile = flags['webhook-cert-file'];
  const keyFile = flags['webhook-key-file'];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--webhook-cert-file and --webhook-key-file go together');

  if (certFile !== undefined && keyFile !== undefined) {
    const webhooks = await startWebhooks({
      kubeConfig: opts.kubeConfig,
      logger,
      registry: opts.registry,
      privileged,
      host: '0.0.0.0',
      port: port(flags['webhook-port'], IN_CLUSTER_WEBHOOK_PORT),
      cachedLookups: { namespaces: opts.namespaces },
      tls: { certFile, keyFile },
    });
    return { webhooks, stop: () => webhooks.stop() };
  }

  const namespaces = opts.namespaces ?? [];
  await removeStale(opts.kubeConfig, logger);
  const webhooks = await startWebhooks({
    kubeConfig: opts.kubeConfig,
    logger,
    registry: opts.registry,
    privileged,
    port: port(flags['webhook-port'], 0),
    cachedLookups: { namespaces },
    registration: {
      name: localName,
      ...(namespaces.length > 0
        ? { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] } }
        : {}),
    },
  });
  await webhooks.register();
  await waitUntilEnforced(opts.kubeConfig, namespaces[0] ?? 'default', 15_000).catch((err: unknown) =>
    logger.warn({ err: (err as Error).message }, 'the API server does not call the webhooks yet'),
  );
  const self = currentOwner();
  let checking: Promise<void> | undefined;
  let stopped = false;
  const takeOver = async () => {
    try {
      if ((await registrationHolder(opts.kubeConfig, localName, self)) !== 'nobody' || stopped) return;
      await webhooks.register();
      logger.info({ name: localName }, 'took over the local webhook registration: its holder has exited or removed it');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not check the local webhook registration');
    }
  };
  const watchdog = setInterval(() => {
    checking ??= takeOver().finally(() => (checking = undefined));
  }, opts.takeoverIntervalMs ?? LOCAL_TAKEOVER_INTERVAL_MS);
  watchdog.unref();
  return {
    webhooks,
    stop: async () => {
      stopped = true;
      clearInterval(watchdog);
      await checking;
      // Unregister first: a Fail webhook left pointing at a stopped server blocks every answer.
      await webhooks
        .unregister()
        .catch((err: unknown) => logger.error({ err: (err as Error).message }, 'could not remove the webhook configurations'));
      await webhooks.stop();
    },
  };
}
