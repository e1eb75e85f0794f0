// Waiting until the API server actually calls the webhooks: it picks up a new configuration
// asynchronously, so "registered" is not yet "enforced".
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../api/group.ts';
import { systemClock, type Clock } from '../api/clock.ts';

/**
 * Dry-run creates an over-accepted Offer in `namespace` (a namespace the webhooks cover) until the
 * offers webhook rejects it. Nothing is stored.
 */
export async function waitUntilEnforced(kc: KubeConfig, namespace: string, timeoutMs = 30_000, clock: Clock = systemClock): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const body = {
    apiVersion: API_VERSION,
    kind: 'Offer',
    metadata: { generateName: 'agora-webhook-probe-' },
    spec: {
      framework: 'probe',
      nodeName: 'probe',
      resources: { cpu: '1' },
      accept: { tasks: [{ name: 'probe', resources: { cpu: '2' }, containers: [{ name: 'probe', image: 'probe' }] }] },
    },
  };
  const deadline = clock.now() + timeoutMs;
  let last = 'the probe was admitted';
  for (;;) {
    try {
      await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Offer, body, dryRun: 'All' });
    } catch (err) {
      last = String((err as { body?: unknown }).body ?? err);
      if (last.includes(`admission webhook \\"offers.${GROUP}\\"`) || last.includes(`admission webhook "offers.${GROUP}"`)) return;
    }
    if (clock.now() > deadline)
      throw new Error(`the offers webhook is not enforced in namespace ${namespace} after ${timeoutMs}ms (${last})`);
    await sleep(100);
  }
}
