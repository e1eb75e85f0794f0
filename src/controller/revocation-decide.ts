// Pure: what the revocation step writes. From the caches' objects, the allocator's plain-data
// snapshot; from the allocator's plan, the notices to write on Tasks (status.revocation), the
// dry-run notices to clear, and how many notices this cycle may still give. The kill itself is
// decided by task-state.ts from the notice's deadline, so it survives a restart (the notice
// lives in the API, not in this process).
import type { Demand, RevocationDecision, RevocationRole, RevocationSnapshot, RunningTask } from '../allocator/index.ts';
import { parseResourceListLenient, subtract, type ResourceList } from '../api/quantity.ts';
import { frameworkKeyOf } from '../api/keys.ts';
import type { FrameworkObject, RoleObject, TaskObject, TaskStatus } from '../api/objects.ts';
import { isTerminal } from '../api/group.ts';
import { frameworkRoles, roleOfObject } from '../api/role-names.ts';

export type TaskRevocation = NonNullable<TaskStatus['revocation']>;

export interface NodeView {
  name: string;
  allocatable: ResourceList;
  /** Active Pods that are not tasks. */
  external: ResourceList;
  /** What the tasks on it hold. */
  used: ResourceList;
  /** Schedulable and Ready: its free resources can be offered. */
  offerable: boolean;
  /** Reservations on it, static and dynamic: what their roles may take back from revocable tasks. */
  reservations?: { role: string; resources: ResourceList }[];
}

export interface FrameworkView {
  /** namespace/name */
  key: string;
  framework: FrameworkObject;
  demand: Demand[] | undefined;
}

export interface RevocationView {
  nodes: NodeView[];
  roles: RoleObject[];
  frameworks: FrameworkView[];
  /** Tasks of the frameworks above, with what each holds (taskHolding). */
  tasks: { key: string; task: TaskObject; holding: ResourceList }[];
  /** ms */
  now: number;
  /** The controller's --fair-sharing-excluded-resources: left out of every dominant share. */
  excludedResources?: readonly string[];
}

/**
 * After a revoked task ended, how long its waiting framework is still considered to be taking
 * up what was freed (offered, accepted, Tasks created) before more is revoked for it.
 */
export const REVOKED_SETTLE_MS = 5_000;

/** A notice written in dry-run mode does not make a task revoking; a real one does. */
export function isRevoking(task: Pick<TaskObject, 'status'>): boolean {
  const r = task.status?.revocation;
  return r !== undefined && r !== null && r.dryRun !== true;
}

export function revocationSnapshot(view: RevocationView): RevocationSnapshot {
  const frameworks = new Map(view.frameworks.map((f) => [f.key, f]));
  const tasks: RunningTask[] = [];
  const awaiting = new Set<string>();
  for (const { key, task, holding } of view.tasks) {
    const r = task.status?.revocation;
    if (isRevoking(task) && r?.for !== undefined) {
      const ended = task.status?.finishedAt;
      if (!isTerminal(task.status?.state) || (ended !== undefined && Date.parse(ended) + REVOKED_SETTLE_MS > view.now)) awaiting.add(r.for);
    }
    if (isTerminal(task.status?.state)) continue;
    const fwKey = frameworkKeyOf(task);
    const f = frameworks.get(fwKey);
    if (f === undefined) continue;
    const started = task.status?.startedAt ?? task.metadata.creationTimestamp;
    tasks.push({
      id: key,
      framework: fwKey,
      node: task.spec.nodeName,
      resources: holding,
      priority: f.framework.spec.priority ?? 0,
      startedAt: started === undefined ? 0 : new Date(started).getTime(),
      revoking: isRevoking(task),
      ...(task.spec.revocable === true ? { revocable: true } : {}),
    });
  }
  const roles: RevocationRole[] = view.roles.map((r) => ({
    name: roleOfObject(r.metadata.name),
    weight: r.spec?.weight,
    guarantee: r.spec?.guarantee === undefined ? undefined : parseResourceListLenient(r.spec.guarantee as Record<string, unknown>),
    limit: r.spec?.limit === undefined ? undefined : parseResourceListLenient(r.spec.limit as Record<string, unknown>),
    revocable: r.spec?.revocation !== 'Never',
  }));
  return {
    nodes: view.nodes.map((n) => {
      const capacity = nonNegative(subtract(n.allocatable, n.external));
      return {
        name: n.name,
        capacity,
        free: n.offerable ? nonNegative(subtract(capacity, n.used)) : {},
        ...(n.reservations !== undefined && n.reservations.length > 0 ? { reservations: n.reservations } : {}),
      };
    }),
    roles,
    frameworks: view.frameworks.map((f) => ({
      name: f.key,
      // A multi-role framework is judged, with all of its tasks, in its first role (see README).
      role: frameworkRoles(f.framework.spec)[0]!,
      priority: f.framework.spec.priority ?? 0,
      demand: f.demand,
      ...(awaiting.has(f.key) ? { awaitingRevoked: true } : {}),
    })),
    tasks,
    ...(view.excludedResources !== undefined && view.excludedResources.length > 0
      ? { excludedResources: [...view.excludedResources] }
      : {}),
  };
}

