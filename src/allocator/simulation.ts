// The simulator's driver, pure: a validated scenario in, the outcome out.
//
// Simulated frameworks answer every offer at once: launch up to tasksPerOffer tasks that fit
// (tasks run forever), give the rest back, and decline — with an infinite refuse filter — an
// offer in which no task fits. A framework that has launched all its tasks suppresses.
// The simulation is quiescent, and stops, after a cycle that makes no offer at all. (Stopping
// at the first cycle that launches nothing would be wrong: the framework first in DRF order
// may decline a node another framework could use, and that one only sees it next cycle.) It
// always gets there: nodes' free resources only shrink, so a declined node stays filtered.
//
// A framework may also RESERVE and UNRESERVE (Mesos's offer operations, Agora's
// spec.accept.reserve / unreserve): from its cycle on, an operation is answered on the first
// offer of its node made for its role, before that offer's tasks launch, and checked as the
// webhook checks it (a RESERVE within the offer's unreserved part, an UNRESERVE within the role's
// dynamic part). A reservation made is one more reservation of the node, marked dynamic, as the
// controller feeds it a Reservation object.
import { fits } from '../api/fit.ts';
import { add, compact, formatResourceList, isZero, parseQuantity, subtract, type ResourceList } from '../api/quantity.ts';
import { Allocator } from './allocator.ts';
import type { AllocatorOptions, LabelSelector, NodeInfo, OfferDecision, RoleInfo } from './types.ts';
import { planRevocations } from './victims.ts';
import { DEFAULT_ROLE, isRoleName, roleChain } from '../api/role-names.ts';

export interface ScenarioFramework {
  name: string;
  /** Its first role (`role`, or the first of `roles`). */
  role: string;
  /** Every role it is in (multi-role: `roles: [a, b]`); each offer is for one, and its tasks count there. */
  roles: string[];
  capabilities: string[];
  constraints?: LabelSelector;
  task: ResourceList;
  /** Infinity when the scenario leaves it out. */
  tasks: number;
  tasksPerOffer: number;
  /** Timeline: the cycle it registers at (default 1) and leaves at (its tasks end); how many cycles a task runs. */
  arriveAt: number;
  leaveAt: number;
  duration: number;
  /** Revocation: the priority of its tasks and demand (default 0). */
  priority: number;
  /** Its own minimum offer (Framework.spec.offerFilters): one of these lists in full, or no offer. */
  minOffer?: ResourceList[];
  /** RESERVE / UNRESERVE operations it answers offers with, in the order listed. */
  operations: ScenarioOperation[];
}

/**
 * A RESERVE or UNRESERVE (spec.accept.reserve / unreserve) of `resources` on `node` for `role`
 * (one of the framework's roles), answered on the first offer of that node for that role from
 * cycle `at` on.
 */
export interface ScenarioOperation {
  kind: 'reserve' | 'unreserve';
  node: string;
  role: string;
  resources: ResourceList;
  at: number;
}

export interface ScenarioNode extends NodeInfo {
  /** Timeline: the cycle it appears at (default 1) and goes at (its tasks are lost). */
  arriveAt: number;
  leaveAt: number;
  /**
   * A maintenance window (a Maintenance on this node): unavailable — offered to no one — from
   * cycle `at` for `cycles` cycles. `notice` cycles before it (default 1), every framework with
   * tasks there gets an inverse offer and accepts it as the built-in scheduler does: its tasks
   * on the node end (TaskMoved) and are launched again elsewhere, and it refuses the node until
   * the window is over.
   */
  maintenance?: { at: number; cycles: number; notice: number };
}

export interface Scenario {
  nodes: ScenarioNode[];
  roles: RoleInfo[];
  frameworks: ScenarioFramework[];
  options: Pick<AllocatorOptions, 'minAllocatable' | 'scarceResources' | 'fairSharingExcludedResources'> & {
    /** Revoke tasks over their fair share for frameworks below theirs (src/allocator/victims.ts). */
    revocation?: boolean;
    /** Cycles from a revocation notice to the kill; default 1. */
    revocationGraceCycles?: number;
  };
}

