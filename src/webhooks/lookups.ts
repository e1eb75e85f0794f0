// AdmissionLookups over the Kubernetes API. Reads go straight to the API server (no cache): an
// admission decision must not rest on a stale Framework or a revoked permission.
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import type { AdmissionLookups } from './handlers.ts';
import type { FrameworkIdentity, UserInfo } from './identity.ts';

interface FrameworkObject {
  metadata?: { name?: string };
  spec?: { serviceAccountName?: string };
}

const isNotFound = (err: unknown): boolean => (err as { code?: number }).code === 404;

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function kubeLookups(kc: KubeConfig): AdmissionLookups {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const identity = (fw: FrameworkObject): FrameworkIdentity => ({
    name: fw.metadata?.name ?? '',
    ...(fw.spec?.serviceAccountName ? { serviceAccountName: fw.spec.serviceAccountName } : {}),
  });

  return {
    async getFramework(namespace, name) {
      if (name === '') return undefined;
      const fw = (await orUndefined(custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework, name }))) as FrameworkObject | undefined;
      return fw === undefined ? undefined : identity(fw);
    },

    async frameworksOfServiceAccount(namespace, serviceAccount) {
      const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework })) as { items?: FrameworkObject[] };
      return (list.items ?? []).filter((fw) => fw.spec?.serviceAccountName === serviceAccount).map((fw) => fw.metadata?.name ?? '');
    },

    async namespaceLabels(namespace) {
      const ns = await orUndefined(core.readNamespace({ name: namespace }));
      return ns?.metadata?.labels ?? {};
    },

    async canCreatePods(user: UserInfo, namespace) {
      const review = await authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            uid: user.uid,
            groups: user.groups,
            extra: user.extra,
            resourceAttributes: { namespace, verb: 'create', group: '', resource: 'pods' },
          },
        },
      });
      return { allowed: review.status?.allowed === true, ...(review.status?.reason ? { reason: review.status.reason } : {}) };
    },

    async existingTasks(namespace, names) {
      const found = await Promise.all(names.map(async (name) =>
        (await orUndefined(custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Task, name }))) === undefined ? undefined : name));
      return found.filter((n): n is string => n !== undefined);
    },
  };
}
