// The controller's view of the cluster, kept by the informers: indexes (pods and tasks by
// node, tasks by framework and offer), the tasks this process created that the cache has not
// shown yet (so their resources are never counted free in between), and what changed since the
// allocator was last told. From it, a node's usage: external Pods and each framework's tasks.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../api/index.ts';
import { frameworkKeyOf, keyOf, namespacedKey } from '../api/keys.ts';
import { add, parseResourceListLenient, type ResourceList } from '../api/quantity.ts';
import type { Informer } from '../api/informer.ts';
import { isPodActive, podRequests, taskHolding } from '../api/pod-resources.ts';
import { isTerminal } from '../api/group.ts';
import { DEFAULT_ROLE, frameworkRoles } from '../api/role-names.ts';
import type {
  FrameworkObject,
  InverseOfferObject,
  MaintenanceObject,
  OfferObject,
  ReservationObject,
  RoleObject,
  TaskObject,
} from '../api/objects.ts';

export interface Caches {
  nodes: Informer<V1Node>;
  pods: Informer<V1Pod>;
  frameworks: Informer<FrameworkObject>;
  offers: Informer<OfferObject>;
  tasks: Informer<TaskObject>;
  roles: Informer<RoleObject>;
  maintenances: Informer<MaintenanceObject>;
  inverseOffers: Informer<InverseOfferObject>;
  reservations: Informer<ReservationObject>;
}

export interface NodeUsage {
  allocatable: ResourceList;
  /** Active Pods on the node that are not counted as a task of a managed framework. */
  external: ResourceList;
  /** framework key → resources of its counted tasks on the node. */
  frameworks: Map<string, ResourceList>;
  /** framework key → role → the same, by the role each task is charged to (its spec.role, else the framework's first role). */
  roles: Map<string, Map<string, ResourceList>>;
}

class Index {
  private readonly byGroup = new Map<string, Set<string>>();
  private readonly groupOf = new Map<string, string>();

  set(key: string, group: string | undefined): string | undefined {
    const prev = this.groupOf.get(key);
    if (prev === group) return prev;
    if (prev !== undefined) {
      const s = this.byGroup.get(prev)!;
      s.delete(key);
      if (s.size === 0) this.byGroup.delete(prev);
      this.groupOf.delete(key);
    }
    if (group !== undefined) {
      let s = this.byGroup.get(group);
      if (s === undefined) this.byGroup.set(group, (s = new Set()));
      s.add(key);
      this.groupOf.set(key, group);
    }
    return prev;
  }

  get(group: string): ReadonlySet<string> {
    return this.byGroup.get(group) ?? EMPTY;
  }

  groups(): IterableIterator<string> {
    return this.byGroup.keys();
  }
}
const EMPTY: ReadonlySet<string> = new Set();

export class ClusterState {
  readonly c: Caches;
  private readonly podsByNode = new Index();
  private readonly tasksByNode = new Index();
  private readonly tasksByFramework = new Index();
  private readonly tasksByOffer = new Index();
  private readonly offersByFramework = new Index();
  private readonly reservationsByNode = new Index();
  /** Tasks created by this process and not yet seen in the cache. */
  private readonly assumed = new Map<string, TaskObject>();
  /** Pods this process created that the cache has not shown yet (so they are not created twice). */
  private readonly assumedPods = new Map<string, V1Pod>();
  readonly dirtyNodes = new Set<string>();
  readonly dirtyFrameworks = new Set<string>();
  rolesDirty = true;
  /** Reservations this process wrote (null: deleted) that the cache has not shown yet. */
  private readonly assumedReservations = new Map<string, ReservationObject | null>();
  /** The generation of each ResourceRole last seen. */
  private readonly roleGenerations = new Map<string, number>();
  /** Each Framework's first role as last seen: where its tasks without a role are charged. */
  private readonly firstRoles = new Map<string, string>();