/** Something that happened at a cycle: arrivals, departures, revocations, tasks that ended. */
export interface SimulationEvent {
  cycle: number;
  event:
    | 'FrameworkArrived'
    | 'FrameworkLeft'
    | 'NodeArrived'
    | 'NodeLeft'
    | 'Revoking'
    | 'Revoked'
    | 'TaskFinished'
    | 'TaskLost'
    | 'InverseOffer'
    | 'TaskMoved'
    | 'MaintenanceStarted'
    | 'MaintenanceEnded'
    | 'Reserved'
    | 'Unreserved'
    | 'ReserveRefused'
    | 'UnreserveRefused';
  framework?: string;
  node?: string;
  task?: string;
  /** Revoking: for whom and why; a refused operation: why. */
  for?: string;
  reason?: string;
  /** Reserved / Unreserved (and refused): the role and the amount. */
  role?: string;
  resources?: Record<string, string>;
}

export interface SimulationResult {
  frameworks: Record<
    string,
    {
      role: string;
      tasks: number;
      allocated: Record<string, string>;
      dominantShare: number;
      /** Only for a multi-role framework: per role, its tasks and what they hold. */
      roles?: Record<string, { tasks: number; allocated: Record<string, string> }>;
    }
  >;
  nodes: Record<
    string,
    {
      free: Record<string, string>;
      /** Only where a framework holds a dynamic reservation at the end: per role, what it reserved. */
      reserved?: Record<string, Record<string, string>>;
    }
  >;
  cycles: number;
  /** Only with nested roles or multi-role frameworks: every role of the frameworks' role trees, of its whole subtree. */
  roles?: Record<string, { allocated: Record<string, string>; share: number }>;
  /** Only when something happened besides offers (a timeline, revocation). */
  events?: SimulationEvent[];
}

/** A scenario problem, with the path of the offending field (`frameworks[1].task.cpu`). */
export class ScenarioError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(path === '' ? message : `${path}: ${message}`);
    this.name = 'ScenarioError';
    this.path = path;
  }
}

const MAX_CYCLES = 100_000;
const CYCLE_MS = 1000;
/** The demand published for a framework with unlimited tasks. */
const UNLIMITED_DEMAND = 1_000_000;

interface SimTask {
  id: string;
  framework: string;
  /** The role of the offer it was launched from. */
  role: string;
  node: string;
  started: number;
  ends: number;
  revokeAt?: number;
}

export function simulate(scenario: Scenario): SimulationResult {
  return new Simulation(scenario).run();
}

