// The fair allocation of fair-share.ts by water levels: the result of progressive filling
// (progressive-filling.ts, the specification) without a step per task handed out.
//
// Progressive filling gives one task at a time to the lowest key — roles by dominant share ÷
// weight, frameworks within a role by dominant share, ties by name — and stops a framework the
// first time its next task does not fit (the cluster's remaining capacity, its role's limit, and
// in the first phase its role's guarantee). Until the first such misfit the order of the tasks
// is fixed: a task's key depends only on its place in its framework's queue and in its role's
// sequence. So, repeatedly:
//   1. a framework whose next task does not fit now never will (capacity only shrinks, a role's
//      allocation only grows): it stops at once;
//   2. for a role-key level λ, U(λ) cuts every role's queues at a share level where the role's
//      key passes λ — it holds every task filling would give while the role keys are at most λ.
//      If U(λ) fits as a whole, none of those tasks can misfit, so S(λ), the cut where each role's
//      key stays below λ, is what filling hands out before anything else; giving it at once
//      changes nothing. λ is found by bisection, and so is each role's share level for λ;
//   3. the few tasks at the boundary (ties between frameworks of one shape) are given one at a
//      time, in filling's order, until a framework stops; then again from 1.
// Cost: a few bisections over the frameworks' queue items per framework that stops, instead of
// a heap step per task.
import type { Filler, Prepared, PreparedRole } from './fair-share.ts';
import { dominantShare, type Vec } from './vectors.ts';
import { MinHeap } from './min-heap.ts';
import { hasNestedRoles, nestedFill } from './nested-filling.ts';

/**
 * Runs the two phases (guarantees, then everyone); returns each framework's filler (alloc, share,
 * given). With nested roles, the filling over the role tree (nested-filling.ts).
 */
export function fill(p: Prepared): Map<string, Filler> {
  return hasNestedRoles(p) ? nestedFill(p) : new WaterLevel(p).run();
}

interface RoleFill {
  r: PreparedRole;
  alloc: Vec;
  key: number;
  /** Its frameworks still being filled in the current phase. */
  active: Filler[];
  /** Scratch: what a level cut gives the role. */
  cut: Vec;
  /** How many tasks the last cut held. */
  count: number;
  /** A bracket of share levels (see bulk()). */
  b: Bracket;
}

/** Two share levels, the role's key and the number of tasks of its cut at each. */
interface Bracket {
  lo: number;
  loKey: number;
  loCount: number;
  hi: number;
  hiKey: number;
  hiCount: number;
}

/** Phase 1's extra bound on a role's allocation: its guarantee. */
interface Cap {
  to: Vec;
  names: Set<number>;
}

const BISECTIONS = 64;
/** Bisections stop at this relative width: the few tasks between are given one at a time. */
const TOLERANCE = 1e-7;

const narrow = (lo: number, hi: number): boolean => hi - lo <= TOLERANCE * Math.max(1, Math.abs(hi));

const byShare = (a: Filler, b: Filler): boolean => a.share < b.share || (a.share === b.share && a.f.rank < b.f.rank);
const byKey = (a: RoleFill, b: RoleFill): boolean => a.key < b.key || (a.key === b.key && a.r.rank < b.r.rank);

class WaterLevel {
  private readonly W: number;
  /** What shares are taken of (p.shareTotal: resources excluded from fair sharing are zero). */
  private readonly shareTotal: Vec;
  private readonly remaining: Vec;
  private readonly fillers = new Map<string, Filler>();
  private readonly roles: RoleFill[] = [];
  private readonly scratch: Vec;
  private readonly end: Vec;
  private readonly sum: Vec;