function nonNegative(r: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(r)) out[k] = Math.max(0, v);
  return out;
}

/** How many tasks may be told now: per cycle, and per rolling minute counting notices already given. */
export function revocationBudget(perCycle: number, perMinute: number, noticedAt: readonly number[], now: number): number {
  const recent = noticedAt.filter((t) => t > now - 60_000 && t <= now).length;
  return Math.max(0, Math.min(perCycle, perMinute - recent));
}

export interface NoticeOptions {
  now: number;
  dryRun: boolean;
  /** The victim framework's grace period, already bounded by the controller's maximum (ms). */
  graceMs: (frameworkKey: string) => number;
}

export interface NoticePlan {
  /** Tasks to tell (or, in dry-run, to report), by key. */
  write: { key: string; revocation: TaskRevocation; decision: RevocationDecision }[];
  /** Tasks whose dry-run notice no longer holds. */
  clear: string[];
}

/**
 * The notices for a plan. A task already told (for real) is never told again — the plan cannot
 * choose it, and this is the second guard; a dry-run notice is rewritten only when it changed.
 */
export function noticesFor(
  decisions: readonly RevocationDecision[],
  tasks: ReadonlyMap<string, Pick<TaskObject, 'status'>>,
  o: NoticeOptions,
): NoticePlan {
  const write: NoticePlan['write'] = [];
  const planned = new Set<string>();
  for (const d of decisions) {
    planned.add(d.task);
    const task = tasks.get(d.task);
    if (task === undefined || isRevoking(task)) continue;
    const prev = task.status?.revocation ?? undefined;
    if (o.dryRun && prev !== undefined && prev.for === d.for && prev.reason === d.reason) continue;
    const noticedAt = new Date(o.now).toISOString();
    write.push({
      key: d.task,
      decision: d,
      revocation: {
        reason: d.reason,
        for: d.for,
        forRole: d.forRole,
        message: noticeMessage(d),
        noticedAt,
        deadline: new Date(o.now + o.graceMs(d.framework)).toISOString(),
        ...(o.dryRun ? { dryRun: true } : {}),
      },
    });
  }
  const clear: string[] = [];
  for (const [key, task] of tasks) {
    const r = task.status?.revocation;
    if (r !== undefined && r !== null && r.dryRun === true && !planned.has(key) && !isTerminal(task.status?.state)) clear.push(key);
  }
  return { write, clear };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function noticeMessage(d: RevocationDecision): string {
  if (d.reason === 'Priority')
    return `preempted for ${d.for}, a higher-priority framework of role ${d.forRole} that has no room for its demand`;
  if (d.reason === 'Revocable')
    return `revoked for ${d.for} (role ${d.forRole}): the task runs on revocable resources held back for that role, which now wants them back`;
  return (
    `revoked for ${d.for} (role ${d.forRole}), below its fair share: ${d.framework} is over its fair share; ` +
    `after the move its weighted share is ${pct(d.victimShare)}, ${d.for}'s ${pct(d.waitingShare)}`
  );
}
