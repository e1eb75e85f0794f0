// `agora status`: frameworks (role, dominant share, allocated, tasks per state), nodes (free /
// offered / used) and outstanding offers, read through the API. --output json|yaml|table;
// --watch re-renders in place on a terminal, and as successive snapshots otherwise.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../api/clock.ts';
import { apiErrorMessage, isNotFound, statusCode } from '../api/errors.ts';
import { GROUP, PLURAL, VERSION } from '../api/group.ts';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import type { IFramework, IInverseOffer, IOffer, IReservation, IResourceRole, ITask } from '../api/index.ts';
import { clusterPaths } from '../api/local-paths.ts';
import { excludedResourcesFlag, parseCommandArgs } from './args.ts';
import { CLEAR_SCREEN, parseOutputFormat, serialize, styleFor, type OutputFormat } from './output.ts';
import { buildStatus, renderStatus, type StatusView } from './status-view.ts';

const USAGE = `Usage: agora status [options]

Shows Agora's frameworks (role, dominant share, allocated, tasks per state), the nodes'
free / offered / used resources, the outstanding offers, and maintenance's inverse offers.

Options:
  --kubeconfig FILE        kubeconfig (default: $KUBECONFIG, else the local cluster's
                           .agora/cluster/kubeconfig if it exists, else ~/.kube/config)
  -n, --namespace NS       only frameworks, offers and tasks in NS (default: all namespaces)
  -l, --selector SELECTOR  only nodes matching this label selector
  -o, --output FORMAT      table (default), json or yaml
  -w, --watch              refresh every --interval until Ctrl-C
      --interval SECONDS   refresh period for --watch (default 2)
      --fair-sharing-excluded-resources R[,R…]
                           resources left out of the fair shares shown, as the
                           controller's flag of that name (give it the same value)
  -h, --help               this help`;

export interface StatusScope {
  namespace?: string;
  nodeSelector?: string;
  /** The controller's --fair-sharing-excluded-resources: left out of the fair shares. */
  excludedResources?: string[];
}

/** Reads everything `agora status` shows, in parallel. */
export async function fetchStatus(kc: KubeConfig, scope: StatusScope = {}, now = systemClock.now()): Promise<StatusView> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const list = async <T>(plural: string): Promise<T[]> => {
    const res = scope.namespace
      ? await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: scope.namespace, plural })
      : await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural });
    return (res as { items: T[] }).items;
  };
  const [frameworks, offers, tasks, nodes, pods, roles, inverseOffers, reservations] = await Promise.all([
    list<IFramework>(PLURAL.Framework),
    list<IOffer>(PLURAL.Offer),
    list<ITask>(PLURAL.Task),
    core.listNode(scope.nodeSelector ? { labelSelector: scope.nodeSelector } : {}).then((r) => r.items as V1Node[]),
    core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }).then((r) => r.items as V1Pod[]),
    custom
      .listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole })
      .then((r) => (r as { items: IResourceRole[] }).items),
    list<IInverseOffer>(PLURAL.InverseOffer),
    custom
      .listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.Reservation })
      .then((r) => (r as { items: IReservation[] }).items),
  ]);
  return buildStatus({
    frameworks,
    offers,
    tasks,
    nodes,
    pods,
    roles,
    inverseOffers,
    reservations,
    now,
    excludedResources: scope.excludedResources,
  });
}

function render(view: StatusView, format: OutputFormat, color: boolean): string {
  if (format !== 'table') return serialize(view, format);
  return renderStatus(view, styleFor({ isTTY: color }));
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('status', USAGE, {
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      selector: { type: 'string', short: 'l' },
      output: { type: 'string', short: 'o', default: 'table' },
      watch: { type: 'boolean', short: 'w' },
      interval: { type: 'string', default: '2' },
      'fair-sharing-excluded-resources': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let format: OutputFormat;
  let excludedResources: string[] | undefined;
  const interval = Number(values.interval);
  try {
    format = parseOutputFormat(values.output);
    const excluded = values['fair-sharing-excluded-resources'];
    if (excluded !== undefined) excludedResources = excludedResourcesFlag(excluded);
    if (!(interval > 0)) throw new Error(`--interval: want a positive number of seconds, got ${JSON.stringify(values.interval)}`);
  } catch (err) {
    process.stderr.write(`agora status: ${(err as Error).message}\n`);
    return 2;
  }
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig, localCluster: clusterPaths().kubeconfig });
  const scope: StatusScope = { namespace: values.namespace, nodeSelector: values.selector, excludedResources };
  const tty = process.stdout.isTTY === true;
  const color = styleFor(process.stdout).color;
  const once = async () => render(await fetchStatus(kc, scope), format, color);
  if (!values.watch) {
    try {
      process.stdout.write(await once());
      return 0;
    } catch (err) {
      process.stderr.write(`agora status: ${describe(err)}\n`);
      return 1;
    }
  }
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!ac.signal.aborted) {
    let out: string;
    try {
      out = await once();
    } catch (err) {
      out = `agora status: ${describe(err)} (retrying)\n`;
    }
    if (tty && format === 'table')
      process.stdout.write(
        `${CLEAR_SCREEN}${new Date(systemClock.now()).toLocaleTimeString()}  (every ${interval}s, Ctrl-C to stop)\n\n${out}`,
      );
    else
      process.stdout.write(
        format === 'table' ? `--- ${new Date(systemClock.now()).toISOString()}\n${out}` : format === 'yaml' ? `---\n${out}` : out,
      );
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, interval * 1000);
      ac.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  return 0;
}

function describe(err: unknown): string {
  if ((err as { cause?: { code?: unknown } } | null)?.cause?.code === 'ECONNREFUSED')
    return 'cannot reach the API server (is the cluster up? npm run cluster:up)';
  const code = statusCode(err);
  // Only a list of a kind the API server does not serve is answered 404 here.
  if (isNotFound(err)) return `the ${GROUP} CRDs are not installed (kubectl apply -f crds/)`;
  return code === undefined ? apiErrorMessage(err) : `HTTP ${code}: ${apiErrorMessage(err)}`;
}
