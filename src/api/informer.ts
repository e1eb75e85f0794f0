// Informers (shared by the controller, its built-in scheduler and the webhooks' caches): a list-watch per kind (and per namespace when the controller is scoped to some),
// a cache read by key, and a change callback that passes only the key. client-node's ListWatch
// re-lists on 410 Gone; it stops on any other error, so this restarts it with backoff
// (1 s doubling to 30 s, delay function injectable). An optional transform trims each object
// (listed or watched) before it is cached (see cache-transforms.ts). Lists are read in pages of
// LIST_PAGE_SIZE (as client-go's reflector), each page trimmed before the next is read, so a list
// of 50,000 Pods never sits in memory whole and untrimmed.
import {
  CustomObjectsApi,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from './group.ts';
import type { Logger } from 'pino';
import { errorSummary } from './errors.ts';
import { keyOf, splitKey } from './keys.ts';

export interface InformerSpec<T extends KubernetesObject> {
  name: string;
  kc: KubeConfig;
  /** The collection's URL path, for one namespace or (undefined) all. */
  path: (namespace: string | undefined) => string;
  /** One page of the collection. */
  list: (q: ListQuery) => Promise<KubernetesListObject<T>>;
  /** Watch only these namespaces (one list-watch each); undefined: cluster-wide. */
  namespaces?: readonly string[];
  labelSelector?: string;
  fieldSelector?: string;
  log: Logger;
  delay?: (ms: number) => Promise<void>;
  /** Applied to every object before it is cached: keep only what is read. */
  transform?: (obj: T) => T;
  /** Objects per list call (default LIST_PAGE_SIZE). */
  pageSize?: number;
}

/** What one list call asks for: a namespace (undefined: all), selectors, and a page. */
export interface ListQuery {
  namespace: string | undefined;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  limit: number;
  /** The token of the page before (client-node's `_continue`). */
  _continue: string | undefined;
}

export const LIST_PAGE_SIZE = 500;

/** `path` and `list` of an informer of one of Agora's kinds (or any custom resource of its group). */
export function customObjectSource<T extends KubernetesObject>(kc: KubeConfig, plural: string): Pick<InformerSpec<T>, 'path' | 'list'> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    path: (ns) => `/apis/${GROUP}/${VERSION}${ns ? `/namespaces/${ns}` : ''}/${plural}`,
    list: ({ namespace, ...q }) =>
      (namespace
        ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural, ...q })
        : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural, ...q })) as Promise<KubernetesListObject<T>>,
  };
}

/** Every page of a list, each trimmed by `transform` as it arrives; metadata (resourceVersion) of the first. */
async function listAll<T extends KubernetesObject>(
  list: InformerSpec<T>['list'],
  q: Omit<ListQuery, '_continue'>,
  transform: ((obj: T) => T) | undefined,
): Promise<KubernetesListObject<T>> {
  let first: KubernetesListObject<T> | undefined;
  const items: T[] = [];
  let next: string | undefined;
  do {
    const page = await list({ ...q, _continue: next });
    first ??= page;
    for (const o of page.items) items.push(transform === undefined ? o : transform(o));
    next = page.metadata?._continue || undefined;
  } while (next !== undefined);
  return { ...first, items };
}

/** A Watch whose events carry transformed objects (ListWatch caches what its Watch delivers). */
class TransformingWatch<T> extends Watch {
  private readonly transform: (obj: T) => T;

  constructor(kc: KubeConfig, transform: (obj: T) => T) {
    super(kc);
    this.transform = transform;
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj, watchObj) => callback(phase, phase === 'ERROR' || phase === 'BOOKMARK' ? obj : this.transform(obj as T), watchObj),
      done,
    );
  }
}

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

