// The Framework validator and defaulter. The built-in template matters for privilege: the
// controller launches copies of it with its own rights, so a template — on create and on every
// change that makes the controller launch more — is held to what the writer could create itself.
import { DEFAULT_REFUSE_SECONDS, MAX_TASKS_PER_ACCEPT } from '../api/group.ts';
import { isRoleName, MAX_ROLE_NAME } from '../api/role-names.ts';
import { validateContainers } from './containers.ts';
import { child, DNS_SUBDOMAIN, invalid, forbidden, isRecord, jsonEqual, specOf, type FieldError } from './field-errors.ts';
import { validateTaskResources } from './resource-fields.ts';
import { taskPodErrors } from './task-pod.ts';
import { validateOfferFilters } from './offer-filters.ts';

/** Defaults the mutating webhook fills in (the CRD schema defaults the same, where it can). */
export const FRAMEWORK_DEFAULTS = {
  role: 'default',
  defaultRefuseSeconds: DEFAULT_REFUSE_SECONDS,
  tasksPerOffer: 1,
} as const;

const MAX_SECONDS = 31_536_000; // one year, as in the CRD

export interface TemplateFacts {
  /** The namespace opts out of the Pod Security baseline (namespaceAllowsPrivileged). */
  allowPrivileged: boolean;
  /** SubjectAccessReview: may the writer create Pods in the namespace? */
  canCreatePods: { allowed: boolean; reason?: string };
}

export interface FrameworkReview {
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  framework: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
  /** Required when launchReviewNeeded() says so. */
  facts?: TemplateFacts;
}

type Obj = Record<string, unknown>;
const builtinOf = (spec: Obj): Obj | undefined => (isRecord(spec.builtin) ? spec.builtin : undefined);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** Whether failed tasks are replaced (restartPolicy OnFailure, the default). */
const replacesFailures = (builtin: Obj): boolean => (builtin.restartPolicy ?? 'OnFailure') === 'OnFailure';

/**
 * Whether a non-privileged write makes the controller create Pods it would not have created
 * before — a (new) template, more tasks or retries, replacing failed tasks (restartPolicy Never to
 * OnFailure), a new identity to run them as, or an end to suppression — so that the writer's own rights (create pods, the Pod Security baseline) are checked.
 */
export function launchReviewNeeded(r: Pick<FrameworkReview, 'operation' | 'framework' | 'old' | 'writer'>): boolean {
  if (r.writer.privileged) return false;
  const spec = specOf(r.framework);
  const builtin = builtinOf(spec);
  if (builtin === undefined || builtin.template === undefined) return false;
  if (r.operation === 'CREATE') return true;
  const old = specOf(r.old);
  const before = builtinOf(old);
  return (
    before === undefined ||
    !jsonEqual(before.template, builtin.template) ||
    old.serviceAccountName !== spec.serviceAccountName ||
    num(builtin.tasks) > num(before.tasks) ||
    num(builtin.maxRetries) > num(before.maxRetries) ||
    (replacesFailures(builtin) && !replacesFailures(before)) ||
    (old.suppressed === true && spec.suppressed !== true)
  );
}

