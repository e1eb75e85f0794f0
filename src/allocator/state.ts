// The allocator's bookkeeping: nodes, frameworks, roles, offers, and what each holds.
//
// Everything a framework holds on a node — its tasks (setAllocation) and its outstanding
// offers — goes through `hold`, which keeps every aggregate consistent in one place: the
// node's used and unused-reserved amounts, the consumption of the role and its ancestors, the
// framework's holding, and the sorters' dirty flags. Roles form a tree by name (role-tree.ts). Entities are created on first reference, so the controller
// may feed Pods before their Node or Framework; only *declared* ones (upsertNode /
// upsertFramework) count in the cluster total or take part in a cycle.
//
// A framework may be in several roles (Mesos's MULTI_ROLE). What takes part in a role's
// sorter is the framework *in that role* (FrameworkState, one per framework and role): its
// share there is what it holds in that role only, as in Mesos's per-role framework sorters.
// Offers, tasks, decline filters, suppression and minimum offers belong to one of them; the
// framework's demand is shared by all of its roles (FrameworkGroup). A role the framework no
// longer lists keeps its FrameworkState while it still holds something there (Mesos keeps
// tracking a framework under a removed role until its resources are recovered).
import { DrfSorter } from './sorter.ts';
import { FilterIndex } from './filters.ts';
import { addInto, dominantShare, grow, isZeroVec, ResourceSpace, zeros, type Vec } from './vectors.ts';
import { nestedUnusedReservations } from './reservations.ts';
import { SELF } from './role-tree.ts';
import { DEFAULT_ROLE, frameworkRoles, parentRole } from '../api/role-names.ts';
import { applyCoverage, coverage, newDemandState, type DemandState } from './demand.ts';
import type { FrameworkInfo, LabelSelector, NodeInfo, RoleInfo } from './types.ts';
import { GPU_RESOURCES, REVOCABLE_RESOURCES } from './types.ts';

export interface NodeState {
  readonly id: number;
  readonly name: string;
  declared: boolean;
  info: NodeInfo | undefined;
  /** What declareNode last saw, to skip no-op updates. */
  infoKey: string;
  total: Vec;
  external: Vec;
  labels: Record<string, string>;
  schedulable: boolean;
  ready: boolean;
  /** Has a scarce resource (GPU) in its total. */
  scarce: boolean;
  /** role id → reserved amount. */
  reserved: Map<number, Vec>;
  /** role id → the dynamic part of `reserved` (made by frameworks' RESERVE). */
  dynamicReserved: Map<number, Vec>;
  /** role id → what the frameworks of the role's subtree hold here (tasks + offers); reserved roles only. */
  roleUse: Map<number, Vec>;
  /** role id → what the role has not used of its reservation here (see unusedByRole in role-tree.ts). */
  unusedByRole: Map<number, Vec>;
  /** Σ held by every framework (tasks + offers). */
  used: Vec;
  /** Σ over roles of max(0, reserved − use). */
  unusedReserved: Vec;
  /** framework id → tasks' resources (setAllocation). */
  allocations: Map<number, Vec>;
  offers: OfferState[];
  /** Bumped whenever the node's offerable may have grown, or its filters went away. */
  epoch: number;
  /** Memo of a walk that found no taker for only lasting reasons: (epoch, frameworks epoch). */
  idleEpoch: number;
  idleFrameworksEpoch: number;
}

/** A framework in one of its roles: a client of that role's framework sorter. */
export interface FrameworkState {
  readonly id: number;
  /** The framework's name (the same in each of its roles). */
  readonly name: string;
  readonly group: FrameworkGroup;
  /** The framework is declared and lists this role. */
  declared: boolean;
  readonly role: RoleState;
  gpu: boolean;
  /** Declares REVOCABLE_RESOURCES: may be lent what is held back for others. */
  revocable: boolean;
  suppressed: boolean;
  constraints: LabelSelector | undefined;
  /** Its own minimum offers (FrameworkInfo.minOffer); undefined: none. */
  minOffer: Vec[] | undefined;
  /** minOffer as last declared, to skip no-op updates. */
  minOfferKey: string | undefined;
  /** What the framework still wants, shared by its roles (undefined: no demand published, push model); see demand.ts. */
  demand: DemandState | undefined;
  /** Tasks + offers in this role, summed over nodes: what DRF counts in the role's sorter. */
  held: Vec;
  /** Tasks only. */
  allocated: Vec;
  /** Nodes where it has tasks. */
  allocatedOn: Set<NodeState>;
  offers: OfferState[];
}

