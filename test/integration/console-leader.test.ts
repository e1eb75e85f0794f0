// Two controller replicas serving the console: the Service in front of them (the chart's
// selector: the replicas' Pods, and of them the one labelled agora.dev/leader=true) routes to the
// leader only, and follows leadership when the leader goes; a stale label left on a crashed
// replica's Pod is cleared by the new leader; a standby reached directly answers 503 naming the
// leader (from the Lease), on its API and its page. The replicas run in this process; their "Pods" are
// real Pods on this file's fake nodes (kwok gives them an IP), and the EndpointSlice controller
// of the local control plane decides what the Service routes to.
import { CoreV1Api, DiscoveryV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LEADER_LABEL } from '../../src/api/group.ts';
import { ARTIFACTS, launchBrowser } from '../../scripts/browser.ts';
import { startController, type ControllerHandle } from '../../src/controller/manager.ts';
import { scopedOptions, usePool } from './controller/support.ts';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('console-leader');
const pool = usePool('console-leader', [{ cpu: '4', memory: '8Gi' }]);
const APP = { app: 'agora-console-test' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('the console Service with two replicas', () => {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const discovery = kubeConfig().makeApiClient(DiscoveryV1Api);
  const replicas = new Map<string, ControllerHandle>();

  const replica = async (name: string): Promise<ControllerHandle> => {
    const handle = await startController(
      scopedOptions(ns.name, pool, {
        leaderElect: true,
        leaseName: 'agora-controller',
        leaderElectionNamespace: ns.name,
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 400,
        identity: name,
        uiAddr: '127.0.0.1:0',
        podName: name,
        podNamespace: ns.name,
      }),
    );
    replicas.set(name, handle);
    return handle;
  };
  const pod = async (name: string): Promise<V1Pod> => core.readNamespacedPod({ name, namespace: ns.name });
  const label = async (name: string) => (await pod(name)).metadata?.labels?.[LEADER_LABEL];
  /** The Pod IPs the Service routes to (ready endpoints of its EndpointSlices). */
  const routed = async (): Promise<string[]> => {
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: ns.name, labelSelector: 'kubernetes.io/service-name=console' });
    return slices.items
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) => e.addresses)
      .sort();
  };
  const get = (handle: ControllerHandle, path: string) => fetch(`http://127.0.0.1:${handle.uiPort}${path}`);

  beforeAll(async () => {
    // The replicas' Pods, and an old replica's Pod that still says it leads (it crashed).
    for (const name of ['replica-a', 'replica-b', 'replica-old'])
      await core.createNamespacedPod({
        namespace: ns.name,
        body: {
          metadata: { name, labels: { ...APP, ...(name === 'replica-old' ? { [LEADER_LABEL]: 'true' } : {}) } },
          spec: { nodeName: pool.node(0), containers: [{ name: 'controller', image: 'registry.k8s.io/pause:3.10' }] },
        },
      });
    await core.createNamespacedService({
      namespace: ns.name,
      body: {
        metadata: { name: 'console' },
        spec: { selector: { ...APP, [LEADER_LABEL]: 'true' }, ports: [{ name: 'http', port: 80, targetPort: 8082 }] },
      },
    });
    await eventually('the Pods running with an IP', async () => {
      const pods = await core.listNamespacedPod({ namespace: ns.name });
      return pods.items.length === 3 && pods.items.every((p) => p.status?.phase === 'Running' && p.status.podIP);
    });
  });

  afterAll(async () => {
    await Promise.all([...replicas.values()].map((r) => r.stop()));
  });

  it('routes to the leader only, and to the new leader when it goes', async () => {
    const ip = async (name: string) => (await pod(name)).status!.podIP!;
    const [ipA, ipB, ipOld] = [await ip('replica-a'), await ip('replica-b'), await ip('replica-old')];
    expect(await routed()).toEqual([ipOld]);

    const a = await replica('replica-a');
    await a.leading();
    const b = await replica('replica-b');
    // A leads and says so on its Pod; B and the old replica do not.
    await eventually('replica-a labelled leader, the others not', async () => {
      const labels = await Promise.all(['replica-a', 'replica-b', 'replica-old'].map(label));
      return labels.join() === 'true,false,false';
    });
    await eventually('the Service routes to replica-a only', async () => (await routed()).join() === ipA);
    // What the Service routes to answers; the standby it no longer routes to would say 503.
    expect((await get(a, '/api/v1/overview')).status).toBe(200);
    expect(b.isLeader()).toBe(false);
    const standby = await get(b, '/api/v1/overview');
    expect(standby.status).toBe(503);
    // The standby names the leader, from the Lease, and says the Service routes to it.
    const body = (await standby.json()) as { error: string; leader: string | null; serviceRoutesToLeader: boolean };
    expect(body).toMatchObject({ leader: 'replica-a', serviceRoutesToLeader: true });
    expect(body.error).toContain('The leader is replica-a.');
    expect(body.error).toContain("The console's Service routes to the leader");
    // And so does its page, in a real browser.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${b.uiPort}/#/`);
      const error = page.locator('#view .error');
      await error.waitFor({ timeout: 15_000 });
      expect(await error.textContent()).toContain('The leader is replica-a.');
      await page.screenshot({ path: join(ARTIFACTS, 'standby.png') });
    } finally {
      await browser.close();
    }

    // A goes (a rolling update): it marks its Pod a standby on the way out, B takes over.
    await a.stop();
    replicas.delete('replica-a');
    await b.leading();
    await eventually('replica-b labelled leader, replica-a not', async () => {
      const labels = await Promise.all(['replica-a', 'replica-b'].map(label));
      return labels.join() === 'false,true';
    });
    await eventually('the Service routes to replica-b only', async () => (await routed()).join() === ipB);
    const res = await get(b, '/api/v1/overview');
    expect(res.status).toBe(200);
    const overview = (await res.json()) as { counts: { nodes: number } };
    expect(overview.counts.nodes).toBe(1);
  }, 90_000);

  it('a replica that starts marks its own Pod a standby, whatever a crashed run left on it', async () => {
    await core.patchNamespacedPod(
      { name: 'replica-a', namespace: ns.name, body: { metadata: { labels: { [LEADER_LABEL]: 'true' } } } },
      MERGE,
    );
    await replica('replica-a');
    await eventually('replica-a labelled standby', async () => (await label('replica-a')) === 'false');
    expect(await label('replica-b')).toBe('true');
  }, 30_000);
});
