// `agora ui`: the web console, served on this machine against the kubeconfig's cluster (its own
// read-only watches; the same pages and /api/v1 as the controller's --ui-addr), until Ctrl-C.
import { pino } from 'pino';
import { loadKubeConfig } from '../api/kubeconfig.ts';
import { clusterPaths } from '../api/local-paths.ts';
import { startStandaloneConsole } from '../controller/console/standalone.ts';
import { parseCommandArgs } from './args.ts';

const USAGE = `Usage: agora ui [options]

Serves Agora's read-only web console on this machine, from watches of the kubeconfig's cluster,
and prints its URL. Ctrl-C stops it. What it shows is what your kubeconfig may list.

Options:
  --kubeconfig FILE        kubeconfig (default: $KUBECONFIG, else the local cluster's
                           .agora/cluster/kubeconfig if it exists, else ~/.kube/config)
  --addr [HOST]:PORT       where to listen (default 127.0.0.1:8090; port 0 picks a free one)
  --namespaces NS[,NS…]    show only the Frameworks, Offers and Tasks of these namespaces
  -h, --help               this help`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('ui', USAGE, {
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      addr: { type: 'string', default: '127.0.0.1:8090' },
      namespaces: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig, localCluster: clusterPaths().kubeconfig });
  const log = pino({ level: process.env.AGORA_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const namespaces = values.namespaces
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let ui;
  try {
    ui = await startStandaloneConsole({ kc, log, addr: values.addr, namespaces });
  } catch (err) {
    process.stderr.write(`agora ui: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`Agora console: ${ui.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.stop();
  return 0;
}
