// The allocator's public interface: what the controller feeds it and what it hands back.
// Amounts are integers in the resource's unit (millicores for cpu, bytes for memory and
// ephemeral-storage, counts for pods and extended resources): see src/api/quantity.ts.
import type { ResourceList } from '../api/quantity.ts';
import type { LabelSelector } from '../api/selector.ts';

export type { ResourceList };

/** A Kubernetes node, seen as a Mesos agent. */
export interface NodeInfo {
  name: string;
  /** The node's allocatable resources: the agent's total. */
  allocatable: ResourceList;
  /** Requests of pods on the node that no framework owns (system pods, other workloads). */
  external?: ResourceList;
  /** Node labels: the agent's attributes, matched by framework constraints. */
  labels?: Record<string, string>;
  /** Static reservations: parts of the node offered only to one role. */
  reservations?: Reservation[];
  /** Cordoned (`spec.unschedulable`): nothing is offered, outstanding offers are rescinded. */
  unschedulable?: boolean;
  /** Ready condition; default true. A NotReady node is treated like a cordoned one. */
  ready?: boolean;
}

export interface Reservation {
  role: string;
  resources: ResourceList;
  /**
   * Made by a framework's RESERVE (a Reservation object) rather than by the operator (a
   * ResourceRole's spec.reservations). The allocator treats both alike; an offer says which
   * part of what it carries is which (OfferDecision.reserved).
   */
  dynamic?: boolean;
}

/** Mesos's reservation type: set by the operator, or made by a framework through an offer. */
export type ReservationType = 'Static' | 'Dynamic';

/**
 * A part of an offer reserved for one role of the framework's role chain (its own or an
 * ancestor's), as Mesos marks reserved resources in an offer. What a role has not used of its
 * reservations on a node is taken to be its dynamic part first: a framework can always UNRESERVE
 * an idle dynamic reservation.
 */
export interface ReservedPart {
  role: string;
  type: ReservationType;
  resources: ResourceList;
}

/** A Kubernetes label selector (over node labels, here). */
export type { LabelSelector, LabelSelectorRequirement } from '../api/selector.ts';

/** Capability a framework declares to be offered nodes with scarce resources (GPUs). */
export const GPU_RESOURCES = 'GPU_RESOURCES';

/** Capability a framework declares to be offered revocable resources (see src/api/group.ts). */
export { REVOCABLE_RESOURCES } from '../api/group.ts';

export interface FrameworkInfo {
  name: string;
  /** Its one role, when `roles` is not given. Default `default`. */
  role?: string;
  /**
   * Mesos's MULTI_ROLE: the roles it is in, each with its own share, offers, tasks, filters and
   * suppression. Overrides `role`; its first role is where an allocation naming no role goes.
   */
  roles?: string[];
  /** e.g. [`GPU_RESOURCES`]. */
  capabilities?: string[];
  /** A suppressed framework is offered nothing, in any role. Going from suppressed to not is a revive. */
  suppressed?: boolean;
  /** Roles it is suppressed in (SUPPRESS for some of its roles only); leaving the list is a revive of that role. */
  suppressedRoles?: string[];
  /** Only nodes whose labels match are offered. */
  constraints?: LabelSelector;
  /**
   * Mesos's offer_filters.min_allocatable_resources for its role: the smallest offer it wants —
   * an offer must contain one of these lists in full, or it is not made to this framework
   * (refusal BelowFrameworkMinimum). Undefined: the cluster's minimum alone.
   */
  minOffer?: ResourceList[];
  /** minOffer of one of its roles, by role name (overrides minOffer for that role). */
  minOfferByRole?: Record<string, ResourceList[]>;
  /**
   * What the framework still wants (in any of its roles: demand is one list for the framework) to launch (Framework.spec.demand, or a built-in framework's
   * remaining tasks). Undefined: no demand published — Mesos's push model, every eligible node
   * is offered. `[]`: wants nothing, offered nothing.
   */
  demand?: Demand[];
}

