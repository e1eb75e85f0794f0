// The shared Informer against the real API server: a list read in pages, each page trimmed as it
// arrives, and the watch that follows it picking up from that list.
import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Informer, type ListQuery } from '../../src/api/informer.ts';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';

const ns = useNamespace('informer');

describe('Informer', () => {
  const informers: Informer<V1ConfigMap>[] = [];
  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
  });

  it('lists in pages, trims every object of every page, then watches from that list', async () => {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    for (let i = 0; i < 7; i++)
      await core.createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name: `cm-${i}`, labels: { 'agora.dev/informer-test': 'yes' } }, data: { big: 'x'.repeat(1000) } },
      });
    const calls: ListQuery[] = [];
    const informer = new Informer<V1ConfigMap>({
      name: 'ConfigMap',
      kc: kubeConfig(),
      log: pino({ level: 'silent' }),
      namespaces: [ns.name],
      labelSelector: 'agora.dev/informer-test=yes',
      pageSize: 3,
      path: (n) => `/api/v1/namespaces/${n}/configmaps`,
      list: (q) => {
        calls.push(q);
        return core.listNamespacedConfigMap({
          namespace: q.namespace!,
          labelSelector: q.labelSelector,
          limit: q.limit,
          _continue: q._continue,
        });
      },
      transform: (cm) => {
        delete cm.data;
        return cm;
      },
    });
    informers.push(informer);
    await informer.start();
    // 7 objects at 3 a page: three calls, each after the first continuing the one before.
    expect(calls.map((c) => c.limit)).toEqual([3, 3, 3]);
    expect(calls[0]!._continue).toBeUndefined();
    expect(calls[1]!._continue).toBeTruthy();
    expect(calls[2]!._continue).toBeTruthy();
    expect(calls[2]!._continue).not.toBe(calls[1]!._continue);
    const listed = informer.list();
    expect(listed.map((c) => c.metadata?.name).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `cm-${i}`));
    expect(listed.every((c) => c.data === undefined)).toBe(true);

    // Nothing created between the list and the watch is missed, and it is trimmed too.
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: 'cm-late', labels: { 'agora.dev/informer-test': 'yes' } }, data: { big: 'y' } },
    });
    const late = await eventually('the watch to deliver cm-late', async () => informer.get(`${ns.name}/cm-late`));
    expect(late.data).toBeUndefined();
  });
});
