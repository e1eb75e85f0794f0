// Helpers for integration tests: a client for the local cluster and a namespace per test file.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { deleteScratchNamespace } from '../../../scripts/cluster/namespaces.ts';
import { afterAll, beforeAll, inject } from 'vitest';

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfig'));
  return kc;
}

/** Creates a fresh namespace before the file's tests and deletes it after them. */
export function useNamespace(prefix: string): { readonly name: string } {
  const ns = { name: `${prefix}-${randomBytes(3).toString('hex')}` };
  beforeAll(async () => {
    await kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: ns.name, labels: { 'agora.dev/test': 'true' } } } });
  });
  afterAll(async () => {
    // The file's controller is stopped by now: this also drops Agora's finalizers.
    await deleteScratchNamespace(kubeConfig(), ns.name);
  });
  return ns;
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(200);
  }
}

/** The message of a rejected API call (the Status object's message), or '' if it succeeded. */
export async function rejection(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return '';
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    return parsed?.message ?? String(err);
  }
}

export const custom = (kc = kubeConfig()) => kc.makeApiClient(CustomObjectsApi);

/** A kubeconfig authenticated only by a real token of the ServiceAccount (as a framework's own process has). */
export async function tokenKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const tr = await kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...kubeConfig().getCurrentCluster()!, name: 'local' }],
    users: [{ name, token: tr.status!.token }],
    contexts: [{ name, cluster: 'local', user: name, namespace }],
    currentContext: name,
  });
  return kc;
}
