// npm run cluster:up | cluster:down | cluster:status — the local control plane.
import { parseArgs } from 'node:util';
import { down, status, toolPath, up } from './cluster/index.ts';

function parseLabels(s: string | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  return Object.fromEntries(
    s
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const [k, v = ''] = kv.split('=');
        if (!k) throw new Error(`--node-labels: "${kv}" is not key=value`);
        return [k, v];
      }),
  );
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: want a whole number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'kubectl') {
    // Pass everything through untouched: kubectl's flags are not ours to parse.
    const { spawnSync } = await import('node:child_process');
    const { clusterPaths } = await import('./cluster/index.ts');
    const res = spawnSync(toolPath('kubectl'), ['--kubeconfig', clusterPaths().kubeconfig, ...process.argv.slice(3)], { stdio: 'inherit' });
    process.exit(res.status ?? 1);
  }
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      'node-cpu': { type: 'string' },
      'node-memory': { type: 'string' },
      'gpu-nodes': { type: 'string' },
      'node-gpus': { type: 'string' },
      'node-labels': { type: 'string' },
      'no-crds': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(`usage: cluster.ts up [--nodes N] [--node-cpu 8] [--node-memory 32Gi] [--gpu-nodes N] [--node-gpus 4]
                       [--node-labels k=v,...] [--no-crds]
       cluster.ts down | status | kubectl-path | helm-path | kubectl ARGS...`);
    return;
  }
  const log = (line: string) => console.error(`[cluster] ${line}`);
  switch (command) {
    case 'up': {
      const res = await up({
        nodes: count('nodes', values.nodes, 3),
        nodeCpu: values['node-cpu'],
        nodeMemory: values['node-memory'],
        gpuNodes: count('gpu-nodes', values['gpu-nodes'], 0),
        nodeGpus: count('node-gpus', values['node-gpus'], 4),
        nodeLabels: parseLabels(values['node-labels']),
        crds: !values['no-crds'],
        log,
      });
      const secs = (ms = 0) => `${(ms / 1000).toFixed(1)}s`;
      log(
        `${res.reused ? 'reused' : 'started'} in ${secs(res.timings.totalMs)} (build ${secs(res.timings.buildMs)}, start ${secs(res.timings.startMs)}, CRDs ${secs(res.timings.crdsMs)}, nodes ${secs(res.timings.nodesMs)})`,
      );
      console.log(`kubeconfig: ${res.kubeconfig}\nkubectl:    ${toolPath('kubectl')}`);
      break;
    }
    case 'down': {
      const res = await down();
      log(res.stopped.length ? `stopped ${res.stopped.join(', ')}` : 'nothing was running');
      break;
    }
    case 'status': {
      const res = await status();
      console.log(res.running ? `running at ${res.state?.server}` : 'not running');
      process.exitCode = res.running ? 0 : 1;
      break;
    }
    case 'kubectl-path':
      console.log(toolPath('kubectl'));
      break;
    case 'helm-path':
      console.log(toolPath('helm'));
      break;
    default:
      throw new Error(`unknown command "${command}" (want up, down, status)`);
  }
}

main().catch((err: unknown) => {
  console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
