// The HTTPS admission server: routes AdmissionReviews by path to handlers, answers every request
// with an AdmissionReview (never a bare HTTP error once the review could be read), and measures
// how long each decision takes.
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Histogram, Registry } from 'prom-client';
import { decodeReview, encodeReview, toResponse, type AdmissionRequest } from './admission.ts';
import type { Handler } from './handlers.ts';

/** PEM contents, or files (re-read when they change, as a mounted Secret is rotated). */
export type ServingTls = { cert: string | Buffer; key: string | Buffer } | { certFile: string; keyFile: string };

export interface ServerOptions {
  handlers: Record<string, Handler>;
  tls: ServingTls;
  /** Default 127.0.0.1; use 0.0.0.0 in a Pod. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger: Logger;
  /** Where the latency histogram is registered (a fresh Registry when omitted). */
  registry?: Registry;
  /** A decision not made in this time is a denial (the API server's own timeout is longer). */
  decisionTimeoutMs?: number;
  /** How often certificate files are checked for rotation. */
  tlsReloadIntervalMs?: number;
}

export interface RunningServer {
  port: number;
  registry: Registry;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readTls(tls: ServingTls): { cert: string | Buffer; key: string | Buffer } {
  return 'certFile' in tls ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : tls;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no decision within ${ms}ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.logger;
  const registry = opts.registry ?? new Registry();
  const latency = new Histogram({
    name: 'agora_webhook_admission_duration_seconds',
    help: 'Time to decide an admission review, by webhook path and verdict (allowed, denied, error).',
    labelNames: ['path', 'verdict'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const timeoutMs = opts.decisionTimeoutMs ?? 4000;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const review = async (handler: Handler, path: string, req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    let request: AdmissionRequest;
    try {
      request = decodeReview(JSON.parse(await readBody(req)));
    } catch (err) {
      log.warn({ path, err: (err as Error).message }, 'unreadable admission review');
      send(res, 400, `bad AdmissionReview: ${(err as Error).message}\n`);
      return;
    }
    const fields = {
      path,
      uid: request.uid,
      op: request.operation,
      ns: request.namespace,
      name: request.name,
      user: request.userInfo.username,
    };
    let verdict: 'allowed' | 'denied' | 'error';
    try {
      const response = toResponse(request.uid, await withDeadline(handler(request), timeoutMs));
      verdict = response.allowed ? 'allowed' : 'denied';
      send(res, 200, encodeReview(response));
      if (response.allowed) log.debug(fields, 'admitted');
      else log.info({ ...fields, message: response.status?.message }, 'denied');
    } catch (err) {
      // Fail closed, and say so: the API server shows this message to the writer.
      verdict = 'error';
      const message = `Agora could not check this request (${(err as Error).message}); try again`;
      log.error({ ...fields, err: (err as Error).message }, 'admission check failed');
      send(res, 200, encodeReview({ uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message } }));
    }
    latency.observe({ path, verdict }, Number(process.hrtime.bigint() - started) / 1e9);
  };

  const server: Server = createServer({ ...readTls(opts.tls) }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return send(res, 200, 'ok\n');
    const handler = opts.handlers[path];
    if (handler === undefined) return send(res, 404, `no webhook at ${path}\n`);
    if (req.method !== 'POST') return send(res, 405, 'POST an AdmissionReview\n');
    review(handler, path, req, res).catch((err: unknown) => {
      log.error({ path, err: (err as Error).message }, 'admission server error');
      if (!res.headersSent) send(res, 500, 'internal error\n');
    });
  });
  server.keepAliveTimeout = 60_000;

  let reload: NodeJS.Timeout | undefined;
  if ('certFile' in opts.tls) {
    const files = opts.tls;
    const stamp = () => `${statSync(files.certFile).mtimeMs}/${statSync(files.keyFile).mtimeMs}`;
    let last = stamp();
    reload = setInterval(() => {
      try {
        const now = stamp();
        if (now === last) return;
        last = now;
        server.setSecureContext(readTls(files));
        log.info({ cert: files.certFile }, 'reloaded the serving certificate');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not reload the serving certificate');
      }
    }, opts.tlsReloadIntervalMs ?? 60_000);
    reload.unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: opts.host ?? '127.0.0.1', port }, 'admission webhooks serving');
  return {
    port,
    registry,
    stop: () =>
      new Promise<void>((resolve) => {
        if (reload) clearInterval(reload);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
