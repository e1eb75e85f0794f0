import { describe, expect, it } from 'vitest';
import { podErrors, POD_LIMITS } from './pod-schema.ts';
import { taskPath, taskPodErrors, type TaskFields, type TaskPodContext } from './task-pod.ts';

const AT = 'spec.accept.tasks[0]';
const ctx: TaskPodContext = { namespace: 'team-a', framework: 'fw', nodeName: 'node-1', offer: 'o1', baseline: true };
const main = { name: 'main', image: 'busybox' };
const task = (container: Record<string, unknown> = {}, over: Partial<TaskFields> = {}): TaskFields => ({
  name: 't1',
  resources: { cpu: '1' },
  containers: [{ ...main, ...container }],
  ...over,
});
const sc = (securityContext: Record<string, unknown>) => task({ securityContext });
const C = `${AT}.containers[0]`;
const SC = `${C}.securityContext`;

function deeplyNested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) v = { seLinuxOptions: v };
  return v;
}

describe('taskPodErrors: the Pod Security baseline, every control', () => {
  it.each([
    { name: 'privileged', task: sc({ privileged: true }), wantPath: `${SC}.privileged`, want: /privileged containers are not allowed/ },
    {
      name: 'a capability beyond baseline',
      task: sc({ capabilities: { add: ['CHOWN', 'SYS_ADMIN'] } }),
      wantPath: `${SC}.capabilities.add[1]`,
      want: /adding capability SYS_ADMIN/,
    },
    {
      name: 'a capability spelled with CAP_ (PSA compares exactly)',
      task: sc({ capabilities: { add: ['CAP_CHOWN'] } }),
      wantPath: `${SC}.capabilities.add[0]`,
      want: /CAP_CHOWN/,
    },
    {
      name: 'a host port',
      task: task({ ports: [{ containerPort: 80, hostPort: 80 }] }),
      wantPath: `${C}.ports[0].hostPort`,
      want: /host ports/,
    },
    {
      name: 'a liveness probe host',
      task: task({ livenessProbe: { httpGet: { host: '169.254.169.254', port: 80 } } }),
      wantPath: `${C}.livenessProbe.httpGet.host`,
      want: /httpGet host \(169\.254\.169\.254\)/,
    },
    {
      name: 'a readiness probe tcpSocket host',
      task: task({ readinessProbe: { tcpSocket: { host: '10.0.0.1', port: 22 } } }),
      wantPath: `${C}.readinessProbe.tcpSocket.host`,
      want: /tcpSocket host/,
    },
    {
      name: 'a startup probe host',
      task: task({ startupProbe: { httpGet: { host: 'x', port: 1 } } }),
      wantPath: `${C}.startupProbe.httpGet.host`,
      want: /httpGet host/,
    },
    {
      name: 'a postStart hook host',
      task: task({ lifecycle: { postStart: { httpGet: { host: '169.254.169.254', port: 80 } } } }),
      wantPath: `${C}.lifecycle.postStart.httpGet.host`,
      want: /httpGet host/,
    },
    {
      name: 'a preStop hook tcpSocket host',
      task: task({ lifecycle: { preStop: { tcpSocket: { host: 'h', port: 80 } } } }),
      wantPath: `${C}.lifecycle.preStop.tcpSocket.host`,
      want: /tcpSocket host/,
    },
    {
      name: 'the AppArmor annotation',
      task: task({}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } }),
      wantPath: `${AT}.annotations[container.apparmor.security.beta.kubernetes.io/main]`,
      want: /AppArmor profile unconfined/,
    },
    {
      name: 'an Unconfined AppArmor profile',
      task: sc({ appArmorProfile: { type: 'Unconfined' } }),
      wantPath: `${SC}.appArmorProfile.type`,
      want: /AppArmor profile of type Unconfined/,
    },
    {
      name: 'an Unconfined seccomp profile',
      task: sc({ seccompProfile: { type: 'Unconfined' } }),
      wantPath: `${SC}.seccompProfile.type`,
      want: /seccomp profile of type Unconfined/,
    },
    {
      name: 'the legacy seccomp annotation',
      task: task({}, { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }),
      wantPath: `${AT}.annotations[seccomp.security.alpha.kubernetes.io/pod]`,
      want: /seccomp profile unconfined/,
    },
    {
      name: 'an SELinux type',
      task: sc({ seLinuxOptions: { type: 'spc_t' } }),
      wantPath: `${SC}.seLinuxOptions.type`,
      want: /SELinux type spc_t/,
    },
    {
      name: 'an SELinux user',
      task: sc({ seLinuxOptions: { user: 'root' } }),
      wantPath: `${SC}.seLinuxOptions.user`,
      want: /SELinux user/,
    },
    {
      name: 'an SELinux role',
      task: sc({ seLinuxOptions: { role: 'sysadm_r' } }),
      wantPath: `${SC}.seLinuxOptions.role`,
      want: /SELinux role/,
    },
    { name: 'an Unmasked /proc', task: sc({ procMount: 'Unmasked' }), wantPath: `${SC}.procMount`, want: /procMount Unmasked/ },
    {
      name: 'a HostProcess container',
      task: sc({ windowsOptions: { hostProcess: true } }),
      wantPath: `${SC}.windowsOptions.hostProcess`,
      want: /host process containers/,
    },
  ])('denies $name', ({ task, wantPath, want }) => {
    const errors = taskPodErrors(task, AT, ctx);
    expect(errors.map((e) => e.path)).toEqual([wantPath]);
    expect(errors[0]!.reason).toBe('Forbidden');
    expect(errors[0]!.message).toMatch(want);
    expect(errors[0]!.message).toMatch(
      /not allowed in namespace "team-a" \(an administrator can allow it with the namespace label agora\.dev\/allow-privileged=true or pod-security\.kubernetes\.io\/enforce=privileged\)/,
    );
    expect(taskPodErrors(task, AT, { ...ctx, baseline: false })).toEqual([]);
  });

  it.each([
    { name: 'a plain container', task: task() },
    { name: 'baseline capabilities, drop ALL', task: sc({ capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL'] } }) },
    {
      name: 'RuntimeDefault and Localhost profiles',
      task: sc({ seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }),
    },
    { name: 'an allowed SELinux type', task: sc({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }) },
    {
      name: 'probes without a host',
      task: task({ livenessProbe: { httpGet: { path: '/', port: 8080, host: '' } }, readinessProbe: { exec: { command: ['true'] } } }),
    },
    {
      name: 'an AppArmor annotation for the runtime default',
      task: task({}, { annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'runtime/default' } }),
    },
    { name: 'hostPort 0', task: task({ ports: [{ containerPort: 80, hostPort: 0 }] }) },
  ])('admits $name', ({ task }) => {
    expect(taskPodErrors(task, AT, ctx)).toEqual([]);
  });

  it('checks sysctls, hostPath volumes and host namespaces on the Pod', async () => {
    const { baselineViolations } = await import('./pod-security.ts');
    const pod = {
      metadata: {},
      spec: {
        hostNetwork: true,
        hostPID: true,
        hostIPC: false,
        volumes: [{ name: 'v', hostPath: { path: '/' } }],
        securityContext: {
          sysctls: [
            { name: 'net.ipv4.tcp_syncookies', value: '1' },
            { name: 'kernel.msgmax', value: '1' },
          ],
        },
        initContainers: [{ name: 'i', securityContext: { privileged: true } }],
        ephemeralContainers: [{ name: 'e', securityContext: { capabilities: { add: 'SYS_ADMIN' } } }],
      },
    };
    expect(baselineViolations(pod).map((v) => v.path)).toEqual([
      'spec.hostNetwork',
      'spec.hostPID',
      'spec.volumes[0].hostPath',
      'spec.securityContext.sysctls[1].name',
      'spec.initContainers[0].securityContext.privileged',
      'spec.ephemeralContainers[0].securityContext.capabilities.add',
    ]);
  });
});

