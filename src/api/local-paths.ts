// Where the local control plane keeps its state (inside the checkout, gitignored) and where the
// built binaries are cached (outside it, shared by every clone on the machine).
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const cacheRoot = (): string =>
  process.env.AGORA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agora');

export interface ClusterPaths {
  dir: string;
  kubeconfig: string;
  state: string;
  pki: string;
  logs: string;
  etcdData: string;
  lock: string;
}

export function clusterPaths(dir = process.env.AGORA_CLUSTER_DIR ?? join(repoRoot, '.agora/cluster')): ClusterPaths {
  return {
    dir,
    kubeconfig: join(dir, 'kubeconfig'),
    state: join(dir, 'state.json'),
    pki: join(dir, 'pki'),
    logs: join(dir, 'logs'),
    etcdData: join(dir, 'etcd'),
    lock: join(dir, 'lock'),
  };
}
