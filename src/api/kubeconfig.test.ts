import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeConfigSource, loadKubeConfig, withConnectionReuse, type KubeConfigSource } from './kubeconfig.ts';

const LOCAL = '/repo/.agora/cluster/kubeconfig';

describe('kubeConfigSource', () => {
  it.each<{
    name: string;
    kubeconfig?: string;
    localCluster?: string;
    env?: Record<string, string>;
    localExists?: boolean;
    want: KubeConfigSource;
  }>([
    {
      name: '--kubeconfig wins over everything',
      kubeconfig: '/a/config',
      localCluster: LOCAL,
      env: { KUBECONFIG: '/b/config' },
      localExists: true,
      want: { file: '/a/config', from: 'flag' },
    },
    {
      name: 'an empty --kubeconfig counts as not given',
      kubeconfig: '',
      localCluster: LOCAL,
      localExists: true,
      want: { file: LOCAL, from: 'local-cluster' },
    },
    {
      name: '$KUBECONFIG goes before the local cluster (the default chain reads it)',
      localCluster: LOCAL,
      env: { KUBECONFIG: '/b/config' },
      localExists: true,
      want: { from: 'default' },
    },
    {
      name: 'an empty $KUBECONFIG is still a choice: the default chain',
      localCluster: LOCAL,
      env: { KUBECONFIG: '' },
      localExists: true,
      want: { from: 'default' },
    },
    {
      name: 'the local cluster, when allowed and it exists, before ~/.kube/config',
      localCluster: LOCAL,
      localExists: true,
      want: { file: LOCAL, from: 'local-cluster' },
    },
    { name: 'no local cluster running: the default chain', localCluster: LOCAL, localExists: false, want: { from: 'default' } },
    {
      name: 'the local cluster not allowed (the controller, SDK programs): the default chain',
      localExists: true,
      want: { from: 'default' },
    },
  ])('$name', ({ kubeconfig, localCluster, env, localExists, want }) => {
    const checked: string[] = [];
    const exists = (p: string) => (checked.push(p), localExists === true);
    expect(kubeConfigSource({ kubeconfig, localCluster }, env ?? {}, exists)).toEqual(want);
    expect(checked.every((p) => p === LOCAL)).toBe(true);
  });
});

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agora-kubeconfig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file it is given', () => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'c',
        clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      }),
    );
    expect(loadKubeConfig({ kubeconfig: file, localCluster: '/no/such/file' }).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('uses a loaded KubeConfig as it is, keeping its connections', () => {
    const kc = new KubeConfig();
    const loaded = loadKubeConfig({ kubeconfig: kc });
    expect(Object.getPrototypeOf(loaded)).toBe(kc);
    expect(withConnectionReuse(loaded)).toBe(loaded);
  });
});

describe('withConnectionReuse', () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'k', server: 'https://127.0.0.1:6443', caData: Buffer.from('not a real CA').toString('base64'), skipTLSVerify: false },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'k', user: 'u' }],
    currentContext: 'c',
  });
  const request = async (config: KubeConfig) => {
    const context = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
    await config.applySecurityAuthentication(context);
    return context;
  };

  it('gives every request of one config the same dispatcher (a pool of kept connections)', async () => {
    const reusing = withConnectionReuse(kc);
    const [a, b] = [await request(reusing), await request(reusing)];
    expect(a.getDispatcher()).toBeDefined();
    expect(b.getDispatcher()).toBe(a.getDispatcher());
    // Credentials are still applied to each request.
    expect(b.getHeaders()['Authorization']).toBe('Bearer t');
  });

  it('leaves the config it wraps as it was: a dispatcher per request', async () => {
    const [a, b] = [await request(kc), await request(kc)];
    expect(b.getDispatcher()).not.toBe(a.getDispatcher());
  });
});
