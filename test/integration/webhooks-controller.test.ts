// The webhooks as `agora controller` starts them from its flags: a local run registers itself
// (scoped here to this file's namespace through --namespaces) and removes its configurations on
// stop; an in-cluster run serves the mounted certificate and registers nothing. A registration
// left by a killed local run blocks nothing after the next start, with webhooks or without; of
// two local replicas, the survivor of a SIGKILL takes the registration over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/index.ts';
import { startControllerWebhooks } from '../../src/webhooks/controller-flags.ts';
import { currentOwner, ownerAnnotations, ownerOf, processStartTimeMs, type LocalOwner } from '../../src/webhooks/local-owner.ts';
import { registerWebhooks, removeStaleRegistrations, unregisterWebhooks, webhookConfigurations } from '../../src/webhooks/registration.ts';
import { ensureLocalTls } from '../../src/webhooks/tls.ts';
import { repoRoot } from '../../scripts/cluster/index.ts';
import { custom, eventually, kubeConfig, rejection, useNamespace } from './support/kube.ts';

const ns = useNamespace('webhooks-ctl');
const logger = pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const admission = () => kubeConfig().makeApiClient(AdmissionregistrationV1Api);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const offerBody = (name: string) => ({
  apiVersion: API_VERSION,
  kind: 'Offer',
  metadata: { name },
  spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' } },
});
const patchOffer = (name: string, body: object, dryRun?: 'All') =>
  custom().patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Offer, name, body, ...(dryRun ? { dryRun } : {}) },
    MERGE,
  );
/**
 * An Offer answered with `answer` (its spec.accept, spec.decline or both): created, then answered by an update. This file writes as an
 * identity the webhooks treat as the controller, and the registration does not send the
 * controller's creates of Offers to the webhook (it made them; their accepts are checked) — its
 * updates it does send.
 */
const createOffer = async (name: string, answer: object) => {
  await custom().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural: PLURAL.Offer,
    body: offerBody(name),
  });
  return patchOffer(name, { spec: answer });
};
const overAccept = (cpu: string) => ({ tasks: [{ name: 't', resources: { cpu }, containers: [{ name: 'main', image: 'busybox' }] }] });
/**
 * The refusal of an over-large accept by the webhooks of a running `agora controller`. That
 * controller rescinds this file's Offers (their framework does not exist) at a moment of its own,
 * and an answer to a rescinded offer is refused for that instead: each try answers a fresh Offer
 * until one is answered before the controller gets to it.
 */
let tries = 0;
const overAcceptRefused = (name: string) =>
  eventually(`an accept of a not yet rescinded Offer ${name}-N`, async () => {
    const message = await rejection(createOffer(`${name}-${tries++}`, { accept: overAccept('3') }));
    return /is Rescinded/.test(message) ? undefined : message;
  });
let probes = 0;
beforeAll(async () => {
  await custom().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural: PLURAL.Offer,
    body: offerBody('probe-target'),
  });
});
/** The message of an update of an Offer in this file's namespace ('' when it is admitted); nothing is stored. */
const probeWrite = () => rejection(patchOffer('probe-target', { metadata: { labels: { probe: String(probes++) } } }, 'All'));
const BLOCKED = /failed calling webhook/;

/** A pid that has just exited (as a SIGKILLed controller's has). */
function deadPid(): number {
  const res = spawnSync('true');
  return res.pid!;
}

/**
 * What a SIGKILLed local run leaves: its Fail webhooks, scoped to this file's namespace, pointing at
 * a port nothing listens on, recorded as owned by `owner`.
 */
async function leftBehind(name: string, owner: LocalOwner): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agora-webhooks-stale-'));
  dirs.push(dir);
  const { caBundle } = await ensureLocalTls({ dir });
  await registerWebhooks(
    kubeConfig(),
    webhookConfigurations({
      name,
      caBundle,
      endpoint: { url: 'https://127.0.0.1:1' },
      annotations: ownerAnnotations(owner),
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns.name] }] },
    }),
  );
  await eventually('the left-behind registration to block writes', async () => BLOCKED.test(await probeWrite()));
}

/** `agora controller` as a child process, scoped to this file's namespace and to no nodes. */
function startCli(extra: string[] = []) {
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/node'),
    [
      join(repoRoot, 'src/cli/main.ts'),
      'controller',
      '--kubeconfig',
      inject('kubeconfig'),
      '--namespaces',
      ns.name,
      '--node-selector',
      `agora.dev/pool=none-${ns.name}`,
      '--leader-elect=false',
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      ...extra,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    // A process that exited will never start: say so at once, with what it printed.
    started: () =>
      eventually(
        'controller started',
        async () => {
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`the controller exited (${child.exitCode ?? child.signalCode}) before it started:\n${output.slice(-4000)}`);
          return output.includes('"controller started"');
        },
        60_000,
      ),
    kill: () => (child.exitCode === null && child.signalCode === null ? child.kill('SIGKILL') : undefined),
  };
}

