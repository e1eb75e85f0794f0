// Shared by the example-framework integration tests: a controller scoped to the test file's
// namespace and to fake nodes carrying the file's own pool label.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import type { IFramework, ITask } from '../../src/api/index.ts';
import { startController, type ControllerHandle } from '../../src/controller/manager.ts';
import type { ControllerOptions } from '../../src/controller/options.ts';
import { deleteNode, ensureFakeNode, isReady, repoRoot, type FakeNodeSpec } from '../../scripts/cluster/index.ts';
import { custom, eventually, kubeConfig } from './support/kube.ts';

export const POOL_LABEL = 'agora.dev/test-pool';

export interface Pool {
  readonly id: string;
  readonly selector: string;
  /** Adds a node to the pool (removed after the file's tests). */
  addNode(spec: Omit<FakeNodeSpec, 'name'> & { name: string }): Promise<string>;
  /** The running controller (after the file's beforeAll). */
  controller(): ControllerHandle;
}

/** Starts a controller for `ns` and the pool's nodes before the file's tests; stops it after. */
export function useController(ns: { readonly name: string }, prefix: string, extra: Partial<ControllerOptions> = {}): Pool {
  const id = `${prefix}-${randomBytes(3).toString('hex')}`;
  const nodes: string[] = [];
  let ctl: ControllerHandle | undefined;
  const kc = () => kubeConfig();
  beforeAll(async () => {
    ctl = await startController({
      kubeconfig: kc(),
      namespaces: [ns.name],
      nodeSelector: `${POOL_LABEL}=${id}`,
      leaderElect: false,
      metricsAddr: '',
      healthAddr: '',
      events: false,
      logger: pino({ level: process.env.AGORA_TEST_LOG ?? 'silent' }),
      ...extra,
    });
    await ctl.leading();
  });
  afterAll(async () => {
    // Frameworks carry the controller's finalizer: delete them while it runs.
    await custom()
      .deleteCollectionNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Framework })
      .catch(() => undefined);
    await eventually('frameworks deleted', async () => (await listFrameworks(ns.name)).length === 0, 30_000).catch(() => undefined);
    await ctl?.stop();
    for (const n of nodes) await deleteNode(kc(), n);
  });
  return {
    id,
    selector: `${POOL_LABEL}=${id}`,
    controller: () => ctl!,
    async addNode(spec) {
      const name = `${id}-${spec.name}`;
      await ensureFakeNode(kc(), { ...spec, name, labels: { ...spec.labels, [POOL_LABEL]: id } });
      nodes.push(name);
      const core = kc().makeApiClient(CoreV1Api);
      await eventually(`node ${name} Ready`, async () => isReady(await core.readNode({ name })), 60_000);
      return name;
    },
  };
}

export async function listFrameworks(namespace: string): Promise<IFramework[]> {
  return (
    (await custom().listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Framework })) as {
      items: IFramework[];
    }
  ).items;
}

export async function listTasks(namespace: string): Promise<ITask[]> {
  return (
    (await custom().listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL.Task })) as { items: ITask[] }
  ).items;
}

export async function getFramework(namespace: string, name: string): Promise<IFramework> {
  return (await custom().getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: PLURAL.Framework,
    name,
  })) as IFramework;
}

/** Applies the Frameworks of examples/<file> into `namespace`, as `kubectl apply -n` would. */
export async function applyExample(
  kc: KubeConfig,
  file: string,
  namespace: string,
  edit: (f: IFramework) => IFramework = (f) => f,
): Promise<string[]> {
  const names: string[] = [];
  for (const doc of loadAll(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as IFramework[]) {
    if (doc?.kind !== 'Framework') continue;
    const body = edit({ ...doc, metadata: { ...doc.metadata, namespace } });
    await custom(kc).patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL.Framework,
        name: body.metadata!.name!,
        body,
        fieldManager: 'examples-test',
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    names.push(body.metadata!.name!);
  }
  return names;
}

/** Restricts a Framework to the pool's nodes (the example manifests run on any node). */
export function onPool(pool: Pool) {
  return (f: IFramework): IFramework => ({
    ...f,
    spec: {
      ...f.spec,
      offerConstraints: {
        nodeSelector: {
          ...f.spec.offerConstraints?.nodeSelector,
          matchLabels: { ...f.spec.offerConstraints?.nodeSelector?.matchLabels, [POOL_LABEL]: pool.id },
        },
      },
    },
  });
}
