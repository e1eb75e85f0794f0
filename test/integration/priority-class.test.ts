// A Framework's priority mapped to a Kubernetes PriorityClass, through the real API server: the
// webhooks (registered against the local control plane, scoped to this file's namespace) fill
// spec.priority from the class and refuse a class that does not exist, a priority that
// contradicts it and the system classes; the Pod of a built-in task names the class and the API
// server's Priority admission gives it the class's value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, SchedulingV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import type { FrameworkObject } from '../../src/api/objects.ts';
import { startController } from '../../src/controller/manager.ts';
import { startWebhooks, type RunningWebhooks } from '../../src/webhooks/index.ts';
import { waitUntilEnforced } from '../../src/webhooks/probe.ts';
import { custom, eventually, kubeConfig, rejection, useNamespace } from './support/kube.ts';
import { deleteObject, get, scopedOptions, usePool } from './controller/support.ts';

const ns = useNamespace('prio-class');
const pool = usePool('prio', [{ cpu: '4', memory: '8Gi' }]);
const TEMPLATE = { resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] };

describe('Framework priority ↔ PriorityClass', () => {
  let webhooks: RunningWebhooks | undefined;
  let tlsDir = '';
  const cls = `${pool.id}-batch`;
  const scheduling = () => kubeConfig().makeApiClient(SchedulingV1Api);
  const create = (name: string, spec: object) =>
    custom().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: PLURAL.Framework,
      body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name }, spec },
    });

  beforeAll(async () => {
    await scheduling().createPriorityClass({ body: { metadata: { name: cls }, value: 1000, description: 'agora test' } });
    tlsDir = mkdtempSync(join(tmpdir(), 'agora-prio-tls-'));
    webhooks = await startWebhooks({
      kubeConfig: kubeConfig(),
      logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
      tlsDir,
      registration: {
        name: `agora-test-${ns.name}`,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } },
        clusterObjectSelector: { matchLabels: { 'agora.dev/webhook-test': ns.name } },
      },
    });
    await webhooks.register();
    await waitUntilEnforced(kubeConfig(), ns.name);
  });

  afterAll(async () => {
    await webhooks?.unregister();
    await webhooks?.stop();
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
    await scheduling()
      .deletePriorityClass({ name: cls })
      .catch(() => undefined);
  });

  it.each([
    {
      name: 'a class that does not exist',
      spec: { priorityClassName: 'no-such-class-here' },
      want: /spec\.priorityClassName.*does not exist/,
    },
    {
      name: "a priority that contradicts the class's value",
      spec: () => ({ priorityClassName: cls, priority: 5 }),
      want: /spec\.priority: .*contradicts/,
    },
    {
      name: 'a system class',
      spec: { priorityClassName: 'system-cluster-critical' },
      want: /spec\.priorityClassName.*reserved for system components/,
    },
  ])('refuses $name at Framework write, naming the field', async ({ spec, want }) => {
    const message = await rejection(create('refused', typeof spec === 'function' ? spec() : spec));
    expect(message).toMatch(want);
  });

  it("fills spec.priority from the class, and the task's Pod carries the class and its value", async () => {
    await create('classy', { priorityClassName: cls, builtin: { tasks: 1, template: TEMPLATE } });
    const fw = await get<FrameworkObject>('Framework', ns.name, 'classy');
    expect(fw.spec.priority).toBe(1000);
    const controller = await startController(scopedOptions(ns.name, pool, { builtinScheduler: true }));
    try {
      await controller.leading();
      const core = kubeConfig().makeApiClient(CoreV1Api);
      const pod = await eventually('the task Pod', async () => {
        const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'agora.dev/framework=classy' });
        return pods.items[0];
      });
      expect(pod.spec?.priorityClassName).toBe(cls);
      expect(pod.spec?.priority).toBe(1000);
      await deleteObject('Framework', ns.name, 'classy');
      await eventually('classy gone', async () => (await get('Framework', ns.name, 'classy').catch(() => undefined)) === undefined);
    } finally {
      await controller.stop();
    }
  }, 90_000);
});
