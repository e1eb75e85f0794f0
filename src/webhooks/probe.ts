// Waiting until the API server actually calls the webhooks: it picks up a new configuration
// asynchronously, so "registered" is not yet "enforced".
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../api/group.ts';
import { systemClock, type Clock } from '../api/clock.ts';

/**
 * Dry-run creates, in `namespace` (a namespace the webhooks cover), a Framework whose template has
 * a field no container has, until the frameworks webhook rejects it; nothing is stored. A Framework,
 * not an Offer: the registration does not send the controller's own creates of Offers, Tasks and
 * InverseOffers to the webhook (a matchCondition on its identity), and the probe's writer is often
 * that identity. The webhooks are one configuration object, so the API server takes them up together.
 */
export async function waitUntilEnforced(kc: KubeConfig, namespace: string, timeoutMs = 30_000, clock: Clock = systemClock): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const body = {
    apiVersion: API_VERSION,
    kind: 'Framework',
    metadata: { generateName: 'agora-webhook-probe-' },
    spec: {
      builtin: {
        tasks: 0,
        template: { resources: { cpu: '1' }, containers: [{ name: 'probe', image: 'probe', 'agora-webhook-probe': true }] },
      },
    },
  };
  const deadline = clock.now() + timeoutMs;
  let last = 'the probe was admitted';
  for (;;) {
    try {
      await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework, body, dryRun: 'All' });
    } catch (err) {
      last = String((err as { body?: unknown }).body ?? err);
      if (last.includes(`admission webhook \\"frameworks.${GROUP}\\"`) || last.includes(`admission webhook "frameworks.${GROUP}"`)) return;
    }
    if (clock.now() > deadline)
      throw new Error(`the admission webhooks are not enforced in namespace ${namespace} after ${timeoutMs}ms (${last})`);
    await sleep(100);
  }
}
