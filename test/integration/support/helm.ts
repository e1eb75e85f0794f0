// Helm and kubectl for the chart tests: the static binaries the local cluster tooling unpacks,
// pointed at the local control plane's kubeconfig; renders parsed into objects to assert on.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump, loadAll } from 'js-yaml';
import { repoRoot, toolPath } from '../../../scripts/cluster/index.ts';

const run = promisify(execFile);

export const CHART = join(repoRoot, 'charts/agora');
export const EXAMPLES_CHART = join(repoRoot, 'charts/agora-examples');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** Runs a tool; a non-zero exit throws an Error carrying its stderr. */
async function tool(bin: string, args: readonly string[], input?: string): Promise<ToolResult> {
  const child = run(bin, [...args], { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { stdout, stderr };
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${bin.split('/').pop()} ${args.join(' ')} failed: ${[e.stdout, e.stderr].filter(Boolean).join('\n') || e.message}`);
  }
}

export const helm = (args: readonly string[], input?: string): Promise<ToolResult> => tool(toolPath('helm'), args, input);
export const kubectl = (kubeconfig: string, args: readonly string[], input?: string): Promise<ToolResult> =>
  tool(toolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], input);

/** `--set`-free values: each set is passed as JSON (`--set-json`) so types survive. */
export type Values = Record<string, unknown>;

function valueArgs(values: Values): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]);
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: Values;
  showOnly?: string[];
  includeCrds?: boolean;
  chart?: string;
}

export async function renderText(o: RenderOptions = {}): Promise<string> {
  const args = [
    'template',
    o.release ?? 'agora',
    o.chart ?? CHART,
    '--namespace',
    o.namespace ?? 'agora-system',
    ...valueArgs(o.values ?? {}),
  ];
  for (const s of o.showOnly ?? []) args.push('--show-only', s);
  if (o.includeCrds) args.push('--include-crds');
  return (await helm(args)).stdout;
}

export const parseAll = (text: string): Manifest[] =>
  (loadAll(text) as (Manifest | null)[]).filter((d): d is Manifest => d !== null && typeof d === 'object');

/** `helm template` of the chart, parsed. */
export async function render(o: RenderOptions = {}): Promise<Manifest[]> {
  return parseAll(await renderText(o));
}

/** The one object of `kind` (and `name`, when given); throws when there is not exactly one. */
export function one<T = Manifest>(docs: readonly Manifest[], kind: string, name?: string): T & Manifest {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  if (found.length !== 1)
    throw new Error(
      `want one ${kind}${name ? ` ${name}` : ''}, found ${found.length} among ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`,
    );
  return found[0] as T & Manifest;
}

export const kinds = (docs: readonly Manifest[]): string[] => docs.map((d) => d.kind);

export const toYamlStream = (docs: readonly Manifest[]): string => docs.map((d) => dump(d)).join('---\n');
