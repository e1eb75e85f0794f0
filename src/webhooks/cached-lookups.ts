// AdmissionLookups answered from watches, so that an answer to an offer does not wait on the API
// server: under load a consistent GET waits on etcd, and an accept makes several. Kept in
// memory: Frameworks (name and ServiceAccount only) and the names of Tasks, of the namespaces
// the webhooks serve; a namespace's labels are read from the API server's watch cache (a list,
// which needs `list namespaces`; an identity allowed only to get them reads each by name).
//
// Where a cache may lag, it fails safe. A Framework or Namespace not (yet) in the cache is read
// from the API server. A Task created a moment ago and not yet seen lets an accept that reuses
// its name through admission, but the controller judges every accept again and records such a
// task as a conflict, launching nothing for it. A Framework's ServiceAccount that changed a
// moment ago is the one exception: the watch delivers the change in milliseconds, and only the
// Framework's own ServiceAccount (or an impersonator of it: the Framework webhook) may make it.
// SubjectAccessReviews and ResourceRoles are asked of the API server (reviews through the
// AccessReviewCache).
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isForbidden } from '../api/errors.ts';
import { PLURAL } from '../api/group.ts';
import { customObjectSource, Informer } from '../api/informer.ts';
import type { AdmissionLookups } from './handlers.ts';
import { withConnectionReuse } from '../api/kubeconfig.ts';

interface Slim extends KubernetesObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: { serviceAccountName?: string };
}

/** Name, namespace and resourceVersion (what a cache needs), plus the ServiceAccount when asked. */
function keep(obj: KubernetesObject, what: { serviceAccount?: boolean }): Slim {
  const m = obj.metadata ?? {};
  const out: Slim = { metadata: { name: m.name ?? '', namespace: m.namespace, resourceVersion: m.resourceVersion } };
  const sa = (obj as { spec?: { serviceAccountName?: string } }).spec?.serviceAccountName;
  if (what.serviceAccount && sa !== undefined) out.spec = { serviceAccountName: sa };
  return out;
}

export interface CachedLookups extends AdmissionLookups {
  /** Lists and watches; resolves when every cache has synced. Until then, lookups ask the API. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function cachedLookups(
  kc: KubeConfig,
  fallback: AdmissionLookups,
  opts: { namespaces?: readonly string[]; log: Logger },
): CachedLookups {
  const core = withConnectionReuse(kc).makeApiClient(CoreV1Api);
  const namespaces = opts.namespaces !== undefined && opts.namespaces.length > 0 ? opts.namespaces : undefined;
  const agora = (plural: string, what: { serviceAccount?: boolean }) =>
    new Informer<Slim>({
      name: `webhook-${plural}`,
      kc,
      log: opts.log,
      namespaces,
      ...customObjectSource<Slim>(kc, plural),
      transform: (o) => keep(o, what),
    });
  const frameworks = agora(PLURAL.Framework, { serviceAccount: true });
  const tasks = agora(PLURAL.Task, {});
  const informers = [frameworks, tasks];
  const synced = () => informers.every((i) => i.synced);
  let mayListNamespaces = true;

  return {
    ...fallback,

    async getFramework(namespace, name) {
      if (name === '') return undefined;
      const fw = frameworks.get(`${namespace}/${name}`);
      if (fw === undefined) return fallback.getFramework(namespace, name);
      return { name, ...(fw.spec?.serviceAccountName ? { serviceAccountName: fw.spec.serviceAccountName } : {}) };
    },

    async frameworksOfServiceAccount(namespace, serviceAccount) {
      if (!frameworks.synced) return fallback.frameworksOfServiceAccount(namespace, serviceAccount);
      return frameworks
        .list()
        .filter((fw) => fw.metadata.namespace === namespace && fw.spec?.serviceAccountName === serviceAccount)
        .map((fw) => fw.metadata.name);
    },

    async namespaceLabels(namespace) {
      if (!mayListNamespaces) return fallback.namespaceLabels(namespace);
      try {
        // From the API server's watch cache (resourceVersion 0): no wait on etcd, milliseconds stale.
        const list = await core.listNamespace({ fieldSelector: `metadata.name=${namespace}`, resourceVersion: '0' });
        return list.items[0]?.metadata?.labels ?? {};
      } catch (err) {
        if (!isForbidden(err)) throw err;
        // An identity allowed to get namespaces but not to list them: read each one by name.
        mayListNamespaces = false;
        opts.log.info('namespaces may not be listed; reading their labels by name (a read from etcd)');
        return fallback.namespaceLabels(namespace);
      }
    },

    async existingTasks(namespace, names) {
      if (!tasks.synced) return fallback.existingTasks(namespace, names);
      return names.filter((n) => tasks.get(`${namespace}/${n}`) !== undefined);
    },

    async start() {
      await Promise.all(informers.map((i) => i.start()));
      opts.log.info({ synced: synced(), namespaces: namespaces ?? 'all' }, 'admission lookups cached');
    },

    async stop() {
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
