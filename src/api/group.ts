// The API group, version and resource names of Agora's kinds: the public contract (DESIGN.md).
export const GROUP = 'agora.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const PLURAL = {
  Framework: 'frameworks',
  Offer: 'offers',
  Task: 'tasks',
  ResourceRole: 'resourceroles',
} as const;

export type Kind = keyof typeof PLURAL;

export const OFFER_PHASES = ['Outstanding', 'Accepted', 'Declined', 'Rescinded', 'Expired'] as const;
export type OfferPhase = (typeof OFFER_PHASES)[number];

/** An Offer's phase; one the controller has not yet given a status is Outstanding. */
export function offerPhase(offer: { status?: { phase?: OfferPhase } }): OfferPhase {
  return offer.status?.phase ?? 'Outstanding';
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

/** Labels and annotations that link Pod ↔ Task ↔ Offer ↔ Framework. */
export const LABEL = {
  framework: 'agora.dev/framework',
  task: 'agora.dev/task',
  offer: 'agora.dev/offer',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;