/** A number of tasks of one shape that a framework still wants. */
export interface Demand {
  /** What one task uses. */
  resources: ResourceList;
  count: number;
  /** The most of these the framework launches from one offer; default no limit. */
  perOffer?: number;
}

export interface RoleInfo {
  name: string;
  /** DRF weight; default 1. A role's share is divided by its weight. */
  weight?: number;
  /** Quota guarantee: offered first, and held back from other roles while unmet. */
  guarantee?: ResourceList;
  /** Quota limit: the role's consumption never exceeds it. */
  limit?: ResourceList;
}

/** An outstanding offer as the controller sees it (an Offer object in phase Outstanding). */
export interface OfferInfo {
  id: string;
  framework: string;
  /** The role it was made for; default the framework's first role. */
  role?: string;
  node: string;
  resources: ResourceList;
  /** When the offer was made, ms (same clock as `now`). */
  createdAt: number;
}

export interface AllocatorOptions {
  /** An outstanding offer older than this (ms) is rescinded with reason Expired. Default: never. */
  offerTimeoutMs?: number;
  /**
   * Mesos's --min_allocatable_resources: an offer is made only if it contains at least one of
   * these lists in full. Default `[{cpu: 10m}, {memory: 32Mi}]`; `[]` disables the check.
   */
  minAllocatable?: ResourceList[];
  /**
   * Mesos's --filter_gpu_resources: a node with any of these resources is offered only to
   * frameworks with the GPU_RESOURCES capability. Default `['nvidia.com/gpu']`; `[]` is off.
   */
  scarceResources?: string[];
  /**
   * Resources every task takes one unit of — Kubernetes's `pods`, one per Pod. On a node that
   * has such a resource, an offer must carry at least one unit of it, or it is not made (a
   * framework could launch nothing from it). Default `['pods']`; `[]` is off.
   */
  taskSlotResources?: string[];
  /**
   * Mesos's --fair_sharing_excluded_resource_names: resources left out of every dominant share
   * (roles' and frameworks'), so that, say, a GPU framework is judged on the CPU and memory the
   * others compete for. They are still offered, reserved and limited as any other. Default none.
   */
  fairSharingExcludedResources?: string[];
  /** Names offers made by allocate(); default `${prefix}${seq}` with a per-allocator counter. */
  offerId?: (framework: string, node: string, seq: number) => string;
}

export type OfferRefusalReason =
  | 'Refused' // a decline filter (refuseSeconds) still applies
  | 'Suppressed'
  | 'NoDemand' // its published demand is empty
  | 'DemandMet' // its outstanding offers already cover all of its demand
  | 'DemandUnfit' // none of its wanted task shapes fits what the node can offer
  | 'RoleLimit' // the role is at or over its quota limit for `resource`
  | 'QuotaHeadroom' // held back for other roles' unmet guarantees
  | 'GpuCapability' // node has scarce resources, framework lacks GPU_RESOURCES
  | 'BelowMinimum' // below every min allocatable list, or without a task slot (`resource`, e.g. pods)
  | 'BelowFrameworkMinimum' // below each of the framework's own minimum offers (`resource`: short in its first)
  | 'OfferOutstanding' // the node has an outstanding offer: what it has free waits for the answer
  | 'Constraint' // node labels do not match the framework's constraints (`label`)
  | 'NodeUnschedulable'
  | 'NodeNotReady'
  | 'Nominated'; // revocation is freeing the node for another framework (`framework` of the nomination)

/** Why a node was not offered to a framework (framework absent: to nobody). */
export interface Refusal {
  node: string;
  framework?: string;
  role?: string;
  reason: OfferRefusalReason;
  /** Refused: when the filter expires (ms; Infinity = until revive or resources grow). */
  until?: number;
  /** RoleLimit / QuotaHeadroom: which resource, the limit and what the role consumes; BelowMinimum: the missing task slot. */
  resource?: string;
  limit?: number;
  allocated?: number;
  /** RoleLimit: the ancestor role whose limit (on its subtree) applies, when not the framework's own role. */
  limitedBy?: string;
  /** Constraint: the label key whose requirement failed. */
  label?: string;
}

