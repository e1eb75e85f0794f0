// Throwaway namespaces on the local cluster (tests, benchmarks). Agora puts a cleanup finalizer on
// Frameworks; once the controller that would run it is stopped, nothing removes it and the
// namespace would stay Terminating forever on a reused cluster — so deleting one also drops them.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';

export async function deleteScratchNamespace(kc: KubeConfig, namespace: string): Promise<void> {
  await kc
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace, propagationPolicy: 'Background' })
    .catch(() => undefined);
  const api = kc.makeApiClient(CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  for (const plural of [PLURAL.Framework, PLURAL.Task, PLURAL.Offer]) {
    const list = (await api
      .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
      .catch(() => ({ items: [] }))) as {
      items: { metadata: { name: string; finalizers?: string[] } }[];
    };
    for (const o of list.items.filter((i) => (i.metadata.finalizers ?? []).length > 0)) {
      await api
        .patchNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural, name: o.metadata.name, body: { metadata: { finalizers: null } } },
          merge,
        )
        .catch(() => undefined);
    }
  }
}
