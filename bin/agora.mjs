#!/usr/bin/env node
// The `agora` command. The CLI is TypeScript run by Node's type stripping (Node >= 22.18); on an
// older Node it re-runs itself with the Node 24 that `npm ci` installs (the `node` package).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  process.argv.splice(1, 1, main);
  await import(main);
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(`agora needs Node.js >= 22.18 (this is ${process.version}); run npm ci in the agora checkout or install Node 24`);
    process.exit(1);
  }
  const res = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? 1);
}