/** One run of a scenario: the allocator, the simulated frameworks and nodes, and what happened. */
class Simulation {
  private readonly scenario: Scenario;
  private readonly a: Allocator;
  private readonly byName: Map<string, ScenarioFramework>;
  /** Tasks launched so far, and tasks to launch again (revoked or lost, not finished). */
  private readonly launched = new Map<string, number>();
  private readonly owed = new Map<string, number>();
  private readonly present = new Set<string>();
  private readonly nodesPresent = new Set<string>();
  private readonly tasks: SimTask[] = [];
  /** Task id → the framework it is being revoked for. */
  private readonly revokedFor = new Map<string, string>();
  private readonly events: SimulationEvent[] = [];
  private readonly grace: number;
  private seq = 0;
  /** Dynamic reservations made by the frameworks' RESERVEs: node → role → amount. */
  private readonly dynamicReserved = new Map<string, Map<string, ResourceList>>();
  private readonly inMaintenance = new Set<string>();
  /** Operations not yet answered, per present framework; those already due have revived it. */
  private readonly pendingOps = new Map<string, ScenarioOperation[]>();
  private readonly woken = new Set<ScenarioOperation>();
  private now = 0;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.a = new Allocator({ ...scenario.options, offerId: (_f, _n, seq) => `offer-${seq}` });
    for (const r of scenario.roles) this.a.upsertRole(r);
    this.byName = new Map(scenario.frameworks.map((f) => [f.name, f]));
    this.grace = scenario.options.revocationGraceCycles ?? 1;
  }

  run(): SimulationResult {
    let cycles = 0;
    for (;;) {
      if (cycles >= MAX_CYCLES) throw new Error(`simulation did not settle in ${MAX_CYCLES} cycles`);
      const cycle = ++cycles;
      this.nodesArriveAndLeave(cycle);
      this.maintenance(cycle);
      this.frameworksArriveAndLeave(cycle);
      this.reviveForDueOperations(cycle);
      for (const t of this.tasks.filter((x) => x.revokeAt !== undefined && x.revokeAt <= cycle)) this.end(t, cycle, 'Revoked', true);
      for (const t of this.tasks.filter((x) => x.ends <= cycle)) this.end(t, cycle, 'TaskFinished', false);
      const revoking = this.scenario.options.revocation === true ? this.revoke(cycle) : 0;
      const { offers, rescinds } = this.a.allocate(this.now);
      for (const r of rescinds) this.a.removeOffer(r.offerId);
      if (offers.length === 0 && revoking === 0 && !this.pendingTimeline(cycle)) break;
      for (const o of offers) this.answer(o, cycle);
      this.now += CYCLE_MS;
    }
    this.refuseUnansweredOperations(cycles);
    return this.result(cycles);
  }

  /** The node as the allocator sees it: its static reservations, then the dynamic ones. */
  private declareNode(n: ScenarioNode): void {
    const { arriveAt: _a, leaveAt: _l, maintenance: _m, ...node } = n;
    const dynamic = [...(this.dynamicReserved.get(n.name) ?? [])].map(([role, resources]) => ({ role, resources, dynamic: true }));
    this.a.upsertNode({
      ...node,
      reservations: [...(node.reservations ?? []), ...dynamic],
      ...(this.inMaintenance.has(n.name) ? { unschedulable: true } : {}),
    });
  }

  private dueOps(fw: string, cycle: number): ScenarioOperation[] {
    return (this.pendingOps.get(fw) ?? []).filter((op) => op.at <= cycle);
  }

  /**
   * Answers the framework's due operations on this offer's node and role, in order, as the
   * webhook would let them through: RESERVEs within what the offer carries unreserved, UNRESERVEs
   * within its role's dynamic part (each checked against the offer as made, as the webhook
   * checks one accept). True when any was answered (the offer is then accepted, not declined,
   * even with no task).
   */
  private answerOperations(o: OfferDecision, cycle: number): boolean {
    const { events } = this;
    const ops = this.dueOps(o.framework, cycle).filter((op) => op.node === o.node && op.role === o.role);
    if (ops.length === 0) return false;
    this.pendingOps.set(
      o.framework,
      this.pendingOps.get(o.framework)!.filter((op) => !ops.includes(op)),
    );
    const reserved = o.reserved ?? [];
    let unreserved = reserved.reduce((rest, r) => subtract(rest, r.resources), o.resources);
    let dynamicPart = reserved
      .filter((r) => r.role === o.role && r.type === 'Dynamic')
      .reduce<ResourceList>((sum, r) => add(sum, r.resources), {});
    const byRole = this.dynamicReserved.get(o.node) ?? new Map<string, ResourceList>();
    for (const op of ops) {
      const base = { framework: o.framework, node: o.node, role: o.role, resources: formatResourceList(op.resources) };
      if (op.kind === 'reserve') {
        if (!fits(op.resources, unreserved)) {
          events.push({ cycle, event: 'ReserveRefused', ...base, reason: 'BeyondUnreserved' });
          continue;
        }
        unreserved = subtract(unreserved, op.resources);
        byRole.set(o.role, add(byRole.get(o.role) ?? {}, op.resources));
        events.push({ cycle, event: 'Reserved', ...base });
      } else {
        if (!fits(op.resources, dynamicPart)) {
          events.push({ cycle, event: 'UnreserveRefused', ...base, reason: 'BeyondDynamic' });
          continue;
        }
        dynamicPart = subtract(dynamicPart, op.resources);
        const left = compact(subtract(byRole.get(o.role) ?? {}, op.resources));
        if (isZero(left)) byRole.delete(o.role);
        else byRole.set(o.role, left);
        events.push({ cycle, event: 'Unreserved', ...base });
      }
    }
    this.dynamicReserved.set(o.node, byRole);
    this.declareNode(this.scenario.nodes.find((n) => n.name === o.node)!);
    return true;
  }

  private remaining(f: ScenarioFramework): number {
    return f.tasks === Infinity ? Infinity : f.tasks - this.launched.get(f.name)! + this.owed.get(f.name)!;
  }

  /** Tells the allocator what fw's tasks hold on the node for the role. */
  private allocation(fw: string, node: string, role: string): void {
    let sum: ResourceList = {};
    for (const t of this.tasks) if (t.framework === fw && t.node === node && t.role === role) sum = addList(sum, this.byName.get(fw)!.task);
    this.a.setAllocation(fw, node, sum, role);
  }

  private end(t: SimTask, cycle: number, event: SimulationEvent['event'], relaunch: boolean): void {
    this.tasks.splice(this.tasks.indexOf(t), 1);
    this.allocation(t.framework, t.node, t.role);
    if (relaunch && this.present.has(t.framework)) {
      this.owed.set(t.framework, this.owed.get(t.framework)! + 1);
      this.a.upsertFramework(info(this.byName.get(t.framework)!, false));
    }
    this.events.push({ cycle, event, framework: t.framework, node: t.node, task: t.id });
  }

  private pendingTimeline(cycle: number): boolean {
    const { scenario, present, nodesPresent } = this;
    return (
      scenario.frameworks.some((f) => f.arriveAt > cycle || (present.has(f.name) && f.leaveAt !== Infinity)) ||
      [...this.pendingOps.values()].some((ops) => ops.some((op) => op.at > cycle)) ||
      scenario.nodes.some(
        (n) =>
          n.arriveAt > cycle ||
          (nodesPresent.has(n.name) && n.leaveAt !== Infinity) ||
          (n.maintenance !== undefined && n.maintenance.at + n.maintenance.cycles > cycle),
      ) ||
      this.tasks.some((t) => t.ends !== Infinity || t.revokeAt !== undefined)
    );
  }

  private nodesArriveAndLeave(cycle: number): void {
    for (const n of this.scenario.nodes) {
      if (n.arriveAt === cycle) {
        this.declareNode(n);
        this.nodesPresent.add(n.name);
        if (cycle > 1) this.events.push({ cycle, event: 'NodeArrived', node: n.name });
      }
      if (n.leaveAt === cycle && this.nodesPresent.has(n.name)) {
        this.nodesPresent.delete(n.name);
        for (const t of this.tasks.filter((x) => x.node === n.name)) this.end(t, cycle, 'TaskLost', true);
        this.a.removeNode(n.name);
        // A Reservation is owned by its Node: it goes with it.
        this.dynamicReserved.delete(n.name);
        this.events.push({ cycle, event: 'NodeLeft', node: n.name });
      }
    }
  }

  /** Inverse offers ahead of a window (the frameworks move their tasks off), and the windows themselves. */
  private maintenance(cycle: number): void {
    for (const n of this.scenario.nodes) {
      const m = n.maintenance;
      if (m === undefined || !this.nodesPresent.has(n.name)) continue;
      if (cycle === Math.max(1, m.at - m.notice)) {
        const until = this.now + (m.at + m.cycles - cycle) * CYCLE_MS;
        for (const fw of [...new Set(this.tasks.filter((x) => x.node === n.name).map((x) => x.framework))].sort()) {
          this.events.push({ cycle, event: 'InverseOffer', framework: fw, node: n.name });
          for (const t of this.tasks.filter((x) => x.node === n.name && x.framework === fw)) this.end(t, cycle, 'TaskMoved', true);
          for (const role of this.byName.get(fw)!.roles) this.a.addFilter(fw, n.name, n.allocatable, until, role);
        }
      }
      if (cycle === m.at) {
        this.inMaintenance.add(n.name);
        this.declareNode(n);
        this.events.push({ cycle, event: 'MaintenanceStarted', node: n.name });
      }
      if (cycle === m.at + m.cycles) {
        this.inMaintenance.delete(n.name);
        this.declareNode(n);
        this.events.push({ cycle, event: 'MaintenanceEnded', node: n.name });
      }
    }
  }

  private frameworksArriveAndLeave(cycle: number): void {
    for (const f of this.scenario.frameworks) {
      if (f.arriveAt === cycle) {
        this.present.add(f.name);
        this.launched.set(f.name, 0);
        this.owed.set(f.name, 0);
        this.a.upsertFramework(info(f, f.tasks === 0));
        this.pendingOps.set(f.name, [...f.operations]);
        if (cycle > 1) this.events.push({ cycle, event: 'FrameworkArrived', framework: f.name });
      }
      if (f.leaveAt === cycle && this.present.has(f.name)) {
        this.present.delete(f.name);
        for (const t of this.tasks.filter((x) => x.framework === f.name)) this.end(t, cycle, 'TaskFinished', false);
        this.a.removeFramework(f.name);
        // Its operations not yet answered go with it; its reservations stay (they are its role's).
        this.pendingOps.delete(f.name);
        this.events.push({ cycle, event: 'FrameworkLeft', framework: f.name });
      }
    }
  }

  /**
   * An operation coming due revives its framework in its role (it may have suppressed, or
   * declined the node for good), so that the node is offered to it again.
   */
  private reviveForDueOperations(cycle: number): void {
    for (const [fw, ops] of this.pendingOps) {
      for (const op of ops) {
        if (op.at > cycle || this.woken.has(op)) continue;
        this.woken.add(op);
        this.a.revive(fw, op.role);
      }
    }
  }

  /** Plans revocations over the cycle's state and starts them; returns how many. */
  private revoke(cycle: number): number {
    const { scenario, tasks, byName, revokedFor } = this;
    const plan = planRevocations({
      nodes: scenario.nodes
        .filter((n) => this.nodesPresent.has(n.name))
        .map((n) => ({ name: n.name, capacity: n.allocatable, free: this.a.nodeFree(n.name) ?? {} })),
      roles: scenario.roles,
      frameworks: scenario.frameworks
        .filter((f) => this.present.has(f.name))
        .map((f) => {
          const left = this.remaining(f);
          // Revocation judges a multi-role framework, with all of its tasks, in its first role.
          return {
            name: f.name,
            role: f.role,
            priority: f.priority,
            demand: left > 0 ? [{ resources: f.task, count: Math.min(left, UNLIMITED_DEMAND) }] : [],
            awaitingRevoked: tasks.some((t) => t.revokeAt !== undefined && revokedFor.get(t.id) === f.name),
          };
        }),
      tasks: tasks.map((t) => ({
        id: t.id,
        framework: t.framework,
        node: t.node,
        resources: byName.get(t.framework)!.task,
        priority: byName.get(t.framework)!.priority,
        startedAt: t.started,
        revoking: t.revokeAt !== undefined,
      })),
    });
    for (const d of plan.revocations) {
      const t = tasks.find((x) => x.id === d.task)!;
      t.revokeAt = cycle + this.grace;
      revokedFor.set(t.id, d.for);
      this.a.nominate(d.node, d.for, this.now + (this.grace + 2) * CYCLE_MS);
      this.events.push({ cycle, event: 'Revoking', framework: d.framework, node: d.node, task: d.task, for: d.for, reason: d.reason });
    }
    return plan.revocations.length;
  }

  /** The framework answers an offer: its due operations, then up to tasksPerOffer tasks that fit; else it declines. */
  private answer(o: OfferDecision, cycle: number): void {
    const { a, now } = this;
    const f = this.byName.get(o.framework)!;
    const operated = this.answerOperations(o, cycle);
    let left: ResourceList = o.resources;
    let used: ResourceList = {};
    let k = 0;
    while (k < f.tasksPerOffer && this.remaining(f) - k > 0 && fits(f.task, left)) {
      left = subtract(left, f.task);
      used = addList(used, f.task);
      k++;
    }
    if (k === 0) {
      if (operated) a.accept(o.offerId, now, {});
      else a.decline(o.offerId, now, Infinity);
      if (this.remaining(f) <= 0 && this.dueOps(f.name, cycle).length === 0) a.suppress(f.name);
      return;
    }
    a.accept(o.offerId, now, used);
    for (let i = 0; i < k; i++) {
      if (this.owed.get(f.name)! > 0) this.owed.set(f.name, this.owed.get(f.name)! - 1);
      else this.launched.set(f.name, this.launched.get(f.name)! + 1);
      this.tasks.push({
        id: `${f.name}-${++this.seq}`,
        framework: f.name,
        role: o.role,
        node: o.node,
        started: cycle,
        ends: cycle + f.duration,
      });
    }
    if (this.remaining(f) <= 0 && this.dueOps(f.name, cycle).length === 0) a.suppress(f.name);
  }

  /** Operations due that no offer of their node, for their role, ever came to answer. */
  private refuseUnansweredOperations(cycles: number): void {
    for (const [fw, ops] of this.pendingOps) {
      for (const op of ops.filter((x) => x.at <= cycles)) {
        this.events.push({
          cycle: cycles,
          event: op.kind === 'reserve' ? 'ReserveRefused' : 'UnreserveRefused',
          framework: fw,
          node: op.node,
          role: op.role,
          resources: formatResourceList(op.resources),
          reason: 'NotOffered',
        });
      }
    }
  }

  private result(cycles: number): SimulationResult {
    const { a, scenario, tasks } = this;
    const result: SimulationResult = { frameworks: {}, nodes: {}, cycles };
    for (const f of scenario.frameworks) {
      const st = a.frameworkStatus(f.name);
      result.frameworks[f.name] = {
        role: f.role,
        tasks: tasks.filter((t) => t.framework === f.name).length,
        allocated: formatResourceList(st?.allocated ?? {}),
        dominantShare: st?.dominantShare ?? 0,
      };
      if (f.roles.length > 1) {
        result.frameworks[f.name]!.roles = Object.fromEntries(
          f.roles.map((role) => [
            role,
            {
              tasks: tasks.filter((t) => t.framework === f.name && t.role === role).length,
              allocated: formatResourceList(st?.roles.find((x) => x.role === role)?.allocated ?? {}),
            },
          ]),
        );
      }
    }
    for (const n of scenario.nodes) {
      if (!this.nodesPresent.has(n.name)) continue;
      result.nodes[n.name] = { free: formatResourceList(a.nodeFree(n.name)!, true) };
      const dynamic = this.dynamicReserved.get(n.name);
      if (dynamic !== undefined && dynamic.size > 0) {
        result.nodes[n.name]!.reserved = Object.fromEntries(
          [...dynamic].sort(([x], [y]) => x.localeCompare(y)).map(([role, r]) => [role, formatResourceList(r)]),
        );
      }
    }
    if (scenario.frameworks.some((f) => f.roles.length > 1 || f.role.includes('/'))) {
      const names = [...new Set(scenario.frameworks.flatMap((f) => f.roles.flatMap(roleChain)))].sort();
      result.roles = {};
      for (const name of names) {
        const st = a.roleStatus(name)!;
        result.roles[name] = { allocated: formatResourceList(st.allocated), share: st.share };
      }
    }
    if (this.events.length > 0) result.events = this.events;
    return result;
  }
}

