// A console outside the controller (`agora ui`, the demo): its own read-only informers over the
// kubeconfig's cluster, the same model and server as the controller's. It has no allocator:
// why a framework gets no offers is what the controller wrote in its OffersAvailable condition.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { systemClock } from '../../api/clock.ts';
import { ClusterState } from '../cluster-state.ts';
import { close, listen } from '../health-server.ts';
import { makeInformers } from '../informer-set.ts';
import { ConsoleModel } from './model.ts';
import { consoleHandler } from './server.ts';

export interface StandaloneConsoleOptions {
  kc: KubeConfig;
  log: Logger;
  /** `[host]:port`; port 0 picks a free one. */
  addr: string;
  /** Only Frameworks, Offers and Tasks here; default every namespace. */
  namespaces?: string[];
  historyMs?: number;
  sampleIntervalMs?: number;
}

export interface StandaloneConsole {
  /** `http://host:port/`. */
  readonly url: string;
  readonly model: ConsoleModel;
  stop(): Promise<void>;
}

export async function startStandaloneConsole(o: StandaloneConsoleOptions): Promise<StandaloneConsole> {
  const namespaces = o.namespaces !== undefined && o.namespaces.length > 0 ? o.namespaces : undefined;
  const informers = makeInformers(o.kc, o.log, { namespaces, nodeSelector: undefined });
  const sampleMs = o.sampleIntervalMs ?? 2000;
  const model = new ConsoleModel(
    { state: new ClusterState(informers.caches), why: () => undefined, clock: systemClock },
    {
      historySamples: Math.max(1, Math.ceil((o.historyMs ?? 15 * 60_000) / sampleMs)),
      offerWindowMs: Math.max(o.historyMs ?? 15 * 60_000, 10_000),
    },
  );
  await Promise.all(informers.all.map((i) => i.start()));
  model.sample();
  const sampler = setInterval(() => model.sample(), sampleMs);
  sampler.unref();
  const handler = consoleHandler({ model: () => model });
  const { server, port } = await listen(o.addr, [handler]);
  const host = o.addr.lastIndexOf(':') > 0 ? o.addr.slice(0, o.addr.lastIndexOf(':')) : '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${port}/`,
    model,
    async stop() {
      clearInterval(sampler);
      handler.close();
      await close(server);
      await Promise.all(informers.all.map((i) => i.stop()));
    },
  };
}
