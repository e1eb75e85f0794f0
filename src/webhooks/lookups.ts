// AdmissionLookups over the Kubernetes API. Reads go straight to the API server (no informer
// cache): an admission decision must not rest on a stale Framework. SubjectAccessReview answers
// alone may be reused, for a few seconds, through an AccessReviewCache (see there for the bound
// that puts on an RBAC revocation).
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi, SchedulingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { withConnectionReuse } from '../api/kubeconfig.ts';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import { isNotFound } from '../api/errors.ts';
import type { FrameworkObject } from '../api/objects.ts';
import type { LabelSelector } from '../api/selector.ts';
import { roleObjectName, roleOfObject } from '../api/role-names.ts';
import { parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import type { AccessDecision, AccessReviewCache, AccessReviewSpec } from './access-review-cache.ts';
import type { AdmissionLookups } from './handlers.ts';
import type { FrameworkIdentity, UserInfo } from './identity.ts';

/** Up to this many accepted tasks are checked by name; more, with one list. */
const MAX_TASK_GETS = 8;

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Each ResourceRole's guarantee, by role name (roles without one left out). */
export function guaranteesOf(
  roles: readonly { metadata?: { name?: string }; spec?: { guarantee?: Record<string, unknown> } }[],
): Map<string, ResourceList> {
  const out = new Map<string, ResourceList>();
  for (const r of roles) {
    if (r.metadata?.name !== undefined && r.spec?.guarantee !== undefined)
      out.set(roleOfObject(r.metadata.name), parseResourceListLenient(r.spec.guarantee));
  }
  return out;
}

export function kubeLookups(client: KubeConfig, opts: { accessReviews?: AccessReviewCache } = {}): AdmissionLookups {
  const kc = withConnectionReuse(client);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const scheduling = kc.makeApiClient(SchedulingV1Api);
  const identity = (fw: FrameworkObject): FrameworkIdentity => ({
    name: fw.metadata?.name ?? '',
    ...(fw.spec?.serviceAccountName ? { serviceAccountName: fw.spec.serviceAccountName } : {}),
    ...(fw.spec?.capabilities ? { capabilities: fw.spec.capabilities } : {}),
  });

  const access = (user: UserInfo, resourceAttributes: AccessReviewSpec['resourceAttributes']): Promise<AccessDecision> => {
    const spec: AccessReviewSpec = { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, resourceAttributes };
    const ask = async (): Promise<AccessDecision> => {
      const review = await authz.createSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
      });
      return { allowed: review.status?.allowed === true, ...(review.status?.reason ? { reason: review.status.reason } : {}) };
    };
    return opts.accessReviews ? opts.accessReviews.review(spec, ask) : ask();
  };

  return {
    async getFramework(namespace, name) {
      if (name === '') return undefined;
      const fw = (await orUndefined(
        custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework, name }),
      )) as FrameworkObject | undefined;
      return fw === undefined ? undefined : identity(fw);
    },

    async frameworksOfServiceAccount(namespace, serviceAccount) {
      // From the API server's watch cache (resourceVersion 0): a consistent list waits on etcd and
      // costs ~80 ms under write load. Only the "another framework's ServiceAccount" rule reads
      // this; the offer's own framework is read consistently.
      const list = (await custom.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL.Framework,
        resourceVersion: '0',
      })) as { items?: FrameworkObject[] };
      return (list.items ?? []).filter((fw) => fw.spec?.serviceAccountName === serviceAccount).map((fw) => fw.metadata?.name ?? '');
    },

    async namespaceLabels(namespace) {
      const ns = await orUndefined(core.readNamespace({ name: namespace }));
      return ns?.metadata?.labels ?? {};
    },

    canCreatePods: (user: UserInfo, namespace) => access(user, { namespace, verb: 'create', group: '', resource: 'pods' }),

    canUseRole: (user: UserInfo, verb, role) =>
      access(user, { verb, group: GROUP, resource: PLURAL.ResourceRole, name: roleObjectName(role) }),

    canImpersonateServiceAccount: (user: UserInfo, namespace, name) =>
      access(user, { namespace, verb: 'impersonate', group: '', resource: 'serviceaccounts', name }),

    async roleNamespaceSelector(role) {
      const found = (await orUndefined(
        custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole, name: roleObjectName(role) }),
      )) as { spec?: { namespaceSelector?: LabelSelector } } | undefined;
      return found === undefined ? { exists: false } : { exists: true, selector: found.spec?.namespaceSelector };
    },

    async priorityClassValue(name) {
      return (await orUndefined(scheduling.readPriorityClass({ name })))?.value;
    },

    async roleGuarantees() {
      const list = (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole })) as {
        items?: { metadata?: { name?: string }; spec?: { guarantee?: Record<string, unknown> } }[];
      };
      return guaranteesOf(list.items ?? []);
    },

    async existingTasks(namespace, names) {
      if (names.length > MAX_TASK_GETS) {
        const list = (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Task })) as {
          items?: { metadata?: { name?: string } }[];
        };
        const taken = new Set((list.items ?? []).map((t) => t.metadata?.name));
        return names.filter((n) => taken.has(n));
      }
      const found = await Promise.all(
        names.map(async (name) =>
          (await orUndefined(
            custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Task, name }),
          )) === undefined
            ? undefined
            : name,
        ),
      );
      return found.filter((n): n is string => n !== undefined);
    },
  };
}
