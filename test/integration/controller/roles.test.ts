// ResourceRoles under a real controller: their weight, guarantee and reservations reach the
// allocator, and the leader writes each role's status (allocation, weighted dominant share,
// framework count).
// ResourceRoles are cluster-scoped and shared with other tests: every role here has a name of
// its own (the pool's) and is deleted afterwards.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../../src/api/index.ts';
import type { FrameworkObject, OfferObject, RoleObject, TaskObject } from '../../../src/api/objects.ts';
import { custom, eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import {
  accept,
  createFramework,
  deleteObject,
  get,
  isOutstanding,
  list,
  startDriver,
  task,
  tasksIn,
  useController,
  usePool,
  waitTask,
} from './support.ts';

const ns = useNamespace('ctl-roles');
// One node: every offer is the whole node's remainder, one at a time.
const pool = usePool('roles', [{ cpu: '8', memory: '8Gi' }]);
const controller = useController(ns, pool);

const role = (suffix: string) => `${pool.id}-${suffix}`;
const created = new Set<string>();

async function createRole(name: string, spec: RoleObject['spec']): Promise<void> {
  await custom().createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: 'resourceroles',
    body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name }, spec },
  });
  created.add(name);
}

async function deleteRole(name: string): Promise<void> {
  await custom()
    .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })
    .catch(() => undefined);
  created.delete(name);
}

const getRole = async (name: string) =>
  (await custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })) as RoleObject;

async function removeFramework(name: string): Promise<void> {
  await deleteObject('Framework', ns.name, name);
  await eventually(
    `framework ${name} gone`,
    async () => (await get('Framework', ns.name, name).catch(() => undefined)) === undefined,
    20_000,
  );
}

async function running(framework: string): Promise<number> {
  return tasksIn(await list<TaskObject>('Task', ns.name), 'TASK_RUNNING').filter((t) => t.spec.framework === framework).length;
}

/**
 * The ResourceRoles' statuses once they equal `want` (or as last read, for the failure message).
 * An offer of what a full node has left (no CPU or memory) counts in its role's allocation while
 * it is out, until each framework has declined it: the statuses settle then.
 */
async function settledStatuses(names: string[], want: unknown[]): Promise<unknown[]> {
  let got: unknown[] = [];
  await eventually(
    'role statuses settled',
    async () => {
      got = (await Promise.all(names.map(getRole))).map((r) => r.status);
      try {
        expect(got).toEqual(want);
        return true;
      } catch {
        return false;
      }
    },
    10_000,
  ).catch(() => undefined);
  return got;
}

const TASK = { resources: { cpu: '1', memory: '1Gi' } };

