// Regenerates src/api/generated/ from crds/ with @kubernetes-models/crd-generate, then makes
// the output loadable by Node's native ESM + type stripping (explicit file extensions).
// `--check` regenerates into a temp dir and fails if the committed models differ.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const crdDir = join(root, 'crds');
const target = join(root, 'src/api/generated');
const header = '// Generated from crds/ by scripts/generate-models.ts (npm run generate). Do not edit.\n';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Rewrites extensionless relative specifiers to the file Node will actually load. */
function withExtensions(source: string, file: string): string {
  return source.replace(/(from\s+|import\s*\(\s*)(["'])(\.{1,2}\/[^"']+)\2/g, (match, lead: string, quote: string, spec: string) => {
    const base = resolve(dirname(file), spec);
    for (const candidate of [`${spec}.ts`, `${spec}.js`, `${spec}/index.ts`, `${spec}/index.js`]) {
      const suffix = candidate.slice(spec.length);
      if (existsSync(base + suffix)) return `${lead}${quote}${candidate}${quote}`;
    }
    return match;
  });
}

// The generator emits plain `import { IFoo }` for interfaces; type stripping needs them marked.
const typeOnlyNames = new Set(['ModelData', 'ValidateFunc']);
const isTypeName = (name: string): boolean => typeOnlyNames.has(name) || /^I[A-Z]/.test(name);

function withTypeOnlyImports(source: string): string {
  return source.replace(/import\s*\{([^}]*)\}\s*from/g, (_match, names: string) => {
    const parts = names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (parts.every(isTypeName)) return `import type { ${parts.join(', ')} } from`;
    return `import { ${parts.map((n) => (isTypeName(n) ? `type ${n}` : n)).join(', ')} } from`;
  });
}

function generate(outDir: string): void {
  const crds = readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(crdDir, f));
  execFileSync(join(root, 'node_modules/.bin/crd-generate'), ['--input', ...crds, '--output', outDir], { stdio: 'pipe' });
  for (const file of listFiles(outDir)) {
    if (!/\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
    writeFileSync(file, header + withTypeOnlyImports(withExtensions(readFileSync(file, 'utf8'), file)));
  }
}

const check = process.argv.includes('--check');
const scratch = mkdtempSync(join(tmpdir(), 'agora-models-'));
try {
  generate(scratch);
  if (check) {
    const want = listFiles(scratch)
      .map((f) => relative(scratch, f))
      .sort();
    const have = existsSync(target)
      ? listFiles(target)
          .map((f) => relative(target, f))
          .sort()
      : [];
    const stale = [
      ...want.filter((f) => !have.includes(f) || readFileSync(join(scratch, f), 'utf8') !== readFileSync(join(target, f), 'utf8')),
      ...have.filter((f) => !want.includes(f)),
    ];
    if (stale.length > 0) {
      console.error(`src/api/generated is out of date with crds/ (${stale.join(', ')}): run npm run generate`);
      process.exit(1);
    }
    console.log('src/api/generated matches crds/');
  } else {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(scratch, target, { recursive: true });
    console.log(`generated ${listFiles(target).length} files into ${relative(root, target)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
