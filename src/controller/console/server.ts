// The console's HTTP handler: the page and its assets (from this package — no CDN), the JSON
// API under /api/v1 that the page and scripts use, and /api/v1/watch, a Server-Sent Events
// stream that tells every open page when the caches changed. Read-only: GET and HEAD only.
// Pages and assets carry a Content-Security-Policy that allows scripts and styles from this
// server alone (no inline script), and nothing is ever written into HTML from cluster data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from '../health-server.ts';
import { LEADER_LABEL } from '../../api/group.ts';
import type { ConsoleModel } from './model.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

interface Asset {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
const here = (name: string) => new URL(`./assets/${name}`, import.meta.url);

/** Every file the page loads, read once: the console's own and uPlot's (from node_modules). */
export function loadAssets(): Map<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: readFileSync(here('index.html')) }],
    ['/assets/console.js', { type: js, body: readFileSync(here('console.js')) }],
    ['/assets/console.css', { type: css, body: readFileSync(here('console.css')) }],
    ['/assets/uplot.js', { type: js, body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) }],
    ['/assets/uplot.css', { type: css, body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) }],
  ]);
}

export interface ConsoleServerOptions {
  /** The model of the cluster, or undefined while there is none (this replica does not lead). */
  model: () => ConsoleModel | undefined;
  /** Who leads, for the 503 of a replica without a model (default: nothing known). */
  standby?: () => StandbyInfo;
  /** How often open pages are told of a change, at most. */
  pushIntervalMs?: number;
}

/** What a replica without caches knows of who has them. */
export interface StandbyInfo {
  /** This replica's identity. */
  identity: string;
  /** The leader election Lease's holderIdentity as last read; undefined when free or not read yet. */
  leader?: string;
  /**
   * Whether the console's Service routes to the leader: this replica keeps the agora.dev/leader
   * label on its Pod, which the chart's Service selects.
   */
  serviceRoutesToLeader: boolean;
}

/** The 503 body of a replica that has no caches: who leads, and how to reach it. */
export function standbyBody(info: StandbyInfo | undefined): { error: string; leader: string | null; serviceRoutesToLeader: boolean } {
  const leader = info?.leader;
  const routes = info?.serviceRoutesToLeader === true;
  let error: string;
  if (leader !== undefined && leader === info?.identity) {
    error = `this replica (${leader}) has just become the leader and its caches are still syncing; retry in a moment`;
  } else {
    error = `this replica${info === undefined ? '' : ` (${info.identity})`} is not leading: its caches are not running. `;
    error += leader === undefined ? 'No leader is known yet (the Lease is free or not read yet).' : `The leader is ${leader}.`;
    if (routes)
      error += ` The console's Service routes to the leader (it selects the Pod labelled ${LEADER_LABEL}=true): open the console through the Service, not through this replica's Pod.`;
  }
  return { error, leader: leader ?? null, serviceRoutesToLeader: routes };
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const int = (v: string | null): number | undefined => (v === null || v === '' || !/^\d+$/.test(v) ? undefined : Number(v));
const str = (v: string | null): string | undefined => (v === null || v === '' ? undefined : v);

/** The JSON body of an /api/v1 route. */
function route(model: ConsoleModel, path: string, query: URLSearchParams): unknown {
  if (path === '/api/v1/overview') return model.overview();
  if (path === '/api/v1/frameworks') return { items: model.frameworks() };
  if (path === '/api/v1/roles') return { items: model.roles() };
  if (path === '/api/v1/offers') return { items: model.offers(), inverseOffers: model.inverseOffers() };
  if (path === '/api/v1/nodes') {
    const order = query.get('order');
    return model.nodes({
      q: str(query.get('q')),
      sort: str(query.get('sort')),
      order: order === 'desc' ? 'desc' : 'asc',
      offset: int(query.get('offset')),
      limit: int(query.get('limit')),
    });
  }
  if (path === '/api/v1/tasks')
    return model.tasks({
      state: str(query.get('state')),
      framework: str(query.get('framework')),
      node: str(query.get('node')),
      offset: int(query.get('offset')),
      limit: int(query.get('limit')),
    });
  const p = /^\/api\/v1\/pods\/([^/]+)\/([^/]+)$/.exec(path);
  if (p !== null) {
    const [namespace, name] = [decodeURIComponent(p[1]!), decodeURIComponent(p[2]!)];
    const pod = model.pod(namespace, name);
    if (pod === undefined) throw new HttpError(404, `no task's pod ${namespace}/${name}`);
    return pod;
  }
  const m = /^\/api\/v1\/frameworks\/([^/]+)\/([^/]+)(\/explain)?$/.exec(path);
  if (m !== null) {
    const [namespace, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const detail = model.framework(namespace, name);
    if (detail === undefined) throw new HttpError(404, `framework ${namespace}/${name} not found`);
    if (m[3] !== undefined) return { framework: `${namespace}/${name}`, why: detail.why ?? null };
    return detail;
  }
  throw new HttpError(404, `no such route: ${path}`);
}

/** The console's handler, plus close() to end the open event streams. */
export function consoleHandler(o: ConsoleServerOptions): Handler & { close(): void } {
  const assets = loadAssets();
  const streams = new Set<ServerResponse>();
  // One body per URL and model version: any number of viewers of a page cost one computation.
  const cache = new Map<string, { model: ConsoleModel; version: number; body: string }>();
  let ticker: NodeJS.Timeout | undefined;
  let lastPushed: string | undefined;

  const push = () => {
    const model = o.model();
    const data = model === undefined ? 'unavailable' : String(model.version);
    if (data === lastPushed) return;
    lastPushed = data;
    for (const res of streams) res.write(`event: change\ndata: ${data}\n\n`);
  };

  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    const model = o.model();
    res.write(`retry: 2000\nevent: change\ndata: ${model === undefined ? 'unavailable' : model.version}\n\n`);
    streams.add(res);
    if (ticker === undefined) {
      ticker = setInterval(push, o.pushIntervalMs ?? 500);
      ticker.unref();
    }
    req.on('close', () => {
      streams.delete(res);
      if (streams.size === 0 && ticker !== undefined) {
        clearInterval(ticker);
        ticker = undefined;
        lastPushed = undefined;
      }
    });
  };

  const json = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(body);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const asset = assets.get(path === '/index.html' ? '/' : path);
    if (asset === undefined && !path.startsWith('/api/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end('read-only');
      return true;
    }
    if (asset !== undefined) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.type,
        'Content-Length': asset.body.length,
        'Cache-Control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return true;
    }
    if (path === '/api/v1/watch') {
      openStream(req, res);
      return true;
    }
    const model = o.model();
    if (model === undefined) {
      json(res, 503, JSON.stringify(standbyBody(o.standby?.())));
      return true;
    }
    const key = `${path}?${[...url.searchParams]
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join('&')}`;
    const hit = cache.get(key);
    if (hit !== undefined && hit.model === model && hit.version === model.version) {
      json(res, 200, hit.body);
      return true;
    }
    try {
      const body = JSON.stringify(route(model, path, url.searchParams));
      if (cache.size >= 256) cache.delete(cache.keys().next().value!);
      cache.set(key, { model, version: model.version, body });
      json(res, 200, body);
    } catch (err) {
      if (err instanceof HttpError) json(res, err.status, JSON.stringify({ error: err.message }));
      else throw err;
    }
    return true;
  };
  return Object.assign(handler, {
    close() {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      for (const res of streams) res.end();
      streams.clear();
    },
  });
}