/** A framework as the allocator is told of it. */
function info(f: ScenarioFramework, suppressed: boolean) {
  return {
    name: f.name,
    roles: f.roles,
    capabilities: f.capabilities,
    constraints: f.constraints,
    minOffer: f.minOffer,
    suppressed,
  };
}

function addList(a: ResourceList, b: ResourceList): ResourceList {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

// ---- validation ------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string, fields: readonly string[]): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ScenarioError(path, 'must be a mapping');
  for (const k of Object.keys(v)) {
    if (!fields.includes(k))
      throw new ScenarioError(path === '' ? k : `${path}.${k}`, `unknown field (expected one of ${fields.join(', ')})`);
  }
  return v as Obj;
}

function list(v: unknown, path: string, required: boolean): unknown[] {
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) throw new ScenarioError(path, 'must be a list');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new ScenarioError(path, 'must be a non-empty string');
  return v;
}

function strings(v: unknown, path: string): string[] {
  return list(v, path, false).map((s, i) => str(s, `${path}[${i}]`));
}

function stringMap(v: unknown, path: string): Record<string, string> {
  if (v === undefined) return {};
  const o = obj(v, path, Object.keys((v as Obj) ?? {}));
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string') throw new ScenarioError(`${path}.${k}`, 'must be a string');
    out[k] = x;
  }
  return out;
}

