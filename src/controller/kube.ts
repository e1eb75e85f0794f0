// Every API write the controller makes goes through here: client-side token buckets (as
// client-go's --kube-api-qps/--kube-api-burst) and a count per verb and resource (the bench
// prints writes per launched task).
//
// Two budgets, each of qps/burst, as kube-controller-manager gives each of its controllers a
// client of its own: one for the work that launches tasks ('high': launches, kills, frees;
// 'normal': making, withdrawing and recording offers), one for mirroring status and cleaning up
// ('low'). One shared budget made status lag launches by minutes at 1,000 nodes (every launch is
// followed by a status write, so status needed a third of the rate and could not have it without
// slowing launches by as much); with its own budget status is not starved of tokens by launches.
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod, type CoreV1Event } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type Kind } from '../api/index.ts';
import type { SleepingClock } from '../api/clock.ts';
import { MERGE_PATCH } from '../api/patch.ts';
import { TokenBucket, type Priority } from './rate-limiter.ts';

export type WriteVerb = 'create' | 'patch' | 'patchStatus' | 'delete' | 'update';

export interface KubeOptions {
  qps: number;
  burst: number;
  clock: SleepingClock;
  onWrite?: (verb: WriteVerb, resource: string) => void;
}

export class Kube {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  /** 'high' and 'normal' writes. */
  private readonly work: TokenBucket;
  /** 'low' writes. */
  private readonly status: TokenBucket;
  private readonly onWrite: KubeOptions['onWrite'];
  private readonly counts = new Map<string, number>();

  constructor(kc: KubeConfig, o: KubeOptions) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.work = new TokenBucket(o.qps, o.burst, o.clock);
    this.status = new TokenBucket(o.qps, o.burst, o.clock);
    this.onWrite = o.onWrite;
  }

  /** Writes so far, by `verb resource`. */
  writeCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  private bucket(priority: Priority): TokenBucket {
    return priority === 'low' ? this.status : this.work;
  }

  /** Takes a token ahead of a write that will be made with priority 'held' (or given back). */
  acquire(priority: Priority): Promise<void> {
    return this.bucket(priority).take(priority);
  }

  /** Callers waiting for a token of `priority`'s budget. */
  waiting(priority: Priority): number {
    return this.bucket(priority).queued();
  }

  /** Returns a token acquired with `priority` that no write used. */
  giveBack(priority: Priority): void {
    this.bucket(priority).giveBack();
  }

  /** Waits for a token (unless the caller holds one: 'held'), counts the write and makes it. */
  async write<T>(verb: WriteVerb, resource: string, call: () => Promise<T>, priority: Priority | 'held' = 'high'): Promise<T> {
    if (priority !== 'held') await this.bucket(priority).take(priority);
    const k = `${verb} ${resource}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.onWrite?.(verb, resource);
    return call();
  }

  createCustom<T>(kind: Kind, namespace: string, body: object, priority: Priority | 'held' = 'high'): Promise<T> {
    return this.write(
      'create',
      PLURAL[kind],
      () =>
        this.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL[kind], body }) as Promise<T>,
      priority,
    );
  }

  patchCustom<T>(kind: Kind, namespace: string, name: string, body: object, priority: Priority | 'held' = 'high'): Promise<T> {
    return this.write(
      'patch',
      PLURAL[kind],
      () =>
        this.custom.patchNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL[kind], name, body },
          MERGE_PATCH,
        ) as Promise<T>,
      priority,
    );
  }

  /** A merge patch of the status subresource; pass metadata.resourceVersion in `body` for a precondition. */
  patchCustomStatus<T>(kind: Kind, namespace: string, name: string, body: object, priority: Priority | 'held' = 'high'): Promise<T> {
    return this.write(
      'patchStatus',
      PLURAL[kind],
      () =>
        this.custom.patchNamespacedCustomObjectStatus(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL[kind], name, body },
          MERGE_PATCH,
        ) as Promise<T>,
      priority,
    );
  }

  /** A merge patch of a cluster-scoped object's status subresource. */
  patchClusterCustomStatus<T>(kind: Kind, name: string, body: object, priority: Priority | 'held' = 'high'): Promise<T> {
    return this.write(
      'patchStatus',
      PLURAL[kind],
      () =>
        this.custom.patchClusterCustomObjectStatus(
          { group: GROUP, version: VERSION, plural: PLURAL[kind], name, body },
          MERGE_PATCH,
        ) as Promise<T>,
      priority,
    );
  }

  deleteCustom(kind: Kind, namespace: string, name: string, priority: Priority = 'high'): Promise<unknown> {
    return this.write(
      'delete',
      PLURAL[kind],
      () =>
        this.custom.deleteNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL[kind],
          name,
          propagationPolicy: 'Background',
        }),
      priority,
    );
  }

  createClusterCustom<T>(kind: Kind, body: object, priority: Priority = 'high'): Promise<T> {
    return this.write(
      'create',
      PLURAL[kind],
      () => this.custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL[kind], body }) as Promise<T>,
      priority,
    );
  }

  /** A replace of a cluster-scoped object: `body.metadata.resourceVersion` makes it conditional. */
  replaceClusterCustom<T>(kind: Kind, name: string, body: object, priority: Priority = 'high'): Promise<T> {
    return this.write(
      'update',
      PLURAL[kind],
      () => this.custom.replaceClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL[kind], name, body }) as Promise<T>,
      priority,
    );
  }

  deleteClusterCustom(kind: Kind, name: string, resourceVersion?: string, priority: Priority = 'high'): Promise<unknown> {
    return this.write(
      'delete',
      PLURAL[kind],
      () =>
        this.custom.deleteClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL[kind],
          name,
          body: resourceVersion === undefined ? undefined : { preconditions: { resourceVersion } },
        }),
      priority,
    );
  }

  createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    return this.write('create', 'pods', () => this.core.createNamespacedPod({ namespace, body }));
  }

  deletePod(namespace: string, name: string, uid?: string): Promise<unknown> {
    return this.write('delete', 'pods', () =>
      this.core.deleteNamespacedPod({ namespace, name, body: uid ? { preconditions: { uid } } : undefined }),
    );
  }

  /** Merge-patches a Pod's labels (a null value removes one). */
  patchPodLabels(namespace: string, name: string, labels: Record<string, string | null>): Promise<unknown> {
    return this.write('patch', 'pods', () =>
      this.core.patchNamespacedPod({ namespace, name, body: { metadata: { labels } } }, MERGE_PATCH),
    );
  }

  createEvent(namespace: string, body: CoreV1Event): Promise<unknown> {
    return this.write('create', 'events', () => this.core.createNamespacedEvent({ namespace, body }));
  }
}