/** A framework: its roles, in the order it lists them, and what they share. */
export interface FrameworkGroup {
  readonly name: string;
  declared: boolean;
  /** Its declared roles, in the order listed (the first is where an allocation naming no role is charged). */
  roles: FrameworkState[];
  /** role id → the framework in that role, declared or still holding something there. */
  readonly clients: Map<number, FrameworkState>;
  demand: DemandState | undefined;
  /** The demand as last declared, to skip no-op updates. */
  demandKey: string;
  /** Everything else declared that matters here, to skip no-op updates. */
  infoKey: string;
}

export interface RoleState {
  readonly id: number;
  readonly name: string;
  /** `eng` for `eng/ml`; undefined for a top-level role. */
  readonly parent: RoleState | undefined;
  /** 0 for a top-level role. */
  readonly depth: number;
  declared: boolean;
  /** Its weight among its siblings. */
  weight: number;
  /** Guarantee and limit of its subtree's consumption. */
  guarantee: Vec | undefined;
  limit: Vec | undefined;
  /** Resources the limit names (a zero entry of an unnamed resource is no limit). */
  limitNames: Set<number> | undefined;
  /** Held by its own frameworks (tasks + offers). */
  allocated: Vec;
  /** Held by the frameworks of its subtree: its share among its siblings counts this. */
  subtreeAllocated: Vec;
  /** Its own reservations not in use, across nodes. */
  unusedReserved: Vec;
  /** Of its subtree: subtreeAllocated + every unused reservation in it — what quota counts. */
  consumed: Vec;
  /** Its own frameworks in DRF order. */
  frameworks: DrfSorter;
  /** Its child roles (and SELF, its own frameworks, when it has any) in DRF order; undefined until a child is active. */
  children: DrfSorter | undefined;
  /** Child roles, declared or not (for quota headroom over the tree). */
  childRoles: RoleState[];
  /** Declared frameworks in the role. */
  members: number;
  /** Declared frameworks in its subtree: it is in its parent's sorter while this is > 0. */
  active: number;
}

export interface OfferState {
  readonly id: string;
  readonly framework: FrameworkState;
  readonly node: NodeState;
  readonly role: RoleState;
  readonly resources: Vec;
  /** When its timeout started: decided, then moved to when it was published (ms). */
  createdAt: number;
  /** Per demand shape of its framework: the tasks this offer covers (undefined: no demand). */
  covers?: number[];
  /** Positions in node.offers and framework.offers. */
  nodeSlot: number;
  frameworkSlot: number;
}

export class AllocatorState {
  readonly space = new ResourceSpace();
  readonly nodes = new Map<string, NodeState>();
  readonly frameworks = new Map<string, FrameworkGroup>();
  readonly roles = new Map<string, RoleState>();
  readonly offers = new Map<string, OfferState>();
  readonly filters = new FilterIndex();
  /** Σ allocatable of declared nodes. */
  total: Vec = zeros(0);
  /**
   * What dominant shares are taken of: the total without the resources excluded from fair
   * sharing (Mesos's --fair_sharing_excluded_resource_names), whose entries are zero here.
   */
  shareTotal: Vec = zeros(0);
  /** Indices of the resources excluded from fair sharing. */
  private readonly excluded: number[];
  readonly roleSorter: DrfSorter;
  /** Declared nodes in the order a cycle walks them (insertion order). */
  walk: NodeState[] = [];
  private walkDirty = false;
  /** Bumped when the set of frameworks or anything about their eligibility changes. */
  frameworksEpoch = 0;
  private nextNodeId = 0;
  private nextFrameworkId = 0;
  private nextRoleId = 0;
  readonly scarceNames: string[];
  /** Resources every task takes one unit of (e.g. pods); see AllocatorOptions.taskSlotResources. */
  readonly taskSlotNames: readonly string[];
  private readonly frameworkById: (FrameworkState | undefined)[] = [];
  private readonly roleById: RoleState[] = [];
  private readonly nodeIndex: (NodeState | undefined)[] = [];

