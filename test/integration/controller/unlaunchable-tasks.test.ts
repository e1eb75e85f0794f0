// Tasks that cannot become Pods, with admission bypassed (no webhooks serve this namespace, as when
// they are not registered or a registration fails open) — issue #13: the controller must never let
// one bad accept hold a node. A task whose Pod the API server refuses, or whose Pod the API client
// cannot even build, ends TASK_ERROR with the reason in its message; the rest of the offer launches
// and what it does not use is offered again; the offer ends Accepted. A launch the API server
// keeps refusing with a retryable error is retried only until the offer expires. The same for a built-in
// framework whose template is bad: its tasks fail, its retries run out, and the node is free.
import { AdmissionregistrationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseResourceList } from '../../../src/api/quantity.ts';
import type { FrameworkObject, OfferObject, TaskObject } from '../../../src/api/objects.ts';
import { eventually, kubeConfig, useNamespace } from '../support/kube.ts';
import { accept, createFramework, get, list, patch, task, useController, usePool, violations, waitOffer, waitTask } from './support.ts';

const ns = useNamespace('ctl-unlaunchable');
const NODE = { cpu: '4', memory: '8Gi' };
const pool = usePool('unlaunch', [NODE]);
useController(ns, pool, { builtinScheduler: true, offerTimeoutMs: 10_000 });
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const withContainer = (name: string, container: Record<string, unknown>) => ({
  ...task(name, { cpu: '1', memory: '1Gi' }),
  containers: [{ name: 'main', image: 'busybox', ...container }],
});

const error = (t: TaskObject) => t.status?.state === 'TASK_ERROR';

async function offerEnded(name: string): Promise<OfferObject> {
  return eventually(
    `offer ${name} to end`,
    async () => {
      const o = await get<OfferObject>('Offer', ns.name, name);
      return o.status?.phase !== undefined && o.status.phase !== 'Outstanding' ? o : undefined;
    },
    30_000,
  );
}

/** Nothing on the node is held beyond what runs: no overcommit, and the next offer has the rest. */
async function nodeFreeExceptRunning(wantOfferedCpu: string): Promise<void> {
  const node = await kubeConfig()
    .makeApiClient(CoreV1Api)
    .readNode({ name: pool.node(0) });
  expect(await violations(ns.name, [pool.node(0)], parseResourceList(node.status!.allocatable!))).toEqual([]);
  await eventually(
    `an offer of ${wantOfferedCpu} cpu for the node`,
    async () =>
      (await list<OfferObject>('Offer', ns.name)).some(
        (o) => o.spec.nodeName === pool.node(0) && o.status?.phase === 'Outstanding' && o.spec.resources.cpu === wantOfferedCpu,
      ),
    30_000,
  );
}

