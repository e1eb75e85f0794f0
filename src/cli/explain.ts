// `agora explain FRAMEWORK [-n NS]`: why a framework gets no offers right now — the controller's
// OffersAvailable condition on the Framework (the allocator's refusals in words, with the
// numbers; the console's framework page shows the same). One read of the Framework.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { apiErrorMessage, isNotFound } from '../api/errors.ts';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import type { IFramework } from '../api/index.ts';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import { clusterPaths } from '../api/local-paths.ts';
import { findCondition, FrameworkCondition, type Condition } from '../controller/conditions.ts';
import { parseCommandArgs } from './args.ts';
import { parseOutputFormat, serialize, styleFor, type OutputFormat, type Style } from './output.ts';

const USAGE = `Usage: agora explain FRAMEWORK [-n NAMESPACE] [-o json|yaml]

Says why a framework gets no offers right now (suppressed, role at its limit, quota held for
another role, declined nodes refused until when, constraints that match no node, GPU capability
missing, below the minimum offer, an offer outstanding, lower shares served first …), as the
controller last wrote it in the Framework's OffersAvailable condition.

Options:
  -n, --namespace NS   the framework's namespace (default: the kubeconfig context's, else default)
  -o, --output FORMAT  text (default), json or yaml
      --kubeconfig FILE
  -h, --help`;

export interface ExplainView {
  framework: string;
  offered: boolean;
  reason: string;
  reasons: string[];
  since: string;
}

/** The view of a Framework's OffersAvailable condition; undefined when the controller has not written one. */
export function explainView(f: IFramework): ExplainView | undefined {
  const c = findCondition(f.status?.conditions as Condition[] | undefined, FrameworkCondition.OffersAvailable);
  if (c === undefined) return undefined;
  return {
    framework: `${f.metadata?.namespace}/${f.metadata?.name}`,
    offered: c.status === 'True',
    reason: c.reason,
    reasons: c.message.replace(/^no offer now: /, '').split('; '),
    since: c.lastTransitionTime,
  };
}

export function renderExplain(v: ExplainView, style: Style): string {
  const head = v.offered
    ? `${style.bold(v.framework)} gets offers (${style.green(v.reason)}) since ${v.since}`
    : `${style.bold(v.framework)} gets no offers now (${style.yellow(v.reason)}) since ${v.since}:`;
  return [head, ...v.reasons.map((r) => `  - ${r}`), ''].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('explain', USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o', default: 'text' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  let format: OutputFormat | 'text';
  try {
    if (positionals.length !== 1) throw new Error('want one FRAMEWORK');
    format = values.output === 'text' ? 'text' : parseOutputFormat(values.output);
    if (format === 'table') throw new Error('--output: want text, json or yaml');
  } catch (err) {
    process.stderr.write(`agora explain: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig, localCluster: clusterPaths().kubeconfig });
  const namespace = values.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const name = positionals[0]!;
  let f: IFramework;
  try {
    f = (await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework, name })) as IFramework;
  } catch (err) {
    process.stderr.write(`agora explain: ${isNotFound(err) ? `framework ${namespace}/${name} not found` : apiErrorMessage(err)}\n`);
    return 1;
  }
  const view = explainView(f);
  if (view === undefined) {
    process.stderr.write(
      `agora explain: ${namespace}/${name} has no ${FrameworkCondition.OffersAvailable} condition yet: is the controller running and leading?\n`,
    );
    return 1;
  }
  process.stdout.write(format === 'text' ? renderExplain(view, styleFor(process.stdout)) : serialize(view, format));
  return 0;
}
