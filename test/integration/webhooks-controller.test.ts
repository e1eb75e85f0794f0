// The webhooks as `agora controller` starts them from its flags: a local run registers itself
// (scoped here to this file's namespace through --namespaces) and removes its configurations on
// stop; an in-cluster run serves the mounted certificate and registers nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import { startControllerWebhooks } from '../../src/webhooks/controller-flags.ts';
import { ensureLocalTls } from '../../src/webhooks/tls.ts';
import { custom, eventually, kubeConfig, rejection, useNamespace } from './support/kube.ts';

const ns = useNamespace('webhooks-ctl');
const logger = pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('startControllerWebhooks', () => {
  it('locally: registers, enforces, and unregisters on stop', async () => {
    const kc = kubeConfig();
    const hooks = await startControllerWebhooks({ kubeConfig: kc, logger, flags: {}, namespaces: [ns.name], configurationName: `agora-test-${ns.name}` });
    expect(hooks).toBeDefined();
    const name = hooks!.webhooks.configurations().validating.metadata!.name!;
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    try {
      const cfg = await admission.readValidatingWebhookConfiguration({ name });
      expect(cfg.webhooks?.find((w) => w.name === 'offers.agora.dev')).toMatchObject({
        failurePolicy: 'Fail',
        clientConfig: { url: `https://127.0.0.1:${hooks!.webhooks.port}/validate/offers` },
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns.name] }] },
      });
      const over = {
        apiVersion: API_VERSION, kind: 'Offer', metadata: { name: 'over' },
        spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' }, accept: { tasks: [{ name: 't', resources: { cpu: '2' }, containers: [{ name: 'main', image: 'busybox' }] }] } },
      };
      expect(await rejection(custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Offer, body: over }))).toMatch(/over by 1/);
    } finally {
      await hooks!.stop();
    }
    expect(await rejection(admission.readValidatingWebhookConfiguration({ name }))).toMatch(/not found/);
  });

  it('in a cluster: serves the mounted certificate on the given port and registers nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-webhooks-ctl-'));
    dirs.push(dir);
    const tls = await ensureLocalTls({ dir });
    const hooks = await startControllerWebhooks({
      kubeConfig: kubeConfig(), logger,
      flags: { 'webhook-port': '0', 'webhook-cert-file': tls.certFile, 'webhook-key-file': tls.keyFile, 'controller-identity': 'system:serviceaccount:agora-system:agora' },
    });
    try {
      expect(hooks!.webhooks.privileged.usernames).toContain('system:serviceaccount:agora-system:agora');
      const body = await new Promise<string>((resolve, reject) => {
        request(`https://127.0.0.1:${hooks!.webhooks.port}/readyz`, { ca: tls.caBundle }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject).end();
      });
      expect(body).toBe('ok\n');
    } finally {
      await hooks!.stop();
    }
  });

  it('is off with --webhooks=false', async () => {
    expect(await startControllerWebhooks({ kubeConfig: kubeConfig(), logger, flags: { webhooks: false } })).toBeUndefined();
  });
});

describe('agora controller (the CLI process)', () => {
  it('serves and registers the webhooks locally, and removes them on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { repoRoot } = await import('../../scripts/cluster/index.ts');
    const child = spawn(join(repoRoot, 'node_modules/.bin/node'), [
      join(repoRoot, 'src/cli/main.ts'), 'controller', '--kubeconfig', inject('kubeconfig'),
      '--namespaces', ns.name, '--node-selector', `agora.dev/pool=none-${ns.name}`, '--leader-elect=false',
      '--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0',
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually('controller started', async () => output.includes('"controller started"'), 60_000);
      const admission = kubeConfig().makeApiClient(AdmissionregistrationV1Api);
      const cfg = await admission.readValidatingWebhookConfiguration({ name: 'agora-local' });
      expect(cfg.webhooks?.find((w) => w.name === 'offers.agora.dev')?.namespaceSelector?.matchExpressions?.[0]?.values).toEqual([ns.name]);
      const over = {
        apiVersion: API_VERSION, kind: 'Offer', metadata: { name: 'over-cli' },
        spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' }, accept: { tasks: [{ name: 't', resources: { cpu: '3' }, containers: [{ name: 'main', image: 'busybox' }] }] } },
      };
      expect(await rejection(custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Offer, body: over }))).toMatch(/offers\.agora\.dev.*over by 2/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await rejection(admission.readValidatingWebhookConfiguration({ name: 'agora-local' }))).toMatch(/not found/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await kubeConfig().makeApiClient(AdmissionregistrationV1Api).deleteValidatingWebhookConfiguration({ name: 'agora-local' }).catch(() => undefined);
      await kubeConfig().makeApiClient(AdmissionregistrationV1Api).deleteMutatingWebhookConfiguration({ name: 'agora-local' }).catch(() => undefined);
    }
  }, 90_000);
});