export function validateFramework(r: FrameworkReview): { errors: FieldError[]; warnings: string[] } {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  if (!isRecord(r.framework) || !isRecord(r.framework.spec)) return { errors: [invalid('spec', 'is required')], warnings };
  const spec = r.framework.spec;

  if (spec.role !== undefined && (typeof spec.role !== 'string' || !isRoleName(spec.role))) {
    errors.push(
      invalid(
        'spec.role',
        `must be lowercase DNS labels joined by "/", at most ${MAX_ROLE_NAME} characters (a role, e.g. "default", "analytics" or "eng/ml/training"), got ${JSON.stringify(spec.role)}`,
      ),
    );
  }
  if (
    spec.serviceAccountName !== undefined &&
    (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName.length > 253 || !DNS_SUBDOMAIN.test(spec.serviceAccountName))
  ) {
    errors.push(
      invalid(
        'spec.serviceAccountName',
        `must be a ServiceAccount name in namespace "${r.namespace}", got ${JSON.stringify(spec.serviceAccountName)}`,
      ),
    );
  }
  errors.push(...validateRoles(spec));
  errors.push(...seconds(spec.failoverTimeoutSeconds, 'spec.failoverTimeoutSeconds', { integer: true }));
  errors.push(...seconds(spec.defaultRefuseSeconds, 'spec.defaultRefuseSeconds'));
  errors.push(...validateOfferFilters(spec).errors);

  const builtin = builtinOf(spec);
  if (spec.builtin !== undefined && builtin === undefined) errors.push(invalid('spec.builtin', 'must be an object'));
  if (builtin !== undefined) {
    if (spec.failoverTimeoutSeconds !== undefined)
      warnings.push('spec.failoverTimeoutSeconds is ignored for a built-in framework (spec.builtin is set)');
    errors.push(...count(builtin.tasks, 'spec.builtin.tasks', 0, 100_000));
    errors.push(...count(builtin.tasksPerOffer, 'spec.builtin.tasksPerOffer', 1, MAX_TASKS_PER_ACCEPT));
    errors.push(...count(builtin.maxRetries, 'spec.builtin.maxRetries', 0, 1000));
    errors.push(...seconds(builtin.refuseSeconds, 'spec.builtin.refuseSeconds'));
    errors.push(...seconds(builtin.backoffSeconds, 'spec.builtin.backoffSeconds', { max: 3600 }));
    const tasks = typeof builtin.tasks === 'number' ? builtin.tasks : 0;
    if (typeof builtin.tasksPerOffer === 'number' && tasks > 0 && builtin.tasksPerOffer > tasks) {
      warnings.push(
        `spec.builtin.tasksPerOffer (${builtin.tasksPerOffer}) is more than spec.builtin.tasks (${tasks}); at most ${tasks} will run`,
      );
    }
    errors.push(...templateErrors(r, builtin, tasks));
  }
  return { errors, warnings };
}

function templateErrors(r: FrameworkReview, builtin: Obj, tasks: number): FieldError[] {
  const at = 'spec.builtin.template';
  const template = builtin.template;
  if (template === undefined)
    return tasks > 0
      ? [invalid(at, `is required when spec.builtin.tasks > 0 (it is ${tasks}): give the resources and containers of one task`)]
      : [];
  if (!isRecord(template)) return [invalid(at, 'must be an object with resources and containers')];
  const errors: FieldError[] = [];
  const review = launchReviewNeeded(r);
  if (review) {
    if (r.facts === undefined) throw new Error('validateFramework: facts are required to review a template');
    if (!r.facts.canCreatePods.allowed) {
      errors.push(
        forbidden(
          at,
          `user "${r.writer.username}" may not create pods in namespace "${r.namespace}", so it may not give the built-in scheduler a task template to launch there (grant it "create pods" in the namespace)`,
        ),
      );
    }
  }
  const shape = [
    ...validateTaskResources(template.resources, child(at, 'resources')).errors,
    ...validateContainers(template.containers, child(at, 'containers')),
  ];
  errors.push(...shape);
  if (shape.length > 0 || !isRecord(template.resources) || !Array.isArray(template.containers)) return errors;
  const { resources, containers, labels, annotations } = template;
  const metadata = isRecord(r.framework) && isRecord(r.framework.metadata) ? r.framework.metadata : {};
  const spec = specOf(r.framework);
  errors.push(
    ...taskPodErrors({ resources, containers, labels, annotations }, at, {
      namespace: r.namespace,
      framework: typeof metadata.name === 'string' ? metadata.name : 'framework',
      nodeName: 'node',
      ...(typeof spec.serviceAccountName === 'string' ? { serviceAccountName: spec.serviceAccountName } : {}),
      baseline: review && !(r.facts?.allowPrivileged ?? false),
    }),
  );
  return errors;
}

