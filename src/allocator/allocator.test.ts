import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.ts';
import type { AllocatorOptions, CycleResult, NodeInfo, Refusal, Reservation, ResourceList, RoleInfo } from './types.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** A node of `cores` CPUs and `gib` GiB memory (builders keep the cases short). */
function node(name: string, cores: number, gib: number, extra: Partial<NodeInfo> = {}): NodeInfo {
  const { allocatable, ...rest } = extra;
  return { name, allocatable: { cpu: cores * 1000, memory: gib * GiB, ...allocatable }, ...rest };
}

/** "node->framework" for each offer, in decision order. */
function placed(r: CycleResult): string[] {
  return r.offers.map((o) => `${o.node}->${o.framework}`);
}

function setup(
  opts: AllocatorOptions & {
    nodes: NodeInfo[];
    frameworks: { name: string; role?: string; capabilities?: string[]; suppressed?: boolean }[];
    roles?: { name: string; weight?: number; guarantee?: ResourceList; limit?: ResourceList }[];
  },
): Allocator {
  const a = new Allocator(opts);
  for (const r of opts.roles ?? []) a.upsertRole(r);
  for (const n of opts.nodes) a.upsertNode(n);
  for (const f of opts.frameworks) a.upsertFramework(f);
  return a;
}

/** Declines every offer of a cycle with refuseSeconds. */
function declineAll(a: Allocator, r: CycleResult, now: number, refuseSeconds: number): void {
  for (const o of r.offers) a.decline(o.offerId, now, refuseSeconds);
}

function refusalsOf(r: CycleResult, framework: string): Refusal[] {
  return (r.refusals ?? []).filter((x) => x.framework === framework);
}