export class Informer<T extends KubernetesObject> {
  readonly name: string;
  private readonly spec: InformerSpec<T>;
  private readonly watches: ListWatch<T>[] = [];
  private readonly listeners: ((key: string, obj: T | undefined) => void)[] = [];
  private readonly delay: (ms: number) => Promise<void>;
  private stopped = false;
  private readonly syncedWatches = new Set<ListWatch<T>>();
  private readonly failures = new Map<ListWatch<T>, number>();

  constructor(spec: InformerSpec<T>) {
    this.name = spec.name;
    this.spec = spec;
    this.delay = spec.delay ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    const scopes: (string | undefined)[] = spec.namespaces === undefined ? [undefined] : [...spec.namespaces];
    for (const ns of scopes) {
      const transform = spec.transform;
      const query = {
        namespace: ns,
        labelSelector: spec.labelSelector,
        fieldSelector: spec.fieldSelector,
        limit: spec.pageSize ?? LIST_PAGE_SIZE,
      };
      const list = () => listAll(spec.list, query, transform);
      const watch = transform === undefined ? new Watch(spec.kc) : new TransformingWatch<T>(spec.kc, transform);
      const lw = new ListWatch<T>(spec.path(ns), watch, list, false, spec.labelSelector, spec.fieldSelector);
      const changed = (obj: T) => this.emit(obj, lw);
      lw.on('add', changed);
      lw.on('update', changed);
      lw.on('delete', (obj) => {
        const key = keyOf(obj);
        for (const l of this.listeners) l(key, undefined);
      });
      lw.on('error', (err) => void this.restart(lw, err));
      this.watches.push(lw);
    }
  }

  /** Called with the key of every object that was added, changed or deleted (then obj is undefined). */
  onChange(listener: (key: string, obj: T | undefined) => void): void {
    this.listeners.push(listener);
  }

  /** Lists and watches; resolves once every scope has listed successfully (retrying with backoff). */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all(this.watches.map((lw) => this.startOne(lw)));
  }

  get synced(): boolean {
    return this.syncedWatches.size === this.watches.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.syncedWatches.clear();
    await Promise.all(this.watches.map((lw) => lw.stop()));
  }

  get(key: string): T | undefined {
    const { namespace, name } = splitKey(key);
    for (const lw of this.watches) {
      const o = lw.get(name, namespace || undefined);
      if (o !== undefined) return o;
    }
    return undefined;
  }

  list(): T[] {
    const out: T[] = [];
    for (const lw of this.watches) out.push(...lw.list());
    return out;
  }

  private emit(obj: T, lw: ListWatch<T>): void {
    if (this.failures.has(lw)) this.failures.delete(lw);
    const key = keyOf(obj);
    for (const l of this.listeners) l(key, obj);
  }

  private async startOne(lw: ListWatch<T>): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      await lw.start();
      // ListWatch reports a failed list through its error callback and leaves no version.
      if (lw.latestResourceVersion() !== '') {
        this.syncedWatches.add(lw);
        return;
      }
      attempt++;
      await this.delay(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
    }
  }

  private readonly restarting = new Set<ListWatch<T>>();
  private readonly pendingRestart = new Set<ListWatch<T>>();

  private async restart(lw: ListWatch<T>, err: unknown): Promise<void> {
    // Before the first successful list, startOne() is retrying already.
    if (this.stopped || !this.syncedWatches.has(lw)) return;
    this.spec.log.warn({ informer: this.name, err: errorSummary(err) }, 'watch failed');
    if (this.restarting.has(lw)) {
      this.pendingRestart.add(lw);
      return;
    }
    this.restarting.add(lw);
    try {
      do {
        this.pendingRestart.delete(lw);
        const n = (this.failures.get(lw) ?? 0) + 1;
        this.failures.set(lw, n);
        await this.delay(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (n - 1)));
        if (this.stopped) return;
        await lw.start();
        if (lw.latestResourceVersion() === '') this.pendingRestart.add(lw);
      } while (this.pendingRestart.has(lw) && !this.stopped);
    } finally {
      this.restarting.delete(lw);
    }
  }
}