function count(v: unknown, path: string, min: number, max: number): FieldError[] {
  if (v === undefined) return [];
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    return [invalid(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`)];
  return [];
}

function seconds(v: unknown, path: string, opts: { integer?: boolean; max?: number } = {}): FieldError[] {
  if (v === undefined) return [];
  const max = opts.max ?? MAX_SECONDS;
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= max && (!opts.integer || Number.isInteger(v));
  return ok
    ? []
    : [invalid(path, `must be ${opts.integer ? 'a whole' : 'a'} number of seconds from 0 to ${max}, got ${JSON.stringify(v)}`)];
}

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The defaults missing from a Framework, as a JSON patch: spec.role, spec.defaultRefuseSeconds,
 * spec.builtin.tasksPerOffer, and spec.builtin.refuseSeconds (from spec.defaultRefuseSeconds, so
 * the built-in scheduler's refusal is visible on the object).
 */
export function frameworkDefaults(framework: unknown): JsonPatchOp[] {
  if (!isRecord(framework) || !isRecord(framework.spec)) return [];
  const spec = framework.spec;
  const ops: JsonPatchOp[] = [];
  if ((spec.role === undefined || spec.role === '') && spec.roles === undefined)
    ops.push({ op: 'add', path: '/spec/role', value: FRAMEWORK_DEFAULTS.role });
  const refuse = typeof spec.defaultRefuseSeconds === 'number' ? spec.defaultRefuseSeconds : FRAMEWORK_DEFAULTS.defaultRefuseSeconds;
  if (spec.defaultRefuseSeconds === undefined) ops.push({ op: 'add', path: '/spec/defaultRefuseSeconds', value: refuse });
  const builtin = builtinOf(spec);
  if (builtin !== undefined) {
    if (builtin.tasksPerOffer === undefined)
      ops.push({ op: 'add', path: '/spec/builtin/tasksPerOffer', value: FRAMEWORK_DEFAULTS.tasksPerOffer });
    if (builtin.refuseSeconds === undefined) ops.push({ op: 'add', path: '/spec/builtin/refuseSeconds', value: refuse });
  }
  return ops;
}

/** spec.roles (Mesos's MULTI_ROLE): role names, no duplicates, not with spec.role; spec.suppressedRoles among them. */
function validateRoles(spec: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const roles = spec.roles;
  if (roles !== undefined) {
    if (!Array.isArray(roles) || roles.length === 0) {
      errors.push(invalid('spec.roles', 'must be a non-empty list of roles, e.g. ["analytics", "eng/ml"]'));
    } else {
      if (spec.role !== undefined)
        errors.push(invalid('spec.roles', 'spec.role and spec.roles are mutually exclusive: list every role in spec.roles'));
      const seen = new Set<unknown>();
      roles.forEach((role: unknown, i) => {
        const at = child('spec.roles', i);
        if (typeof role !== 'string' || !isRoleName(role)) {
          errors.push(
            invalid(at, `must be lowercase DNS labels joined by "/", at most ${MAX_ROLE_NAME} characters, got ${JSON.stringify(role)}`),
          );
        } else if (seen.has(role)) errors.push(invalid(at, `duplicate role ${JSON.stringify(role)}`));
        seen.add(role);
      });
    }
  }
  const suppressed = spec.suppressedRoles;
  if (suppressed !== undefined) {
    const mine = Array.isArray(roles) ? roles : [typeof spec.role === 'string' ? spec.role : FRAMEWORK_DEFAULTS.role];
    if (!Array.isArray(suppressed)) errors.push(invalid('spec.suppressedRoles', "must be a list of the framework's roles"));
    else
      suppressed.forEach((role: unknown, i) => {
        if (!mine.includes(role))
          errors.push(
            invalid(
              child('spec.suppressedRoles', i),
              `must be one of the framework's roles (${mine.map((r) => JSON.stringify(r)).join(', ')}), got ${JSON.stringify(role)}`,
            ),
          );
      });
  }
  return errors;
}