  constructor(c: Caches) {
    this.c = c;
    c.pods.onChange((key, pod) => {
      this.assumedPods.delete(key);
      const prev = this.podsByNode.set(key, pod?.spec?.nodeName || undefined);
      if (prev !== undefined) this.dirtyNodes.add(prev);
      if (pod?.spec?.nodeName) this.dirtyNodes.add(pod.spec.nodeName);
    });
    c.tasks.onChange((key, task) => {
      if (task !== undefined) this.assumed.delete(key);
      this.indexTask(key, task ?? this.assumed.get(key));
    });
    c.offers.onChange((key, offer) => {
      const fw = offer === undefined ? undefined : frameworkKeyOf(offer);
      const prev = this.offersByFramework.set(key, fw);
      if (prev !== undefined) this.dirtyFrameworks.add(prev);
      if (fw !== undefined) this.dirtyFrameworks.add(fw);
    });
    c.nodes.onChange((key) => this.dirtyNodes.add(key));
    c.frameworks.onChange((key, fw) => {
      this.dirtyFrameworks.add(key);
      // Its tasks naming no role follow its first role: re-count the nodes they are on.
      const first = fw === undefined ? undefined : frameworkRoles(fw.spec)[0]!;
      if (this.firstRoles.get(key) === first) return;
      if (first === undefined) this.firstRoles.delete(key);
      else this.firstRoles.set(key, first);
      for (const t of this.tasksByFramework.get(key)) {
        const task = this.task(t);
        if (task !== undefined && task.spec.role === undefined) this.dirtyNodes.add(task.spec.nodeName);
      }
    });
    c.reservations.onChange((key, r) => {
      this.assumedReservations.delete(key);
      const prev = this.reservationsByNode.set(key, r?.spec.nodeName);
      if (prev !== undefined) this.dirtyNodes.add(prev);
      if (r !== undefined) this.dirtyNodes.add(r.spec.nodeName);
    });
    c.roles.onChange((key, role) => {
      // Only a spec change (a new generation) matters to the allocator, not a status write.
      const generation = role === undefined ? undefined : (role.metadata?.generation ?? 0);
      if (role !== undefined && this.roleGenerations.get(key) === generation) return;
      if (generation === undefined) this.roleGenerations.delete(key);
      else this.roleGenerations.set(key, generation);
      this.rolesDirty = true;
    });
  }

  private indexTask(key: string, task: TaskObject | undefined): void {
    const prevNode = this.tasksByNode.set(key, task?.spec.nodeName);
    if (prevNode !== undefined) this.dirtyNodes.add(prevNode);
    if (task !== undefined) this.dirtyNodes.add(task.spec.nodeName);
    const prevFw = this.tasksByFramework.set(key, task === undefined ? undefined : frameworkKeyOf(task));
    if (prevFw !== undefined) this.dirtyFrameworks.add(prevFw);
    if (task !== undefined) this.dirtyFrameworks.add(frameworkKeyOf(task));
    this.tasksByOffer.set(key, task?.spec.offer === undefined ? undefined : namespacedKey(task.metadata.namespace, task.spec.offer));
  }

  /**
   * Records a Reservation this process just wrote (`null`: deleted), until the cache shows the
   * change: the allocator must see it before the accept's unused rest is offered to anyone.
   */
  assumeReservation(name: string, nodeName: string, r: ReservationObject | null): void {
    this.assumedReservations.set(name, r);
    this.dirtyNodes.add(nodeName);
  }

  /** Every Reservation, as this process last saw or wrote it. */
  reservations(): ReservationObject[] {
    const out: ReservationObject[] = [];
    for (const r of this.c.reservations.list()) if (!this.assumedReservations.has(r.metadata.name)) out.push(r);
    for (const r of this.assumedReservations.values()) if (r !== null) out.push(r);
    return out;
  }

  /** Records a Task this process just created, until the cache shows it. */
  assume(task: TaskObject): void {
    const key = keyOf(task);
    if (this.c.tasks.get(key) !== undefined) return;
    this.assumed.set(key, task);
    this.indexTask(key, task);
  }