describe('taskPodErrors: a valid Pod', () => {
  it.each([
    {
      name: 'resizePolicy as an object',
      task: task({ resizePolicy: { resourceName: 'cpu', restartPolicy: 'NotRequired' } }),
      wantPath: `${C}.resizePolicy`,
      want: /must be a list, got an object/,
    },
    {
      name: 'capabilities.add as a string',
      task: sc({ capabilities: { add: 'SYS_ADMIN' } }),
      wantPath: `${SC}.capabilities.add`,
      want: /must be a list, got string "SYS_ADMIN"/,
    },
    {
      name: 'a 1 MiB image name',
      task: task({ image: 'a'.repeat(1024 * 1024) }),
      wantPath: `${C}.image`,
      want: new RegExp(`is 1048576 characters long; at most ${POD_LIMITS.maxImageLength}`),
    },
    {
      name: 'a deeply nested securityContext',
      task: sc(deeplyNested(10_000)),
      wantPath: `${SC}.seLinuxOptions.seLinuxOptions`,
      want: /unknown field "seLinuxOptions" of SELinuxOptions/,
    },
    {
      name: 'a fractional port',
      task: task({ livenessProbe: { grpc: { port: 1.5 } } }),
      wantPath: `${C}.livenessProbe.grpc.port`,
      want: /must be a whole number \(int32\), got 1\.5/,
    },
    {
      name: 'a run-as user out of range',
      task: sc({ runAsUser: 2 ** 60 }),
      wantPath: `${SC}.runAsUser`,
      want: /whole number \(int64\)/,
    },
    {
      name: 'a boolean as a string',
      task: sc({ runAsNonRoot: 'yes' }),
      wantPath: `${SC}.runAsNonRoot`,
      want: /must be true or false, got string "yes"/,
    },
    {
      name: 'an unknown nested field',
      task: task({ livenessProbe: { exec: { command: ['true'], shell: 'bash' } } }),
      wantPath: `${C}.livenessProbe.exec.shell`,
      want: /unknown field "shell" of ExecAction/,
    },
    {
      name: 'an invalid label key',
      task: task({}, { labels: { 'bad key!': 'v' } }),
      wantPath: `${AT}.labels[bad key!]`,
      want: /is not a valid label key/,
    },
    {
      name: 'an invalid label value',
      task: task({}, { labels: { app: 'x'.repeat(64) } }),
      wantPath: `${AT}.labels.app`,
      want: /is not a valid label value/,
    },
    {
      name: 'an invalid annotation key',
      task: task({}, { annotations: { '/x': 'v' } }),
      wantPath: `${AT}.annotations[/x]`,
      want: /is not a valid annotation key: its prefix/,
    },
    {
      name: 'a Pod over 64 KiB',
      task: task({ env: Array.from({ length: 10 }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(8000) })) }),
      wantPath: AT,
      want: /the task's Pod: the Pod would be \d+ bytes as JSON; at most 65536/,
    },
  ])('rejects $name, even for the controller', ({ task, wantPath, want }) => {
    const errors = taskPodErrors(task, AT, { ...ctx, baseline: false });
    expect(errors.map((e) => e.path)).toEqual([wantPath]);
    expect(errors[0]!.reason).toBeUndefined();
    expect(errors[0]!.message).toMatch(want);
  });

  it('reports at most a bounded number of errors', () => {
    const junk = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 1]));
    expect(podErrors({ spec: junk })).toHaveLength(POD_LIMITS.maxErrors);
  });
});

describe('taskPath', () => {
  it.each([
    { pod: 'spec.containers[1].image', want: { path: `${AT}.containers[1].image`, own: true } },
    { pod: 'spec.containers[0].resources.limits.cpu', want: { path: `${AT}.resources`, own: true } },
    { pod: 'metadata.annotations[a/b]', want: { path: `${AT}.annotations[a/b]`, own: true } },
    { pod: 'metadata.labels', want: { path: `${AT}.labels`, own: true } },
    { pod: 'spec.nodeName', want: { path: AT, own: false } },
    { pod: 'spec.containersX', want: { path: AT, own: false } },
  ])('$pod', ({ pod, want }) => {
    expect(taskPath(pod, AT)).toEqual(want);
  });
});

describe('nestingError', () => {
  it('finds the first value nested too deep, without recursion', async () => {
    const { nestingError } = await import('./field-errors.ts');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nestingError({ spec: { a: deep } }, 32)?.path).toBe(`spec.a${'[0]'.repeat(30)}`);
    expect(nestingError({ spec: { containers: [{ securityContext: { capabilities: { add: ['CHOWN'] } } }] } }, 32)).toBeUndefined();
  });
});
