// `helm install` onto the local control plane: the release installs, the kube-scheduler puts the
// controller's Pods on kwok nodes (which report them Running and Ready without pulling the
// image), so the Deployment becomes Available; an upgrade keeps the generated webhook
// certificate; uninstall removes everything, cluster-scoped objects included.
//
// Shared cluster: the CRDs are already there (--skip-crds; chart.test.ts checks they are the
// same), the webhooks only match this test's namespace and leave the cluster-scoped ResourceRole
// webhook out, the release name is unique, so the cluster-scoped objects are too, and the
// controller's Pods go to this test's own tainted fake nodes, not the shared ones.
import { randomBytes } from 'node:crypto';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHART, helm } from './support/helm.ts';
import { useChartNodes } from './support/chart-nodes.ts';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('chart-install');
const nodes = useChartNodes(2);
const release = `it-${randomBytes(3).toString('hex')}`;
const fullname = `${release}-agora`;

function installArgs(verb: 'install' | 'upgrade'): string[] {
  return [
    verb,
    release,
    CHART,
    '--kubeconfig',
    inject('kubeconfig'),
    '--namespace',
    ns.name,
    '--skip-crds',
    '--set-json',
    `controller.namespaces=${JSON.stringify([ns.name])}`,
    '--set',
    'webhooks.resourceRoles=false',
    '--set-json',
    `nodeSelector=${JSON.stringify(nodes.placement.nodeSelector)}`,
    '--set-json',
    `tolerations=${JSON.stringify(nodes.placement.tolerations)}`,
    '--wait=watcher',
    '--timeout',
    '90s',
  ];
}

describe('helm install onto the local control plane', () => {
  const kc = kubeConfig();
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  let installOutput = '';

  beforeAll(async () => {
    installOutput = (await helm(installArgs('install'))).stdout;
  }, 120_000);

  afterAll(async () => {
    await helm(['uninstall', release, '--kubeconfig', inject('kubeconfig'), '--namespace', ns.name, '--ignore-not-found']).catch(
      () => undefined,
    );
  });

  it('installs, prints the next steps, and the controller Deployment becomes Available on kwok nodes', async () => {
    expect(installOutput).toMatch(/STATUS: deployed/);
    expect(installOutput).toContain(`kubectl -n ${ns.name} rollout status deployment/${fullname}-controller`);
    const d = await eventually(
      'the Deployment Available',
      async () => {
        const dep = await apps.readNamespacedDeployment({ name: `${fullname}-controller`, namespace: ns.name });
        return dep.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ? dep : undefined;
      },
      60_000,
    );
    expect(d.status?.readyReplicas).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: `app.kubernetes.io/instance=${release}` });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(nodes.names).toContain(p.spec?.nodeName);
      expect(p.spec?.serviceAccountName).toBe(`${fullname}-controller`);
    }
    // The anti-affinity spreads the two replicas over two nodes.
    expect(new Set(pods.items.map((p) => p.spec?.nodeName)).size).toBe(2);
  });

  it('registers webhooks trusting the generated CA, scoped to the namespace; an upgrade keeps the certificate', async () => {
    const secretName = `${fullname}-webhook-tls`;
    const before = await core.readNamespacedSecret({ name: secretName, namespace: ns.name });
    const caBundle = async () =>
      (await admission.readValidatingWebhookConfiguration({ name: fullname })).webhooks?.map((w) => w.clientConfig.caBundle);
    const vwc = await admission.readValidatingWebhookConfiguration({ name: fullname });
    expect(vwc.webhooks?.map((w) => w.name)).toEqual([
      'offers.agora.dev',
      'tasks.agora.dev',
      'inverseoffers.agora.dev',
      'frameworks.agora.dev',
    ]);
    for (const w of vwc.webhooks ?? []) {
      expect(w.clientConfig.caBundle).toBe(before.data?.['ca.crt']);
      expect(w.namespaceSelector?.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns.name] }]);
    }

    const upgraded = (await helm(installArgs('upgrade'))).stdout;
    expect(upgraded).toMatch(/REVISION: 2/);
    const after = await core.readNamespacedSecret({ name: secretName, namespace: ns.name });
    expect(after.data).toEqual(before.data);
    expect(await caBundle()).toEqual(vwc.webhooks?.map(() => before.data?.['ca.crt']));
  }, 120_000);

  it('uninstalls cleanly, cluster-scoped objects included', async () => {
    await helm(['uninstall', release, '--kubeconfig', inject('kubeconfig'), '--namespace', ns.name, '--wait', '--timeout', '60s']);
    const gone = async (read: () => Promise<unknown>) => {
      try {
        await read();
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    };
    await eventually(
      'the release objects deleted',
      async () =>
        (await gone(() => apps.readNamespacedDeployment({ name: `${fullname}-controller`, namespace: ns.name }))) &&
        (await gone(() => rbac.readClusterRole({ name: `${fullname}-controller` }))) &&
        (await gone(() => rbac.readClusterRoleBinding({ name: `${fullname}-controller` }))) &&
        (await gone(() => admission.readValidatingWebhookConfiguration({ name: fullname }))) &&
        (await gone(() => admission.readMutatingWebhookConfiguration({ name: fullname }))) &&
        (await gone(() => core.readNamespacedServiceAccount({ name: `${fullname}-controller`, namespace: ns.name }))),
      30_000,
    );
    // Helm never deletes CRDs: the API stays for everyone else.
    const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'frameworks.agora.dev' });
    expect(crd.metadata?.deletionTimestamp).toBeUndefined();
  }, 90_000);
});
