// Helm unit tests: the chart's templates rendered with `helm template` (no cluster), their
// important branches asserted on the parsed objects.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { kinds, one, render, type Manifest, type Values } from './support/helm.ts';

interface Container {
  name: string;
  image: string;
  imagePullPolicy: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: Record<string, Record<string, string>>;
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment {
  spec: {
    replicas: number;
    template: {
      spec: {
        serviceAccountName: string;
        securityContext: Record<string, unknown>;
        containers: Container[];
        volumes: { name: string; secret?: { secretName: string } }[];
        affinity?: unknown;
        tolerations?: unknown[];
      };
    };
  };
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  namespaceSelector?: Record<string, unknown>;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { resources: string[]; operations: string[] }[];
}
type WebhookConfiguration = Manifest & { webhooks: Webhook[] };

const controller = (docs: Manifest[]): Container => one<Deployment>(docs, 'Deployment').spec.template.spec.containers[0]!;
const arg = (c: Container, flag: string): string | undefined => c.args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
const renderWith = (values: Values, release = 'agora') => render({ release, namespace: 'agora-system', values });

describe('defaults', () => {
  let docs: Manifest[];
  beforeAll(async () => {
    docs = await renderWith({});
  });

  it('run two leader-elected replicas as the chart ServiceAccount, with the image at the appVersion', () => {
    const d = one<Deployment>(docs, 'Deployment', 'agora-controller');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.serviceAccountName).toBe('agora-controller');
    const c = controller(docs);
    expect(c.image).toBe('ghcr.io/agora-dev/agora:0.1.0');
    expect(c.args[0]).toBe('controller');
    expect(arg(c, '--leader-elect')).toBe('true');
    expect(arg(c, '--lease-name')).toBe('agora-controller');
    expect(arg(c, '--leader-election-namespace')).toBe('agora-system');
    expect(arg(c, '--allocation-interval')).toBe('1s');
    expect(arg(c, '--offer-timeout')).toBe('30s');
    expect(arg(c, '--node-lost-timeout')).toBe('5m');
    expect(arg(c, '--log-level')).toBe('info');
    expect(arg(c, '--fair-sharing-excluded-resources')).toBeUndefined();
    expect(arg(c, '--controller-identity')).toBe('system:serviceaccount:agora-system:agora-controller');
    expect(one(docs, 'PodDisruptionBudget')).toMatchObject({ spec: { minAvailable: 1 } });
  });

  it('probe /healthz and /readyz, set resources, and lock the container down', () => {
    const c = controller(docs);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.ports.map((p) => p.name)).toEqual(['metrics', 'health', 'console', 'webhook']);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(one<Deployment>(docs, 'Deployment').spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('serve metrics through a Service and make no ServiceMonitor', () => {
    expect(one(docs, 'Service', 'agora-metrics')).toMatchObject({
      spec: { ports: [{ name: 'metrics', port: 8080, targetPort: 'metrics' }] },
    });
    expect(kinds(docs)).not.toContain('ServiceMonitor');
  });

  it('generate a CA and a serving certificate for the webhook Service, trusted by every webhook', () => {
    const secret = one<{ type: string; data: Record<string, string> }>(docs, 'Secret', 'agora-webhook-tls');
    expect(secret.type).toBe('kubernetes.io/tls');
    const pem = (k: string) => Buffer.from(secret.data[k]!, 'base64').toString();
    const ca = new X509Certificate(pem('ca.crt'));
    const cert = new X509Certificate(pem('tls.crt'));
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('agora-webhook.agora-system.svc')).toBe('agora-webhook.agora-system.svc');
    expect(cert.subjectAltName).toContain('DNS:agora-webhook.agora-system.svc.cluster.local');
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(3000 * 86_400_000);
    expect(pem('tls.key')).toMatch(/PRIVATE KEY/);

    const configs = docs.filter((d): d is WebhookConfiguration => d.kind.endsWith('WebhookConfiguration'));
    expect(configs.map((c) => c.kind).sort()).toEqual(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    for (const w of configs.flatMap((c) => c.webhooks)) {
      expect(w.clientConfig.caBundle, w.name).toBe(secret.data['ca.crt']);
      expect(w.clientConfig.service).toMatchObject({ name: 'agora-webhook', namespace: 'agora-system', port: 443 });
      expect(w.sideEffects).toBe('None');
    }
    const mount = controller(docs).volumeMounts.find((m) => m.name === 'webhook-tls');
    expect(mount).toMatchObject({ mountPath: '/etc/agora/webhook', readOnly: true });
    expect(arg(controller(docs), '--webhook-cert-file')).toBe('/etc/agora/webhook/tls.crt');
  });

  it('review Offers, Tasks, InverseOffers, Frameworks and ResourceRoles at the paths the webhook server routes, failing closed', () => {
    const v = one<WebhookConfiguration>(docs, 'ValidatingWebhookConfiguration');
    expect(v.webhooks.map((w) => [w.name, w.clientConfig.service.path, w.failurePolicy])).toEqual([
      ['offers.agora.dev', '/validate/offers', 'Fail'],
      ['tasks.agora.dev', '/validate/tasks', 'Fail'],
      ['inverseoffers.agora.dev', '/validate/inverseoffers', 'Fail'],
      ['frameworks.agora.dev', '/validate/frameworks', 'Fail'],
      ['resourceroles.agora.dev', '/validate/resourceroles', 'Ignore'],
    ]);
    expect(v.webhooks[0]!.rules).toEqual([
      expect.objectContaining({ resources: ['offers', 'offers/status'], operations: ['CREATE', 'UPDATE'] }),
    ]);
    const m = one<WebhookConfiguration>(docs, 'MutatingWebhookConfiguration');
    expect(m.webhooks.map((w) => [w.name, w.clientConfig.service.path, w.failurePolicy])).toEqual([
      ['framework-defaults.agora.dev', '/mutate/frameworks', 'Ignore'],
    ]);
  });
});

describe('RBAC', () => {
  let docs: Manifest[];
  beforeAll(async () => {
    docs = await renderWith({});
  });
  const rules = (name: string) => one<{ rules: Rule[] }>(docs, 'ClusterRole', name).rules;
  const allRules = () =>
    docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role').flatMap((d) => (d as unknown as { rules: Rule[] }).rules);

  it('grants exactly the documented permissions', () => {
    // The list in templates/rbac.yaml's header comment; a change here must change it too.
    expect(rules('agora-controller')).toEqual([
      { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['agora.dev'], resources: ['resourceroles'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['agora.dev'], resources: ['resourceroles/status'], verbs: ['patch'] },
      { apiGroups: ['agora.dev'], resources: ['maintenances'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['agora.dev'], resources: ['reservations'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
      { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
    expect(rules('agora-controller-frameworks')).toEqual([
      { apiGroups: ['agora.dev'], resources: ['frameworks'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['agora.dev'], resources: ['offers', 'tasks'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'] },
      { apiGroups: ['agora.dev'], resources: ['inverseoffers'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
      { apiGroups: ['agora.dev'], resources: ['frameworks/status', 'offers/status', 'tasks/status'], verbs: ['patch'] },
      { apiGroups: ['agora.dev'], resources: ['tasks/finalizers'], verbs: ['update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(one<{ rules: Rule[] }>(docs, 'Role', 'agora-controller-leader-election').rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['agora-controller'], verbs: ['get', 'update'] },
    ]);
    // Each replica labels its own Pod agora.dev/leader=true|false for the console Service.
    expect(one<{ rules: Rule[] }>(docs, 'Role', 'agora-controller-console').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
    ]);
    expect(one(docs, 'RoleBinding', 'agora-controller-console')).toMatchObject({
      metadata: { namespace: 'agora-system' },
      roleRef: { kind: 'Role', name: 'agora-controller-console' },
      subjects: [{ kind: 'ServiceAccount', name: 'agora-controller', namespace: 'agora-system' }],
    });
  });

  it('has no wildcards, no Secrets, and no writes to nodes', () => {
    for (const r of allRules()) {
      expect([...r.apiGroups, ...r.resources, ...r.verbs]).not.toContain('*');
      expect(r.resources).not.toContain('secrets');
      if (r.resources.includes('nodes')) expect(r.verbs).toEqual(['get', 'list', 'watch']);
      expect(r.verbs).not.toContain('escalate');
      expect(r.verbs).not.toContain('impersonate');
    }
  });

  it('binds the framework permissions cluster-wide by default, per namespace when scoped', async () => {
    expect(one(docs, 'ClusterRoleBinding', 'agora-controller-frameworks')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'agora-controller-frameworks' },
      subjects: [{ kind: 'ServiceAccount', name: 'agora-controller', namespace: 'agora-system' }],
    });
    const scoped = await renderWith({ controller: { namespaces: ['team-a', 'team-b'] } });
    expect(scoped.filter((d) => d.kind === 'ClusterRoleBinding').map((d) => d.metadata.name)).toEqual(['agora-controller']);
    const bindings = scoped.filter((d) => d.kind === 'RoleBinding' && d.metadata.name === 'agora-controller-frameworks');
    expect(bindings.map((b) => b.metadata.namespace)).toEqual(['team-a', 'team-b']);
    expect(bindings[0]).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'agora-controller-frameworks' } });
    expect(arg(controller(scoped), '--namespaces')).toBe('team-a,team-b');
  });

  it('leaves out the leader-election Role when leader election is off', async () => {
    const single = await renderWith({ controller: { leaderElection: { enabled: false } }, replicaCount: 1 });
    expect(single.filter((d) => d.kind === 'Role' || d.kind === 'RoleBinding').map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Role/agora-controller-console',
      'RoleBinding/agora-controller-console',
    ]);
    expect(arg(controller(single), '--leader-elect')).toBe('false');
    expect(kinds(single)).not.toContain('PodDisruptionBudget');
    expect(one<Deployment>(single, 'Deployment').spec.template.spec.affinity).toBeUndefined();
  });

  it('uses an existing ServiceAccount when told to, and requires its name', async () => {
    const existing = await renderWith({ serviceAccount: { create: false, name: 'ops-agora' } });
    expect(kinds(existing)).not.toContain('ServiceAccount');
    expect(one<Deployment>(existing, 'Deployment').spec.template.spec.serviceAccountName).toBe('ops-agora');
    expect(one(existing, 'ClusterRoleBinding', 'agora-controller')).toMatchObject({ subjects: [{ name: 'ops-agora' }] });
    expect(arg(controller(existing), '--controller-identity')).toBe('system:serviceaccount:agora-system:ops-agora');
    await expect(renderWith({ serviceAccount: { create: false } })).rejects.toThrow(/serviceAccount.name is required/);
  });
});

describe('cert-manager', () => {
  it('replaces the generated Secret with a Certificate from a self-signed Issuer, and injects the CA', async () => {
    const docs = await renderWith({ certManager: { enabled: true } });
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
    expect(one(docs, 'Issuer', 'agora-selfsigned')).toMatchObject({ apiVersion: 'cert-manager.io/v1', spec: { selfSigned: {} } });
    expect(one(docs, 'Certificate', 'agora-webhook')).toMatchObject({
      apiVersion: 'cert-manager.io/v1',
      spec: {
        secretName: 'agora-webhook-tls',
        issuerRef: { name: 'agora-selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
        dnsNames: [
          'agora-webhook',
          'agora-webhook.agora-system',
          'agora-webhook.agora-system.svc',
          'agora-webhook.agora-system.svc.cluster.local',
        ],
      },
    });
    for (const c of docs.filter((d): d is WebhookConfiguration => d.kind.endsWith('WebhookConfiguration'))) {
      expect(c.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'agora-system/agora-webhook' });
      for (const w of c.webhooks) expect(w.clientConfig.caBundle).toBeUndefined();
    }
    // The controller serves whatever cert-manager writes into the same Secret.
    expect(one<Deployment>(docs, 'Deployment').spec.template.spec.volumes).toContainEqual(
      expect.objectContaining({ secret: expect.objectContaining({ secretName: 'agora-webhook-tls' }) }),
    );
  });

  it('uses an existing issuer without making one', async () => {
    const docs = await renderWith({ certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } });
    expect(kinds(docs)).not.toContain('Issuer');
    expect(one(docs, 'Certificate')).toMatchObject({
      spec: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    });
  });
});

describe('webhook switches', () => {
  it('webhooks.enabled=false leaves out every webhook object, the certificate and the flags', async () => {
    const docs = await renderWith({ webhooks: { enabled: false } });
    for (const k of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'Secret', 'Certificate', 'Issuer'])
      expect(kinds(docs)).not.toContain(k);
    expect(docs.filter((d) => d.kind === 'Service').map((d) => d.metadata.name)).toEqual(['agora-console', 'agora-metrics']);
    const c = controller(docs);
    // Off means off: the controller must not fall back to registering local webhooks.
    expect(c.args.filter((a) => a.includes('webhook'))).toEqual(['--no-webhooks']);
    expect(c.volumeMounts.map((m) => m.name)).toEqual(['tmp']);
    expect(c.ports.map((p) => p.name)).not.toContain('webhook');
  });

  it('a namespace-scoped controller gets webhooks scoped to its namespaces; an explicit selector wins', async () => {
    const scoped = await renderWith({ controller: { namespaces: ['team-a'] } });
    const selector = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a'] }] };
    const v = one<WebhookConfiguration>(scoped, 'ValidatingWebhookConfiguration');
    for (const w of v.webhooks.filter((x) => x.name !== 'resourceroles.agora.dev')) expect(w.namespaceSelector, w.name).toEqual(selector);
    const explicit = await renderWith({
      controller: { namespaces: ['team-a'] },
      webhooks: { namespaceSelector: { matchLabels: { agora: 'on' } } },
    });
    expect(one<WebhookConfiguration>(explicit, 'MutatingWebhookConfiguration').webhooks[0]!.namespaceSelector).toEqual({
      matchLabels: { agora: 'on' },
    });
  });

  it('webhooks.resourceRoles=false drops only the cluster-scoped ResourceRole webhook', async () => {
    const docs = await renderWith({ webhooks: { resourceRoles: false } });
    expect(one<WebhookConfiguration>(docs, 'ValidatingWebhookConfiguration').webhooks.map((w) => w.name)).toEqual([
      'offers.agora.dev',
      'tasks.agora.dev',
      'inverseoffers.agora.dev',
      'frameworks.agora.dev',
    ]);
  });

  it('failurePolicy Ignore for Offers, Tasks, InverseOffers and Frameworks is possible but explicit', async () => {
    const docs = await renderWith({ webhooks: { failurePolicy: 'Ignore' } });
    expect(one<WebhookConfiguration>(docs, 'ValidatingWebhookConfiguration').webhooks.map((w) => w.failurePolicy)).toEqual([
      'Ignore',
      'Ignore',
      'Ignore',
      'Ignore',
      'Ignore',
    ]);
  });
});

describe('console', () => {
  it('is served on its own port through a ClusterIP Service to the leading replica, with no Ingress by default', async () => {
    const docs = await renderWith({});
    const c = controller(docs);
    expect(arg(c, '--ui-addr')).toBe(':8082');
    expect(arg(c, '--ui-history')).toBe('15m');
    expect(one(docs, 'Service', 'agora-console')).toMatchObject({
      metadata: { labels: { 'app.kubernetes.io/component': 'console' } },
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'console' }] },
    });
    // Only the leader's Pod: the Deployment's Pods, and of them the one labelled leader.
    const deployment = one<Deployment & { spec: { selector: { matchLabels: Record<string, string> } } }>(docs, 'Deployment');
    const service = one<Manifest & { spec: { selector: Record<string, string> } }>(docs, 'Service', 'agora-console');
    expect(service.spec.selector).toEqual({ ...deployment.spec.selector.matchLabels, 'agora.dev/leader': 'true' });
    // The replica knows its own Pod from the downward API.
    const env = (c as Container & { env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[] }).env;
    expect(env.filter((e) => e.name.startsWith('POD_')).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath])).toEqual([
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
    ]);
    expect(kinds(docs)).not.toContain('Ingress');
  });

  it('makes an Ingress to the console Service when asked', async () => {
    const docs = await renderWith({
      console: {
        ingress: {
          enabled: true,
          className: 'nginx',
          host: 'agora.example.com',
          tls: [{ secretName: 'agora-tls', hosts: ['agora.example.com'] }],
        },
      },
    });
    expect(one(docs, 'Ingress', 'agora-console')).toMatchObject({
      spec: {
        ingressClassName: 'nginx',
        tls: [{ secretName: 'agora-tls', hosts: ['agora.example.com'] }],
        rules: [
          {
            host: 'agora.example.com',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'agora-console', port: { name: 'http' } } } }] },
          },
        ],
      },
    });
  });

  it('console.enabled=false leaves out the flag, the port, the Service and the Ingress', async () => {
    const docs = await renderWith({ console: { enabled: false, ingress: { enabled: true } } });
    const c = controller(docs);
    expect(arg(c, '--ui-addr')).toBeUndefined();
    expect(c.ports.map((p) => p.name)).not.toContain('console');
    expect(docs.filter((d) => d.metadata.name === 'agora-console')).toEqual([]);
    expect(docs.filter((d) => d.metadata.name === 'agora-controller-console')).toEqual([]);
  });
});

