// Kubeconfig files with embedded certificates, so the file works from any directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { dump } from 'js-yaml';

const b64 = (path: string): string => readFileSync(path).toString('base64');

export function writeKubeconfig(
  path: string,
  opts: { server: string; ca: string; cert: string; key: string; user: string; context?: string },
): void {
  const context = opts.context ?? 'agora-local';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'agora-local', cluster: { server: opts.server, 'certificate-authority-data': b64(opts.ca) } }],
    users: [{ name: opts.user, user: { 'client-certificate-data': b64(opts.cert), 'client-key-data': b64(opts.key) } }],
    contexts: [{ name: context, context: { cluster: 'agora-local', user: opts.user, namespace: 'default' } }],
    'current-context': context,
  };
  writeFileSync(path, dump(config), { mode: 0o600 });
}
