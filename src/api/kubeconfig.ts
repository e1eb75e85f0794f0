// Which kubeconfig a program uses: one rule for `agora controller`, `agora status` and SDK
// programs (the examples).
//
//   1. --kubeconfig FILE (an empty value counts as not given, as with kubectl);
//   2. $KUBECONFIG;
//   3. with `localCluster` (agora status): the local control plane's kubeconfig, if it exists —
//      so that status finds `npm run cluster:up`'s cluster without flags;
//   4. ~/.kube/config, else the in-cluster ServiceAccount (client-node's default chain).
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigOptions {
  /** --kubeconfig: a file, or a KubeConfig already loaded (used as it is). */
  kubeconfig?: string | KubeConfig;
  /** A kubeconfig to prefer to ~/.kube/config when neither --kubeconfig nor $KUBECONFIG is set, if the file exists. */
  localCluster?: string;
}

/** Where the kubeconfig comes from: a file, or client-node's default chain ($KUBECONFIG, ~/.kube/config, in-cluster). */
export type KubeConfigSource = { file: string; from: 'flag' | 'local-cluster' } | { from: 'default' };

/** The choice alone (no file is read but to test `localCluster` exists). */
export function kubeConfigSource(
  opts: { kubeconfig?: string; localCluster?: string },
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): KubeConfigSource {
  if (opts.kubeconfig) return { file: opts.kubeconfig, from: 'flag' };
  // Set at all — even empty — $KUBECONFIG is the user's choice: the default chain reads it.
  if (env.KUBECONFIG === undefined && opts.localCluster !== undefined && exists(opts.localCluster))
    return { file: opts.localCluster, from: 'local-cluster' };
  return { from: 'default' };
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  if (opts.kubeconfig instanceof KubeConfig) return opts.kubeconfig;
  const source = kubeConfigSource({ kubeconfig: opts.kubeconfig, localCluster: opts.localCluster });
  const kc = new KubeConfig();
  if (source.from === 'default') kc.loadFromDefault();
  else kc.loadFromFile(source.file);
  return kc;
}
