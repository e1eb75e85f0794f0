// A throwaway PKI for the local control plane, made with the openssl CLI: one CA, the API
// server's serving certificate, client certificates per component, the service-account key.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertRequest {
  name: string;
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses, for serving certificates. */
  dnsNames?: string[];
  ips?: string[];
  usage: 'server' | 'client';
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
}

export function ensureCa(dir: string, commonName = 'agora-local-ca'): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  if (!existsSync(cert) || !existsSync(key)) {
    newKey(dir, 'ca');
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-subj',
        `/CN=${commonName}`,
        '-days',
        '3650',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        'ca.crt',
      ],
      dir,
    );
  }
  return { cert, key };
}

/** Issues (once) a certificate signed by the CA in `dir`; returns the cert and key paths. */
export function ensureCert(dir: string, req: CertRequest): { cert: string; key: string } {
  const cert = join(dir, `${req.name}.crt`);
  const key = join(dir, `${req.name}.key`);
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  newKey(dir, req.name);
  const subject = `/CN=${req.commonName}${req.organization ? `/O=${req.organization}` : ''}`;
  openssl(['req', '-new', '-key', `${req.name}.key`, '-subj', subject, '-out', `${req.name}.csr`], dir);
  const sans = [...(req.dnsNames ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((i) => `IP:${i}`)];
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${req.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  writeFileSync(join(dir, `${req.name}.ext`), `${ext}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${req.name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      `${req.name}.ext`,
      '-out',
      `${req.name}.crt`,
    ],
    dir,
  );
  return { cert, key };
}

/** The key pair that signs and verifies ServiceAccount tokens. */
export function ensureServiceAccountKey(dir: string): { key: string; pub: string } {
  const key = join(dir, 'sa.key');
  const pub = join(dir, 'sa.pub');
  if (!existsSync(key) || !existsSync(pub)) {
    newKey(dir, 'sa');
    openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  }
  return { key, pub };
}
