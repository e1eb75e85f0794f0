// The SDK against the real API server, playing Agora's part by hand (creating and rescinding
// Offers, writing Task status), so the SDK's contract is checked independently of the controller.
import { CoordinationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import { SchedulerDriver, leaseName, type OfferObject, type RevocationNotice, type TaskUpdate } from '../../src/sdk/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('sdk');
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function createOffer(name: string, framework: string, role?: string): Promise<OfferObject> {
  return (await custom().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural: PLURAL.Offer,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Offer',
      metadata: { name },
      spec: { framework, nodeName: 'nowhere', resources: { cpu: '2', memory: '4Gi' }, ...(role ? { role } : {}) },
    },
  })) as OfferObject;
}

async function setOfferPhase(name: string, phase: string): Promise<void> {
  await custom().patchNamespacedCustomObjectStatus(
    { group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Offer, name, body: { status: { phase } } },
    MERGE,
  );
}

const task = (name: string) => ({ name, resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] });

describe('SDK SchedulerDriver', () => {
  let driver: SchedulerDriver;
  beforeAll(async () => {
    driver = await SchedulerDriver.start({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'sdk-fw',
      spec: { role: 'sdk-test', failoverTimeoutSeconds: 60 },
      heartbeatSeconds: 1,
    });
  });
  afterAll(async () => {
    await driver?.stop();
  });

  it('registers the Framework and adopts it on a second start', async () => {
    expect(driver.framework?.spec.role).toBe('sdk-test');
    const again = await SchedulerDriver.start({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'sdk-fw',
      spec: { failoverTimeoutSeconds: 120 },
      heartbeatSeconds: 0,
    });
    expect(again.framework?.metadata?.uid).toBe(driver.framework?.metadata?.uid);
    expect(again.framework?.spec.failoverTimeoutSeconds).toBe(120);
    expect(again.framework?.spec.role).toBe('sdk-test');
    await again.stop();
  });

  it('heartbeats the failover Lease', async () => {
    const coordination = kubeConfig().makeApiClient(CoordinationV1Api);
    const first = await coordination.readNamespacedLease({ name: leaseName('sdk-fw'), namespace: ns.name });
    expect(first.spec?.holderIdentity).toBe(driver.identity);
    const renewed = await eventually(
      'lease renewed',
      async () => {
        const l = await coordination.readNamespacedLease({ name: leaseName('sdk-fw'), namespace: ns.name });
        return new Date(l.spec!.renewTime!).getTime() > new Date(first.spec!.renewTime!).getTime() ? l : undefined;
      },
      10_000,
    );
    expect(renewed.spec?.holderIdentity).toBe(driver.identity);
    // Held for three heartbeats: a standby takes over well within the 60 s failover timeout.
    expect(renewed.spec?.leaseDurationSeconds).toBe(3);
  });

  it('delivers offers through the async iterator and accepts one', async () => {
    const it = driver.offers();
    await createOffer('offer-a', 'sdk-fw');
    await createOffer('not-mine', 'someone-else');
    const next = await it.next();
    expect(next.value?.metadata?.name).toBe('offer-a');
    const res = await driver.accept(next.value!, [task('t1')], { refuseSeconds: 3 });
    expect(res).toEqual({ ok: true, offer: 'offer-a' });
    const stored = (await custom().getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: PLURAL.Offer,
      name: 'offer-a',
    })) as OfferObject;
    expect(stored.spec.accept?.tasks.map((t) => t.name)).toEqual(['t1']);
    expect(stored.spec.accept?.refuseSeconds).toBe(3);
  });

  it('a multi-role framework: offers carry their role, and one role is suppressed and revived alone', async () => {
    const multi = await SchedulerDriver.start({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'sdk-multi',
      spec: { roles: ['sdk-x', 'sdk-y'] },
      heartbeatSeconds: 0,
    });
    try {
      const it = multi.offers();
      await createOffer('multi-y', 'sdk-multi', 'sdk-y');
      expect((await it.next()).value?.spec.role).toBe('sdk-y');
      await multi.suppress('sdk-y');
      await multi.suppress('sdk-y'); // idempotent
      const read = async () => (await multi.getFramework())!.spec;
      expect(await read()).toMatchObject({ roles: ['sdk-x', 'sdk-y'], suppressedRoles: ['sdk-y'] });
      expect((await read()).suppressed).not.toBe(true);
      await multi.revive('sdk-y');
      expect((await read()).suppressedRoles).toBeUndefined();
    } finally {
      await multi.stop();
    }
  });

  it('reports an offer rescinded while answering as a typed result, not an exception', async () => {
    const stale = await createOffer('offer-b', 'sdk-fw');
    await setOfferPhase('offer-b', 'Rescinded');
    expect(await driver.accept(stale, [task('t2')])).toMatchObject({ ok: false, offer: 'offer-b', reason: 'Rescinded' });
    await createOffer('offer-c', 'sdk-fw');
    await setOfferPhase('offer-c', 'Expired');
    expect(await driver.decline('offer-c', { refuseSeconds: 10 })).toMatchObject({ ok: false, reason: 'Expired' });
    expect(await driver.decline('no-such-offer')).toMatchObject({ ok: false, reason: 'Gone' });
    expect(await driver.decline('offer-a')).toMatchObject({ ok: false, reason: 'AlreadyAnswered' });
  });

  it('emits rescinded for a delivered offer that is withdrawn', async () => {
    const rescinded = new Promise<string>((resolve) => driver.on('rescinded', (o) => o.metadata?.name === 'offer-d' && resolve('offer-d')));
    await createOffer('offer-d', 'sdk-fw');
    await eventually('offer-d delivered', async () => driver.openOffers().some((o) => o.metadata?.name === 'offer-d'), 10_000);
    await setOfferPhase('offer-d', 'Rescinded');
    expect(await rescinded).toBe('offer-d');
  });

  it('suppresses and revives', async () => {
    await driver.suppress();
    expect((await driver.getFramework())?.spec.suppressed).toBe(true);
    await driver.revive();
    expect((await driver.getFramework())?.spec.suppressed).toBe(false);
  });

  it('streams task status updates, kills tasks and reconciles', async () => {
    const updates: TaskUpdate[] = [];
    driver.on('update', (u) => updates.push(u));
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Task',
      metadata: { name: 't9' },
      spec: { framework: 'sdk-fw', nodeName: 'nowhere', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] },
    };
    await custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Task, body });
    await custom().patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Task, name: 't9', body: { status: { state: 'TASK_RUNNING' } } },
      MERGE,
    );
    await eventually('TASK_RUNNING update', async () => updates.some((u) => u.name === 't9' && u.state === 'TASK_RUNNING'), 10_000);
    expect(await driver.kill('t9')).toBe(true);
    expect(await driver.kill('no-such-task')).toBe(false);
    const states = await driver.reconcile();
    expect(states.map((s) => [s.name, s.state])).toEqual([['t9', 'TASK_RUNNING']]);
    expect(states[0]?.task.spec.kill).toBe(true);
  });

  it('emits revoking once when a task is told it is revoked, and not for a dry-run report', async () => {
    const notices: RevocationNotice[] = [];
    driver.on('revoking', (n) => notices.push(n));
    const create = async (name: string) => {
      const body = {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'Task',
        metadata: { name },
        spec: { framework: 'sdk-fw', nodeName: 'nowhere', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] },
      };
      await custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Task, body });
    };
    const notice = (name: string, extra: object = {}) =>
      custom().patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns.name,
          plural: PLURAL.Task,
          name,
          body: {
            status: {
              state: 'TASK_RUNNING',
              revocation: {
                reason: 'FairShare',
                for: `${ns.name}/late`,
                forRole: 'default',
                noticedAt: '2026-01-01T00:00:00Z',
                deadline: '2026-01-01T00:00:30Z',
                ...extra,
              },
            },
          },
        },
        MERGE,
      );
    await create('dry');
    await notice('dry', { dryRun: true });
    await create('t10');
    await notice('t10');
    await eventually('revoking', async () => notices.length > 0, 10_000);
    // a second write of the same notice is not a second event
    await notice('t10', { message: 'again' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(notices.map((n) => [n.name, n.reason, n.for, n.deadline.toISOString()])).toEqual([
      ['t10', 'FairShare', `${ns.name}/late`, '2026-01-01T00:00:30.000Z'],
    ]);
  });
});