function resources(v: unknown, path: string): ResourceList {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ScenarioError(path, 'must be a mapping of resource name to quantity');
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(v as Obj)) {
    if (typeof q !== 'string' && typeof q !== 'number') throw new ScenarioError(`${path}.${name}`, `invalid quantity ${JSON.stringify(q)}`);
    try {
      out[name] = parseQuantity(q, name);
    } catch (err) {
      throw new ScenarioError(`${path}.${name}`, (err as Error).message);
    }
  }
  return out;
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new ScenarioError(path, `must be an integer ≥ ${min}`);
  return v;
}

function unique(names: string[], path: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw new ScenarioError(`${path}[${i}].name`, `duplicate name ${JSON.stringify(n)}`);
    seen.add(n);
  });
}

function selector(v: unknown, path: string): LabelSelector | undefined {
  if (v === undefined) return undefined;
  const o = obj(v, path, ['matchLabels', 'matchExpressions']);
  const out: LabelSelector = {};
  if (o.matchLabels !== undefined) out.matchLabels = stringMap(o.matchLabels, `${path}.matchLabels`);
  if (o.matchExpressions !== undefined) {
    out.matchExpressions = list(o.matchExpressions, `${path}.matchExpressions`, true).map((e, i) => {
      const p = `${path}.matchExpressions[${i}]`;
      const x = obj(e, p, ['key', 'operator', 'values']);
      const op = x.operator;
      if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
        throw new ScenarioError(`${p}.operator`, 'must be one of In, NotIn, Exists, DoesNotExist');
      }
      return { key: str(x.key, `${p}.key`), operator: op, values: strings(x.values, `${p}.values`) };
    });
  }
  return out;
}