describe('metrics', () => {
  it('makes a ServiceMonitor for the metrics Service when asked', async () => {
    const docs = await renderWith({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' }, interval: '15s' } } });
    const sm = one(docs, 'ServiceMonitor', 'agora-controller');
    expect(sm).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { labels: { release: 'prom' } },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/component': 'metrics', 'app.kubernetes.io/instance': 'agora' } },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
      },
    });
    const svc = one(docs, 'Service', 'agora-metrics');
    const selector = (sm as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
    expect(svc.metadata.labels).toMatchObject(selector);
  });

  it('refuses a ServiceMonitor without the metrics Service', async () => {
    await expect(renderWith({ metrics: { service: { enabled: false }, serviceMonitor: { enabled: true } } })).rejects.toThrow(
      /needs metrics.service.enabled/,
    );
  });
});

describe('controller values', () => {
  it('carry intervals, scope, log level, image and extra flags onto the command line', async () => {
    const docs = await renderWith({
      controller: {
        allocationInterval: '250ms',
        offerTimeout: '2m',
        offerRetention: '10m',
        nodeLostTimeout: '0s',
        maxCompletedTasksPerFramework: 7,
        logLevel: 'debug',
        nodeSelector: 'agora.dev/pool=batch',
        fairSharingExcludedResources: ['nvidia.com/gpu', 'example.com/fpga'],
        extraArgs: ['--workers=8'],
      },
      image: { repository: 'registry.example.com/agora', tag: 'v2', pullPolicy: 'Always' },
      replicaCount: 3,
    });
    const c = controller(docs);
    expect(c.image).toBe('registry.example.com/agora:v2');
    expect(c.imagePullPolicy).toBe('Always');
    expect([
      arg(c, '--allocation-interval'),
      arg(c, '--offer-timeout'),
      arg(c, '--offer-retention'),
      arg(c, '--node-lost-timeout'),
      arg(c, '--max-completed-tasks-per-framework'),
      arg(c, '--log-level'),
      arg(c, '--node-selector'),
      arg(c, '--fair-sharing-excluded-resources'),
    ]).toEqual(['250ms', '2m', '10m', '0s', '7', 'debug', 'agora.dev/pool=batch', 'nvidia.com/gpu,example.com/fpga']);
    expect(c.args.at(-1)).toBe('--workers=8');
    expect(one<Deployment>(docs, 'Deployment').spec.replicas).toBe(3);
  });

  it('names cluster-scoped objects after the release, so two releases do not collide', async () => {
    const docs = await renderWith({}, 'team-b');
    expect(
      docs
        .filter((d) => !d.metadata.namespace)
        .map((d) => `${d.kind}/${d.metadata.name}`)
        .sort(),
    ).toEqual([
      'ClusterRole/team-b-agora-controller',
      'ClusterRole/team-b-agora-controller-frameworks',
      'ClusterRoleBinding/team-b-agora-controller',
      'ClusterRoleBinding/team-b-agora-controller-frameworks',
      'MutatingWebhookConfiguration/team-b-agora',
      'ValidatingWebhookConfiguration/team-b-agora',
    ]);
  });
});