describe('tasks that cannot become Pods (no admission webhooks)', () => {
  it('end TASK_ERROR with the reason; the rest of the offer runs and the remainder is offered again', async () => {
    await createFramework(ns.name, 'raw');
    const offer = await waitOffer(ns.name, 'raw', pool.node(0), 30_000);
    await accept(ns.name, offer, [
      // The API server refuses this Pod (422): the mount names no volume of the Pod.
      withContainer('refused', { volumeMounts: [{ name: 'none', mountPath: '/x' }] }),
      // The API client cannot build this Pod: resizePolicy must be a list.
      withContainer('unbuildable', { resizePolicy: { resourceName: 'cpu', restartPolicy: 'NotRequired' } }),
      task('fine', { cpu: '1', memory: '1Gi' }),
    ] as ReturnType<typeof task>[]);

    const refused = await waitTask(ns.name, 'refused', error, 'TASK_ERROR', 30_000);
    expect(refused.status).toMatchObject({ reason: 'PodCreateFailed' });
    // The API server's own message, naming the field.
    expect(refused.status?.message).toMatch(/spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "none"/);
    const unbuildable = await waitTask(ns.name, 'unbuildable', error, 'TASK_ERROR', 30_000);
    expect(unbuildable.status).toMatchObject({ reason: 'InvalidTask' });
    expect(unbuildable.status?.message).toMatch(/^the task's Pod cannot be built: /);
    await waitTask(ns.name, 'fine', (t) => t.status?.state === 'TASK_RUNNING', 'running', 30_000);

    const ended = await offerEnded(offer.metadata.name);
    expect(ended.status).toMatchObject({ phase: 'Accepted', message: '1 task(s) launched, 2 failed' });
    // 4 cpu − the 1 the running task uses: the failed tasks' share came back.
    await nodeFreeExceptRunning('3');
    await patch('Task', ns.name, 'fine', { spec: { kill: true } });
    await waitTask(ns.name, 'fine', (t) => t.status?.state === 'TASK_KILLED', 'killed', 30_000);
  });

  it("ends TASK_ERROR with the API server's message when the namespace's Pod Security level refuses the Pod", async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    const label = (value: string | null) =>
      core.patchNamespace({ name: ns.name, body: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': value } } } }, MERGE);
    await label('restricted');
    try {
      const offer = await waitOffer(ns.name, 'raw', pool.node(0), 30_000);
      await accept(ns.name, offer, [task('plain', { cpu: '1', memory: '1Gi' })]);
      const plain = await waitTask(ns.name, 'plain', error, 'TASK_ERROR', 30_000);
      expect(plain.status).toMatchObject({ reason: 'PodCreateFailed' });
      expect(plain.status?.message).toMatch(/violates PodSecurity "restricted:latest"/);
      expect((await offerEnded(offer.metadata.name)).status).toMatchObject({ phase: 'Accepted', message: '0 task(s) launched, 1 failed' });
    } finally {
      await label(null);
    }
    await nodeFreeExceptRunning('4');
  });

  it('fails a launch the API server keeps answering with a retryable error once the offer expires, so that the offer ends', async () => {
    // Another admission webhook on Pods that is down, failing closed: every Pod create is a 500.
    const admission = kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    const name = `agora-test-${ns.name}-down`;
    await admission.createValidatingWebhookConfiguration({
      body: {
        metadata: { name },
        webhooks: [
          {
            name: 'down.agora.dev',
            clientConfig: { url: 'https://127.0.0.1:1/down' },
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } },
            failurePolicy: 'Fail',
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            timeoutSeconds: 1,
          },
        ],
      },
    });
    try {
      const offer = await waitOffer(ns.name, 'raw', pool.node(0), 30_000);
      await accept(ns.name, offer, [task('blocked', { cpu: '1', memory: '1Gi' })]);
      const blocked = await waitTask(ns.name, 'blocked', error, 'TASK_ERROR', 60_000);
      expect(blocked.status).toMatchObject({ reason: 'LaunchFailed' });
      expect(blocked.status?.message).toMatch(/^not launched by the offer's expiry: .*failed calling webhook "down\.agora\.dev"/);
      expect(Date.parse(blocked.status!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(String(offer.spec.expiresAt)));
      expect((await offerEnded(offer.metadata.name)).status).toMatchObject({ phase: 'Accepted', message: '0 task(s) launched, 1 failed' });
    } finally {
      await admission.deleteValidatingWebhookConfiguration({ name });
    }
    await nodeFreeExceptRunning('4');
  });

  it('a built-in template the API client cannot turn into a Pod: its tasks fail, its retries run out, the node is free', async () => {
    await createFramework(ns.name, 'bad-template', {
      builtin: {
        tasks: 1,
        maxRetries: 2,
        backoffSeconds: 0,
        template: { resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox', resizePolicy: { a: 1 } }] },
      },
    } as unknown as Partial<FrameworkObject['spec']>);
    await eventually(
      'the built-in framework to fail',
      async () => {
        const f = await get<FrameworkObject>('Framework', ns.name, 'bad-template');
        return f.status?.phase === 'Failed' ? f : undefined;
      },
      60_000,
    );
    const tasks = (await list<TaskObject>('Task', ns.name)).filter((t) => t.spec.framework === 'bad-template');
    expect(tasks.map((t) => [t.status?.state, t.status?.reason])).toEqual(Array.from({ length: 3 }, () => ['TASK_ERROR', 'InvalidTask']));
    await nodeFreeExceptRunning('4');
    // And the node still runs a normal task.
    const offer = await waitOffer(ns.name, 'raw', pool.node(0), 30_000);
    await accept(ns.name, offer, [
      task('after', { cpu: '1', memory: '1Gi' }, { 'agora.dev/sim-exit-code': '0', 'agora.dev/sim-run-duration': '1s' }),
    ]);
    await waitTask(ns.name, 'after', (t) => t.status?.state === 'TASK_FINISHED', 'finished', 30_000);
  });
});
