// AdmissionLookups answered from watches, so that an answer does not wait on the API server:
// under load a consistent GET waits on etcd (seconds, at 1,000 nodes on a busy machine), and a
// review makes several. Kept in memory: Frameworks (name, ServiceAccount and capabilities only)
// and the names of Tasks, of the namespaces the webhooks serve; ResourceRoles (namespaceSelector and
// guarantee); and Namespaces (labels) when the identity may list them — else a namespace's
// labels are read from the API server's watch cache (a list; an identity allowed only to get
// them reads each by name).
//
// Where a cache may lag, it fails safe. A Framework, Namespace or ResourceRole not (yet) in the
// cache is read from the API server. A Task created a moment ago and not yet seen lets an accept
// that reuses its name through admission, but the controller judges every accept again and
// records such a task as a conflict, launching nothing for it. What the watches deliver in
// milliseconds is the one exception: a Framework's ServiceAccount changed (only the Framework's
// own ServiceAccount, or an impersonator of it, may make that change), a namespace's labels or a
// role's namespaceSelector changed, or a ResourceRole deleted, a moment before a review.
// SubjectAccessReviews are asked of the API server (through the AccessReviewCache).
import { CoreV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { LabelSelector } from '../api/selector.ts';
import { roleObjectName } from '../api/role-names.ts';
import type { Logger } from 'pino';
import { isForbidden } from '../api/errors.ts';
import { PLURAL } from '../api/group.ts';
import { namespacedKey } from '../api/keys.ts';
import { customObjectSource, Informer } from '../api/informer.ts';
import type { AdmissionLookups } from './handlers.ts';
import { withConnectionReuse } from '../api/kubeconfig.ts';
import { guaranteesOf } from './lookups.ts';

interface Slim extends KubernetesObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: { serviceAccountName?: string; capabilities?: string[] };
}

/** A ResourceRole as the webhooks read it: its namespaceSelector and guarantee. */
interface SlimRole extends KubernetesObject {
  metadata: { name: string; resourceVersion?: string };
  spec?: { namespaceSelector?: LabelSelector; guarantee?: Record<string, unknown> };
}

/** A Namespace as the webhooks read it: its labels. */
interface SlimNamespace extends KubernetesObject {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> };
}

/** Name, namespace and resourceVersion (what a cache needs), plus the ServiceAccount and capabilities when asked. */
function keep(obj: KubernetesObject, what: { serviceAccount?: boolean }): Slim {
  const m = obj.metadata ?? {};
  const out: Slim = { metadata: { name: m.name ?? '', namespace: m.namespace, resourceVersion: m.resourceVersion } };
  const spec = (obj as { spec?: { serviceAccountName?: string; capabilities?: string[] } }).spec;
  if (what.serviceAccount && spec?.serviceAccountName !== undefined) out.spec = { serviceAccountName: spec.serviceAccountName };
  if (what.serviceAccount && spec?.capabilities !== undefined) out.spec = { ...out.spec, capabilities: spec.capabilities };
  return out;
}

export interface CachedLookups extends AdmissionLookups {
  /** Lists and watches; resolves when every cache has synced. Until then, lookups ask the API. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How many absent roles are remembered (all are forgotten past it: a role named in a review at most costs a GET again). */
const MAX_ABSENT_ROLES = 10_000;

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
  const roles = new Informer<SlimRole>({
    name: `webhook-${PLURAL.ResourceRole}`,
    kc,
    log: opts.log,
    ...customObjectSource<SlimRole>(kc, PLURAL.ResourceRole),
    transform: (o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, resourceVersion: o.metadata.resourceVersion },
      ...(o.spec !== undefined ? { spec: { namespaceSelector: o.spec.namespaceSelector, guarantee: o.spec.guarantee } } : {}),
    }),
  });
  // Namespaces are watched only by an identity that may list them (the chart grants it); else
  // their labels are read per review, as before.
  const namespaceInformer = new Informer<SlimNamespace>({
    name: 'webhook-namespaces',
    kc,
    log: opts.log,
    path: () => '/api/v1/namespaces',
    list: ({ limit, _continue }) => core.listNamespace({ limit, _continue }) as Promise<KubernetesListObject<SlimNamespace>>,
    transform: (o) => ({ metadata: { name: o.metadata.name, resourceVersion: o.metadata.resourceVersion, labels: o.metadata.labels } }),
  });
  // ResourceRoles the API server said do not exist, asked while the watch was running: one made
  // since then comes through the watch, as late as any change to one does and no later. Without
  // this every framework of a role with no ResourceRole (the default role) cost its review a GET.
  const absentRoles = new Set<string>();
  const informers: { synced: boolean; start(): Promise<void>; stop(): Promise<void> }[] = [frameworks, tasks, roles];
  const synced = () => informers.every((i) => i.synced);
  let mayListNamespaces = true;

  return {
    ...fallback,

    async getFramework(namespace, name) {
      if (name === '') return undefined;
      const fw = frameworks.get(namespacedKey(namespace, name));
      if (fw === undefined) return fallback.getFramework(namespace, name);
      return {
        name,
        ...(fw.spec?.serviceAccountName ? { serviceAccountName: fw.spec.serviceAccountName } : {}),
        ...(fw.spec?.capabilities ? { capabilities: fw.spec.capabilities } : {}),
      };
    },

    async frameworksOfServiceAccount(namespace, serviceAccount) {
      if (!frameworks.synced) return fallback.frameworksOfServiceAccount(namespace, serviceAccount);
      return frameworks
        .list()
        .filter((fw) => fw.metadata.namespace === namespace && fw.spec?.serviceAccountName === serviceAccount)
        .map((fw) => fw.metadata.name);
    },

    async roleNamespaceSelector(role) {
      const name = roleObjectName(role);
      const found = roles.synced ? roles.get(name) : undefined;
      if (found !== undefined) return { exists: true, selector: found.spec?.namespaceSelector };
      // Not in the cache: created a moment ago, or absent — the API server says which, once.
      if (roles.synced && absentRoles.has(name)) return { exists: false };
      const answer = await fallback.roleNamespaceSelector(role);
      if (!answer.exists && roles.synced) {
        if (absentRoles.size >= MAX_ABSENT_ROLES) absentRoles.clear();
        absentRoles.add(name);
      }
      return answer;
    },

    async roleGuarantees() {
      if (!roles.synced) return fallback.roleGuarantees();
      return guaranteesOf(roles.list());
    },

    async namespaceLabels(namespace) {
      const watched = namespaceInformer.synced ? namespaceInformer.get(namespace) : undefined;
      if (watched !== undefined) return watched.metadata.labels ?? {};
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
      return names.filter((n) => tasks.get(namespacedKey(namespace, n)) !== undefined);
    },

    async start() {
      // One small list tells whether namespaces may be listed; an informer that may not would retry forever.
      try {
        await core.listNamespace({ limit: 1 });
        informers.push(namespaceInformer);
      } catch (err) {
        if (!isForbidden(err)) throw err;
        mayListNamespaces = false;
        opts.log.info('namespaces may not be listed; reading their labels by name (a read from etcd)');
      }
      await Promise.all(informers.map((i) => i.start()));
      opts.log.info({ synced: synced(), namespaces: namespaces ?? 'all' }, 'admission lookups cached');
    },

    async stop() {
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
