// A Framework's spec.priorityClassName: the Kubernetes PriorityClass its priority maps to. The
// mutating webhook fills spec.priority from the class's value when only the class is given; the
// validator refuses a class that does not exist, a priority that contradicts the class's value,
// and the system-* classes (the API server keeps them for kube-system; the controller, which
// creates the framework's Pods, must not be a way to them for a tenant).
import { DNS_SUBDOMAIN, invalid, specOf, type FieldError } from './field-errors.ts';
import type { JsonPatchOp } from './framework.ts';
import { isSystemPriorityClass } from '../api/pod.ts';

/** The class named by the framework's spec, if it names one we may look up (a well-formed, non-system name). */
export function priorityClassToCheck(framework: unknown): string | undefined {
  const spec = specOf(framework);
  const name = spec.priorityClassName;
  return typeof name === 'string' && DNS_SUBDOMAIN.test(name) && !isSystemPriorityClass(name) ? name : undefined;
}

/**
 * spec.priorityClassName and spec.priority against the class. `value`: the class's value as
 * looked up (undefined: no such class); ignored when no class is named.
 */
export function priorityClassErrors(framework: unknown, value: number | undefined): FieldError[] {
  const spec = specOf(framework);
  const name = spec.priorityClassName;
  if (name === undefined) return [];
  const at = 'spec.priorityClassName';
  if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name))
    return [invalid(at, `must be the name of a PriorityClass, got ${JSON.stringify(name)}`)];
  if (isSystemPriorityClass(name))
    return [
      invalid(
        at,
        `PriorityClass "${name}" is reserved for system components (the API server admits it in kube-system only); use a PriorityClass of your own`,
      ),
    ];
  if (value === undefined) return [invalid(at, `PriorityClass "${name}" does not exist; create it first (kubectl get priorityclasses)`)];
  const priority = spec.priority;
  if (priority !== undefined && priority !== value)
    return [
      invalid(
        'spec.priority',
        `${JSON.stringify(priority)} contradicts spec.priorityClassName "${name}", whose value is ${value}: omit spec.priority (it is filled from the class) or set it to ${value}`,
      ),
    ];
  return [];
}

/** The JSON patch that fills spec.priority from the class's value, when only the class is given. */
export function priorityDefault(framework: unknown, value: number | undefined): JsonPatchOp[] {
  const spec = specOf(framework);
  if (spec.priority !== undefined || value === undefined || priorityClassToCheck(framework) === undefined) return [];
  return [{ op: 'add', path: '/spec/priority', value }];
}