describe('startControllerWebhooks', () => {
  it('locally: registers, enforces, and unregisters on stop', async () => {
    const kc = kubeConfig();
    const hooks = await startControllerWebhooks({
      kubeConfig: kc,
      logger,
      flags: {},
      namespaces: [ns.name],
      configurationName: `agora-test-${ns.name}`,
    });
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
      expect(await rejection(createOffer('over', { accept: overAccept('2') }))).toMatch(/over by 1/);
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
      kubeConfig: kubeConfig(),
      logger,
      flags: {
        'webhook-port': '0',
        'webhook-cert-file': tls.certFile,
        'webhook-key-file': tls.keyFile,
        'controller-identity': 'system:serviceaccount:agora-system:agora',
      },
    });
    try {
      expect(hooks!.webhooks.privileged.usernames).toContain('system:serviceaccount:agora-system:agora');
      const body = await new Promise<string>((resolve, reject) => {
        request(`https://127.0.0.1:${hooks!.webhooks.port}/readyz`, { ca: tls.caBundle }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
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

describe('a registration left by a killed local run', () => {
  const name = `agora-stale-${ns.name}`;
  const dead = (): LocalOwner => ({ host: hostname(), pid: deadPid(), startedAt: new Date(Date.now() - 60_000).toISOString() });
  afterAll(() => unregisterWebhooks(kubeConfig(), name));

  it('is removed by a start without webhooks, which is then not blocked', async () => {
    await leftBehind(name, dead());
    expect(
      await startControllerWebhooks({ kubeConfig: kubeConfig(), logger, flags: { webhooks: false }, configurationName: name }),
    ).toBeUndefined();
    expect(await rejection(admission().readValidatingWebhookConfiguration({ name }))).toMatch(/not found/);
    expect(await rejection(admission().readMutatingWebhookConfiguration({ name }))).toMatch(/not found/);
    await eventually('writes to be admitted again', async () => (await probeWrite()) === '');
  });

  it('is replaced by a start with webhooks, which then serves and removes it on stop', async () => {
    await leftBehind(name, dead());
    const hooks = await startControllerWebhooks({
      kubeConfig: kubeConfig(),
      logger,
      flags: {},
      namespaces: [ns.name],
      configurationName: name,
    });
    try {
      const cfg = await admission().readValidatingWebhookConfiguration({ name });
      expect(ownerOf(cfg.metadata?.annotations)).toEqual(currentOwner());
      expect(cfg.webhooks?.[0]?.clientConfig.url).toBe(`https://127.0.0.1:${hooks!.webhooks.port}/validate/offers`);
      expect(await probeWrite()).toBe('');
      expect(await rejection(createOffer('over-replaced', { accept: overAccept('2') }))).toMatch(/offers\.agora\.dev.*over by 1/);
    } finally {
      await hooks!.stop();
    }
    expect(await rejection(admission().readValidatingWebhookConfiguration({ name }))).toMatch(/not found/);
  });

  it('is told from one whose owner still runs, or runs elsewhere, or is not recorded: those are kept', async () => {
    const kept = async (owner: LocalOwner | undefined) => {
      const dir = mkdtempSync(join(tmpdir(), 'agora-webhooks-kept-'));
      dirs.push(dir);
      const { caBundle } = await ensureLocalTls({ dir });
      await registerWebhooks(
        kubeConfig(),
        webhookConfigurations({
          name,
          caBundle,
          endpoint: { url: 'https://127.0.0.1:1' },
          ...(owner ? { annotations: ownerAnnotations(owner) } : {}),
          namespaceSelector: { matchLabels: { 'agora.dev/no-such-namespace': ns.name } },
        }),
      );
      const res = await removeStaleRegistrations(kubeConfig());
      expect(res.removed.map((r) => r.configuration)).not.toContain(`ValidatingWebhookConfiguration/${name}`);
      return res.kept.find((r) => r.configuration === `ValidatingWebhookConfiguration/${name}`)?.state;
    };
    expect(await kept(currentOwner())).toBe('alive');
    expect(await kept({ ...dead(), host: `not-${hostname()}` })).toBe('unknown');
    expect(await kept(undefined)).toBe('unknown');
    await unregisterWebhooks(kubeConfig(), name);
  });

  it('registered by several processes at the same moment: every registration succeeds and one of them holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-webhooks-race-'));
    dirs.push(dir);
    const { caBundle } = await ensureLocalTls({ dir });
    const owners = [1, 2, 3, 4].map((n): LocalOwner => ({ ...currentOwner(), pid: process.pid + n * 100_000 }));
    const configs = owners.map((owner) =>
      webhookConfigurations({
        name,
        caBundle,
        endpoint: { url: 'https://127.0.0.1:1' },
        annotations: ownerAnnotations(owner),
        // Matches no namespace: nothing is blocked while the race runs.
        namespaceSelector: { matchLabels: { 'agora.dev/no-such-namespace': ns.name } },
      }),
    );
    try {
      for (let round = 0; round < 3; round++) {
        await unregisterWebhooks(kubeConfig(), name);
        await Promise.all(configs.map((c) => registerWebhooks(kubeConfig(), c)));
        const holder = ownerOf((await admission().readValidatingWebhookConfiguration({ name })).metadata?.annotations);
        expect(owners).toContainEqual(holder);
        expect(ownerOf((await admission().readMutatingWebhookConfiguration({ name })).metadata?.annotations)).toBeDefined();
      }
    } finally {
      await unregisterWebhooks(kubeConfig(), name);
    }
  });

  it("calls no webhook for the controller's status writes and its creates of Offers and Tasks, and still for its other writes", async () => {
    // An Offer to write to, made before the registration.
    const target = `status-target-${probes++}`;
    await custom().createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: PLURAL.Offer,
      body: {
        apiVersion: API_VERSION,
        kind: 'Offer',
        metadata: { name: target },
        spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' } },
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'agora-webhooks-match-'));
    dirs.push(dir);
    const { caBundle } = await ensureLocalTls({ dir });
    // Points at nothing: any call fails, and with failurePolicy Fail so does the write. The tests'
    // client is a cluster admin (system:masters), here the controller's identity.
    await registerWebhooks(
      kubeConfig(),
      webhookConfigurations({
        name,
        caBundle,
        endpoint: { url: 'https://127.0.0.1:1' },
        controller: { usernames: [], groups: ['system:masters'] },
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns.name] }] },
      }),
    );
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const dry = { group: GROUP, version: VERSION, namespace: ns.name, dryRun: 'All' };
    // The controller's answer-shaped write to an Offer's spec: still sent to the webhook.
    const specPatch = () =>
      rejection(
        custom().patchNamespacedCustomObject({ ...dry, plural: PLURAL.Offer, name: target, body: { spec: { decline: {} } } }, merge),
      );
    try {
      await eventually('the registration to block writes', async () => BLOCKED.test(await specPatch()));
      const status = () =>
        rejection(
          custom().patchNamespacedCustomObjectStatus(
            {
              group: GROUP,
              version: VERSION,
              namespace: ns.name,
              plural: PLURAL.Offer,
              name: target,
              body: { status: { phase: 'Outstanding' } },
            },
            merge,
          ),
        );
      expect(await status()).toBe('');
      // Creates of the kinds only the controller makes: admitted without a call (real creates:
      // a dry run is still sent to the webhook, so that waitUntilEnforced's probe can see it).
      const real = { group: GROUP, version: VERSION, namespace: ns.name };
      const offer = () => custom().createNamespacedCustomObject({ ...real, plural: PLURAL.Offer, body: offerBody(`probe-${probes++}`) });
      expect(await rejection(offer())).toBe('');
      const task = {
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: { name: `probe-task-${probes++}` },
        spec: { framework: 'fw', offer: target, nodeName: 'n', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] },
      };
      expect(await rejection(custom().createNamespacedCustomObject({ ...real, plural: PLURAL.Task, body: task }))).toBe('');
      expect(
        await rejection(custom().createNamespacedCustomObject({ ...dry, plural: PLURAL.Offer, body: offerBody(`probe-${probes++}`) })),
      ).toMatch(BLOCKED);
      // A Framework create, even the controller's, is still checked (and here blocked).
      const framework = { apiVersion: API_VERSION, kind: 'Framework', metadata: { name: `probe-fw-${probes++}` }, spec: {} };
      expect(await rejection(custom().createNamespacedCustomObject({ ...dry, plural: PLURAL.Framework, body: framework }))).toMatch(
        BLOCKED,
      );
      expect(await specPatch()).toMatch(BLOCKED);
    } finally {
      await unregisterWebhooks(kubeConfig(), name);
    }
  });

  it('leaves a registration that another process has since replaced to that process', async () => {
    const first = await startControllerWebhooks({
      kubeConfig: kubeConfig(),
      logger,
      flags: {},
      namespaces: [ns.name],
      configurationName: name,
    });
    // A process that really runs (the test runner's parent, with its own start time): were it
    // recorded with another start time, the first would take the registration over as a dead one's.
    const parentStart = processStartTimeMs(process.ppid);
    const other: LocalOwner = {
      ...currentOwner(),
      pid: process.ppid,
      ...(parentStart !== undefined ? { startedAt: new Date(Math.round(parentStart)).toISOString() } : {}),
    };
    await leftBehind(name, other);
    await first!.stop();
    expect(ownerOf((await admission().readValidatingWebhookConfiguration({ name })).metadata?.annotations)).toEqual(other);
    await unregisterWebhooks(kubeConfig(), name);
  });
});