describe('DRF', () => {
  it('the DRF paper: A <1 CPU, 4 GiB>, B <3 CPU, 1 GiB> on <9 CPU, 18 GiB> end at 3 and 2 tasks', () => {
    const a = setup({ nodes: [node('n', 9, 18)], frameworks: [{ name: 'A' }, { name: 'B' }] });
    const task = { A: { cpu: 1000, memory: 4 * GiB }, B: { cpu: 3000, memory: 1 * GiB } };
    const tasks = { A: 0, B: 0 };
    for (let now = 0; now < 20_000; now += 1000) {
      for (const o of a.allocate(now).offers) {
        const f = o.framework as 'A' | 'B';
        const t = task[f];
        if ((o.resources.cpu ?? 0) >= t.cpu && (o.resources.memory ?? 0) >= t.memory) {
          a.accept(o.offerId, now, t);
          tasks[f]++;
        } else a.decline(o.offerId, now, Infinity);
      }
    }
    expect(tasks).toEqual({ A: 3, B: 2 });
    // A: max(3/9 cpu, 12/18 mem) = 2/3; B: max(6/9 cpu, 2/18 mem) = 2/3
    expect(a.frameworkStatus('A')!.dominantShare).toBeCloseTo(2 / 3, 12);
    expect(a.frameworkStatus('B')!.dominantShare).toBeCloseTo(2 / 3, 12);
    expect(a.nodeFree('n')).toEqual({ cpu: 0, memory: 4 * GiB });
  });

  it.each([
    {
      name: 'lowest share first',
      // x: 1/4 (one of four cores), y: 0
      alloc: { x: { cpu: 1000 } as ResourceList },
      declines: {} as Record<string, number>,
      want: ['free->y'],
    },
    {
      name: 'equal share: fewer offers first',
      // x: 0 (1 offer so far), y: 0 (0 offers)
      alloc: {},
      declines: { x: 1 },
      want: ['free->y'],
    },
    {
      name: 'equal share, equal offers: name',
      // x: 0, y: 0
      alloc: {},
      declines: {},
      want: ['free->x'],
    },
  ])('tie-breaks: $name', ({ alloc, declines, want }) => {
    const a = setup({ nodes: [node('used', 4, 8), node('free', 4, 8)], frameworks: [{ name: 'y' }, { name: 'x' }] });
    for (const [f, r] of Object.entries(alloc)) a.setAllocation(f, 'used', r);
    a.upsertNode(node('used', 4, 8, { unschedulable: true })); // only `free` is offered
    for (const [f, times] of Object.entries(declines)) {
      for (let i = 0; i < times; i++) {
        // Make an offer to f alone, then decline it without a filter.
        for (const other of ['x', 'y']) if (other !== f) a.suppress(other);
        const r = a.allocate(0);
        declineAll(a, r, 0, 0);
        for (const other of ['x', 'y']) a.revive(other);
      }
    }
    expect(placed(a.allocate(1000))).toEqual(want);
  });

  it('resources excluded from fair sharing are left out of every dominant share', () => {
    // n: 8 cpu, 8 GiB, 4 GPUs. g runs <1 cpu, 1 GiB, 4 GPUs>, c runs <2 cpu, 1 GiB>.
    // Counting GPUs: g 4/4 = 1, c 2/8 → the free rest goes to c. Excluding them: g 1/8, c 2/8 → g.
    const run = (excluded: string[] | undefined) => {
      const a = setup({
        fairSharingExcludedResources: excluded,
        scarceResources: [],
        nodes: [node('n', 8, 8, { allocatable: { 'nvidia.com/gpu': 4 } }), node('m', 8, 8)],
        frameworks: [
          { name: 'g', role: 'gpu' },
          { name: 'c', role: 'cpu' },
        ],
      });
      a.setAllocation('g', 'n', { cpu: 1000, memory: GiB, 'nvidia.com/gpu': 4 });
      a.setAllocation('c', 'n', { cpu: 2000, memory: GiB });
      const shares = { g: a.frameworkStatus('g')!.dominantShare, gpuRole: a.roleStatus('gpu')!.share };
      return { ...shares, offers: placed(a.allocate(0)) };
    };
    // Of 16 cpu and 16 GiB: g 1/16 when GPUs are excluded, 4/4 when not.
    expect(run(undefined)).toEqual({ offers: ['n->c', 'm->c'], g: 1, gpuRole: 1 });
    expect(run(['nvidia.com/gpu'])).toEqual({ offers: ['n->g', 'm->c'], g: 1 / 16, gpuRole: 1 / 16 });
  });

  it('weights: the share is divided by the role weight', () => {
    const a = setup({
      roles: [
        { name: 'heavy', weight: 2 },
        { name: 'light', weight: 1 },
      ],
      nodes: [node('n0', 10, 10), node('n1', 10, 10)],
      frameworks: [
        { name: 'h', role: 'heavy' },
        { name: 'l', role: 'light' },
      ],
    });
    a.setAllocation('h', 'n0', { cpu: 2000 });
    a.setAllocation('l', 'n0', { cpu: 1000 });
    a.upsertNode(node('n0', 10, 10, { unschedulable: true }));
    // heavy: (2/20) / 2 = 0.05, light: (1/20) / 1 = 0.05
    expect(a.roleStatus('heavy')!.share).toBeCloseTo(0.05);
    expect(a.roleStatus('light')!.share).toBeCloseTo(0.05);
    a.setAllocation('h', 'n0', { cpu: 3000 });
    // heavy: (3/20) / 2 = 0.075, light: 0.05 → light first
    expect(placed(a.allocate(0))).toEqual(['n1->l']);
    const b = setup({
      roles: [
        { name: 'heavy', weight: 4 },
        { name: 'light', weight: 1 },
      ],
      nodes: [node('n0', 10, 10), node('n1', 10, 10)],
      frameworks: [
        { name: 'h', role: 'heavy' },
        { name: 'l', role: 'light' },
      ],
    });
    b.setAllocation('h', 'n0', { cpu: 3000 });
    b.setAllocation('l', 'n0', { cpu: 1000 });
    b.upsertNode(node('n0', 10, 10, { unschedulable: true }));
    // heavy: (3/20) / 4 = 0.0375 < light: (1/20) / 1 = 0.05
    expect(placed(b.allocate(0))).toEqual(['n1->h']);
  });

  it('makes whole-node offers, one framework per node, walking nodes in order', () => {
    const a = setup({ nodes: [node('n1', 4, 8), node('n2', 4, 8), node('n3', 4, 8)], frameworks: [{ name: 'a' }, { name: 'b' }] });
    const r = a.allocate(0);
    // n1: a 0, b 0 → a (name); n2: a 1/3, b 0 → b; n3: a 1/3, b 1/3, 1 offer each → a (name)
    expect(placed(r)).toEqual(['n1->a', 'n2->b', 'n3->a']);
    expect(r.offers[0]!.resources).toEqual({ cpu: 4000, memory: 8 * GiB });
  });

  it('is deterministic', () => {
    const run = () => {
      const a = setup({
        nodes: [node('n1', 4, 8), node('n2', 2, 8), node('n3', 8, 2)],
        frameworks: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      });
      return [a.allocate(0), a.allocate(1)];
    };
    expect(run()).toEqual(run());
  });
});