describe('SDK failover: one active scheduler per framework', () => {
  const start = (standby: boolean) =>
    SchedulerDriver.start({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'fo-fw',
      spec: { failoverTimeoutSeconds: 30 },
      heartbeatSeconds: 1,
      standby,
    });

  it('a standby waits while the active one renews, and takes over when it stops', async () => {
    const active = await start(false);
    let standby: SchedulerDriver | undefined;
    const waiting = start(true).then((d) => (standby = d));
    await createOffer('fo-offer-1', 'fo-fw');
    const first = await active.offers().next();
    expect(first.value?.metadata?.name).toBe('fo-offer-1');
    await new Promise((r) => setTimeout(r, 4_000)); // more than the 3 s Lease
    expect(standby).toBeUndefined();
    expect(active.active).toBe(true);

    await active.stop(); // releases the Lease
    const next = await waiting;
    expect(next.active).toBe(true);
    const lease = await kubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: leaseName('fo-fw'), namespace: ns.name });
    expect(lease.spec?.holderIdentity).toBe(next.identity);
    // It receives the open offer the stopped one had not answered.
    expect((await next.offers().next()).value?.metadata?.name).toBe('fo-offer-1');
    await next.stop();
  });

  it('a re-registering scheduler replaces the active one, which is told and stops answering', async () => {
    const old = await start(false);
    const told = new Promise((resolve) => old.on('failedOver', resolve));
    const offers = old.offers();
    const fresh = await start(false);
    expect(await told).toEqual({ reason: 'Replaced', by: fresh.identity });
    expect(old.active).toBe(false);
    expect((await offers.next()).done).toBe(true);
    const offer = await createOffer('fo-offer-2', 'fo-fw');
    expect(await old.accept(offer, [task('late')])).toMatchObject({ ok: false, reason: 'FailedOver' });
    expect(await fresh.decline(offer)).toEqual({ ok: true, offer: 'fo-offer-2' });
    await fresh.stop();
    await old.stop();
  });

  it('a standby stopped before it takes over is rejected, and takes nothing', async () => {
    const active = await start(false);
    const standby = new SchedulerDriver({
      kubeConfig: kubeConfig(),
      namespace: ns.name,
      name: 'fo-fw',
      heartbeatSeconds: 1,
      standby: true,
    });
    const waiting = standby.connect();
    await new Promise((r) => setTimeout(r, 1_500));
    await standby.stop();
    await expect(waiting).rejects.toThrow(/stopped before/);
    expect(active.active).toBe(true);
    await active.stop();
  });
});
