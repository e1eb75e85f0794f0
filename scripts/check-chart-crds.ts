// charts/agora/crds/ must be a byte-for-byte copy of crds/ (the source of truth): Helm installs the
// chart's copy, and a stale one would install an older API than the controller speaks.
// Default: check and exit 1 on any difference. `--fix`: make the chart's copy match.
import { copyFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'crds');
const chart = join(root, 'charts/agora/crds');

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

export interface CrdDrift {
  missing: string[];
  extra: string[];
  differ: string[];
}

export function crdDrift(src = source, dst = chart): CrdDrift {
  const want = yamlFiles(src);
  const have = yamlFiles(dst);
  return {
    missing: want.filter((f) => !have.includes(f)),
    extra: have.filter((f) => !want.includes(f)),
    differ: want.filter((f) => have.includes(f) && !readFileSync(join(src, f)).equals(readFileSync(join(dst, f)))),
  };
}

if (import.meta.main) {
  const drift = crdDrift();
  const problems = [
    ...drift.missing.map((f) => `missing from charts/agora/crds/: ${f}`),
    ...drift.extra.map((f) => `not in crds/: charts/agora/crds/${f}`),
    ...drift.differ.map((f) => `differs from crds/${f}: charts/agora/crds/${f}`),
  ];
  if (process.argv.includes('--fix')) {
    for (const f of drift.extra) rmSync(join(chart, f));
    for (const f of [...drift.missing, ...drift.differ]) copyFileSync(join(source, f), join(chart, f));
    for (const p of problems) process.stdout.write(`fixed: ${p}\n`);
  } else if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\nThe chart's CRDs are out of sync with crds/: run \`npm run fix:chart-crds\`.\n`);
    process.exitCode = 1;
  }
}
