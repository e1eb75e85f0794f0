// The charts as a whole: helm lint, the CRD copy in sync with crds/, and `helm template` under
// several values sets accepted by the real API server (a server-side dry run: schema, defaulting
// and admission, nothing persisted).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { crdDrift } from '../../scripts/check-chart-crds.ts';
import { repoRoot } from '../../scripts/cluster/index.ts';
import { CHART, EXAMPLES_CHART, helm, kubectl, render, toYamlStream, type Manifest, type Values } from './support/helm.ts';
import { useNamespace } from './support/kube.ts';

const ns = useNamespace('chart');

// Kinds whose CRDs the local cluster does not have (cert-manager, prometheus-operator): checked by
// shape in chart-templates.test.ts instead.
const EXTERNAL_GROUPS = ['cert-manager.io/', 'monitoring.coreos.com/'];
const isExternal = (d: Manifest) => EXTERNAL_GROUPS.some((g) => d.apiVersion.startsWith(g));

async function dryRunApply(docs: readonly Manifest[]): Promise<string[]> {
  const { stdout } = await kubectl(
    inject('kubeconfig'),
    ['apply', '--dry-run=server', '--server-side', '--force-conflicts', '--field-manager=agora-chart-test', '-f', '-'],
    toYamlStream(docs),
  );
  return stdout.trim().split('\n');
}