/** Validates a parsed YAML/JSON document into a Scenario; errors name the field. */
/** arriveAt (default 1) and leaveAt (default never), cycles counted from 1, leaveAt after arriveAt. */
function window(o: Obj, p: string): { arriveAt: number; leaveAt: number } {
  const arriveAt = o.arriveAt === undefined ? 1 : int(o.arriveAt, `${p}.arriveAt`, 1);
  const leaveAt = o.leaveAt === undefined ? Infinity : int(o.leaveAt, `${p}.leaveAt`, 1);
  if (leaveAt <= arriveAt) throw new ScenarioError(`${p}.leaveAt`, `must be after arriveAt (${arriveAt})`);
  return { arriveAt, leaveAt };
}

/** A node's maintenance window: `at` (cycle ≥ 1), `cycles` (≥ 1), `notice` (cycles before, default 1). */
function maintenanceWindow(v: unknown, p: string): { at: number; cycles: number; notice: number } {
  const o = obj(v, p, ['at', 'cycles', 'notice']);
  return {
    at: int(o.at, `${p}.at`, 1),
    cycles: int(o.cycles, `${p}.cycles`, 1),
    notice: o.notice === undefined ? 1 : int(o.notice, `${p}.notice`, 0),
  };
}

/** A role name: DNS labels joined by `/` (nested roles). */
function roleName(v: unknown, path: string): string {
  const s = str(v, path);
  if (!isRoleName(s)) throw new ScenarioError(path, `must be lowercase DNS labels joined by "/" (e.g. eng/ml), got ${JSON.stringify(s)}`);
  return s;
}

