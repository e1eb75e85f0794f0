// Task containers: the CRDs keep unknown container fields (a container is "as in a Pod"), so the
// webhook is where they are checked — that they are Container fields at all, that they are
// well-formed enough to become a Pod; the Pod built from them is then checked whole (task-pod.ts).
import { child, invalid, isRecord, type FieldError } from './field-errors.ts';

/** The namespace label that lets tasks in it run privileged containers, host ports and the like. */
export const ALLOW_PRIVILEGED_LABEL = 'agora.dev/allow-privileged';
/** Pod Security admission's enforced level: `privileged` lets anyone able to create a Pod there create any Pod. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Whether a namespace opts out of the Pod Security baseline for tasks: Agora's own label, or Pod
 * Security admission enforcing `privileged` there (a framework could then create such a Pod itself).
 */
export function namespaceAllowsPrivileged(labels: Readonly<Record<string, string>>): boolean {
  return labels[ALLOW_PRIVILEGED_LABEL] === 'true' || labels[POD_SECURITY_ENFORCE_LABEL] === 'privileged';
}

/** What a baseline denial tells the reader to do about it. */
export const PRIVILEGED_OPT_IN = `an administrator can allow it with the namespace label ${ALLOW_PRIVILEGED_LABEL}=true or ${POD_SECURITY_ENFORCE_LABEL}=privileged`;

/** core/v1 Container fields a task may set (resources are set by Agora from the task's resources). */
const CONTAINER_FIELDS = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'imagePullPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
  'resizePolicy',
]);

/** Fields people put on a container that are not container fields, with what to do instead. */
const MISPLACED: Record<string, string> = {
  resources: "is set by Agora from the task's resources; remove it and size the task instead",
  volumeMounts: "cannot be satisfied: a task's Pod has no volumes",
  volumeDevices: "cannot be satisfied: a task's Pod has no volumes",
  restartPolicy: 'applies only to init containers, which tasks do not have',
  serviceAccountName: "is a Pod field, not a container field: a task's Pod runs as its framework's spec.serviceAccountName",
  serviceAccount: "is a Pod field, not a container field: a task's Pod runs as its framework's spec.serviceAccountName",
  volumes: "is a Pod field, not a container field: a task's Pod has no volumes (hostPath is never allowed)",
  hostNetwork: "is a Pod field, not a container field: tasks cannot use the host's network namespace",
  hostPID: "is a Pod field, not a container field: tasks cannot use the host's PID namespace",
  hostIPC: "is a Pod field, not a container field: tasks cannot use the host's IPC namespace",
  nodeName: "is a Pod field, not a container field: a task runs on its offer's node",
  nodeSelector: "is a Pod field, not a container field: a task runs on its offer's node",
  tolerations: "is a Pod field, not a container field: a task runs on its offer's node",
};

const PULL_POLICIES = new Set(['Always', 'IfNotPresent', 'Never']);
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Validates a task's containers: shape, Container fields only (none a task's Pod cannot satisfy),
 * unique names. Types, sizes and privilege are checked on the Pod built from them (task-pod.ts).
 */
export function validateContainers(containers: unknown, path: string): FieldError[] {
  if (!Array.isArray(containers) || containers.length === 0) {
    return [invalid(path, 'must list at least one container, e.g. [{name: main, image: busybox}]')];
  }
  const errors: FieldError[] = [];
  const names = new Map<string, number>();
  containers.forEach((c: unknown, i) => {
    const at = child(path, i);
    if (!isRecord(c)) {
      errors.push(invalid(at, 'must be a container object with a name and an image'));
      return;
    }
    if (typeof c.name === 'string') {
      const first = names.get(c.name);
      if (first !== undefined) errors.push(invalid(child(at, 'name'), `duplicate container name "${c.name}" (also ${child(path, first)})`));
      else names.set(c.name, i);
    }
    errors.push(...validateContainer(c, at));
  });
  return errors;
}

function validateContainer(c: Record<string, unknown>, at: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(c)) {
    if (CONTAINER_FIELDS.has(key)) continue;
    const hint = MISPLACED[key];
    errors.push(
      invalid(
        child(at, key),
        hint ? `${key} ${hint}` : `unknown container field "${key}"; a container takes the fields of a Pod's container`,
      ),
    );
  }
  if (typeof c.name !== 'string' || c.name === '') errors.push(invalid(child(at, 'name'), 'is required'));
  if (typeof c.image !== 'string' || c.image.trim() === '') errors.push(invalid(child(at, 'image'), 'is required, e.g. busybox:1.36'));
  for (const key of ['command', 'args'] as const) {
    if (c[key] !== undefined && !(Array.isArray(c[key]) && c[key].every((s) => typeof s === 'string'))) {
      errors.push(invalid(child(at, key), 'must be a list of strings'));
    }
  }
  if (c.workingDir !== undefined && typeof c.workingDir !== 'string') errors.push(invalid(child(at, 'workingDir'), 'must be a string'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.has(c.imagePullPolicy as string)) {
    errors.push(invalid(child(at, 'imagePullPolicy'), `must be Always, IfNotPresent or Never, got ${JSON.stringify(c.imagePullPolicy)}`));
  }
  errors.push(...validateEnv(c.env, child(at, 'env')));
  errors.push(...validatePorts(c.ports, child(at, 'ports')));
  for (const key of ['envFrom', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'securityContext'] as const) {
    const v = c[key];
    if (v === undefined) continue;
    const wantList = key === 'envFrom';
    if (wantList ? !Array.isArray(v) : !isRecord(v)) errors.push(invalid(child(at, key), `must be ${wantList ? 'a list' : 'an object'}`));
  }
  return errors;
}

function validateEnv(env: unknown, at: string): FieldError[] {
  if (env === undefined) return [];
  if (!Array.isArray(env)) return [invalid(at, 'must be a list of {name, value}')];
  const errors: FieldError[] = [];
  env.forEach((e: unknown, i) => {
    if (!isRecord(e) || typeof e.name !== 'string' || !ENV_NAME.test(e.name)) {
      errors.push(
        invalid(
          child(child(at, i), 'name'),
          'must be a valid environment variable name (letters, digits, "_", "-", "."; not starting with a digit)',
        ),
      );
    } else if (e.value !== undefined && typeof e.value !== 'string') {
      errors.push(invalid(child(child(at, i), 'value'), `must be a string; quote it: "${String(e.value)}"`));
    }
  });
  return errors;
}

function validatePorts(ports: unknown, at: string): FieldError[] {
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) return [invalid(at, 'must be a list of {containerPort}')];
  const errors: FieldError[] = [];
  ports.forEach((p: unknown, i) => {
    const pat = child(at, i);
    if (!isRecord(p)) {
      errors.push(invalid(pat, 'must be an object with a containerPort'));
      return;
    }
    if (!isPort(p.containerPort))
      errors.push(invalid(child(pat, 'containerPort'), `must be a port number 1-65535, got ${JSON.stringify(p.containerPort)}`));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !isPort(p.hostPort))
      errors.push(invalid(child(pat, 'hostPort'), `must be a port number 1-65535, got ${JSON.stringify(p.hostPort)}`));
    if (p.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(p.protocol as string))
      errors.push(invalid(child(pat, 'protocol'), `must be TCP, UDP or SCTP, got ${JSON.stringify(p.protocol)}`));
    if (p.name !== undefined && (typeof p.name !== 'string' || p.name.length > 15 || !PORT_NAME.test(p.name))) {
      errors.push(invalid(child(pat, 'name'), 'must be a lowercase DNS label of at most 15 characters'));
    }
  });
  return errors;
}

const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