describe('quota', () => {
  it('satisfies guarantees first', () => {
    // Without quota DRF would give n1 to fa (role a sorts first by name at equal shares).
    const a = setup({
      roles: [{ name: 'q', guarantee: { cpu: 4000 } }],
      nodes: [node('n1', 4, 8), node('n2', 4, 8)],
      frameworks: [
        { name: 'fa', role: 'a' },
        { name: 'fq', role: 'q' },
      ],
    });
    const r = a.allocate(0);
    expect(placed(r)).toEqual(['n1->fq', 'n2->fa']);
    expect(r.offers[0]!.resources).toEqual({ cpu: 4000, memory: 8 * GiB });
  });

  it('trims a guarantee-stage offer to the unmet guarantee; the rest of the node waits for its answer', () => {
    const a = setup({
      roles: [{ name: 'q', guarantee: { cpu: 1000 } }],
      nodes: [node('n1', 4, 8)],
      frameworks: [
        { name: 'fq', role: 'q' },
        { name: 'fa', role: 'a' },
      ],
    });
    const r1 = a.allocate(0, { explain: true });
    // stage 1: fq gets its unmet 1 cpu (+ memory, nobody else needs it held back); stage 2
    // passes n1 over: its one offer is out.
    expect(r1.offers.map((o) => [o.framework, o.resources])).toEqual([['fq', { cpu: 1000, memory: 8 * GiB }]]);
    expect(r1.refusals).toContainEqual({ node: 'n1', reason: 'OfferOutstanding' });
    a.accept(r1.offers[0]!.offerId, 0, { cpu: 1000, memory: GiB });
    // a: 0, q: max(1/4 cpu, 1/8 memory) = 1/4 → a gets the rest.
    expect(a.allocate(1000).offers.map((o) => [o.framework, o.resources])).toEqual([['fa', { cpu: 3000, memory: 7 * GiB }]]);
  });

  it.each([
    {
      name: 'other roles get only what the unmet guarantee leaves',
      minAllocatable: undefined,
      // n1: 8 cpu available, 6 required for q → 2 spare; n2: 6 available, 6 required → 0 spare
      want: [
        ['n1', { cpu: 2000, memory: 8 * GiB }],
        ['n2', { memory: 8 * GiB }],
      ],
      wantRefusal: undefined,
    },
    {
      name: 'an offer cut below the minimum is not made, and says why',
      minAllocatable: [{ cpu: 10 }],
      want: [['n1', { cpu: 2000, memory: 8 * GiB }]],
      wantRefusal: { node: 'n2', framework: 'fa', role: 'a', reason: 'QuotaHeadroom', resource: 'cpu' },
    },
  ])('headroom: $name', ({ minAllocatable, want, wantRefusal }) => {
    const a = setup({
      minAllocatable,
      roles: [{ name: 'q', guarantee: { cpu: 6000 } }], // no framework in q yet
      nodes: [node('n1', 4, 8), node('n2', 4, 8)],
      frameworks: [{ name: 'fa', role: 'a' }],
    });
    const r = a.allocate(0, { explain: true });
    expect(r.offers.map((o) => [o.node, o.resources])).toEqual(want);
    if (wantRefusal !== undefined) expect(r.refusals).toContainEqual(wantRefusal);
  });

  it('never exceeds a limit: trims, then skips the role at its limit', () => {
    const a = setup({ roles: [{ name: 'l', limit: { cpu: 3000 } }], nodes: [node('n1', 4, 8)], frameworks: [{ name: 'fl', role: 'l' }] });
    const r1 = a.allocate(0);
    // Memory is not limited: the whole 8 GiB; cpu trimmed to 3 of 4.
    expect(r1.offers.map((o) => o.resources)).toEqual([{ cpu: 3000, memory: 8 * GiB }]);
    a.accept(r1.offers[0]!.offerId, 0, { cpu: 3000, memory: GiB });
    const r2 = a.allocate(1000, { explain: true });
    expect(r2.offers).toEqual([]);
    expect(refusalsOf(r2, 'fl')).toEqual([
      { node: 'n1', framework: 'fl', role: 'l', reason: 'RoleLimit', resource: 'cpu', limit: 3000, allocated: 3000 },
    ]);
    expect(a.roleStatus('l')!.consumed.cpu).toBe(3000);
  });
});