  constructor(scarceNames: string[], taskSlotNames: readonly string[] = [], excludedNames: readonly string[] = []) {
    this.scarceNames = scarceNames;
    this.taskSlotNames = taskSlotNames;
    this.excluded = excludedNames.map((name) => this.space.id(name));
    // A role's share counts what its frameworks hold, not its idle reservations (as Mesos's
    // sorter); quota counts those as consumed (see quota.ts).
    this.roleSorter = new DrfSorter((id) => dominantShare(this.roleById[id]!.subtreeAllocated, this.shareTotal));
  }

  get width(): number {
    return this.space.size;
  }

  nodeWalk(): NodeState[] {
    if (this.walkDirty) {
      this.walk = [...this.nodes.values()].filter((n) => n.declared);
      this.walkDirty = false;
    }
    return this.walk;
  }

  // ---- entities --------------------------------------------------------------------------

  node(name: string): NodeState {
    let n = this.nodes.get(name);
    if (n === undefined) {
      n = {
        id: this.nextNodeId++,
        name,
        declared: false,
        info: undefined,
        infoKey: '',
        total: zeros(0),
        external: zeros(0),
        labels: {},
        schedulable: false,
        ready: false,
        scarce: false,
        reserved: new Map(),
        dynamicReserved: new Map(),
        roleUse: new Map(),
        unusedByRole: new Map(),
        used: zeros(0),
        unusedReserved: zeros(0),
        allocations: new Map(),
        offers: [],
        epoch: 0,
        idleEpoch: -1,
        idleFrameworksEpoch: -1,
      };
      this.nodes.set(name, n);
      this.nodeIndex[n.id] = n;
    }
    return n;
  }

  framework(name: string): FrameworkGroup {
    let g = this.frameworks.get(name);
    if (g === undefined) {
      g = { name, declared: false, roles: [], clients: new Map(), demand: undefined, demandKey: '', infoKey: '' };
      this.frameworks.set(name, g);
    }
    return g;
  }

  /** The framework in `roleName` (undefined: its first role, `default` before it is declared). */
  client(name: string, roleName?: string): FrameworkState {
    const g = this.framework(name);
    const role = roleName === undefined ? (g.roles[0]?.role ?? this.role(DEFAULT_ROLE)) : this.role(roleName);
    let f = g.clients.get(role.id);
    if (f === undefined) {
      f = {
        id: this.nextFrameworkId++,
        name,
        group: g,
        declared: false,
        role,
        gpu: false,
        revocable: false,
        suppressed: false,
        constraints: undefined,
        minOffer: undefined,
        minOfferKey: undefined,
        demand: g.demand,
        held: zeros(0),
        allocated: zeros(0),
        allocatedOn: new Set(),
        offers: [],
      };
      g.clients.set(role.id, f);
      this.frameworkById[f.id] = f;
    }
    return f;
  }

  frameworkById_(id: number): FrameworkState | undefined {
    return this.frameworkById[id];
  }

  roleById_(id: number): RoleState {
    return this.roleById[id]!;
  }

  role(name: string): RoleState {
    let r = this.roles.get(name);
    if (r === undefined) {
      const id = this.nextRoleId++;
      const parentName = parentRole(name);
      const parent = parentName === undefined ? undefined : this.role(parentName);
      r = {
        id,
        name,
        parent,
        depth: parent === undefined ? 0 : parent.depth + 1,
        declared: false,
        weight: 1,
        guarantee: undefined,
        limit: undefined,
        limitNames: undefined,
        allocated: zeros(0),
        subtreeAllocated: zeros(0),
        unusedReserved: zeros(0),
        consumed: zeros(0),
        frameworks: new DrfSorter((fid) => dominantShare(this.frameworkById[fid]!.held, this.shareTotal)),
        children: undefined,
        childRoles: [],
        members: 0,
        active: 0,
      };
      parent?.childRoles.push(r);
      this.roles.set(name, r);
      this.roleById[id] = r;
    }
    return r;
  }

  /** The sorter r is placed in among its siblings: its parent's children, or the top level. */
  siblingsOf(r: RoleState): DrfSorter | undefined {
    return r.parent === undefined ? this.roleSorter : r.parent.children;
  }

