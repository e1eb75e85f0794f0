// Serving certificates for local runs: a CA and a certificate for 127.0.0.1/localhost, made once
// with the same openssl helpers as the local control plane and kept under .agora/webhooks/.
// (In a cluster the certificate comes from a mounted Secret: the chart's self-signed CA or
// cert-manager.)
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../api/local-paths.ts';

export const DEFAULT_LOCAL_TLS_DIR = join(repoRoot, '.agora/webhooks/pki');

export interface LocalTlsOptions {
  dir?: string;
  dnsNames?: readonly string[];
  ips?: readonly string[];
}

export interface LocalTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** PEM of the CA, for the configurations' caBundle. */
  caBundle: string;
}

export async function ensureLocalTls(opts: LocalTlsOptions = {}): Promise<LocalTls> {
  // Imported on demand: only local runs make a CA (in a cluster the certificate is mounted).
  const { ensureCa, ensureCert } = await import('../api/pki.ts');
  const dir = opts.dir ?? DEFAULT_LOCAL_TLS_DIR;
  const dnsNames = [...(opts.dnsNames ?? ['localhost'])];
  const ips = [...(opts.ips ?? ['127.0.0.1'])];
  const ca = ensureCa(dir, 'agora-webhooks-local-ca');
  // The names are part of the file name, so asking for other names issues a new certificate.
  const tag = createHash('sha256')
    .update(JSON.stringify([dnsNames, ips]))
    .digest('hex')
    .slice(0, 8);
  const cert = ensureCert(dir, {
    name: `serving-${tag}`,
    commonName: dnsNames[0] ?? ips[0] ?? 'agora-webhooks',
    dnsNames,
    ips,
    usage: 'server',
  });
  return { certFile: cert.cert, keyFile: cert.key, caFile: ca.cert, caBundle: readFileSync(ca.cert, 'utf8') };
}
