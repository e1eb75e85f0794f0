// A second kube-scheduler on the running local control plane, with its own schedulerName and
// client rate limits: benchmarks compare against kube-scheduler at the limits they give the
// controller (the cluster's own scheduler keeps the upstream defaults, 50 qps / burst 100).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterPaths, type ClusterPaths } from '../../src/api/local-paths.ts';
import { freePorts, startDetached, stopAll, waitFor, type RunningProcess } from './processes.ts';
import { httpsGet, readState } from './control-plane.ts';

export interface ExtraScheduler {
  schedulerName: string;
  stop(): Promise<void>;
}

export async function startExtraScheduler(
  o: { schedulerName: string; qps: number; burst: number },
  paths: ClusterPaths = clusterPaths(),
): Promise<ExtraScheduler> {
  const state = readState(paths);
  if (state === undefined) throw new Error(`no local control plane running (no ${paths.state}); start one with npm run cluster:up`);
  const kubeconfig = join(paths.pki, 'kube-scheduler.kubeconfig');
  const dir = mkdtempSync(join(tmpdir(), 'agora-scheduler-'));
  const config = join(dir, 'config.yaml');
  // JSON is YAML; qps < 0 turns client-go's rate limiter off.
  writeFileSync(
    config,
    JSON.stringify({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      clientConnection: { kubeconfig, qps: o.qps > 0 ? o.qps : -1, burst: Math.max(1, o.burst) },
      leaderElection: { leaderElect: false },
      profiles: [{ schedulerName: o.schedulerName }],
    }),
  );
  const [port] = await freePorts(1);
  const proc = startDetached(
    `kube-scheduler-${o.schedulerName}`,
    join(state.binDir, 'kube-scheduler'),
    [
      '--config',
      config,
      '--authentication-kubeconfig',
      kubeconfig,
      '--authorization-kubeconfig',
      kubeconfig,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      String(port),
      '--v',
      '1',
    ],
    dir,
  );
  // Recorded in state.json so that `cluster:down` stops it even if its starter died first.
  recordExtra(paths, (extras) => [...extras, proc]);
  const stop = async () => {
    await stopAll([proc], 5_000);
    recordExtra(paths, (extras) => extras.filter((p) => p.pid !== proc.pid));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      proc.name,
      async () => (await httpsGet(`https://127.0.0.1:${port}/healthz`, { ca: join(paths.pki, 'ca.crt'), insecure: true })).status === 200,
      60_000,
      proc,
    );
  } catch (err) {
    const log = (() => {
      try {
        return readFileSync(proc.log, 'utf8').split('\n').slice(-20).join('\n');
      } catch {
        return '';
      }
    })();
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return { schedulerName: o.schedulerName, stop };
}

function recordExtra(paths: ClusterPaths, change: (extras: RunningProcess[]) => RunningProcess[]): void {
  const state = readState(paths);
  if (state === undefined) return; // the cluster is gone (and its processes with it)
  state.extras = change(state.extras ?? []);
  writeFileSync(paths.state, JSON.stringify(state, null, 2));
}
