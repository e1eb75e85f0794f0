// Which kubeconfig a program uses: one rule for `agora controller`, `agora status` and SDK
// programs (the examples).
//
//   1. --kubeconfig FILE (an empty value counts as not given, as with kubectl);
//   2. $KUBECONFIG;
//   3. with `localCluster` (agora status): the local control plane's kubeconfig, if it exists —
//      so that status finds `npm run cluster:up`'s cluster without flags;
//   4. ~/.kube/config, else the in-cluster ServiceAccount (client-node's default chain).
import { existsSync } from 'node:fs';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

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

/** The kubeconfig to use, its API clients keeping their connections (withConnectionReuse). */
export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  if (opts.kubeconfig instanceof KubeConfig) return withConnectionReuse(opts.kubeconfig);
  const source = kubeConfigSource({ kubeconfig: opts.kubeconfig, localCluster: opts.localCluster });
  const kc = new KubeConfig();
  if (source.from === 'default') kc.loadFromDefault();
  else kc.loadFromFile(source.file);
  return withConnectionReuse(kc);
}

const REUSING = Symbol('agora.connectionReuse');

/**
 * The same KubeConfig, but its API clients keep their connections. client-node 2.0 gives every
 * request a dispatcher of its own, so every call opens a new TLS connection (a handshake: CPU on
 * both sides, 10-30 ms on loopback) that then idles until the server closes it: a controller
 * writing at 50 requests a second held about 2,000 connections to the API server at 1,000 nodes,
 * and the API server's handshakes made every request wait seconds. Here every request shares the
 * first request's dispatcher (one pool of keep-alive connections); credentials (headers) are
 * still applied per request. Watches, made through their own path, are not affected.
 */
export function withConnectionReuse(kc: KubeConfig): KubeConfig {
  if ((kc as KubeConfig & { [REUSING]?: true })[REUSING]) return kc;
  const reusing = Object.create(kc) as KubeConfig & { [REUSING]?: true };
  reusing[REUSING] = true;
  let shared: ReturnType<RequestContext['getDispatcher']>;
  reusing.applySecurityAuthentication = async (context: RequestContext) => {
    await kc.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    shared ??= fresh;
    context.setDispatcher(shared);
  };
  return reusing;
}
