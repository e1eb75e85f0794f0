// Pure: the Pod that runs a Task — built here, in the shared layer, so that the controller
// creates and the webhooks validate the very same object. Bound to the Task's node (spec.nodeName: no scheduler
// involved), requests = limits = the task's resources, labelled and annotated so Pod, Task,
// Offer and Framework find each other, and owned by the Task (deleting the Task deletes it).
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { API_VERSION, LABEL } from './group.ts';
import type { ITask } from './generated/agora.dev/v1alpha1/index.ts';

export const MANAGED_BY = 'agora';

/** The Pod's name: the Task's (a Task's Pod is found by name; the pair is unique per namespace). */
export function podNameFor(taskName: string): string {
  return taskName;
}

export interface PodTemplateInput {
  task: Pick<ITask, 'spec'> & { metadata: { name: string; namespace: string; uid?: string } };
  /** The framework's spec.serviceAccountName, if any: the Pod runs with its permissions. */
  serviceAccountName?: string;
  /**
   * The framework's spec.priorityClassName, if any: the Pod names it and the API server gives it
   * the class's value. A system-* class is never put on a Pod (see isSystemPriorityClass).
   */
  priorityClassName?: string;
}

/**
 * The PriorityClasses Kubernetes keeps for its own components (system-cluster-critical,
 * system-node-critical, and any other system- name): a tenant's framework may not name one, and
 * the controller, which creates its Pods, is no way around that.
 */
export function isSystemPriorityClass(name: string): boolean {
  return name.startsWith('system-');
}

export function podFor({ task, serviceAccountName, priorityClassName }: PodTemplateInput): V1Pod {
  const { spec, metadata } = task;
  const resources = Object.fromEntries(Object.entries(spec.resources).map(([k, v]) => [k, String(v)]));
  const containers = (spec.containers as V1Container[]).map((c, i) => {
    const out: V1Container = { ...c };
    // The task's resources belong to the first container; the others get none of their own
    // (so the Pod's requests are exactly the task's).
    if (i === 0) out.resources = { requests: resources, limits: resources };
    else delete out.resources;
    return out;
  });
  const labels: Record<string, string> = {
    ...(spec.labels ?? {}),
    [LABEL.framework]: spec.framework,
    [LABEL.task]: metadata.name,
    [LABEL.managedBy]: MANAGED_BY,
  };
  if (spec.offer !== undefined && spec.offer.length <= 63) labels[LABEL.offer] = spec.offer;
  // Says what Agora knows, whatever the task's own labels say.
  if (spec.revocable === true) labels[LABEL.revocable] = 'true';
  else delete labels[LABEL.revocable];
  const annotations: Record<string, string> = { ...(spec.annotations ?? {}) };
  if (spec.offer !== undefined) annotations[LABEL.offer] = spec.offer;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podNameFor(metadata.name),
      namespace: metadata.namespace,
      labels,
      annotations,
      ownerReferences: [
        { apiVersion: API_VERSION, kind: 'Task', name: metadata.name, uid: metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      nodeName: spec.nodeName,
      restartPolicy: 'Never',
      ...(serviceAccountName ? { serviceAccountName } : {}),
      ...(priorityClassName && !isSystemPriorityClass(priorityClassName) ? { priorityClassName } : {}),
      containers,
    },
  };
}