describe('reservations', () => {
  type Answer = { decline: number } | { accept: ResourceList };
  // n1: 8 cpu, 16 GiB, 110 pods; ra and rb each reserve 2 cpu, 4 GiB; x reserves nothing.
  // Before any task every share is 0: idle reservations count against quota, not in the share.
  const reserving = (suppressed: string[], roles: RoleInfo[] = []) =>
    setup({
      roles,
      nodes: [
        node('n1', 8, 16, {
          allocatable: { pods: 110 },
          reservations: [
            { role: 'ra', resources: { cpu: 2000, memory: 4 * GiB } },
            { role: 'rb', resources: { cpu: 2000, memory: 4 * GiB } },
          ],
        }),
      ],
      frameworks: [
        { name: 'fa', role: 'ra', suppressed: suppressed.includes('fa') },
        { name: 'fb', role: 'rb', suppressed: suppressed.includes('fb') },
        { name: 'fx', role: 'x', suppressed: suppressed.includes('fx') },
      ],
    });
  const whole = { cpu: 6000, memory: 12 * GiB }; // a reservation + the unreserved part
  const unreserved = { cpu: 4000, memory: 8 * GiB };
  const reservation = { cpu: 2000, memory: 4 * GiB };

  it.each([
    {
      name: 'declined: the reserving roles in DRF order (ra, rb: tie, name), then the others the unreserved part',
      suppressed: [] as string[],
      roles: undefined,
      answers: [{ decline: 3600 }, { decline: 3600 }] as Answer[],
      want: [
        ['fa', { ...whole, pods: 110 }],
        ['fb', { ...whole, pods: 110 }],
        ['fx', { ...unreserved, pods: 110 }],
      ],
    },
    {
      name: 'accepted: a role whose reservation is in use is no longer first; each offer has the pod slots left',
      suppressed: [],
      roles: undefined,
      answers: [{ accept: { ...reservation, pods: 1 } }, { accept: { ...reservation, pods: 1 } }] as Answer[],
      want: [
        ['fa', { ...whole, pods: 110 }],
        // ra's reservation is all in use: rb is the one reserving role left.
        ['fb', { ...whole, pods: 109 }],
        // x: 0, ra: 1/4, rb: 1/4 → x; the rest is unreserved.
        ['fx', { ...unreserved, pods: 108 }],
      ],
    },
    {
      name: 'the first reserving role has no eligible framework: the next one',
      suppressed: ['fa'],
      roles: undefined,
      answers: [{ decline: 3600 }] as Answer[],
      want: [
        ['fb', { ...whole, pods: 110 }],
        ['fx', { ...unreserved, pods: 110 }],
      ],
    },
    {
      name: 'no reserving role has an eligible framework: the unreserved part to the others',
      suppressed: ['fa', 'fb'],
      roles: undefined,
      answers: [] as Answer[],
      want: [['fx', { ...unreserved, pods: 110 }]],
    },
    {
      name: 'a reserving role at its limit is offered its reservation, and no unreserved cpu',
      suppressed: [],
      // ra consumes its 2 cpu of unused reservation: at its cpu limit. Using the reservation
      // adds nothing to that (Mesos: ReservationUnallocated), so it is still offered — with the
      // unreserved part trimmed to the limit (no cpu; memory is not limited).
      roles: [{ name: 'ra', limit: { cpu: 2000 } }],
      answers: [{ decline: 3600 }, { decline: 3600 }] as Answer[],
      want: [
        ['fa', { cpu: 2000, memory: 12 * GiB, pods: 110 }],
        ['fb', { ...whole, pods: 110 }],
        ['fx', { ...unreserved, pods: 110 }],
      ],
    },
  ])('one offer per node: $name', ({ suppressed, roles, answers, want }) => {
    const a = reserving(suppressed, roles);
    const got: [string, ResourceList][] = [];
    for (let i = 0; ; i++) {
      const now = i * 1000;
      const r = a.allocate(now);
      expect(r.offers.length).toBeLessThanOrEqual(1);
      const o = r.offers[0];
      if (o === undefined) break;
      got.push([o.framework, o.resources]);
      // Until it is answered the node's one offer is out: nothing more, to anyone.
      expect(a.allocate(now + 1).offers).toEqual([]);
      const answer = answers[i];
      if (answer === undefined) break;
      if ('decline' in answer) a.decline(o.offerId, now, answer.decline);
      else a.accept(o.offerId, now, answer.accept);
    }
    expect(got).toEqual(want);
  });

  // Mesos's sorter counts what a role is allocated; its quota counts idle reservations as
  // consumed too. n1: 4 cpu, 8 GiB; r reserves 2 cpu, 2 GiB there.
  it.each([
    // Idle: r holds nothing, so its share is 0; quota sees the 2 reserved cpus as consumed.
    { name: 'idle reservation', tasks: {} as ResourceList, wantShare: 0, wantConsumed: { cpu: 2000, memory: 2 * GiB } },
    // 1 of the 2 reserved cpus in use: share 1/4; consumption still the whole reservation.
    { name: 'half in use', tasks: { cpu: 1000 }, wantShare: 1 / 4, wantConsumed: { cpu: 2000, memory: 2 * GiB } },
    // 3 cpus, 1 beyond the reservation: share 3/4; consumption 3 cpus and the idle 2 GiB.
    { name: 'beyond it', tasks: { cpu: 3000 }, wantShare: 3 / 4, wantConsumed: { cpu: 3000, memory: 2 * GiB } },
  ])('the share counts what the role holds, quota its idle reservation too: $name', ({ tasks, wantShare, wantConsumed }) => {
    const a = setup({
      nodes: [node('n1', 4, 8, { reservations: [{ role: 'r', resources: { cpu: 2000, memory: 2 * GiB } }] })],
      frameworks: [
        { name: 'fx', role: 'x' },
        { name: 'fr', role: 'r' },
      ],
    });
    a.setAllocation('fr', 'n1', tasks);
    expect(a.roleStatus('r')!.share).toBeCloseTo(wantShare, 12);
    expect(a.roleStatus('r')!.consumed).toEqual(wantConsumed);
  });

  it('an idle reservation does not put its role behind a role that holds less', () => {
    // n1 (cordoned): 4 cpu, 3 of them reserved for r, idle; n2: 4 cpu, x runs 1 there.
    // Shares of 8 cpu: r 0 (idle reservations not counted), x 1/8 → n2's rest goes to r.
    // Counting the reservation would give r 3/8, and n2 to x.
    const a = setup({
      nodes: [node('n1', 4, 8, { unschedulable: true, reservations: [{ role: 'r', resources: { cpu: 3000 } }] }), node('n2', 4, 8)],
      frameworks: [
        { name: 'fx', role: 'x' },
        { name: 'fr', role: 'r' },
      ],
    });
    a.setAllocation('fx', 'n2', { cpu: 1000 });
    expect(a.roleStatus('r')!.share).toBe(0);
    expect(a.roleStatus('x')!.share).toBeCloseTo(1 / 8, 12);
    expect(placed(a.allocate(0))).toEqual(['n2->fr']);
  });
});

