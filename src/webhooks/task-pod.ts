// The one admission rule for whatever becomes a Pod (an accepted task, a built-in template): build
// the Pod exactly as the controller will (src/api/pod.ts) and check that object — a valid Pod
// (pod-schema.ts) and, unless the namespace opts in, one within the Pod Security baseline
// (pod-security.ts). Errors come back at the task's own fields.
import type { ITask } from '../api/index.ts';
import { podFor } from '../api/pod.ts';
import { PRIVILEGED_OPT_IN } from './containers.ts';
import { forbidden, invalid, isRecord, type FieldError } from './field-errors.ts';
import { podErrors } from './pod-schema.ts';
import { baselineViolations } from './pod-security.ts';

export interface TaskPodContext {
  namespace: string;
  framework: string;
  nodeName: string;
  offer?: string;
  /** The framework's spec.serviceAccountName: the Pod runs as it. */
  serviceAccountName?: string;
  /** Hold the Pod to the Pod Security baseline (a framework's write, in a namespace without the opt-in label). */
  baseline: boolean;
}

/** A task as written in an accept or a template: its name (a template has none), resources, containers, labels, annotations. */
export interface TaskFields {
  name?: string;
  resources: Record<string, unknown>;
  containers: unknown[];
  labels?: unknown;
  annotations?: unknown;
}

const POD_TO_TASK: readonly [string, string][] = [
  ['metadata.labels', 'labels'],
  ['metadata.annotations', 'annotations'],
  ['metadata.name', 'name'],
  ['spec.containers', 'containers'],
];

/** A path in the Pod, as a path at the task (`at`) when the task's field made it. */
export function taskPath(podPath: string, at: string): { path: string; own: boolean } {
  for (const [pod, task] of POD_TO_TASK) {
    if (podPath === pod || podPath.startsWith(`${pod}.`) || podPath.startsWith(`${pod}[`)) {
      const rest = podPath.slice(pod.length);
      // A container's resources are the task's resources.
      const resources = /^\[\d+\]\.resources(\..*)?$/.exec(rest);
      if (task === 'containers' && resources) return { path: `${at}.resources`, own: true };
      return { path: `${at}.${task}${rest}`, own: true };
    }
  }
  return { path: at, own: false };
}

/** The Pod the controller would create for this task, checked; errors at the task's fields under `at`. */
export function taskPodErrors(task: TaskFields, at: string, ctx: TaskPodContext): FieldError[] {
  const spec: ITask['spec'] = {
    framework: ctx.framework,
    nodeName: ctx.nodeName,
    ...(ctx.offer !== undefined ? { offer: ctx.offer } : {}),
    // Shapes checked by the caller (validateTaskResources, validateContainers); values checked below, on the Pod.
    resources: task.resources as ITask['spec']['resources'],
    containers: task.containers as ITask['spec']['containers'],
    ...(isRecord(task.labels) ? { labels: task.labels as Record<string, string> } : {}),
    ...(isRecord(task.annotations) ? { annotations: task.annotations as Record<string, string> } : {}),
  };
  const pod = podFor({
    task: { metadata: { name: task.name ?? 'template', namespace: ctx.namespace, uid: 'admission' }, spec },
    ...(ctx.serviceAccountName ? { serviceAccountName: ctx.serviceAccountName } : {}),
  });
  const where = (podPath: string, message: string, make: typeof invalid) => {
    const { path, own } = taskPath(podPath, at);
    return make(path, own ? message : `the task's Pod${podPath ? ` (${podPath})` : ''}: ${message}`);
  };
  const errors = podErrors(pod).map((e) => where(e.path, e.message, invalid));
  if (errors.length > 0 || !ctx.baseline) return errors;
  return baselineViolations(pod).map((v) =>
    where(v.path, `${v.what} not allowed in namespace "${ctx.namespace}" (${PRIVILEGED_OPT_IN})`, forbidden),
  );
}