  constructor(p: Prepared) {
    this.W = p.space.size;
    this.shareTotal = p.shareTotal;
    this.remaining = Float64Array.from(p.total);
    this.scratch = new Float64Array(this.W);
    this.end = new Float64Array(this.W);
    this.sum = new Float64Array(this.W);
    for (const r of [...p.roles.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      this.roles.push({ r, alloc: new Float64Array(this.W), key: 0, active: [], cut: new Float64Array(this.W), count: 0, b: bracket() });
      for (const f of r.frameworks) this.fillers.set(f.name, { f, alloc: new Float64Array(this.W), share: 0, item: 0, taken: 0, given: 0 });
    }
  }

  run(): Map<string, Filler> {
    // Phase 1: every role up to its guarantee, one role after the other (by name).
    for (const rf of this.roles) {
      const g = rf.r.guarantee;
      if (g === undefined) continue;
      this.phase([rf], { to: g, names: rf.r.guaranteeNames! });
    }
    // Phase 2: everyone.
    this.phase(this.roles, undefined);
    return this.fillers;
  }

  private phase(roles: RoleFill[], cap: Cap | undefined): void {
    for (const rf of roles) rf.active = rf.r.frameworks.map((f) => this.fillers.get(f.name)!).filter((x) => x.item < x.f.queue.length);
    for (;;) {
      let active = 0;
      for (const rf of roles) {
        rf.active = rf.active.filter((x) => x.item < x.f.queue.length && this.nextFits(x, rf, cap));
        active += rf.active.length;
      }
      if (active === 0) return;
      const budget = Math.max(64, 4 * active);
      this.bulk(
        roles.filter((rf) => rf.active.length > 0),
        cap,
        budget,
      );
      this.steps(roles, cap, budget);
    }
  }

  /** Does x's next task fit: remaining capacity, its role's limit, the phase's cap? */
  private nextFits(x: Filler, rf: RoleFill, cap: Cap | undefined): boolean {
    const v = x.f.queue[x.item]!.vec;
    const { limit, limitNames } = rf.r;
    for (let i = 0; i < this.W; i++) {
      const need = v[i]!;
      if (need <= 0) continue;
      if (need > this.remaining[i]!) return false;
      if (limit !== undefined && limitNames!.has(i) && need > limit[i]! - rf.alloc[i]!) return false;
      if (cap !== undefined && cap.names.has(i) && need > cap.to[i]! - rf.alloc[i]!) return false;
    }
    return true;
  }

  /** Does what the roles' cuts (rf.cut) use fit as a whole? */
  private cutsFit(roles: RoleFill[], cap: Cap | undefined): boolean {
    const sum = this.sum;
    sum.fill(0);
    for (const rf of roles) {
      const { limit, limitNames } = rf.r;
      for (let i = 0; i < this.W; i++) {
        const u = rf.cut[i]!;
        if (u <= 0) continue;
        sum[i]! += u;
        if (limit !== undefined && limitNames!.has(i) && rf.alloc[i]! + u > limit[i]!) return false;
        if (cap !== undefined && cap.names.has(i) && rf.alloc[i]! + u > cap.to[i]!) return false;
      }
    }
    for (let i = 0; i < this.W; i++) if (sum[i]! > this.remaining[i]!) return false;
    return true;
  }

  /**
   * Gives the largest level cut S(λ) whose U(λ) fits. With one role (phase 1, or one role left)
   * no role key is compared with another, and a share-level cut is its own U.
   */
  private bulk(roles: RoleFill[], cap: Cap | undefined, budget: number): void {
    for (const rf of roles) this.roleCut(rf, Infinity);
    if (this.cutsFit(roles, cap)) {
      for (const rf of roles) this.give(rf, Infinity);
      return;
    }
    for (const rf of roles) {
      const hi = this.ceiling(rf);
      const hiKey = this.keyAt(rf, hi);
      rf.b = { lo: -1, loKey: rf.key, loCount: 0, hi, hiKey, hiCount: rf.count };
    }
    // Bisections stop once the tasks between the two ends are few enough to give one by one.
    const close = (b: Bracket, tasks: number): boolean => b.hiCount - b.loCount <= tasks || narrow(b.lo, b.hi);
    if (roles.length === 1) {
      const rf = roles[0]!;
      const b = rf.b;
      for (let n = 0; n < BISECTIONS && !close(b, budget); n++) {
        const mu = b.lo + (b.hi - b.lo) / 2;
        const key = this.keyAt(rf, mu);
        if (this.cutsFit(roles, cap)) Object.assign(b, { lo: mu, loKey: key, loCount: rf.count });
        else Object.assign(b, { hi: mu, hiKey: key, hiCount: rf.count });
      }
      this.give(rf, b.lo);
      return;
    }
    // λ: U(lo) fits, U(hi) does not. Each role keeps a bracket of share levels rf.b with
    // key(b.lo) ≤ λlo and key(b.hi) > λhi (or b.hi the whole queues), so it holds for every λ
    // between and each bisection of λ needs only a few of the role's.
    let lo = -1;
    let hi = 1;
    for (const rf of roles) hi = Math.max(hi, 2 * rf.b.hiKey + 1);
    const tried = roles.map(() => bracket());
    const between = (): number => roles.reduce((n, rf) => n + rf.b.hiCount - rf.b.loCount, 0);
    for (let n = 0; n < BISECTIONS && !narrow(lo, hi) && between() > budget; n++) {
      const mid = lo + (hi - lo) / 2;
      // U(mid) per role: a level whose key is above mid (or the whole queues) by at most a
      // quarter of λ's bracket — a looser U only makes λ a little lower, never wrong.
      const slack = (hi - lo) / 4;
      roles.forEach((rf, k) => {
        const b = Object.assign(tried[k]!, rf.b);
        if (rf.key > mid) {
          rf.cut.fill(0);
          return;
        }
        while (b.hiKey > mid + slack && !close(b, rf.active.length)) {
          const mu = b.lo + (b.hi - b.lo) / 2;
          const key = this.keyAt(rf, mu);
          if (key <= mid) Object.assign(b, { lo: mu, loKey: key, loCount: rf.count });
          else Object.assign(b, { hi: mu, hiKey: key, hiCount: rf.count });
        }
        this.roleCut(rf, b.hi);
      });
      const fits = this.cutsFit(roles, cap);
      if (fits) lo = mid;
      else hi = mid;
      roles.forEach((rf, k) => {
        const b = tried[k]!;
        if (fits) Object.assign(rf.b, { lo: b.lo, loKey: b.loKey, loCount: b.loCount });
        else if (rf.key <= mid) Object.assign(rf.b, { hi: b.hi, hiKey: b.hiKey, hiCount: b.hiCount });
      });
    }
    // S(lo): each role cut at a level whose key is at most lo, refined to within λ's bracket.
    for (const rf of roles) {
      const b = rf.b;
      if (rf.key > lo) continue;
      while (b.loKey < lo - (hi - lo) && !close(b, rf.active.length)) {
        const mu = b.lo + (b.hi - b.lo) / 2;
        const key = this.keyAt(rf, mu);
        if (key <= lo) Object.assign(b, { lo: mu, loKey: key, loCount: rf.count });
        else Object.assign(b, { hi: mu, hiKey: key, hiCount: rf.count });
      }
      this.give(rf, b.lo);
    }
  }

  /** A share level above every task of the role's active frameworks: its cut is their whole queues. */
  private ceiling(rf: RoleFill): number {
    let top = 0;
    for (const x of rf.active) {
      this.end.set(x.alloc);
      this.cut(x, Infinity, this.end);
      top = Math.max(top, dominantShare(this.end, this.shareTotal));
    }
    return 2 * top + 1;
  }

  /** Gives one task at a time in progressive filling's order until a framework's next task misfits, or `budget` tasks. */
  private steps(roles: RoleFill[], cap: Cap | undefined, budget: number): void {
    const heaps = new Map<RoleFill, MinHeap<Filler>>();
    const order = new MinHeap<RoleFill>(byKey);
    for (const rf of roles) {
      const h = new MinHeap<Filler>(byShare);
      for (const x of rf.active) if (x.item < x.f.queue.length) h.push(x);
      if (h.size === 0) continue;
      heaps.set(rf, h);
      order.push(rf);
    }
    for (let n = 0; n < budget && order.size > 0; n++) {
      const rf = order.peek()!;
      const h = heaps.get(rf)!;
      const x = h.peek()!;
      if (!this.nextFits(x, rf, cap)) return;
      this.giveTasks(x, rf, 1);
      if (x.item >= x.f.queue.length) h.pop();
      else h.updateTop();
      if (h.size === 0) order.pop();
      else order.updateTop();
    }
  }

  /** The role's key if every active framework were given its cut at share level mu. */
  private keyAt(rf: RoleFill, mu: number): number {
    this.roleCut(rf, mu);
    let share = 0;
    for (let i = 0; i < this.W; i++) {
      const t = this.shareTotal[i]!;
      if (t > 0) share = Math.max(share, (rf.alloc[i]! + rf.cut[i]!) / t);
    }
    return share / rf.r.weight;
  }

  /** rf.cut, rf.count = what the role's active frameworks' cuts at share level mu use, and how many tasks. */
  private roleCut(rf: RoleFill, mu: number): void {
    rf.cut.fill(0);
    rf.count = 0;
    for (const x of rf.active) rf.count += this.cut(x, mu, rf.cut);
  }

  /** Gives every active framework of the role its cut at share level mu. */
  private give(rf: RoleFill, mu: number): void {
    for (const x of rf.active) {
      const n = this.cut(x, mu, undefined);
      if (n > 0) this.giveTasks(x, rf, n);
    }
  }

  /**
   * How many of x's next tasks have a dominant share before them below mu — x's part of the cut
   * at level mu, a prefix of its queue — adding what they use to acc.
   */
  private cut(x: Filler, mu: number, acc: Vec | undefined): number {
    const q = x.f.queue;
    const a = this.scratch;
    a.set(x.alloc);
    let n = 0;
    for (let it = x.item, off = x.taken; it < q.length; it++, off = 0) {
      const { vec: v, count } = q[it]!;
      const avail = count - off;
      const j = this.below(a, v, avail, mu);
      n += j;
      if (acc !== undefined) for (let i = 0; i < this.W; i++) acc[i]! += j * v[i]!;
      if (j < avail) break;
      for (let i = 0; i < this.W; i++) a[i]! += avail * v[i]!;
    }
    return n;
  }

  /** The number of j in [0, avail) whose share of a + j·v is below mu (shares grow with j). */
  private below(a: Vec, v: Vec, avail: number, mu: number): number {
    if (mu === Infinity) return avail;
    let j = avail;
    for (let i = 0; i < this.W; i++) {
      const t = this.shareTotal[i]!;
      if (t <= 0) continue;
      if (v[i]! > 0) j = Math.min(j, Math.max(0, Math.ceil((mu * t - a[i]!) / v[i]!)));
      else if (a[i]! / t >= mu) return 0;
    }
    // The estimate may be off by rounding: settle it on the shares filling itself compares.
    while (j > 0 && this.shareAt(a, v, j - 1) >= mu) j--;
    while (j < avail && this.shareAt(a, v, j) < mu) j++;
    return j;
  }

  private shareAt(a: Vec, v: Vec, j: number): number {
    let share = 0;
    for (let i = 0; i < this.W; i++) {
      const t = this.shareTotal[i]!;
      if (t > 0) {
        const s = (a[i]! + j * v[i]!) / t;
        if (s > share) share = s;
      }
    }
    return share;
  }

  /** Gives x its next n tasks (across queue items). */
  private giveTasks(x: Filler, rf: RoleFill, n: number): void {
    const { W, remaining } = this;
    while (n > 0) {
      const it = x.f.queue[x.item]!;
      const k = Math.min(n, it.count - x.taken);
      const v = it.vec;
      for (let i = 0; i < W; i++) {
        const d = k * v[i]!;
        x.alloc[i]! += d;
        rf.alloc[i]! += d;
        remaining[i]! -= d;
      }
      x.given += k;
      x.taken += k;
      if (x.taken === it.count) {
        x.item++;
        x.taken = 0;
      }
      n -= k;
    }
    x.share = dominantShare(x.alloc, this.shareTotal);
    rf.key = dominantShare(rf.alloc, this.shareTotal) / rf.r.weight;
  }
}

function bracket(): Bracket {
  return { lo: 0, loKey: 0, loCount: 0, hi: 0, hiKey: 0, hiCount: 0 };
}
