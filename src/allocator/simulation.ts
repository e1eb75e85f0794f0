// The simulator's driver, pure: a validated scenario in, the outcome out.
//
// Simulated frameworks answer every offer at once: launch up to tasksPerOffer tasks that fit
// (tasks run forever), give the rest back, and decline — with an infinite refuse filter — an
// offer in which no task fits. A framework that has launched all its tasks suppresses.
// The simulation is quiescent, and stops, after a cycle that makes no offer at all. (Stopping
// at the first cycle that launches nothing would be wrong: the framework first in DRF order
// may decline a node another framework could use, and that one only sees it next cycle.) It
// always gets there: nodes' free resources only shrink, so a declined node stays filtered.
import { fits } from '../api/fit.ts';
import { formatResourceList, parseQuantity, subtract, type ResourceList } from '../api/quantity.ts';
import { Allocator } from './allocator.ts';
import type { AllocatorOptions, LabelSelector, NodeInfo, RoleInfo } from './types.ts';

export interface ScenarioFramework {
  name: string;
  role: string;
  capabilities: string[];
  constraints?: LabelSelector;
  task: ResourceList;
  /** Infinity when the scenario leaves it out. */
  tasks: number;
  tasksPerOffer: number;
}

export interface Scenario {
  nodes: NodeInfo[];
  roles: RoleInfo[];
  frameworks: ScenarioFramework[];
  options: Pick<AllocatorOptions, 'minAllocatable' | 'scarceResources'>;
}

export interface SimulationResult {
  frameworks: Record<string, { role: string; tasks: number; allocated: Record<string, string>; dominantShare: number }>;
  nodes: Record<string, { free: Record<string, string> }>;
  cycles: number;
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

export function simulate(scenario: Scenario): SimulationResult {
  const a = new Allocator({ ...scenario.options, offerId: (_f, _n, seq) => `offer-${seq}` });
  for (const r of scenario.roles) a.upsertRole(r);
  for (const n of scenario.nodes) a.upsertNode(n);
  const byName = new Map(scenario.frameworks.map((f) => [f.name, f]));
  const launched = new Map<string, number>();
  for (const f of scenario.frameworks) {
    launched.set(f.name, 0);
    a.upsertFramework({ name: f.name, role: f.role, capabilities: f.capabilities, constraints: f.constraints, suppressed: f.tasks === 0 });
  }
  let now = 0;
  let cycles = 0;
  for (;;) {
    if (cycles >= MAX_CYCLES) throw new Error(`simulation did not settle in ${MAX_CYCLES} cycles`);
    cycles++;
    const { offers, rescinds } = a.allocate(now);
    for (const r of rescinds) a.removeOffer(r.offerId);
    if (offers.length === 0) break;
    for (const o of offers) {
      const f = byName.get(o.framework)!;
      let done = launched.get(f.name)!;
      let left: ResourceList = o.resources;
      let used: ResourceList = {};
      let k = 0;
      while (k < f.tasksPerOffer && done < f.tasks && fits(f.task, left)) {
        left = subtract(left, f.task);
        used = addList(used, f.task);
        k++;
        done++;
      }
      if (k === 0) {
        a.decline(o.offerId, now, Infinity);
        continue;
      }
      a.accept(o.offerId, now, used);
      launched.set(f.name, done);
      if (done >= f.tasks) a.suppress(f.name);
    }
    now += CYCLE_MS;
  }
  const result: SimulationResult = { frameworks: {}, nodes: {}, cycles };
  for (const f of scenario.frameworks) {
    const st = a.frameworkStatus(f.name)!;
    result.frameworks[f.name] = {
      role: f.role,
      tasks: launched.get(f.name)!,
      allocated: formatResourceList(st.allocated),
      dominantShare: st.dominantShare,
    };
  }
  for (const n of scenario.nodes) result.nodes[n.name] = { free: formatResourceList(a.nodeFree(n.name)!, true) };
  return result;
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
export function parseScenario(raw: unknown): Scenario {
  const root = obj(raw, '', ['nodes', 'roles', 'frameworks', 'options']);
  const nodes = list(root.nodes, 'nodes', true).map((v, i): NodeInfo => {
    const p = `nodes[${i}]`;
    const o = obj(v, p, ['name', 'resources', 'labels', 'reservations']);
    return {
      name: str(o.name, `${p}.name`),
      allocatable: resources(o.resources, `${p}.resources`),
      labels: stringMap(o.labels, `${p}.labels`),
      reservations: list(o.reservations, `${p}.reservations`, false).map((r, j) => {
        const rp = `${p}.reservations[${j}]`;
        const ro = obj(r, rp, ['role', 'resources']);
        return { role: str(ro.role, `${rp}.role`), resources: resources(ro.resources, `${rp}.resources`) };
      }),
    };
  });
  if (nodes.length === 0) throw new ScenarioError('nodes', 'must list at least one node');
  unique(
    nodes.map((n) => n.name),
    'nodes',
  );
  const roles = list(root.roles, 'roles', false).map((v, i): RoleInfo => {
    const p = `roles[${i}]`;
    const o = obj(v, p, ['name', 'weight', 'guarantee', 'limit']);
    if (o.weight !== undefined && (typeof o.weight !== 'number' || !(o.weight > 0) || !Number.isFinite(o.weight))) {
      throw new ScenarioError(`${p}.weight`, 'must be a positive number');
    }
    return {
      name: str(o.name, `${p}.name`),
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
    const o = obj(v, p, ['name', 'role', 'capabilities', 'constraints', 'task', 'tasks', 'tasksPerOffer']);
    const task = resources(o.task, `${p}.task`);
    if (Object.values(task).every((x) => x === 0)) throw new ScenarioError(`${p}.task`, 'must request some resource');
    return {
      name: str(o.name, `${p}.name`),
      role: o.role === undefined ? 'default' : str(o.role, `${p}.role`),
      capabilities: strings(o.capabilities, `${p}.capabilities`),
      constraints: selector(o.constraints, `${p}.constraints`),
      task,
      tasks: o.tasks === undefined ? Infinity : int(o.tasks, `${p}.tasks`, 0),
      tasksPerOffer: o.tasksPerOffer === undefined ? 1 : int(o.tasksPerOffer, `${p}.tasksPerOffer`, 1),
    };
  });
  unique(
    frameworks.map((f) => f.name),
    'frameworks',
  );
  const options: Scenario['options'] = {};
  if (root.options !== undefined) {
    const o = obj(root.options, 'options', ['minAllocatable', 'scarceResources']);
    if (o.scarceResources !== undefined) options.scarceResources = strings(o.scarceResources, 'options.scarceResources');
    if (o.minAllocatable !== undefined) {
      options.minAllocatable = list(o.minAllocatable, 'options.minAllocatable', true).map((m, i) =>
        resources(m, `options.minAllocatable[${i}]`),
      );
    }
  }
  return { nodes, roles, frameworks, options };
}
