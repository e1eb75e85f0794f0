// The controller image's contents, checked without Docker: exactly the files the Dockerfile's
// build stage copies, laid out in a temp dir, production dependencies only (`npm ci --omit=dev
// --ignore-scripts`, as the Dockerfile runs it), then every `agora` subcommand's --help and
// `agora status` and `agora controller` against the local control plane, all run from that tree
// with this Node 24 (the image's is the distroless one; the tree ships none, as --omit=dev leaves
// out the `node` package).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../src/api/local-paths.ts';
import type { OfferObject } from '../../src/api/objects.ts';
import { COMMAND_NAMES } from '../../src/cli/main.ts';
import { createFramework, list, usePool } from './controller/support.ts';
import { eventually, useNamespace } from './support/kube.ts';
import { run } from './support/run.ts';

/** The sources the Dockerfile's build stage COPYs into /app (not `COPY --from`, the runtime stage's copy of /app). */
export function dockerfileCopies(dockerfile: string): { from: string; to: string }[] {
  const build = dockerfile.split(/^FROM /m)[1] ?? '';
  const out: { from: string; to: string }[] = [];
  for (const m of build.matchAll(/^COPY\s+(?!--)(.+)$/gm)) {
    const words = m[1]!.trim().split(/\s+/);
    const dest = words.pop()!;
    for (const src of words) out.push({ from: src, to: dest.endsWith('/') && !src.endsWith('/') ? join(dest, src) : dest });
  }
  return out;
}

const ns = useNamespace('image');
const pool = usePool('image', [{ cpu: '2', memory: '4Gi' }]);
let tree = '';

beforeAll(async () => {
  tree = mkdtempSync(join(tmpdir(), 'agora-image-'));
  const copies = dockerfileCopies(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  expect(copies.map((c) => c.from).sort()).toEqual(['crds/', 'package-lock.json', 'package.json', 'src/']);
  for (const c of copies) cpSync(join(repoRoot, c.from), join(tree, c.to), { recursive: true });
  const npm = await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
    env: { ...process.env, npm_config_loglevel: 'error' },
    cwd: tree,
  });
  expect(npm.stderr).not.toMatch(/ERR!/);
  expect(npm.code).toBe(0);
}, 300_000);

afterAll(() => {
  if (tree !== '') rmSync(tree, { recursive: true, force: true });
});

const agora = (args: string[]) => run(process.execPath, [join(tree, 'src/cli/main.ts'), ...args], { cwd: tree });

describe('the image tree (Dockerfile build stage)', () => {
  it('holds the production dependencies and no development tools', () => {
    expect(existsSync(join(tree, 'node_modules/@kubernetes/client-node'))).toBe(true);
    expect(existsSync(join(tree, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(tree, 'node_modules/node'))).toBe(false);
    expect(existsSync(join(tree, 'scripts'))).toBe(false);
    expect(existsSync(join(tree, 'examples'))).toBe(false);
  });

  it.each(COMMAND_NAMES)('agora %s --help', async (command) => {
    const r = await agora([command, '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: agora ${command}\\b`));
  });

  it('agora --help lists every command; agora demo says it needs a checkout', async () => {
    const help = await agora(['--help']);
    expect(help.code).toBe(0);
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['simulate', 'controller', 'status', 'ui', 'explain', 'demo']));
    for (const c of COMMAND_NAMES) expect(help.stdout).toContain(`  ${c} `);
    const demo = await agora(['demo', '--once']);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/the demo runs from an Agora checkout/);
  });

  it('agora status reads the cluster', async () => {
    // Right after the CRDs are applied the API server may answer 429 "storage is (re)initializing".
    const r = await eventually('a status', async () => {
      const got = await agora(['status', '--kubeconfig', inject('kubeconfig'), '-n', ns.name, '-o', 'json']);
      return got.stderr.includes('HTTP 429') ? undefined : got;
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ frameworks: [], offers: [] });
  });

  it('agora controller leads, offers a node to a framework, and stops on SIGTERM', async () => {
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        [
          join(tree, 'src/cli/main.ts'),
          'controller',
          '--kubeconfig',
          inject('kubeconfig'),
          '--namespaces',
          ns.name,
          '--node-selector',
          pool.selector,
          '--leader-elect=false',
          '--no-webhooks',
          '--metrics-addr',
          '127.0.0.1:0',
          '--health-addr',
          '127.0.0.1:0',
        ],
        { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let logs = '';
      child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
      await eventually('the controller leads', async () => logs.includes('leading: caches synced'), 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${logs}`);
      });
      await createFramework(ns.name, 'from-image');
      const offer = await eventually('an offer', async () =>
        (await list<OfferObject>('Offer', ns.name)).find((o) => o.spec.framework === 'from-image'),
      );
      expect(offer.spec.nodeName).toBe(pool.node(0));
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