describe('ResourceRoles', () => {
  const drivers: { stop(): Promise<void> }[] = [];
  // A test that failed half-way leaves no scheduler holding the pool's node for the next one.
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
  });
  afterAll(async () => {
    await Promise.all([...created].map(deleteRole));
  });

  it("holds back a guarantee, and writes the role's allocation, weighted share and framework count to its status", async () => {
    const gold = role('gold');
    await createRole(gold, { weight: 2, guarantee: { cpu: '6' } });
    // A greedy framework in the default role is offered only what the guarantee leaves: 2 CPUs.
    await createFramework(ns.name, 'other');
    drivers.push(startDriver({ namespace: ns.name, framework: 'other', task: TASK, max: 8, tasksPerOffer: 8, refuseSeconds: 60 }));
    await eventually('other runs 2 tasks', async () => (await running('other')) === 2, 15_000);
    await createFramework(ns.name, 'golden', { role: gold });
    drivers.push(startDriver({ namespace: ns.name, framework: 'golden', task: TASK, max: 6, tasksPerOffer: 6, refuseSeconds: 60 }));
    await eventually('golden runs 6 tasks', async () => (await running('golden')) === 6, 15_000);
    expect(await running('other')).toBe(2);

    // gold holds <6 CPU, 6 GiB> of <8 CPU, 8 GiB>: dominant share 6/8, weighted (÷2) 0.375.
    const want = [{ allocated: { cpu: '6', memory: '6Gi' }, dominantShare: 0.375, frameworks: 1 }];
    expect(await settledStatuses([gold], want)).toEqual(want);
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
    await Promise.all([removeFramework('other'), removeFramework('golden')]);
    const after = await eventually(
      'gold status zeroed',
      async () => {
        const x = await getRole(gold);
        return x.status?.frameworks === 0 && x.status.dominantShare === 0 ? x : undefined;
      },
      10_000,
    );
    expect(after.status).toEqual({ allocated: {}, dominantShare: 0, frameworks: 0 });
    await deleteRole(gold);
  });

  it('a weight-3 role ends with 3 times the tasks of a weight-1 role on a shared node', async () => {
    const light = role('light');
    const heavy = role('heavy');
    await createRole(light, { weight: 1 });
    await createRole(heavy, { weight: 3 });
    await createFramework(ns.name, 'light', { role: light });
    await createFramework(ns.name, 'heavy', { role: heavy });
    // One task per offer: each remainder goes to the role with the lower weighted share.
    drivers.push(startDriver({ namespace: ns.name, framework: 'light', task: TASK, max: 10, refuseSeconds: 60 }));
    drivers.push(startDriver({ namespace: ns.name, framework: 'heavy', task: TASK, max: 10, refuseSeconds: 60 }));
    await eventually('the node full', async () => (await running('light')) + (await running('heavy')) === 8, 20_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}: light ${await running('light')}, heavy ${await running('heavy')}`);
    });
    // light 2 tasks: share 2/8 ÷ 1 = 0.25; heavy 6 tasks: share 6/8 ÷ 3 = 0.25 (equal weighted shares).
    expect([await running('light'), await running('heavy')]).toEqual([2, 6]);
    const want = [
      { allocated: { cpu: '2', memory: '2Gi' }, dominantShare: 0.25, frameworks: 1 },
      { allocated: { cpu: '6', memory: '6Gi' }, dominantShare: 0.25, frameworks: 1 },
    ];
    expect(await settledStatuses([light, heavy], want)).toEqual(want);
    // Written only when changed: nothing more once settled.
    const writes = () => controller.handle.writes()['patchStatus resourceroles'] ?? 0;
    const settled = writes();
    await sleep(1500);
    expect(writes()).toBe(settled);
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
    await Promise.all([removeFramework('light'), removeFramework('heavy')]);
    await Promise.all([deleteRole(light), deleteRole(heavy)]);
  });

  it('nested roles: two sibling subtrees of weights 3 and 1 end at 6 and 2 tasks, and eng/a (weight 2) has twice eng/b', async () => {
    // Roles P-eng/a, P-eng/b and P-ops/x; the ResourceRoles of P-eng and P-eng/a are named with "."
    // for "/". Level by level: P-eng (3) and P-ops (1) share the node 3:1 by weighted share, then
    // P-eng/a (2) and P-eng/b (1) share P-eng's part 2:1.
    const [eng, ops] = [role('eng'), role('ops')];
    await createRole(eng, { weight: 3 });
    await createRole(`${eng}.a`, { weight: 2 });
    await createFramework(ns.name, 'nested-a', { role: `${eng}/a` });
    await createFramework(ns.name, 'nested-b', { role: `${eng}/b` });
    await createFramework(ns.name, 'nested-x', { role: `${ops}/x` });
    for (const f of ['nested-a', 'nested-b', 'nested-x'])
      drivers.push(startDriver({ namespace: ns.name, framework: f, task: TASK, max: 10, refuseSeconds: 60 }));
    const counts = async () => Promise.all(['nested-a', 'nested-b', 'nested-x'].map(running));
    await eventually('the node full', async () => (await counts()).reduce((x, y) => x + y) === 8, 30_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}: a, b, x running ${(await counts()).join(', ')}`);
    });
    // eng 6/8 ÷ 3 = 0.25 = ops 2/8; inside eng, a 4/8 ÷ 2 = 0.25 = b 2/8.
    expect(await counts()).toEqual([4, 2, 2]);
    // The ResourceRoles' status is of the subtree: P-eng holds what P-eng/a and P-eng/b hold.
    const want = [
      { allocated: { cpu: '6', memory: '6Gi' }, dominantShare: 0.25, frameworks: 2 },
      { allocated: { cpu: '4', memory: '4Gi' }, dominantShare: 0.25, frameworks: 1 },
    ];
    expect(await settledStatuses([eng, `${eng}.a`], want)).toEqual(want);
    await Promise.all(drivers.splice(0).map((d) => d.stop()));
    await Promise.all(['nested-a', 'nested-b', 'nested-x'].map(removeFramework));
    await Promise.all([deleteRole(eng), deleteRole(`${eng}.a`)]);
  });

  it("two roles reserving on one node: one offer at a time, the reserving roles first, and each role's accept of a full-node offer succeeds", async () => {
    const node = pool.node(0);
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const cordon = (unschedulable: boolean) =>
      core.patchNode({ name: node, body: { spec: { unschedulable } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    // Cordoned while everything is set up, so that one cycle sees all three frameworks: before
    // the allocator made one offer per node, that cycle offered fx the unreserved part (with
    // every pod slot) and fa and fb their reservations with no pod slot, and their accepts
    // failed ("pods: node … has 0 free for this offer").
    await cordon(true);
    const reserve = { reservations: [{ nodeName: node, resources: { cpu: '2', memory: '2Gi' } }] };
    const [ra, rb, rx] = [role('ra'), role('rb'), role('rx')];
    await Promise.all([createRole(ra, reserve), createRole(rb, reserve), createRole(rx, {})]);
    await Promise.all([
      createFramework(ns.name, 'fa', { role: ra }),
      createFramework(ns.name, 'fb', { role: rb }),
      createFramework(ns.name, 'fx', { role: rx }),
    ]);
    await eventually(
      'both reservations counted, every framework registered',
      async () => {
        const st = await Promise.all([getRole(ra), getRole(rb)]);
        const fws = await Promise.all(['fa', 'fb', 'fx'].map((f) => get<FrameworkObject>('Framework', ns.name, f)));
        return (
          st.every((x) => x.status?.unusedReserved?.cpu === '2') &&
          fws.every((f) => f.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        );
      },
      15_000,
    );
    // Idle reservations count as quota consumption (unusedReserved), not in the DRF share.
    expect((await getRole(ra)).status).toEqual({
      allocated: {},
      unusedReserved: { cpu: '2', memory: '2Gi' },
      dominantShare: 0,
      frameworks: 1,
    });
    const outstanding = async () => (await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.nodeName === node && isOutstanding(o));
    await cordon(false);

    // Shares: all 0 (idle reservations are not in them). The reserving roles come first, ra before rb by name: fa
    // gets its reservation plus the unreserved part — 2 + 4 CPU, 2 + 4 GiB.
    const first = await eventually('an offer for the node', async () => (await outstanding())[0], 15_000);
    expect(first.spec.framework).toBe('fa');
    expect(first.spec.resources).toMatchObject({ cpu: '6', memory: '6Gi' });
    // While it is out the node is in no other offer (the allocation interval is 200 ms).
    for (let i = 0; i < 5; i++) {
      expect((await outstanding()).map((o) => o.metadata.name)).toEqual([first.metadata.name]);
      await sleep(200);
    }
    // A task that takes the whole offer: it fits, pod slot included.
    await accept(ns.name, first, [task('fa-all', first.spec.resources as Record<string, string>)]);
    // ra's reservation is in use: now rb, whose reservation is all that is left.
    const second = await eventually('an offer to fb', async () => (await outstanding()).find((o) => o.spec.framework === 'fb'), 15_000);
    expect(second.spec.resources).toMatchObject({ cpu: '2', memory: '2Gi' });
    await accept(ns.name, second, [task('fb-all', second.spec.resources as Record<string, string>)]);

    for (const [o, name] of [
      [first, 'fa-all'],
      [second, 'fb-all'],
    ] as const) {
      await waitTask(ns.name, name, (t) => t.status?.state === 'TASK_RUNNING', 'running');
      const answered = await get<OfferObject>('Offer', ns.name, o.metadata.name);
      expect(answered.status).toMatchObject({ phase: 'Accepted', message: '1 task(s) launched' });
    }
    // The node is full: nothing more is offered, to anyone.
    await sleep(600);
    expect(await outstanding()).toEqual([]);
    await Promise.all(['fa', 'fb', 'fx'].map(removeFramework));
    await Promise.all([deleteRole(ra), deleteRole(rb), deleteRole(rx)]);
  });
});