  private childSorter(p: RoleState): DrfSorter {
    if (p.children === undefined) {
      // A role's own frameworks compete with its child roles as one more child, of weight 1
      // (Mesos's virtual leaf "."); its own weight counts among its siblings only.
      p.children = new DrfSorter((id) => dominantShare(id === SELF ? p.allocated : this.roleById[id]!.subtreeAllocated, this.shareTotal));
      if (p.members > 0) p.children.add(SELF, p.name, 1);
    }
    return p.children;
  }

  /** A framework joined role: the role and its ancestors take part in cycles. */
  private joinRole(role: RoleState): void {
    role.members++;
    if (role.members === 1) role.children?.add(SELF, role.name, 1);
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
      r.active++;
      if (r.active === 1) (r.parent === undefined ? this.roleSorter : this.childSorter(r.parent)).add(r.id, r.name, r.weight);
    }
  }

  /** A framework left role: roles left without frameworks in their subtree leave their sorters. */
  private quitRole(role: RoleState): void {
    role.members--;
    if (role.members === 0) role.children?.remove(SELF);
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
      r.active--;
      if (r.active === 0) this.siblingsOf(r)?.remove(r.id);
    }
  }

  // ---- nodes -----------------------------------------------------------------------------

  declareNode(info: NodeInfo): void {
    const n = this.node(info.name);
    // Node objects change often (heartbeats, status): an update that changes nothing we use
    // must not re-sort every client or forget the node's memo.
    const key = JSON.stringify([info.allocatable, info.external, info.labels, info.reservations, info.unschedulable, info.ready]);
    if (n.declared && n.infoKey === key) return;
    n.infoKey = key;
    const allocatable = this.space.vec(info.allocatable);
    const W = this.width;
    if (n.declared) addInto((this.total = grow(this.total, W)), n.total, -1);
    const total = grow(this.total, W);
    addInto(total, allocatable);
    for (let i = 0; i < W; i++) {
      if (total[i]! > Number.MAX_SAFE_INTEGER) {
        addInto(total, allocatable, -1);
        if (n.declared) addInto(total, n.total);
        throw new Error(
          `node ${info.name}: cluster total of ${this.space.names[i]} would exceed ${Number.MAX_SAFE_INTEGER}, the largest exact amount`,
        );
      }
    }
    this.total = total;
    n.total = allocatable;
    n.external = this.space.vec(info.external);
    n.labels = info.labels ?? {};
    n.schedulable = info.unschedulable !== true;
    n.ready = info.ready !== false;
    n.scarce = this.scarceNames.some((s) => {
      const i = this.space.lookup(s);
      return i !== undefined && i < allocatable.length && allocatable[i]! > 0;
    });
    const reserved = new Map<number, Vec>();
    const dynamic = new Map<number, Vec>();
    for (const r of info.reservations ?? []) {
      const role = this.role(r.role);
      // Two reservations for one role on one node add up (a static and a dynamic one too).
      const v = grow(this.space.vec(r.resources), this.width);
      addTo(reserved, role.id, v);
      if (r.dynamic === true) addTo(dynamic, role.id, v);
    }
    n.dynamicReserved = dynamic;
    this.setReservations(n, reserved);
    if (!n.declared) this.walkDirty = true;
    n.declared = true;
    n.info = info;
    n.epoch++; // capacity, labels or reservations may have changed what a walk would find
    this.totalChanged();
  }

  undeclareNode(name: string): void {
    const n = this.nodes.get(name);
    if (n === undefined || !n.declared) return;
    addInto(this.total, n.total, -1);
    n.dynamicReserved = new Map();
    this.setReservations(n, new Map());
    n.declared = false;
    n.info = undefined;
    n.epoch++;
    this.filters.removeNode(n.id);
    this.walkDirty = true;
    this.totalChanged();
    this.forgetNodeIfUnused(n);
  }

  private totalChanged(): void {
    this.shareTotal = new Float64Array(this.total);
    for (const i of this.excluded) if (i < this.shareTotal.length) this.shareTotal[i] = 0;
    this.roleSorter.markAllDirty();
    for (const r of this.roles.values()) {
      r.frameworks.markAllDirty();
      r.children?.markAllDirty();
    }
  }

  /** Swaps a node's reservations, moving the unused parts in and out of role consumption. */
  private setReservations(n: NodeState, reserved: Map<number, Vec>): void {
    n.reserved = reserved;
    this.recomputeRoleUse(n);
    this.refreshUnused(n);
  }

  /** Rebuilds what each reserved role's subtree holds on n, from its tasks and offers there. */
  private recomputeRoleUse(n: NodeState): void {
    n.roleUse = new Map();
    for (const [fid, v] of n.allocations) this.addRoleUse(n, this.frameworkById[fid]!.role, v, 1);
    for (const o of n.offers) this.addRoleUse(n, o.framework.role, o.resources, 1);
  }

  /** Charges sign·v held on n by a framework of `role` to every reserved role of its chain; returns whether any. */
  private addRoleUse(n: NodeState, role: RoleState, v: Vec, sign: number): boolean {
    let any = false;
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
      if (!n.reserved.has(r.id)) continue;
      any = true;
      let use = n.roleUse.get(r.id);
      if (use === undefined) n.roleUse.set(r.id, (use = zeros(this.width)));
      else if (use.length < this.width) n.roleUse.set(r.id, (use = grow(use, this.width)));
      addInto(use, v, sign);
    }
    return any;
  }

  /** Recomputes what each role has not used of its reservation on n; moves the change into the books. */
  private refreshUnused(n: NodeState): void {
    const W = this.width;
    const next = nestedUnusedReservations(n, (id) => this.roleById[id]!, W);
    const d = zeros(W);
    const apply = (roleId: number, before: Vec | undefined, after: Vec | undefined) => {
      d.fill(0);
      if (after !== undefined) addInto(d, after);
      if (before !== undefined) addInto(d, before, -1);
      if (isZeroVec(d)) return;
      const role = this.roleById[roleId]!;
      n.unusedReserved = grow(n.unusedReserved, W);
      addInto(n.unusedReserved, d);
      role.unusedReserved = grow(role.unusedReserved, W);
      addInto(role.unusedReserved, d);
      for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
        r.consumed = grow(r.consumed, W);
        addInto(r.consumed, d);
      }
    };
    for (const [id, before] of n.unusedByRole) apply(id, before, next.get(id));
    for (const [id, after] of next) if (!n.unusedByRole.has(id)) apply(id, undefined, after);
    n.unusedByRole = next;
  }

  forgetNodeIfUnused(n: NodeState): void {
    if (!n.declared && n.allocations.size === 0 && n.offers.length === 0) {
      this.nodes.delete(n.name);
      this.nodeIndex[n.id] = undefined;
    }
  }

  // ---- frameworks and roles ----------------------------------------------------------------

  /** Declares a framework in each of its roles; returns the ones revived (suppressed before, not now). */
  declareFramework(info: FrameworkInfo): FrameworkState[] {
    const g = this.framework(info.name);
    const roleNames = frameworkRoles(info);
    const gpu = (info.capabilities ?? []).includes(GPU_RESOURCES);
    const revocable = (info.capabilities ?? []).includes(REVOCABLE_RESOURCES);
    const suppressedRoles = new Set(info.suppressedRoles ?? []);
    const suppressedIn = (role: string) => info.suppressed === true || suppressedRoles.has(role);
    const key = JSON.stringify([roleNames, gpu, revocable, info.constraints, info.minOffer, info.minOfferByRole]);
    if (
      g.declared &&
      g.infoKey === key &&
      g.demandKey === demandKey(info) &&
      g.roles.every((f) => f.suppressed === suppressedIn(f.role.name))
    ) {
      return []; // a resync: keep every node's memo valid
    }
    g.infoKey = key;
    const revived: FrameworkState[] = [];
    const next = roleNames.map((r) => this.client(info.name, r));
    for (const f of g.roles) if (!next.includes(f)) this.undeclareClient(f);
    for (const f of next) {
      const wasSuppressed = f.declared && f.suppressed;
      f.gpu = gpu;
      f.revocable = revocable;
      f.suppressed = suppressedIn(f.role.name);
      f.constraints = info.constraints;
      const minOffer = info.minOfferByRole?.[f.role.name] ?? info.minOffer;
      f.minOfferKey = JSON.stringify(minOffer);
      f.minOffer = minOffer === undefined || minOffer.length === 0 ? undefined : minOffer.map((m) => this.space.vec(m));
      if (wasSuppressed && !f.suppressed) revived.push(f);
      if (!f.declared) {
        f.declared = true;
        f.role.frameworks.add(f.id, f.name);
        this.joinRole(f.role);
      }
    }
    g.roles = next;
    g.declared = true;
    this.setDemand(g, info);
    this.frameworksEpoch++;
    return revived;
  }

  /** Indices of the task-slot resources known so far. */
  taskSlots(): number[] {
    const out: number[] = [];
    for (const name of this.taskSlotNames) {
      const i = this.space.lookup(name);
      if (i !== undefined) out.push(i);
    }
    return out;
  }

  private setDemand(g: FrameworkGroup, info: FrameworkInfo): void {
    const key = demandKey(info);
    if (g.demandKey === key) return;
    g.demandKey = key;
    if (info.demand === undefined) {
      g.demand = undefined;
      for (const f of g.clients.values()) {
        f.demand = undefined;
        for (const o of f.offers) o.covers = undefined;
      }
      return;
    }
    const shapes = info.demand.map((d) => ({
      vec: this.space.vec(d.resources),
      count: Math.max(0, Math.floor(d.count)),
      perOffer: d.perOffer !== undefined && d.perOffer > 0 ? d.perOffer : Infinity,
    }));
    g.demand = newDemandState(shapes);
    for (const f of g.clients.values()) f.demand = g.demand;
    // Outstanding offers, in any of its roles, cover the new demand.
    for (const f of g.clients.values()) for (const o of f.offers) this.cover(o);
  }

  private cover(o: OfferState): void {
    const d = o.framework.demand;
    if (d === undefined) {
      o.covers = undefined;
      return;
    }
    o.covers = coverage(o.resources, d, this.taskSlots(), o.node.total);
    applyCoverage(d, o.covers, 1);
  }

  undeclareFramework(name: string): void {
    const g = this.frameworks.get(name);
    if (g === undefined || !g.declared) return;
    g.declared = false;
    g.infoKey = '';
    const roles = g.roles;
    g.roles = [];
    for (const f of roles) this.undeclareClient(f);
    this.frameworksEpoch++;
    this.forgetGroupIfUnused(g);
  }

  /** The framework leaves one role: its offers there are rescinded, its tasks there stay counted. */
  private undeclareClient(f: FrameworkState): void {
    if (!f.declared) return;
    f.declared = false;
    f.role.frameworks.remove(f.id);
    this.quitRole(f.role);
    this.clearFilters(f);
    this.frameworksEpoch++;
    this.forgetFrameworkIfUnused(f);
  }

  /** Revive: drop every filter of the framework in one role. */
  clearFilters(f: FrameworkState): void {
    for (const id of this.filters.removeFramework(f.id)) {
      const n = this.nodeById(id);
      if (n !== undefined) n.epoch++;
    }
    this.frameworksEpoch++;
  }

  forgetFrameworkIfUnused(f: FrameworkState): void {
    if (!f.declared && f.allocatedOn.size === 0 && f.offers.length === 0) {
      f.group.clients.delete(f.role.id);
      this.frameworkById[f.id] = undefined;
      this.forgetGroupIfUnused(f.group);
    }
  }

  private forgetGroupIfUnused(g: FrameworkGroup): void {
    if (!g.declared && g.clients.size === 0) this.frameworks.delete(g.name);
  }

  declareRole(info: RoleInfo): void {
    const r = this.role(info.name);
    r.declared = true;
    const weight = info.weight ?? 1;
    if (!(weight > 0) || !Number.isFinite(weight)) throw new Error(`role ${info.name}: weight must be a positive number, got ${weight}`);
    r.weight = weight;
    this.siblingsOf(r)?.setWeight(r.id, weight);
    r.guarantee = info.guarantee === undefined ? undefined : this.space.vec(info.guarantee);
    r.limit = info.limit === undefined ? undefined : this.space.vec(info.limit);
    r.limitNames = info.limit === undefined ? undefined : new Set(Object.keys(info.limit).map((k) => this.space.id(k)));
    this.frameworksEpoch++;
  }

  undeclareRole(name: string): void {
    const r = this.roles.get(name);
    if (r === undefined) return;
    r.declared = false;
    r.weight = 1;
    r.guarantee = undefined;
    r.limit = undefined;
    r.limitNames = undefined;
    this.siblingsOf(r)?.setWeight(r.id, 1);
    this.frameworksEpoch++;
  }

  nodeById(id: number): NodeState | undefined {
    return this.nodeIndex[id];
  }

  // ---- holdings ------------------------------------------------------------------------------

  /** framework holds sign·v more on node (a task allocation, or an offer). */
  hold(f: FrameworkState, n: NodeState, v: Vec, sign: number): void {
    const W = this.width;
    f.held = grow(f.held, W);
    addInto(f.held, v, sign);
    n.used = grow(n.used, W);
    addInto(n.used, v, sign);
    this.roleHold(n, f.role, v, sign);
    if (f.declared) f.role.frameworks.markDirty(f.id);
    if (sign < 0) n.epoch++;
  }

  private roleHold(n: NodeState, role: RoleState, v: Vec, sign: number): void {
    const W = this.width;
    role.allocated = grow(role.allocated, W);
    addInto(role.allocated, v, sign);
    role.children?.markDirty(SELF);
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) {
      r.subtreeAllocated = grow(r.subtreeAllocated, W);
      addInto(r.subtreeAllocated, v, sign);
      r.consumed = grow(r.consumed, W);
      addInto(r.consumed, v, sign);
      this.siblingsOf(r)?.markDirty(r.id);
    }
    if (n.reserved.size > 0 && this.addRoleUse(n, role, v, sign)) this.refreshUnused(n);
  }

  /** The roles with frameworks, in the order a cycle offers to them (level by level; role-tree.ts). Not the hot path. */
  roleOrder(): RoleState[] {
    const out: RoleState[] = [];
    const walk = (sorter: DrfSorter, owner: RoleState | undefined): void => {
      for (const e of sorter.entries()) {
        const r = e.id === SELF ? owner! : this.roleById[e.id]!;
        if (e.id !== SELF && r.children !== undefined && r.children.size > 0) walk(r.children, r);
        else out.push(r);
      }
    };
    walk(this.roleSorter, undefined);
    return out;
  }

  /** An offer was made to a framework of role: counts in the allocation-count tie-break up the tree. */
  offered(role: RoleState): void {
    role.children?.allocated(SELF);
    for (let r: RoleState | undefined = role; r !== undefined; r = r.parent) this.siblingsOf(r)?.allocated(r.id);
  }

  setAllocation(f: FrameworkState, n: NodeState, v: Vec): void {
    const old = n.allocations.get(f.id);
    if (old !== undefined) {
      this.hold(f, n, old, -1);
      f.allocated = grow(f.allocated, this.width);
      addInto(f.allocated, old, -1);
    }
    if (isZeroVec(v)) {
      n.allocations.delete(f.id);
      f.allocatedOn.delete(n);
    } else {
      n.allocations.set(f.id, v);
      f.allocatedOn.add(n);
      this.hold(f, n, v, 1);
      f.allocated = grow(f.allocated, this.width);
      addInto(f.allocated, v);
    }
  }

  addOffer(o: OfferState): void {
    this.offers.set(o.id, o);
    o.nodeSlot = o.node.offers.push(o) - 1;
    o.frameworkSlot = o.framework.offers.push(o) - 1;
    this.hold(o.framework, o.node, o.resources, 1);
    this.cover(o);
  }

  removeOffer(o: OfferState): void {
    if (this.offers.get(o.id) !== o) return;
    this.offers.delete(o.id);
    // Swap-remove from the node's and the framework's lists (order does not matter).
    const no = o.node.offers;
    const lastN = no.pop()!;
    if (lastN !== o) (no[o.nodeSlot] = lastN).nodeSlot = o.nodeSlot;
    const fo = o.framework.offers;
    const lastF = fo.pop()!;
    if (lastF !== o) (fo[o.frameworkSlot] = lastF).frameworkSlot = o.frameworkSlot;
    this.hold(o.framework, o.node, o.resources, -1);
    if (o.covers !== undefined && o.framework.demand !== undefined) applyCoverage(o.framework.demand, o.covers, -1);
    o.covers = undefined;
    this.forgetNodeIfUnused(o.node);
    this.forgetFrameworkIfUnused(o.framework);
  }
}

function demandKey(info: FrameworkInfo): string {
  return info.demand === undefined ? '' : JSON.stringify(info.demand);
}

/** Adds v into m's entry for id (a copy of v when there is none). */
function addTo(m: Map<number, Vec>, id: number, v: Vec): void {
  const prev = m.get(id);
  if (prev === undefined) m.set(id, new Float64Array(v));
  else addInto(prev, v);
}
