// A real headless browser for the console's end-to-end tests and bench:ui: Debian's Chromium, driven by
// playwright-core. ensureChromium() installs it through apt-get when it is missing (CI runs as
// root on a clean machine), and fails saying what to do when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from './cluster/index.ts';

export const CHROMIUM = process.env.AGORA_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored, under .agora/). */
export const ARTIFACTS = join(repoRoot, '.agora', 'test-artifacts', 'console');

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    timeout: 900_000,
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** The Chromium binary, installed with apt-get (as root, or through passwordless sudo) when missing. */
export function ensureChromium(log: (line: string) => void = () => undefined): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = process.getuid?.() === 0;
  const apt = (args: string[]) => (root ? run('apt-get', args) : run('sudo', ['-n', 'apt-get', ...args]));
  log(`${CHROMIUM} is missing: installing Debian's chromium package with apt-get`);
  const update = apt(['update']);
  const install = update.ok ? apt(['install', '-y', '--no-install-recommends', 'chromium']) : update;
  if (!install.ok || !existsSync(CHROMIUM))
    throw new Error(
      `the console's browser tests need Chromium at ${CHROMIUM} and could not install it ` +
        `(apt-get ${root ? '' : 'through sudo -n '}failed). Install it with \`apt-get install -y chromium\` ` +
        `as root, or point AGORA_CHROMIUM at a Chromium binary.\n${install.output.slice(-2000)}`,
    );
  return CHROMIUM;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
