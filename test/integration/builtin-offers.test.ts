// The built-in scheduler against the real API server, with the test playing Agora's controller
// by hand (creating Offers, creating Tasks and writing their state), so its answers and its
// status are checked independently of the controller.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import { startBuiltinScheduler, type BuiltinScheduler } from '../../src/controller/builtin/index.ts';
import type { FrameworkObject, OfferObject } from '../../src/sdk/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('builtin-offers');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const api = { group: GROUP, version: VERSION };

const get = async <T>(plural: string, name: string) =>
  (await custom().getNamespacedCustomObject({ ...api, namespace: ns.name, plural, name })) as T;

async function offer(name: string, cpu: string, memory: string): Promise<void> {
  await custom().createNamespacedCustomObject({
    ...api,
    namespace: ns.name,
    plural: PLURAL.Offer,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Offer',
      metadata: { name },
      spec: { framework: 'batch', nodeName: 'n1', resources: { cpu, memory } },
    },
  });
}

async function finishTask(name: string): Promise<void> {
  const body = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Task',
    metadata: { name },
    spec: { framework: 'batch', nodeName: 'n1', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] },
  };
  await custom().createNamespacedCustomObject({ ...api, namespace: ns.name, plural: PLURAL.Task, body });
  await custom().patchNamespacedCustomObjectStatus(
    {
      ...api,
      namespace: ns.name,
      plural: PLURAL.Task,
      name,
      body: { status: { state: 'TASK_FINISHED', finishedAt: new Date().toISOString() } },
    },
    MERGE,
  );
}

describe('built-in scheduler (offers played by hand)', () => {
  let scheduler: BuiltinScheduler;
  beforeAll(async () => {
    scheduler = await startBuiltinScheduler({ kc: kubeConfig(), log: pino({ level: 'warn' }), namespaces: [ns.name] });
    await custom().createNamespacedCustomObject({
      ...api,
      namespace: ns.name,
      plural: PLURAL.Framework,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Framework',
        metadata: { name: 'batch' },
        spec: {
          builtin: {
            tasks: 2,
            tasksPerOffer: 1,
            refuseSeconds: 7,
            template: { resources: { cpu: '2', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await scheduler?.stop();
  });

  it('accepts one task per offer, declines what does not fit, then declines once all are launched', async () => {
    await offer('o1', '8', '16Gi');
    const o1 = await eventually('o1 answered', async () => (await get<OfferObject>(PLURAL.Offer, 'o1')).spec.accept);
    expect(o1.tasks.map((t) => t.name)).toEqual(['batch-0']);
    expect(o1.tasks[0]?.resources).toEqual({ cpu: '2', memory: '1Gi' });

    await offer('small', '1', '16Gi');
    expect(await eventually('small declined', async () => (await get<OfferObject>(PLURAL.Offer, 'small')).spec.decline)).toEqual({
      refuseSeconds: 7,
    });

    await offer('o2', '8', '16Gi');
    expect(
      (await eventually('o2 answered', async () => (await get<OfferObject>(PLURAL.Offer, 'o2')).spec.accept)).tasks.map((t) => t.name),
    ).toEqual(['batch-1']);

    await offer('o3', '8', '16Gi');
    expect(await eventually('o3 declined', async () => (await get<OfferObject>(PLURAL.Offer, 'o3')).spec.decline)).toEqual({
      refuseSeconds: 30,
    });
    const fw = await eventually('launched 2', async () => {
      const f = await get<FrameworkObject>(PLURAL.Framework, 'batch');
      return f.status?.launched === 2 ? f : undefined;
    });
    expect(fw.status?.conditions?.find((c) => c.type === 'Complete')?.status).toBe('False');
  });

  it('marks the framework Completed when every task finished, keeping fields others own', async () => {
    await custom().patchNamespacedCustomObjectStatus(
      {
        ...api,
        namespace: ns.name,
        plural: PLURAL.Framework,
        name: 'batch',
        body: { status: { dominantShare: 0.25, tasks: { running: 2 } } },
      },
      MERGE,
    );
    await finishTask('batch-0');
    await finishTask('batch-1');
    // No controller runs here: phase (the controller's field) stays unset; the scheduler's
    // Complete condition is what says the workload is over.
    const fw = await eventually('Complete condition True', async () => {
      const f = await get<FrameworkObject>(PLURAL.Framework, 'batch');
      return f.status?.conditions?.find((c) => c.type === 'Complete')?.status === 'True' ? f : undefined;
    });
    expect(fw.status?.conditions?.find((c) => c.type === 'Complete')).toMatchObject({ status: 'True', reason: 'AllTasksFinished' });
    expect(fw.status?.launched).toBe(2);
    expect(fw.status?.dominantShare).toBe(0.25);
    await offer('o4', '8', '16Gi');
    expect(await eventually('o4 declined', async () => (await get<OfferObject>(PLURAL.Offer, 'o4')).spec.decline)).toEqual({
      refuseSeconds: 3600,
    });
  });
});