describe('task slots (pods)', () => {
  it.each([
    {
      name: 'every pod slot taken: no offer, though cpu and memory are free',
      external: { pods: 4 },
      taskSlotResources: undefined,
      wantOffers: [] as ResourceList[],
      wantRefusals: [{ node: 'n1', reason: 'BelowMinimum', resource: 'pods' }] as Refusal[],
    },
    {
      name: 'one slot left is enough',
      external: { pods: 3 },
      taskSlotResources: undefined,
      wantOffers: [{ cpu: 4000, memory: 8 * GiB, pods: 1 }],
      wantRefusals: [],
    },
    {
      name: 'the rule turned off',
      external: { pods: 4 },
      taskSlotResources: [],
      wantOffers: [{ cpu: 4000, memory: 8 * GiB }], // pods: 0
      wantRefusals: [],
    },
  ])('$name', ({ external, taskSlotResources, wantOffers, wantRefusals }) => {
    const a = setup({ taskSlotResources, nodes: [node('n1', 4, 8, { allocatable: { pods: 4 }, external })], frameworks: [{ name: 'f' }] });
    const r = a.allocate(0, { explain: true });
    expect(r.offers.map((o) => o.resources)).toEqual(wantOffers);
    expect(r.refusals).toEqual(wantRefusals);
  });

  it('a reserving role whose offer would hold no pod slot is passed over, with the reason', () => {
    // fo's tasks hold both pod slots: r's reservation (cpu only) cannot be used now.
    const a = setup({
      nodes: [node('n1', 4, 8, { allocatable: { pods: 2 }, reservations: [{ role: 'r', resources: { cpu: 2000 } }] })],
      frameworks: [
        { name: 'fr', role: 'r' },
        { name: 'fo', suppressed: true },
      ],
    });
    a.setAllocation('fo', 'n1', { cpu: 1000, pods: 2 });
    const r = a.allocate(0, { explain: true });
    expect(r.offers).toEqual([]);
    expect(refusalsOf(r, 'fr')).toEqual([{ node: 'n1', framework: 'fr', role: 'r', reason: 'BelowMinimum', resource: 'pods' }]);
  });
});

describe('node updates', () => {
  it.each([
    {
      name: 'two reservations for one role add up',
      reservations: [
        { role: 'r', resources: { cpu: 1000 } },
        { role: 'r', resources: { cpu: 1000, memory: GiB } },
      ],
      wantConsumed: { cpu: 2000, memory: GiB },
    },
    { name: 'reservations removed', reservations: [], wantConsumed: {} },
  ] as { name: string; reservations: Reservation[]; wantConsumed: ResourceList }[])('$name', ({ reservations, wantConsumed }) => {
    const a = setup({
      nodes: [node('n1', 4, 8, { reservations: [{ role: 'r', resources: { cpu: 3000 } }] })],
      frameworks: [{ name: 'fr', role: 'r' }],
    });
    a.upsertNode(node('n1', 4, 8, { reservations }));
    expect(a.roleStatus('r')!.consumed).toEqual(wantConsumed);
  });

  it('an identical update (informer resync) changes nothing', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    declineAll(a, a.allocate(0), 0, Infinity);
    a.upsertNode(node('n1', 4, 8));
    a.upsertFramework({ name: 'f' });
    expect(a.allocate(1000, { explain: true }).refusals).toEqual([
      { node: 'n1', framework: 'f', role: 'default', reason: 'Refused', until: Infinity },
    ]);
  });
});

