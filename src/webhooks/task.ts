// The Task validator: Tasks are made by the controller from accepted offers; afterwards their spec
// is immutable except a kill request, which the framework (or the controller) may make once.
import { validateContainers } from './containers.ts';
import { controllerMetadataErrors } from './controller-metadata.ts';
import { child, forbidden, invalid, isRecord, jsonEqual, specOf, type FieldError } from './field-errors.ts';
import { actingErrors, type FrameworkIdentity } from './identity.ts';
import { validateTaskResources } from './resource-fields.ts';
import { taskPodErrors } from './task-pod.ts';

export interface KillFacts {
  /** The task's framework; undefined when it does not exist. */
  framework: FrameworkIdentity | undefined;
  /** Other frameworks whose ServiceAccount is the writer. */
  frameworksOfWriter: readonly string[];
}

export interface TaskReview {
  operation: 'CREATE' | 'UPDATE';
  namespace: string;
  task: unknown;
  old?: unknown;
  writer: { username: string; privileged: boolean };
  /** Required when a non-privileged writer requests a kill (see killRequested). */
  facts?: KillFacts;
}

/** True when this write sets spec.kill (it was not set before). */
export function killRequested(operation: 'CREATE' | 'UPDATE', task: unknown, old: unknown): boolean {
  return operation === 'UPDATE' && specOf(task).kill === true && specOf(old).kill !== true;
}

export function validateTask(r: TaskReview): FieldError[] {
  const spec = specOf(r.task);
  if (r.operation === 'CREATE') {
    if (!r.writer.privileged) {
      return [
        forbidden(
          'spec',
          `user "${r.writer.username}" may not create Tasks: tasks are made by the Agora controller from an accepted offer; accept an offer instead`,
        ),
      ];
    }
    const shape = [
      ...validateTaskResources(spec.resources, 'spec.resources').errors,
      ...validateContainers(spec.containers, 'spec.containers'),
    ];
    if (shape.length > 0 || !isRecord(spec.resources) || !Array.isArray(spec.containers)) return shape;
    const { resources, containers, labels, annotations } = spec;
    const name =
      isRecord(r.task) && isRecord(r.task.metadata) && typeof r.task.metadata.name === 'string' ? r.task.metadata.name : undefined;
    return taskPodErrors({ name, resources, containers, labels, annotations }, 'spec', {
      namespace: r.namespace,
      framework: String(spec.framework ?? ''),
      nodeName: String(spec.nodeName ?? ''),
      ...(typeof spec.offer === 'string' ? { offer: spec.offer } : {}),
      baseline: false,
    });
  }
  const old = specOf(r.old);
  const errors: FieldError[] = r.writer.privileged ? [] : controllerMetadataErrors('Task', r.old, r.task, r.writer.username);
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(spec)])].sort()) {
    if (key === 'kill' || jsonEqual(old[key], spec[key])) continue;
    errors.push(
      invalid(
        child('spec', key),
        `a Task's spec is immutable except spec.kill; to change spec.${key}, kill the task and launch a new one from an offer`,
      ),
    );
  }
  if (old.kill === true && spec.kill !== true) errors.push(invalid('spec.kill', 'a kill request cannot be withdrawn'));
  if (errors.length > 0 || r.writer.privileged || !killRequested(r.operation, r.task, r.old)) return errors;
  return actingErrors(r, String(spec.framework ?? ''), 'spec.kill', 'kill this task', 'validateTask');
}
