// /healthz, /readyz and /metrics over plain HTTP. Metrics and probes may share an address
// (one server) or not; port 0 picks a free port (tests), reported in `addresses`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface Probes {
  healthy(): boolean;
  ready(): boolean;
}

export function probeHandler(p: Probes): Handler {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') return false;
    const ok = path === '/healthz' ? p.healthy() : p.ready();
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
    return true;
  };
}

export function metricsHandler(registry: Registry): Handler {
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
    return true;
  };
}

/** Parses `:8080`, `127.0.0.1:0`, `0` (a random port on all interfaces). */
export function parseAddr(addr: string): { host?: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = i <= 0 ? undefined : addr.slice(0, i);
  const port = Number(i < 0 ? addr : addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid address ${JSON.stringify(addr)}: want [host]:port`);
  return { host, port };
}

export async function listen(addr: string, handlers: Handler[]): Promise<{ server: Server; port: number }> {
  const { host, port } = parseAddr(addr);
  const server = createServer((req, res) => {
    void (async () => {
      for (const h of handlers) if (await h(req, res)) return;
      res.writeHead(404).end('not found');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
