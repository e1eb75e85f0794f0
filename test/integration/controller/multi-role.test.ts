// Multi-role frameworks under a real controller (Mesos's MULTI_ROLE): a framework in two roles
// is offered resources for each, every Offer names its role, a task launched from an offer is
// charged to that offer's role (Task spec.role, the ResourceRole's status), and suppressing one
// role (spec.suppressedRoles) stops only that role's offers.
// ResourceRoles are cluster-scoped: the two here are named after the pool and deleted afterwards.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../../src/api/index.ts';
import type { FrameworkObject, OfferObject, RoleObject } from '../../../src/api/objects.ts';
import { custom, eventually, useNamespace } from '../support/kube.ts';
import {
  accept,
  createFramework,
  deleteObject,
  get,
  isOutstanding,
  list,
  patch,
  task,
  useController,
  usePool,
  waitTask,
} from './support.ts';

const ns = useNamespace('ctl-multirole');
// Two nodes: one outstanding offer per node, so both roles can have one at once.
const pool = usePool('multirole', [
  { cpu: '4', memory: '4Gi' },
  { cpu: '4', memory: '4Gi' },
]);
useController(ns, pool);

const ra = `${pool.id}-a`;
const rb = `${pool.id}-b`;

const getRole = async (name: string) =>
  (await custom().getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })) as RoleObject;

const outstanding = async () => (await list<OfferObject>('Offer', ns.name)).filter((o) => o.spec.framework === 'multi' && isOutstanding(o));

describe('a framework in two roles', () => {
  afterAll(async () => {
    await deleteObject('Framework', ns.name, 'multi');
    for (const name of [ra, rb]) {
      await custom()
        .deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'resourceroles', name })
        .catch(() => undefined);
    }
  });

  it('is offered resources for both roles, each Offer naming its role', async () => {
    for (const name of [ra, rb]) {
      await custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'resourceroles',
        body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name }, spec: {} },
      });
    }
    await createFramework(ns.name, 'multi', { roles: [ra, rb] });
    const roles = await eventually(
      'offers for both roles',
      async () => {
        const got = new Set((await outstanding()).map((o) => o.spec.role));
        return got.has(ra) && got.has(rb) ? [...got].sort() : undefined;
      },
      20_000,
    );
    expect(roles).toEqual([ra, rb]);
  });

  it('suppressing one role rescinds and stops only its offers', async () => {
    await patch('Framework', ns.name, 'multi', { spec: { suppressedRoles: [ra] } });
    await eventually(
      'no outstanding offer for the suppressed role',
      async () => (await outstanding()).every((o) => o.spec.role !== ra),
      20_000,
    );
    // Both nodes are free for the other role now; nothing new goes to the suppressed one.
    await eventually(
      'offers for the other role on both nodes',
      async () => (await outstanding()).filter((o) => o.spec.role === rb).length === 2,
      20_000,
    );
    const offers = await list<OfferObject>('Offer', ns.name);
    const made = (o: OfferObject) => o.spec.role === ra && isOutstanding(o);
    expect(offers.filter(made)).toEqual([]);
    const fw = await get<FrameworkObject>('Framework', ns.name, 'multi');
    const ready = await eventually(
      'Ready names the suppressed role',
      async () => {
        const c = (await get<FrameworkObject>('Framework', ns.name, 'multi')).status?.conditions?.find((x) => x.type === 'Ready');
        return c?.message.includes('suppressed for role') ? c : undefined;
      },
      10_000,
    );
    expect(ready.message).toBe(`receiving offers for role ${rb}; suppressed for role ${ra} (spec.suppressedRoles)`);
    expect(fw.spec.suppressedRoles).toEqual([ra]);
  });

  it("a task launched from a role-b offer is charged to role b: Task spec.role, the ResourceRole's and the Framework's status", async () => {
    const offer = (await outstanding()).find((o) => o.spec.role === rb)!;
    await accept(ns.name, offer, [task('multi-1', { cpu: '1', memory: '1Gi' })]);
    const t = await waitTask(ns.name, 'multi-1', (x) => x.status?.state === 'TASK_RUNNING', 'running');
    expect(t.spec.role).toBe(rb);
    // Suppress everything so that only tasks count (an outstanding offer counts to its role too).
    await patch('Framework', ns.name, 'multi', { spec: { suppressed: true } });
    await eventually('no outstanding offers', async () => (await outstanding()).length === 0, 20_000);
    const [a, b] = await eventually(
      'role statuses',
      async () => {
        const [x, y] = await Promise.all([getRole(ra), getRole(rb)]);
        return y.status?.allocated?.cpu === '1' && x.status?.allocated?.cpu === undefined ? [x.status, y.status] : undefined;
      },
      15_000,
    );
    // rb holds <1 CPU, 1 GiB> of <8 CPU, 8 GiB>: share 0.125; ra holds nothing.
    expect(b).toEqual({ allocated: { cpu: '1', memory: '1Gi' }, dominantShare: 0.125, frameworks: 1 });
    expect(a).toEqual({ allocated: {}, dominantShare: 0, frameworks: 1 });
    // Written in the low-priority lane: wait for the status that follows the suppression.
    const want = [
      { role: ra, allocated: {}, dominantShare: 0, suppressed: true },
      { role: rb, allocated: { cpu: '1', memory: '1Gi' }, dominantShare: 0.125, suppressed: true },
    ];
    let last: FrameworkObject['status'];
    const st = await eventually(
      'framework status per role',
      async () => {
        last = (await get<FrameworkObject>('Framework', ns.name, 'multi')).status;
        return isDeepStrictEqual(last?.roles, want) ? last : undefined;
      },
      15_000,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last status.roles: ${JSON.stringify(last?.roles)}`);
    });
    expect(st.roles).toEqual(want);
    expect(st.allocated).toEqual({ cpu: '1', memory: '1Gi' });
  });
});