/** A framework's RESERVE or UNRESERVE: `node` (one of the scenario's), `resources`, `at` (default 1), `role` (default its first). */
function operation(kind: ScenarioOperation['kind'], v: unknown, p: string, roles: string[], nodes: Set<string>): ScenarioOperation {
  const o = obj(v, p, ['node', 'resources', 'at', 'role']);
  const node = str(o.node, `${p}.node`);
  if (!nodes.has(node)) throw new ScenarioError(`${p}.node`, `no node ${JSON.stringify(node)} in nodes`);
  const role = o.role === undefined ? roles[0]! : roleName(o.role, `${p}.role`);
  if (!roles.includes(role)) throw new ScenarioError(`${p}.role`, `must be one of the framework's roles (${roles.join(', ')})`);
  const amount = compact(resources(o.resources, `${p}.resources`));
  if (isZero(amount)) throw new ScenarioError(`${p}.resources`, 'must name some resource');
  return { kind, node, role, resources: amount, at: o.at === undefined ? 1 : int(o.at, `${p}.at`, 1) };
}

function signedInt(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ScenarioError(path, 'must be an integer');
  return v;
}

export function parseScenario(raw: unknown): Scenario {
  const root = obj(raw, '', ['nodes', 'roles', 'frameworks', 'options']);
  const nodes = list(root.nodes, 'nodes', true).map((v, i): ScenarioNode => {
    const p = `nodes[${i}]`;
    const o = obj(v, p, ['name', 'resources', 'labels', 'reservations', 'arriveAt', 'leaveAt', 'maintenance']);
    const { arriveAt, leaveAt } = window(o, p);
    return {
      name: str(o.name, `${p}.name`),
      arriveAt,
      leaveAt,
      ...(o.maintenance === undefined ? {} : { maintenance: maintenanceWindow(o.maintenance, `${p}.maintenance`) }),
      allocatable: resources(o.resources, `${p}.resources`),
      labels: stringMap(o.labels, `${p}.labels`),
      reservations: list(o.reservations, `${p}.reservations`, false).map((r, j) => {
        const rp = `${p}.reservations[${j}]`;
        const ro = obj(r, rp, ['role', 'resources']);
        return { role: roleName(ro.role, `${rp}.role`), resources: resources(ro.resources, `${rp}.resources`) };
      }),
    };
  });
  if (nodes.length === 0) throw new ScenarioError('nodes', 'must list at least one node');
  unique(
    nodes.map((n) => n.name),
    'nodes',
  );
  const nodeNames = new Set(nodes.map((n) => n.name));
  const roles = list(root.roles, 'roles', false).map((v, i): RoleInfo => {
    const p = `roles[${i}]`;
    const o = obj(v, p, ['name', 'weight', 'guarantee', 'limit']);
    if (o.weight !== undefined && (typeof o.weight !== 'number' || !(o.weight > 0) || !Number.isFinite(o.weight))) {
      throw new ScenarioError(`${p}.weight`, 'must be a positive number');
    }
    return {
      name: roleName(o.name, `${p}.name`),
      weight: o.weight as number | undefined,
      guarantee: o.guarantee === undefined ? undefined : resources(o.guarantee, `${p}.guarantee`),
      limit: o.limit === undefined ? undefined : resources(o.limit, `${p}.limit`),
    };
  });
  unique(
    roles.map((r) => r.name),
    'roles',
  );
  const frameworks = list(root.frameworks, 'frameworks', true).map((v, i): ScenarioFramework => {
    const p = `frameworks[${i}]`;
    const o = obj(v, p, [
      'name',
      'role',
      'roles',
      'capabilities',
      'constraints',
      'task',
      'tasks',
      'tasksPerOffer',
      'arriveAt',
      'leaveAt',
      'duration',
      'priority',
      'minOffer',
      'reserve',
      'unreserve',
    ]);
    const { arriveAt, leaveAt } = window(o, p);
    const task = resources(o.task, `${p}.task`);
    if (Object.values(task).every((x) => x === 0)) throw new ScenarioError(`${p}.task`, 'must request some resource');
    if (o.role !== undefined && o.roles !== undefined) throw new ScenarioError(`${p}.roles`, 'role and roles are mutually exclusive');
    const roles =
      o.roles === undefined
        ? [o.role === undefined ? DEFAULT_ROLE : roleName(o.role, `${p}.role`)]
        : list(o.roles, `${p}.roles`, true).map((r, j) => roleName(r, `${p}.roles[${j}]`));
    if (roles.length === 0) throw new ScenarioError(`${p}.roles`, 'must list at least one role');
    roles.forEach((r, j) => {
      if (roles.indexOf(r) !== j) throw new ScenarioError(`${p}.roles[${j}]`, `duplicate role ${JSON.stringify(r)}`);
    });
    const operations = (['reserve', 'unreserve'] as const)
      .flatMap((kind) => list(o[kind], `${p}.${kind}`, false).map((v, j) => operation(kind, v, `${p}.${kind}[${j}]`, roles, nodeNames)))
      .sort((x, y) => x.at - y.at);
    return {
      name: str(o.name, `${p}.name`),
      role: roles[0]!,
      roles,
      operations,
      capabilities: strings(o.capabilities, `${p}.capabilities`),
      constraints: selector(o.constraints, `${p}.constraints`),
      task,
      tasks: o.tasks === undefined ? Infinity : int(o.tasks, `${p}.tasks`, 0),
      tasksPerOffer: o.tasksPerOffer === undefined ? 1 : int(o.tasksPerOffer, `${p}.tasksPerOffer`, 1),
      arriveAt,
      leaveAt,
      duration: o.duration === undefined ? Infinity : int(o.duration, `${p}.duration`, 1),
      priority: o.priority === undefined ? 0 : signedInt(o.priority, `${p}.priority`),
      minOffer:
        o.minOffer === undefined ? undefined : list(o.minOffer, `${p}.minOffer`, true).map((m, j) => resources(m, `${p}.minOffer[${j}]`)),
    };
  });
  unique(
    frameworks.map((f) => f.name),
    'frameworks',
  );
  const options: Scenario['options'] = {};
  if (root.options !== undefined) {
    const o = obj(root.options, 'options', [
      'minAllocatable',
      'scarceResources',
      'fairSharingExcludedResources',
      'revocation',
      'revocationGraceCycles',
    ]);
    if (o.fairSharingExcludedResources !== undefined)
      options.fairSharingExcludedResources = strings(o.fairSharingExcludedResources, 'options.fairSharingExcludedResources');
    if (o.revocation !== undefined) {
      if (typeof o.revocation !== 'boolean') throw new ScenarioError('options.revocation', 'must be true or false');
      options.revocation = o.revocation;
    }
    if (o.revocationGraceCycles !== undefined)
      options.revocationGraceCycles = int(o.revocationGraceCycles, 'options.revocationGraceCycles', 0);
    if (o.scarceResources !== undefined) options.scarceResources = strings(o.scarceResources, 'options.scarceResources');
    if (o.minAllocatable !== undefined) {
      options.minAllocatable = list(o.minAllocatable, 'options.minAllocatable', true).map((m, i) =>
        resources(m, `options.minAllocatable[${i}]`),
      );
    }
  }
  return { nodes, roles, frameworks, options };
}