describe('filters', () => {
  it.each([
    { name: 'blocked before the filter expires', at: 9_999, want: [] as string[] },
    { name: 'offered again once it expires', at: 10_000, want: ['n1->f'] },
  ])('refuseSeconds: $name', ({ at, want }) => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    declineAll(a, a.allocate(0), 0, 10);
    const r = a.allocate(at, { explain: true });
    expect(placed(r)).toEqual(want);
    if (want.length === 0)
      expect(refusalsOf(r, 'f')).toEqual([{ node: 'n1', framework: 'f', role: 'default', reason: 'Refused', until: 10_000 }]);
  });

  it('a filter is void once the node has more free than was declined', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }, { name: 'other', suppressed: true }] });
    a.setAllocation('other', 'n1', { cpu: 2000, memory: 4 * GiB });
    const r0 = a.allocate(0);
    expect(r0.offers[0]!.resources).toEqual({ cpu: 2000, memory: 4 * GiB });
    declineAll(a, r0, 0, 3600);
    expect(placed(a.allocate(1000))).toEqual([]);
    a.setAllocation('other', 'n1', { cpu: 1000, memory: 4 * GiB }); // a task of `other` ended
    const r2 = a.allocate(2000);
    expect(r2.offers.map((o) => o.resources)).toEqual([{ cpu: 3000, memory: 4 * GiB }]);
  });

  it('a filter still applies while the node has less free than was declined', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }, { name: 'other', suppressed: true }] });
    declineAll(a, a.allocate(0), 0, 3600);
    a.setAllocation('other', 'n1', { cpu: 1000 });
    expect(placed(a.allocate(1000))).toEqual([]);
  });

  it('a suppressed framework gets nothing', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f', suppressed: true }] });
    const r = a.allocate(0, { explain: true });
    expect(r.offers).toEqual([]);
    expect(refusalsOf(r, 'f')).toEqual([{ node: 'n1', framework: 'f', role: 'default', reason: 'Suppressed' }]);
  });

  it.each([
    { name: 'revive()', revive: (a: Allocator) => a.revive('f') },
    {
      name: 'suppressed → not suppressed',
      revive: (a: Allocator) => {
        a.upsertFramework({ name: 'f', suppressed: true });
        a.upsertFramework({ name: 'f', suppressed: false });
      },
    },
  ])('revive clears filters: $name', ({ revive }) => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    declineAll(a, a.allocate(0), 0, Infinity);
    expect(placed(a.allocate(1000))).toEqual([]);
    revive(a);
    expect(placed(a.allocate(2000))).toEqual(['n1->f']);
  });

  it.each([
    { name: 'below both defaults', free: { cpu: 5, memory: 16 * MiB }, min: undefined, want: [] as string[] },
    { name: 'enough memory alone', free: { cpu: 5, memory: 64 * MiB }, min: undefined, want: ['n1->f'] },
    { name: 'enough cpu alone', free: { cpu: 10, memory: 0 }, min: undefined, want: ['n1->f'] },
    { name: 'configured: needs both', free: { cpu: 500, memory: 16 * MiB }, min: [{ cpu: 100, memory: 32 * MiB }], want: [] },
    { name: 'disabled', free: { cpu: 1, memory: 0 }, min: [], want: ['n1->f'] },
  ])('min allocatable: $name', ({ free, min, want }) => {
    const a = setup({ minAllocatable: min, nodes: [{ name: 'n1', allocatable: free }], frameworks: [{ name: 'f' }] });
    const r = a.allocate(0, { explain: true });
    expect(placed(r)).toEqual(want);
    if (want.length === 0) expect(r.refusals).toEqual([{ node: 'n1', reason: 'BelowMinimum' }]);
  });

  it('offer constraints: node label selectors', () => {
    const a = new Allocator();
    a.upsertNode(node('hdd', 4, 8, { labels: { disk: 'hdd' } }));
    a.upsertNode(node('ssd', 4, 8, { labels: { disk: 'ssd' } }));
    a.upsertFramework({ name: 'f', constraints: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } });
    const r = a.allocate(0, { explain: true });
    expect(placed(r)).toEqual(['ssd->f']);
    expect(refusalsOf(r, 'f')).toEqual([{ node: 'hdd', framework: 'f', role: 'default', reason: 'Constraint', label: 'disk' }]);
  });

  it.each([
    {
      name: 'GPU node withheld from a framework without GPU_RESOURCES',
      scarce: undefined,
      caps: [],
      want: ['cpu->plain'],
      wantRefused: true,
    },
    {
      name: 'GPU node offered with GPU_RESOURCES',
      scarce: undefined,
      caps: ['GPU_RESOURCES'],
      want: ['gpu->plain', 'cpu->plain'],
      wantRefused: false,
    },
    { name: 'filtering off', scarce: [], caps: [], want: ['gpu->plain', 'cpu->plain'], wantRefused: false },
  ])('scarce resources: $name', ({ scarce, caps, want, wantRefused }) => {
    const a = setup({
      scarceResources: scarce,
      nodes: [node('gpu', 4, 8, { allocatable: { 'nvidia.com/gpu': 2 } }), node('cpu', 4, 8)],
      frameworks: [{ name: 'plain', capabilities: caps }],
    });
    const r = a.allocate(0, { explain: true });
    expect(placed(r)).toEqual(want);
    expect(refusalsOf(r, 'plain').some((x) => x.reason === 'GpuCapability' && x.node === 'gpu')).toBe(wantRefused);
  });
});

describe('rescinds', () => {
  it('an offer older than offerTimeout is rescinded as Expired', () => {
    const a = setup({ offerTimeoutMs: 10_000, nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    const id = a.allocate(0).offers[0]!.offerId;
    expect(a.allocate(9_999)).toEqual({ offers: [], rescinds: [] });
    expect(a.allocate(10_000).rescinds).toEqual([{ offerId: id, framework: 'f', node: 'n1', reason: 'Expired' }]);
    // Still held until the controller confirms: never offered twice.
    expect(a.allocate(10_001).offers).toEqual([]);
    a.removeOffer(id);
    expect(placed(a.allocate(10_002))).toEqual(['n1->f']);
  });

  it('the timeout of an offer published late counts from when it was published', () => {
    const a = setup({ offerTimeoutMs: 10_000, nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    const id = a.allocate(0).offers[0]!.offerId;
    // Its write waited 4 s for the client's rate limit: the framework still gets its 10 s.
    a.offerPublished(id, 4_000);
    expect(a.allocate(13_999).rescinds).toEqual([]);
    expect(a.allocate(14_000).rescinds).toEqual([{ offerId: id, framework: 'f', node: 'n1', reason: 'Expired' }]);
    // Never moved back.
    a.offerPublished(id, 1_000);
    expect(a.getOffer(id)?.createdAt).toBe(4_000);
  });

  it.each([
    { name: 'node removed', change: (a: Allocator) => a.removeNode('n1'), want: 'NodeGone' },
    { name: 'node cordoned', change: (a: Allocator) => a.upsertNode(node('n1', 4, 8, { unschedulable: true })), want: 'NodeUnschedulable' },
    { name: 'node not ready', change: (a: Allocator) => a.upsertNode(node('n1', 4, 8, { ready: false })), want: 'NodeNotReady' },
    { name: 'framework removed', change: (a: Allocator) => a.removeFramework('f'), want: 'FrameworkGone' },
    { name: 'framework suppressed', change: (a: Allocator) => a.suppress('f'), want: 'FrameworkSuppressed' },
    { name: 'node shrank', change: (a: Allocator) => a.upsertNode(node('n1', 2, 8)), want: 'NodeResourcesGone' },
    {
      name: 'another pod took the resources',
      change: (a: Allocator) => a.upsertNode(node('n1', 4, 8, { external: { cpu: 1000 } })),
      want: 'NodeResourcesGone',
    },
  ])('$name → $want', ({ change, want }) => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }] });
    const id = a.allocate(0).offers[0]!.offerId;
    change(a);
    expect(a.allocate(1000).rescinds).toEqual([{ offerId: id, framework: 'f', node: 'n1', reason: want }]);
  });
});

