// Revocable resources under a real controller: a role's idle reservation is lent, in offers
// marked revocable, to a framework that declares REVOCABLE_RESOURCES (its Tasks and Pods say
// so); when the owner's demand arrives, those tasks are revoked first — notice, grace period,
// TASK_KILLED reason Revoked — and no other, and the owner is offered what they freed.
import { afterEach, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { API_VERSION, GROUP, LABEL, REVOCABLE_RESOURCES, VERSION } from '../../../src/api/index.ts';
import { startController, type ControllerHandle } from '../../../src/controller/manager.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { custom, eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { createFramework, deleteObject, get, list, scopedOptions, usePool } from './support.ts';

const ns = useNamespace('ctl-revocable');
// One node of 8 CPU, 4 of them reserved for the owner role; tasks of 1 CPU.
const pool = usePool('revocable', [{ cpu: '8', memory: '16Gi' }]);
const owner = `${pool.id}-owner`;
const firm = `${pool.id}-firm`;

const TEMPLATE = { resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] };

function builtin(tasks: number, extra: Partial<FrameworkObject['spec']> = {}): Partial<FrameworkObject['spec']> {
  return { builtin: { tasks, maxRetries: 100, template: TEMPLATE }, revocationGracePeriodSeconds: 1, ...extra };
}

async function tasksOf(framework: string): Promise<TaskObject[]> {
  return (await list<TaskObject>('Task', ns.name)).filter((t) => t.spec.framework === framework);
}

async function running(framework: string): Promise<TaskObject[]> {
  return (await tasksOf(framework)).filter((t) => t.status?.state === 'TASK_RUNNING');
}

async function noticed(framework: string): Promise<TaskObject[]> {
  return (await tasksOf(framework)).filter((t) => t.status?.revocation !== undefined && t.status.revocation !== null);
}

async function waitRunning(framework: string, n: number, timeoutMs = 30_000): Promise<void> {
  await eventually(`${framework} runs ${n}`, async () => (await running(framework)).length === n, timeoutMs);
}

describe('revocable resources', () => {
  let controller: ControllerHandle | undefined;
  const frameworks: string[] = [];
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    if (frameworks.length > 0) {
      const c = await startController(scopedOptions(ns.name, pool, { builtinScheduler: true, revocation: false }));
      await c.leading();
      const names = frameworks.splice(0);
      await Promise.all(names.map((n) => deleteObject('Framework', ns.name, n)));
      await eventually('frameworks gone', async () => {
        const left = await Promise.all(names.map((n) => get('Framework', ns.name, n).catch(() => undefined)));
        return left.every((x) => x === undefined);
      });
      await c.stop();
    }
    for (const name of [owner, firm])
      await custom()
        .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })
        .catch(() => undefined);
  });

  it("revocable tasks go first: an idle reservation lent to another framework comes back when its owner's demand arrives", async () => {
    const role = (name: string, spec: object) =>
      custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'resourceroles',
        body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name }, spec },
      });
    await role(owner, { reservations: [{ nodeName: pool.node(0), resources: { cpu: '4', memory: '4Gi' } }] });
    // plain's role is guaranteed what it runs: fair share never takes from it (the borrower,
    // relaunching what was revoked, would otherwise be below its fair share beside it).
    await role(firm, { guarantee: { cpu: '4' } });
    controller = await startController(
      scopedOptions(ns.name, pool, { builtinScheduler: true, revocationIntervalMs: 300, allocationIntervalMs: 200 }),
    );
    await controller.leading();
    frameworks.push('plain', 'borrower', 'owner');
    // plain (no capability) is offered the unreserved half only.
    await createFramework(ns.name, 'plain', builtin(4, { role: firm }));
    await waitRunning('plain', 4);
    // borrower declares REVOCABLE_RESOURCES: it is lent the owner's idle reservation.
    await createFramework(ns.name, 'borrower', builtin(4, { capabilities: [REVOCABLE_RESOURCES] }));
    await waitRunning('borrower', 4);
    const lent = await running('borrower');
    expect(lent.every((t) => t.spec.revocable === true)).toBe(true);
    expect((await running('plain')).every((t) => t.spec.revocable === undefined)).toBe(true);
    const offers = await list<OfferObject>('Offer', ns.name);
    const lentOffers = new Set(lent.map((t) => t.spec.offer));
    expect(offers.filter((o) => lentOffers.has(o.metadata.name)).every((o) => o.spec.revocable === true)).toBe(true);
    expect(offers.filter((o) => o.spec.framework === 'plain').every((o) => o.spec.revocable === undefined)).toBe(true);
    const pods = await kubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: ns.name, labelSelector: `${LABEL.revocable}=true` });
    expect(pods.items.map((p) => p.metadata?.labels?.[LABEL.framework]).sort()).toEqual(['borrower', 'borrower', 'borrower', 'borrower']);

    // The owner's demand arrives. The node is full: the lent tasks go, and only they.
    const arrived = Date.now();
    await createFramework(ns.name, 'owner', builtin(4, { role: owner }));
    await waitRunning('owner', 4);
    const revoked = await noticed('borrower');
    expect(revoked).toHaveLength(4);
    for (const t of revoked) {
      expect(t.spec.revocable).toBe(true);
      expect(t.status?.state).toBe('TASK_KILLED');
      expect(t.status?.reason).toBe('Revoked');
      expect(t.status?.revocation).toMatchObject({ reason: 'Revocable', for: `${ns.name}/owner`, forRole: owner });
      // noticed after the owner arrived, killed no sooner than its deadline
      expect(Date.parse(t.status!.revocation!.noticedAt)).toBeGreaterThanOrEqual(arrived - 1000);
      expect(Date.parse(t.status!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(t.status!.revocation!.deadline) - 1000);
    }
    expect(await noticed('plain')).toHaveLength(0);
    expect((await running('plain')).length).toBe(4);
    // The owner got its reservation back in ordinary offers on the node.
    const ownerOffers = (await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.framework === 'owner');
    expect(ownerOffers.length).toBeGreaterThan(0);
    expect(ownerOffers.every((o) => o.spec.nodeName === pool.node(0) && o.spec.revocable === undefined)).toBe(true);
    expect((await running('owner')).every((t) => t.spec.revocable === undefined)).toBe(true);
    const metrics = await controller.metrics.registry.getSingleMetricAsString('agora_revocations_total');
    expect(metrics).toContain(`agora_revocations_total{reason="Revocable",role="default",dry_run="false"} 4`);
  }, 120_000);
});
