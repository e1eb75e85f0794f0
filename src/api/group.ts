// The API group, version and resource names of Agora's kinds: the public contract (DESIGN.md).
export const GROUP = 'agora.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const PLURAL = {
  Framework: 'frameworks',
  Offer: 'offers',
  Task: 'tasks',
  Maintenance: 'maintenances',
  InverseOffer: 'inverseoffers',
  ResourceRole: 'resourceroles',
  Reservation: 'reservations',
} as const;

export type Kind = keyof typeof PLURAL;

export const OFFER_PHASES = ['Outstanding', 'Accepted', 'Declined', 'Rescinded', 'Expired'] as const;
export type OfferPhase = (typeof OFFER_PHASES)[number];

/** An Offer's phase; one the controller has not yet given a status is Outstanding. */
export function offerPhase(offer: { status?: { phase?: OfferPhase } }): OfferPhase {
  return offer.status?.phase ?? 'Outstanding';
}

/** What the offer-state helpers read of an Offer (generated model, SDK and controller shapes alike). */
interface OfferState {
  spec: { accept?: unknown; decline?: unknown; expiresAt?: string };
  status?: { phase?: OfferPhase };
}

/** The framework has answered (accepted or declined) the offer. */
export function isAnswered(offer: OfferState): boolean {
  return offer.spec.accept !== undefined || offer.spec.decline !== undefined;
}

/** True while the framework may still answer the offer. */
export function isOpen(offer: OfferState, now?: Date): boolean {
  if (offerPhase(offer) !== 'Outstanding' || isAnswered(offer)) return false;
  if (now !== undefined && offer.spec.expiresAt !== undefined && Date.parse(offer.spec.expiresAt) <= now.getTime()) return false;
  return true;
}

export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
]);

/** A state's key among Framework.status.tasks' counts: TASK_RUNNING → running. */
export function taskCountKey(state: string): string {
  return state.replace(/^TASK_/, '').toLowerCase();
}

/** A task state from which there is no way back (undefined: not yet given a state). */
export function isTerminal(state: string | undefined): boolean {
  return state !== undefined && TERMINAL_TASK_STATES.has(state as TaskState);
}

/**
 * The Lease a framework's scheduler renews to say it is alive (Mesos's failover_timeout):
 * `agora-framework-<name>` in the framework's namespace.
 */
export const FRAMEWORK_LEASE_PREFIX = 'agora-framework-';

export function frameworkLeaseName(framework: string): string {
  return `${FRAMEWORK_LEASE_PREFIX}${framework}`;
}

/** The framework whose heartbeat Lease this is, or undefined for any other Lease. */
export function frameworkOfLease(leaseName: string): string | undefined {
  return leaseName.startsWith(FRAMEWORK_LEASE_PREFIX) ? leaseName.slice(FRAMEWORK_LEASE_PREFIX.length) : undefined;
}

/** A declined node is not offered to the framework again for this long, unless it says otherwise. */
export const DEFAULT_REFUSE_SECONDS = 5;

/** How long a declined offer's node is withheld: the decline's refuseSeconds, else its framework's default. */
export function declinedForSeconds(
  offer: { spec: { decline?: { refuseSeconds?: number } } },
  framework: { spec: { defaultRefuseSeconds?: number } } | undefined,
): number {
  return offer.spec.decline?.refuseSeconds ?? framework?.spec.defaultRefuseSeconds ?? DEFAULT_REFUSE_SECONDS;
}

/** The most tasks one accept holds (the Offer CRD's spec.accept.tasks maxItems). */
export const MAX_TASKS_PER_ACCEPT = 256;

/** Labels and annotations that link Pod ↔ Task ↔ Offer ↔ Framework. */
/**
 * The Framework capability (spec.capabilities) to be offered revocable resources, Mesos's
 * REVOCABLE_RESOURCES: what is held back from its role but idle — other roles' unused
 * reservations, quota headroom kept for unmet guarantees — lent in Offers marked
 * `spec.revocable`, whose tasks are the first revoked when the owner wants them back.
 */
export const REVOCABLE_RESOURCES = 'REVOCABLE_RESOURCES';

export const LABEL = {
  framework: 'agora.dev/framework',
  task: 'agora.dev/task',
  offer: 'agora.dev/offer',
  /** `true` on the Pod of a task launched from a revocable offer. */
  revocable: 'agora.dev/revocable',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/**
 * On the controller's own Pod: `true` on the replica that leads, `false` on the others — what
 * the console Service selects (src/controller/leader-label.ts).
 */
export const LEADER_LABEL = 'agora.dev/leader';

/**
 * On a Task its framework killed to give its node back for maintenance (the value: the node).
 * The built-in scheduler replaces such a task without using a retry.
 */
export const MOVED_OFF_ANNOTATION = 'agora.dev/moved-off';