describe('agora controller (the CLI process)', () => {
  it('serves and registers the webhooks locally, and removes them on SIGTERM', async () => {
    const cli = startCli();
    try {
      await cli.started();
      const cfg = await admission().readValidatingWebhookConfiguration({ name: 'agora-local' });
      expect(cfg.webhooks?.find((w) => w.name === 'offers.agora.dev')?.namespaceSelector?.matchExpressions?.[0]?.values).toEqual([ns.name]);
      expect(ownerOf(cfg.metadata?.annotations)).toMatchObject({ host: hostname(), pid: cli.child.pid });
      expect(await overAcceptRefused('over-cli')).toMatch(/offers\.agora\.dev.*over by 2/);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(await rejection(admission().readValidatingWebhookConfiguration({ name: 'agora-local' }))).toMatch(/not found/);
    } finally {
      cli.kill();
      await unregisterWebhooks(kubeConfig(), 'agora-local');
    }
  }, 90_000);

  it('two local replicas: SIGKILL of the one holding the registration leaves writes checked by the other, not refused', async () => {
    const first = startCli();
    const second = startCli();
    try {
      await first.started();
      await second.started();
      // The second to register holds it (wait for it: the two start concurrently).
      const holder = await eventually('one replica to hold the registration', async () => {
        const pid = ownerOf((await admission().readValidatingWebhookConfiguration({ name: 'agora-local' })).metadata?.annotations)?.pid;
        return pid === first.child.pid || pid === second.child.pid ? pid : undefined;
      });
      const [killed, survivor] = holder === first.child.pid ? [first, second] : [second, first];
      killed.kill();
      await killed.exited;
      const killedAt = Date.now();
      await eventually(
        'the survivor to take the registration over',
        async () =>
          ownerOf((await admission().readValidatingWebhookConfiguration({ name: 'agora-local' })).metadata?.annotations)?.pid ===
          survivor.child.pid,
        15_000,
      );
      await eventually('writes to be admitted again', async () => (await probeWrite()) === '', 15_000);
      // Within the takeover interval and the API server's pick-up of the new configuration.
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      await eventually('the survivor to log the takeover', async () =>
        survivor.output().includes('took over the local webhook registration'),
      );
      // Checked by the survivor, not let through.
      expect(await overAcceptRefused('over-survivor')).toMatch(/offers\.agora\.dev.*over by 2/);
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
      expect(await rejection(admission().readValidatingWebhookConfiguration({ name: 'agora-local' }))).toMatch(/not found/);
    } finally {
      first.kill();
      second.kill();
      await unregisterWebhooks(kubeConfig(), 'agora-local');
    }
  }, 150_000);

  it('after a SIGKILL, the next start with --no-webhooks removes the registration left behind and is not blocked', async () => {
    const killed = startCli();
    let next: ReturnType<typeof startCli> | undefined;
    try {
      await killed.started();
      killed.kill();
      await killed.exited;
      const left = await admission().readValidatingWebhookConfiguration({ name: 'agora-local' });
      expect(ownerOf(left.metadata?.annotations)?.pid).toBe(killed.child.pid);
      await eventually('the left-behind registration to block writes', async () => BLOCKED.test(await probeWrite()));

      next = startCli(['--no-webhooks']);
      await next.started();
      expect(next.output()).toContain('removed a webhook configuration left by a process that has exited');
      expect(await rejection(admission().readValidatingWebhookConfiguration({ name: 'agora-local' }))).toMatch(/not found/);
      await eventually('writes to be admitted again', async () => (await probeWrite()) === '');
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    } finally {
      killed.kill();
      next?.kill();
      await unregisterWebhooks(kubeConfig(), 'agora-local');
    }
  }, 120_000);
});
