// The informers a leading controller watches: Nodes (those its --node-selector matches), Pods,
// the Leases frameworks heartbeat with, and Agora's kinds — Frameworks, Offers, Tasks and
// InverseOffers in the namespaces it manages (all when unscoped), ResourceRoles,
// Maintenances and Reservations cluster-wide. Each keeps only what
// the controller reads (cache-transforms.ts); the Lease informer leaves out the nodes' heartbeats.
import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Lease,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { PLURAL, type Kind } from '../api/group.ts';
import type {
  FrameworkObject,
  InverseOfferObject,
  MaintenanceObject,
  OfferObject,
  ReservationObject,
  RoleObject,
  TaskObject,
} from '../api/objects.ts';
import type { Caches } from './cluster-state.ts';
import { customObjectSource, Informer } from '../api/informer.ts';
import { slimMeta, slimNode, slimPod } from './cache-transforms.ts';

/** Where kubelets (and kwok) keep their nodes' heartbeat Leases. */
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface InformerSet {
  caches: Caches;
  leases: Informer<V1Lease>;
  /** Every informer above, to start (list, then watch) and stop together. */
  all: Pick<Informer<KubernetesObject>, 'start' | 'stop'>[];
}

export interface InformerSetOptions {
  /** Watch Frameworks, Offers, Tasks and Leases only here; undefined: every namespace. */
  namespaces: readonly string[] | undefined;
  /** A label selector for Nodes; undefined: every node. */
  nodeSelector: string | undefined;
}

export function makeInformers(kc: KubeConfig, log: Logger, o: InformerSetOptions): InformerSet {
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const { namespaces } = o;
  const agora = <T extends KubernetesObject>(kind: Kind, scoped: boolean): Informer<T> =>
    new Informer<T>({
      name: kind,
      kc,
      log,
      namespaces: scoped ? namespaces : undefined,
      ...customObjectSource<T>(kc, PLURAL[kind]),
      transform: slimMeta,
    });
  const nodes = new Informer<V1Node>({
    name: 'Node',
    kc,
    log,
    labelSelector: o.nodeSelector,
    path: () => '/api/v1/nodes',
    list: ({ labelSelector, limit, _continue }) => core.listNode({ labelSelector, limit, _continue }),
    transform: slimNode,
  });
  const pods = new Informer<V1Pod>({
    name: 'Pod',
    kc,
    log,
    path: () => '/api/v1/pods',
    list: ({ limit, _continue }) => core.listPodForAllNamespaces({ limit, _continue }),
    transform: slimPod,
  });
  const leases = new Informer<V1Lease>({
    name: 'Lease',
    kc,
    log,
    namespaces,
    path: (ns) => `/apis/coordination.k8s.io/v1${ns ? `/namespaces/${ns}` : ''}/leases`,
    // Not the nodes' heartbeats (a Lease per node, renewed every 10 s): only frameworks' matter.
    fieldSelector: namespaces === undefined ? `metadata.namespace!=${NODE_LEASE_NAMESPACE}` : undefined,
    list: ({ namespace, fieldSelector, limit, _continue }) =>
      namespace
        ? coordination.listNamespacedLease({ namespace, limit, _continue })
        : coordination.listLeaseForAllNamespaces({ fieldSelector, limit, _continue }),
    transform: slimMeta,
  });
  const caches: Caches = {
    nodes,
    pods,
    frameworks: agora<FrameworkObject>('Framework', true),
    offers: agora<OfferObject>('Offer', true),
    tasks: agora<TaskObject>('Task', true),
    roles: agora<RoleObject>('ResourceRole', false),
    maintenances: agora<MaintenanceObject>('Maintenance', false),
    inverseOffers: agora<InverseOfferObject>('InverseOffer', true),
    reservations: agora<ReservationObject>('Reservation', false),
  };
  const all: InformerSet['all'] = [
    nodes,
    pods,
    leases,
    caches.frameworks,
    caches.offers,
    caches.tasks,
    caches.roles,
    caches.maintenances,
    caches.inverseOffers,
    caches.reservations,
  ];
  return { caches, leases, all };
}