describe('never two outstanding offers of the same resource', () => {
  it('a node with an outstanding offer, whoever made it, gets no other until it is answered', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }, { name: 'g' }] });
    a.upsertOffer({ id: 'restored', framework: 'g', node: 'n1', resources: { cpu: 1000, memory: 2 * GiB }, createdAt: 0 });
    expect(a.allocate(0, { explain: true })).toEqual({ offers: [], rescinds: [], refusals: [{ node: 'n1', reason: 'OfferOutstanding' }] });
    a.decline('restored', 0, 3600);
    expect(a.allocate(1000).offers.map((o) => [o.framework, o.resources])).toEqual([['f', { cpu: 4000, memory: 8 * GiB }]]);
  });

  it.each([
    {
      name: 'accepted in part: the rest and the freed resources go out together',
      answer: { accept: { cpu: 1000, memory: GiB } } as { accept: ResourceList } | { decline: number },
      // f: max(1/4 cpu, 1/8 memory) = 1/4, g: 0 → g.
      want: [['g', { cpu: 3000, memory: 7 * GiB }]],
    },
    {
      name: 'declined: the whole node, once',
      answer: { decline: 3600 },
      want: [['g', { cpu: 4000, memory: 8 * GiB }]],
    },
  ])('resources freed on a node with an outstanding offer wait for its answer: $name', ({ answer, want }) => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'f' }, { name: 'g' }, { name: 'other', suppressed: true }] });
    a.setAllocation('other', 'n1', { cpu: 2000, memory: 4 * GiB });
    const r0 = a.allocate(0);
    expect(r0.offers.map((o) => [o.framework, o.resources])).toEqual([['f', { cpu: 2000, memory: 4 * GiB }]]);
    a.setAllocation('other', 'n1', {}); // other's task ended: 2 cpu, 4 GiB freed
    expect(a.allocate(1000).offers).toEqual([]);
    const id = r0.offers[0]!.offerId;
    if ('accept' in answer) a.accept(id, 2000, answer.accept);
    else a.decline(id, 2000, answer.decline);
    expect(a.allocate(3000).offers.map((o) => [o.framework, o.resources])).toEqual(want);
  });

  it('holds under a random sequence of operations', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const nodes = ['n0', 'n1', 'n2', 'n3'];
    const fws = ['a', 'b', 'c'];
    const a = new Allocator({ offerTimeoutMs: 5000 });
    a.upsertRole({ name: 'r1', guarantee: { cpu: 3000 }, limit: { cpu: 6000 } });
    for (const n of nodes)
      a.upsertNode(node(n, 4, 8, n === 'n3' ? { reservations: [{ role: 'r1', resources: { cpu: 1000, memory: GiB } }] } : {}));
    fws.forEach((f, i) => a.upsertFramework({ name: f, role: i === 0 ? 'r1' : 'r2' }));
    const tasks = new Map<string, ResourceList>(); // `${f}/${n}` → allocation
    for (let now = 0; now < 200_000; now += 1000) {
      const r = a.allocate(now);
      for (const x of r.rescinds) a.removeOffer(x.offerId);
      for (const o of r.offers) {
        const choice = rand(3);
        if (choice === 0) a.decline(o.offerId, now, rand(10));
        else if (choice === 1) {
          const key = `${o.framework}/${o.node}`;
          const prev = tasks.get(key) ?? {};
          const used = { cpu: Math.floor((o.resources.cpu ?? 0) / 2), memory: Math.floor((o.resources.memory ?? 0) / 2) };
          a.accept(o.offerId, now, used);
          tasks.set(key, { cpu: (prev.cpu ?? 0) + used.cpu, memory: (prev.memory ?? 0) + used.memory });
        } // else: left outstanding (may expire)
      }
      if (rand(5) === 0 && tasks.size > 0) {
        const key = [...tasks.keys()][rand(tasks.size)]!;
        const [f, n] = key.split('/') as [string, string];
        tasks.delete(key);
        a.setAllocation(f, n, {});
      }
      // Invariant: at most one outstanding offer per node.
      const offered = a.offers().map((o) => o.node);
      expect(new Set(offered).size).toBe(offered.length);
      // Invariant: per node, tasks + outstanding offers ≤ allocatable.
      for (const n of nodes) {
        let cpu = 0;
        let mem = 0;
        for (const [key, t] of tasks) {
          if (!key.endsWith(`/${n}`)) continue;
          cpu += t.cpu ?? 0;
          mem += t.memory ?? 0;
        }
        for (const o of a.offers()) {
          if (o.node !== n) continue;
          cpu += o.resources.cpu ?? 0;
          mem += o.resources.memory ?? 0;
        }
        expect(cpu).toBeLessThanOrEqual(4000);
        expect(mem).toBeLessThanOrEqual(8 * GiB);
      }
      // Invariant: role r1 never over its limit.
      expect(a.roleStatus('r1')!.consumed.cpu ?? 0).toBeLessThanOrEqual(6000);
    }
  });
});