export interface OfferDecision {
  offerId: string;
  framework: string;
  role: string;
  node: string;
  resources: ResourceList;
  /** Which parts of `resources` are reserved, and for whom; absent when none is. */
  reserved?: ReservedPart[];
  /**
   * It lends what is held back for others (REVOCABLE_RESOURCES): every task launched from it is
   * revocable. Absent on ordinary offers.
   */
  revocable?: boolean;
}

export type RescindReason =
  | 'Expired'
  | 'NodeGone'
  | 'NodeUnschedulable'
  | 'NodeNotReady'
  | 'NodeResourcesGone' // the node no longer has the offered resources free
  | 'FrameworkGone'
  | 'FrameworkSuppressed';

export interface RescindDecision {
  offerId: string;
  framework: string;
  node: string;
  reason: RescindReason;
}

export interface CycleOptions {
  /** Collect a Refusal for every (node, framework) passed over. Slower; off by default. */
  explain?: boolean;
}

/**
 * One allocation cycle's decisions. Apply `rescinds` before `offers`. The offers are already
 * counted as outstanding inside the allocator; rescinded offers stay counted until the
 * controller calls removeOffer (so their resources are never offered twice).
 */
export interface CycleResult {
  offers: OfferDecision[];
  rescinds: RescindDecision[];
  refusals?: Refusal[];
}

/** Everything the allocator is told, as plain data: what allocate(snapshot, now) starts from. */
export interface Snapshot {
  nodes: NodeInfo[];
  frameworks: FrameworkInfo[];
  roles?: RoleInfo[];
  /** Resources of each framework's tasks per node (and role: default its first). */
  allocations?: { framework: string; node: string; resources: ResourceList; role?: string }[];
  /** Outstanding offers. */
  offers?: OfferInfo[];
  /** Active decline filters (per framework and role: default its first). */
  filters?: { framework: string; node: string; resources: ResourceList; until: number; role?: string }[];
  /** Nodes being freed for a framework by revocation (Allocator.nominate); `cleared`: ended by a decline. */
  nominations?: { node: string; framework: string; until: number; cleared: boolean }[];
}

/**
 * Why a framework gets no offer now: what a cycle run at `now` would decide, computed on a copy
 * of the allocator (see Allocator.explain).
 */
export interface Explanation {
  /** The offers the cycle would make, to any framework: a node going to another framework is a reason too. */
  offers: OfferDecision[];
  /** The refusals that concern the framework asked about (all of them when none was named), and node-wide ones. */
  refusals: Refusal[];
}

/** A framework's standing in the allocator (the controller writes it into Framework.status). */
export interface FrameworkStanding {
  name: string;
  /** Its first role. */
  role: string;
  /**
   * Per role it is in or still holds something in: what it holds there, and its dominant share
   * there (the key of that role's framework sorter).
   */
  roles: { role: string; allocated: ResourceList; offered: ResourceList; dominantShare: number; suppressed: boolean }[];
  /** Resources of its tasks (setAllocation). */
  allocated: ResourceList;
  /** Resources in its outstanding offers. */
  offered: ResourceList;
  /**
   * max over resources of (allocated + offered) / cluster total, in all of its roles together:
   * the DRF dominant share (resources excluded from fair sharing left out).
   */
  dominantShare: number;
  /** The demand it works with (undefined: none published). */
  demand?: Demand[];
}

/** A role's standing; with nested roles, of its whole subtree (itself and its descendants). */
export interface RoleStanding {
  name: string;
  weight: number;
  /** What the frameworks of its subtree hold: their tasks and outstanding offers. */
  allocated: ResourceList;
  /** Reservations in its subtree not in use. */
  unusedReserved: ResourceList;
  /** allocated + unusedReserved: what quota (guarantee, limit) counts. */
  consumed: ResourceList;
  /**
   * Dominant share of `allocated` (idle reservations not counted, as in Mesos's sorter; resources
   * excluded from fair sharing left out), divided by the weight: the role sorter's key.
   */
  share: number;
}
