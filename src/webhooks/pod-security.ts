// The Pod Security Standards "baseline" level, every control, as the Kubernetes documentation
// lists them for v1.34 (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
// HostProcess, host namespaces, privileged containers, capabilities, hostPath volumes, host
// ports, host probes and lifecycle hooks, AppArmor (fields and annotations), SELinux, /proc mount
// type, seccomp (fields and the legacy annotations) and sysctls. Checked on the Pod as it will be
// created, so that a value reaching the Pod by any route (a container field, an annotation the API
// server turns into a field) is seen. Paths are from the Pod's root.
import { child, isRecord } from './field-errors.ts';

/** One baseline violation: where, and what is not allowed ("privileged containers are"). */
export interface BaselineViolation {
  path: string;
  what: string;
}

export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

const SELINUX_TYPES: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const PROFILE_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj | undefined => (isRecord(v) ? v : undefined);
const show = (v: unknown): string => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Every baseline control the Pod breaks, in a stable order. */
export function baselineViolations(pod: unknown): BaselineViolation[] {
  const out: BaselineViolation[] = [];
  const deny = (path: string, what: string) => out.push({ path, what });
  const metadata = rec(rec(pod)?.metadata) ?? {};
  const spec = rec(rec(pod)?.spec) ?? {};

  const annotations = rec(metadata.annotations) ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    const at = child('metadata.annotations', key);
    if (key.startsWith(APPARMOR_ANNOTATION)) {
      if (!(value === 'runtime/default' || (typeof value === 'string' && value.startsWith('localhost/'))))
        deny(at, `the AppArmor profile ${show(value)} is`);
    } else if (key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION)) {
      if (!(value === 'runtime/default' || value === 'docker/default' || (typeof value === 'string' && value.startsWith('localhost/'))))
        deny(at, `the seccomp profile ${show(value)} is`);
    }
  }

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) deny(child('spec', field), `sharing the host's namespaces (${field}) is`);
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((v: unknown, i) => {
    if (rec(v)?.hostPath != null) deny(child(child('spec.volumes', i), 'hostPath'), 'hostPath volumes are');
  });
  const podSc = rec(spec.securityContext);
  if (podSc) {
    securityContextViolations(podSc, 'spec.securityContext', deny);
    const sysctls = Array.isArray(podSc.sysctls) ? podSc.sysctls : [];
    sysctls.forEach((s: unknown, i) => {
      const name = rec(s)?.name;
      if (typeof name !== 'string' || !SAFE_SYSCTLS.has(name))
        deny(child(child('spec.securityContext.sysctls', i), 'name'), `the sysctl ${show(name)} is`);
    });
  }

  for (const list of CONTAINER_LISTS) {
    const containers = Array.isArray(spec[list]) ? spec[list] : [];
    containers.forEach((c: unknown, i) => {
      const container = rec(c);
      if (!container) return;
      const at = child(child('spec', list), i);
      const sc = rec(container.securityContext);
      if (sc) {
        const scAt = child(at, 'securityContext');
        if (sc.privileged === true) deny(child(scAt, 'privileged'), 'privileged containers are');
        const add = rec(sc.capabilities)?.add;
        if (add != null) {
          if (!Array.isArray(add)) deny(child(child(scAt, 'capabilities'), 'add'), `adding capabilities ${show(add)} is`);
          else
            add.forEach((cap: unknown, j) => {
              if (typeof cap !== 'string' || !BASELINE_CAPABILITIES.has(cap))
                deny(child(child(child(scAt, 'capabilities'), 'add'), j), `adding capability ${show(cap)} is`);
            });
        }
        if (sc.procMount != null && sc.procMount !== 'Default') deny(child(scAt, 'procMount'), `procMount ${show(sc.procMount)} is`);
        securityContextViolations(sc, scAt, deny);
      }
      const ports = Array.isArray(container.ports) ? container.ports : [];
      ports.forEach((p: unknown, j) => {
        const hostPort = rec(p)?.hostPort;
        if (hostPort != null && hostPort !== 0) deny(child(child(child(at, 'ports'), j), 'hostPort'), 'host ports are');
      });
      for (const probe of PROBES) handlerHostViolations(rec(container[probe]), child(at, probe), deny);
      const lifecycle = rec(container.lifecycle);
      for (const hook of HOOKS) handlerHostViolations(rec(lifecycle?.[hook]), child(child(at, 'lifecycle'), hook), deny);
    });
  }
  return out;
}

/** The controls shared by the Pod's and each container's securityContext. */
function securityContextViolations(sc: Obj, at: string, deny: (path: string, what: string) => void): void {
  if (rec(sc.windowsOptions)?.hostProcess === true) deny(child(child(at, 'windowsOptions'), 'hostProcess'), 'host process containers are');
  for (const key of ['seccompProfile', 'appArmorProfile'] as const) {
    const type = rec(sc[key])?.type;
    if (type != null && !(typeof type === 'string' && PROFILE_TYPES.has(type)))
      deny(child(child(at, key), 'type'), `${key === 'seccompProfile' ? 'a seccomp' : 'an AppArmor'} profile of type ${show(type)} is`);
  }
  const se = rec(sc.seLinuxOptions);
  if (se) {
    const seAt = child(at, 'seLinuxOptions');
    if (se.type != null && !(typeof se.type === 'string' && SELINUX_TYPES.has(se.type)))
      deny(child(seAt, 'type'), `the SELinux type ${show(se.type)} is`);
    for (const key of ['user', 'role'] as const) {
      if (se[key] != null && se[key] !== '') deny(child(seAt, key), `a custom SELinux ${key} is`);
    }
  }
}

/** Probes and lifecycle hooks may not name a host: baseline from Kubernetes 1.34. */
function handlerHostViolations(handler: Obj | undefined, at: string, deny: (path: string, what: string) => void): void {
  if (!handler) return;
  for (const kind of ['httpGet', 'tcpSocket'] as const) {
    const host = rec(handler[kind])?.host;
    if (host != null && host !== '') deny(child(child(at, kind), 'host'), `a ${kind} host (${show(host)}) is`);
  }
}