describe('helm lint', () => {
  it.each([
    { name: 'agora, defaults', chart: CHART, args: [] },
    {
      name: 'agora, cert-manager and a ServiceMonitor',
      chart: CHART,
      args: ['--set', 'certManager.enabled=true', '--set', 'metrics.serviceMonitor.enabled=true'],
    },
    { name: 'agora, webhooks off, one replica', chart: CHART, args: ['--set', 'webhooks.enabled=false', '--set', 'replicaCount=1'] },
    { name: 'agora-examples', chart: EXAMPLES_CHART, args: [] },
  ])('passes --strict: $name', async ({ chart, args }) => {
    const { stdout } = await helm(['lint', '--strict', chart, ...args]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('fails on values the schema rejects', async () => {
    await expect(helm(['lint', '--strict', CHART, '--set', 'controller.logLevel=loud'])).rejects.toThrow(/controller\/logLevel/);
  });
});

describe('the chart CRDs', () => {
  it('are identical to crds/', () => {
    expect(crdDrift()).toEqual({ missing: [], extra: [], differ: [] });
  });
});

describe('helm template, validated by the API server (server-side dry run)', () => {
  const release = () => `dry-${randomBytes(3).toString('hex')}`;
  const sets: { name: string; values: Values; wantKinds: string[] }[] = [
    {
      name: 'defaults',
      values: {},
      wantKinds: [
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'Deployment',
        'PodDisruptionBudget',
        'Service',
        'Secret',
        'ValidatingWebhookConfiguration',
        'MutatingWebhookConfiguration',
      ],
    },
    {
      name: 'cert-manager on, an existing ClusterIssuer',
      values: { certManager: { enabled: true, issuerRef: { name: 'ca-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' } } },
      wantKinds: ['Deployment', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
    },
    {
      name: 'scoped to namespaces and nodes, webhooks narrowed',
      values: { controller: { namespaces: ['NS'], nodeSelector: 'agora.dev/pool=batch' }, webhooks: { resourceRoles: false } },
      wantKinds: ['RoleBinding', 'Deployment', 'ValidatingWebhookConfiguration'],
    },
    {
      name: 'custom resources, intervals, replicas, ServiceMonitor, no leader election',
      values: {
        replicaCount: 3,
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
        controller: {
          allocationInterval: '250ms',
          offerTimeout: '2m',
          offerRetention: '10m',
          nodeLostTimeout: '90s',
          logLevel: 'debug',
          leaderElection: { enabled: false },
          extraArgs: ['--workers=8'],
        },
        metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
        image: { repository: 'registry.example.com/agora', tag: 'v9.9.9', pullPolicy: 'Always' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'control', effect: 'NoSchedule' }],
      },
      wantKinds: ['Deployment', 'PodDisruptionBudget'],
    },
    {
      name: 'webhooks off, one replica',
      values: { webhooks: { enabled: false }, replicaCount: 1, metrics: { service: { enabled: false } } },
      wantKinds: ['Deployment', 'ClusterRole'],
    },
  ];

  it.each(sets)('$name', async ({ values, wantKinds }) => {
    const resolved = JSON.parse(JSON.stringify(values).replaceAll('"NS"', JSON.stringify(ns.name))) as Values;
    const docs = await render({ release: release(), namespace: ns.name, values: resolved });
    for (const k of wantKinds) expect(docs.map((d) => d.kind)).toContain(k);
    const internal = docs.filter((d) => !isExternal(d));
    const lines = await dryRunApply(internal);
    // kubectl prints one line per object: "<kind>.<group>/<name> serverside-applied (server dry run)".
    expect(lines).toHaveLength(internal.length);
    for (const line of lines) expect(line).toMatch(/serverside-applied \(server dry run\)$/);
  });

  it('the chart CRDs too', async () => {
    const docs = await render({ release: release(), namespace: ns.name, includeCrds: true });
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      'frameworks.agora.dev',
      'inverseoffers.agora.dev',
      'maintenances.agora.dev',
      'offers.agora.dev',
      'reservations.agora.dev',
      'resourceroles.agora.dev',
      'tasks.agora.dev',
    ]);
    expect(await dryRunApply(crds)).toHaveLength(7);
  });

  it('agora-examples: Frameworks the API server (CRD schema and CEL rules) accepts', async () => {
    const docs = await render({ chart: EXAMPLES_CHART, release: release(), namespace: ns.name });
    expect(docs.map((d) => d.kind)).toEqual(['Framework', 'Framework']);
    const lines = await dryRunApply(docs);
    expect(lines).toEqual(docs.map((d) => `framework.agora.dev/${d.metadata.name} serverside-applied (server dry run)`));
  });

  it('the schema rejects a malformed values set before anything reaches the cluster', async () => {
    await expect(render({ values: { controller: { offerTimeout: 30 } } })).rejects.toThrow(/controller\/offerTimeout/);
    await expect(render({ values: { controller: { nodeLostTimeout: '5 minutes' } } })).rejects.toThrow(/controller\/nodeLostTimeout/);
    await expect(render({ values: { replicaCount: 0 } })).rejects.toThrow(/replicaCount/);
    await expect(render({ values: { webhooks: { failurePolicy: 'Sometimes' } } })).rejects.toThrow(/failurePolicy/);
    await expect(render({ values: { controler: {} } })).rejects.toThrow(/controler/);
  });
});

describe('the controller image (Dockerfile)', () => {
  // The image holds package*.json, the production dependencies, src/ and crds/ only: everything
  // `agora controller` loads must come from there. (No Docker engine here to build it.)
  const { dependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const importsOf = (source: string): { spec: string; lazy: boolean }[] => {
    const out: { spec: string; lazy: boolean }[] = [];
    const statics = [
      /^\s*import\s+(?!type\b)[^'";]*?from\s*['"]([^'"]+)['"]/gm,
      /^\s*import\s*['"]([^'"]+)['"]/gm,
      /^\s*export\s+(?!type\b)[^'";]*?from\s*['"]([^'"]+)['"]/gm,
    ];
    for (const re of statics) for (const m of source.matchAll(re)) out.push({ spec: m[1]!, lazy: false });
    for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, lazy: true });
    return out;
  };
  it('agora controller loads only src/, crds/, Node built-ins and production dependencies', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const outside: string[] = [];
    const lazyOutside: string[] = [];
    const inImage = (rel: string) => rel.startsWith('src/') || rel.startsWith('crds/');
    const visit = (file: string, from: string, followLazy: boolean) => {
      if (seen.has(file)) return;
      seen.add(file);
      const rel = relative(repoRoot, file);
      if (!inImage(rel)) outside.push(`${from} -> ${rel}`);
      if (!file.endsWith('.ts')) return;
      for (const { spec, lazy } of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (lazy && !inImage(relative(repoRoot, target))) lazyOutside.push(`${rel} -> ${relative(repoRoot, target)}`);
          else if (!lazy || followLazy) visit(target, rel, followLazy);
        } else if (!spec.startsWith('node:')) {
          bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    };
    visit(join(repoRoot, 'src/cli/main.ts'), 'entrypoint', false);
    visit(join(repoRoot, 'src/cli/controller.ts'), 'src/cli/main.ts', true);
    expect(seen.size).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    expect(lazyOutside).toEqual([]);
    expect([...bare].filter((p) => !(p in dependencies))).toEqual([]);
  });

  it('builds in two stages and runs as non-root on a distroless Node 24', () => {
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot$/m);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/src\/cli\/main\.ts"\]$/m);
    // The chart's securityContext pins the same user.
    expect(readFileSync(join(CHART, 'values.yaml'), 'utf8')).toMatch(/runAsUser: 65532/);
  });
});