describe('allocate(snapshot, now)', () => {
  it('runs one cycle over a plain snapshot, honouring offers and filters', async () => {
    const { allocate } = await import('./snapshot.ts');
    const r = allocate(
      {
        nodes: [node('n1', 4, 8), node('n2', 4, 8), node('n3', 4, 8)],
        frameworks: [{ name: 'a' }, { name: 'b' }],
        allocations: [{ framework: 'a', node: 'n1', resources: { cpu: 1000 } }],
        offers: [{ id: 'o1', framework: 'b', node: 'n1', resources: { cpu: 3000, memory: 8 * GiB }, createdAt: 0 }],
        filters: [{ framework: 'b', node: 'n2', resources: { cpu: 4000, memory: 8 * GiB }, until: Infinity }],
      },
      1000,
    );
    // n1: nothing left (a's task + b's offer). n2: b is filtered → a.
    // n3: a = max(5/12 cpu, 8/24 mem) = 5/12, b = max(3/12 cpu, 8/24 mem) = 1/3 → b
    expect(placed(r)).toEqual(['n2->a', 'n3->b']);
  });
});

describe('nominations (revocation frees a node for one framework)', () => {
  it('offers a nominated node only to its framework until it declines there or the nomination ends', () => {
    // w has the higher share (1 of 4 CPU on n2), yet n1 goes to it: n1 is nominated for w.
    const a = setup({ nodes: [node('n1', 4, 8), node('n2', 4, 8)], frameworks: [{ name: 'x' }, { name: 'w' }] });
    a.setAllocation('w', 'n2', { cpu: 1000 });
    a.nominate('n1', 'w', 10_000);
    const r1 = a.allocate(0, { explain: true });
    expect(placed(r1)).toEqual(['n1->w', 'n2->x']);
    expect(refusalsOf(r1, 'x')).toContainEqual({ node: 'n1', framework: 'x', role: 'default', reason: 'Nominated' });
    // w declines n1: the nomination ends, x may have it (even if nominated again with the same end).
    a.decline(r1.offers[0]!.offerId, 0, 10);
    a.nominate('n1', 'w', 10_000);
    expect(placed(a.allocate(1))).toEqual(['n1->x']);
  });

  it('ends at its time', () => {
    const a = setup({ nodes: [node('n1', 4, 8)], frameworks: [{ name: 'x' }, { name: 'w', suppressed: true }] });
    a.nominate('n1', 'w', 5_000);
    expect(placed(a.allocate(0))).toEqual([]);
    expect(placed(a.allocate(5_000))).toEqual(['n1->x']);
  });
});

describe("a framework's own minimum offer (Mesos's offer_filters.min_allocatable_resources)", () => {
  // n1 has 2 cpu, 4 GiB free; n2 has 8 cpu, 16 GiB. big wants offers of at least 4 cpu, or 8 GiB.
  const minOffer: ResourceList[] = [{ cpu: 4000 }, { memory: 8 * GiB }];
  const a = () => setup({ nodes: [node('n1', 2, 4), node('n2', 8, 16)], frameworks: [{ name: 'big' }, { name: 'small' }] });

  it('nodes whose free part is below each of its lists are not offered to it, and it says why', () => {
    const al = a();
    al.upsertFramework({ name: 'big', minOffer });
    const r = al.allocate(0, { explain: true });
    // By name big comes first at equal shares: it takes n2; n1 is too small for it and goes to small.
    expect(placed(r)).toEqual(['n1->small', 'n2->big']);
    expect(refusalsOf(r, 'big')).toEqual([
      { node: 'n1', framework: 'big', role: 'default', reason: 'BelowFrameworkMinimum', resource: 'cpu' },
    ]);
  });

  it('one list met in full is enough; without a minimum everything is offered as before', () => {
    const al = a();
    al.upsertFramework({ name: 'big', minOffer: [{ cpu: 4000, memory: 32 * GiB }, { memory: 4 * GiB }] });
    expect(placed(al.allocate(0))).toEqual(['n1->big', 'n2->small']);
    const plain = a();
    expect(placed(plain.allocate(0))).toEqual(['n1->big', 'n2->small']);
  });
});