  task(key: string): TaskObject | undefined {
    return this.c.tasks.get(key) ?? this.assumed.get(key);
  }

  taskKeysOnNode(node: string): ReadonlySet<string> {
    return this.tasksByNode.get(node);
  }

  taskKeysOfFramework(fw: string): ReadonlySet<string> {
    return this.tasksByFramework.get(fw);
  }

  taskKeysOfOffer(offerKey: string): ReadonlySet<string> {
    return this.tasksByOffer.get(offerKey);
  }

  offerKeysOfFramework(fw: string): ReadonlySet<string> {
    return this.offersByFramework.get(fw);
  }

  nodesWithTasks(): IterableIterator<string> {
    return this.tasksByNode.groups();
  }

  /** The Pod of a task (same name, same namespace). */
  podOf(taskKey: string): V1Pod | undefined {
    return this.c.pods.get(taskKey) ?? this.assumedPods.get(taskKey);
  }

  /** Records a Pod just created, until the cache shows it (or its deletion). */
  assumePod(pod: V1Pod): void {
    const key = keyOf(pod);
    if (this.c.pods.get(key) === undefined) this.assumedPods.set(key, pod);
  }

  /**
   * What is in use on a node: its allocatable, the active Pods that are not a counted task,
   * and per framework its counted tasks (non-terminal, or terminal with a Pod still active).
   * Tasks of `excludeOffer` are left out (its accept is being checked against the rest).
   */
  usage(nodeName: string, excludeOffer?: string): NodeUsage {
    const node = this.c.nodes.get(nodeName);
    const allocatable = node === undefined ? {} : parseResourceListLenient(node.status?.allocatable);
    const frameworks = new Map<string, ResourceList>();
    const roles = new Map<string, Map<string, ResourceList>>();
    const taskPods = new Set<string>();
    for (const key of this.tasksByNode.get(nodeName)) {
      const task = this.task(key);
      if (task === undefined) continue;
      const pod = this.c.pods.get(key);
      const owned = pod !== undefined && (pod.metadata?.ownerReferences ?? []).some((r) => r.uid === task.metadata?.uid);
      const counted = !isTerminal(task.status?.state) || (owned && isPodActive(pod!));
      if (owned) taskPods.add(key);
      if (!counted) continue;
      if (
        excludeOffer !== undefined &&
        task.spec.offer !== undefined &&
        namespacedKey(task.metadata.namespace, task.spec.offer) === excludeOffer
      )
        continue;
      let held: ResourceList;
      try {
        held = taskHolding(task.spec.resources);
      } catch {
        held = owned ? podRequests(pod!) : {};
      }
      const fw = frameworkKeyOf(task);
      frameworks.set(fw, add(frameworks.get(fw) ?? {}, held));
      const role = task.spec.role ?? this.firstRole(fw);
      let byRole = roles.get(fw);
      if (byRole === undefined) roles.set(fw, (byRole = new Map()));
      byRole.set(role, add(byRole.get(role) ?? {}, held));
    }
    let external: ResourceList = {};
    for (const key of this.podsByNode.get(nodeName)) {
      if (taskPods.has(key)) continue;
      const pod = this.c.pods.get(key);
      if (pod === undefined || !isPodActive(pod)) continue;
      external = add(external, podRequests(pod));
    }
    return { allocatable, external, frameworks, roles };
  }

  /** The framework's first role (its tasks without spec.role count there); `default` when it is unknown. */
  firstRole(frameworkKey: string): string {
    const fw = this.c.frameworks.get(frameworkKey);
    return fw === undefined ? DEFAULT_ROLE : frameworkRoles(fw.spec)[0]!;
  }

  /** Tasks of a pod label (agora.dev/task) — used to find the Task of a Pod event. */
  taskKeyOfPod(pod: V1Pod): string | undefined {
    const t = pod.metadata?.labels?.[LABEL.task];
    return t === undefined ? undefined : namespacedKey(pod.metadata?.namespace, t);
  }
}
