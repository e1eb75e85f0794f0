import { describe, expect, it } from 'vitest';
import { fairShares, type RevocationFramework, type RevocationRole } from './fair-share.ts';

// The fair allocation over a role tree. One node of 12 CPU, tasks of 1 CPU and 1 GiB (CPU is
// every framework's dominant resource), every framework wanting more than the node holds.
const GiB = 2 ** 30;
const NODE = { name: 'n1', capacity: { cpu: 12_000, memory: 1000 * GiB }, free: { cpu: 12_000, memory: 1000 * GiB } };
const hungry = (name: string, role: string): RevocationFramework => ({
  name,
  role,
  demand: [{ resources: { cpu: 1000, memory: GiB }, count: 100 }],
});

describe('fair shares over nested roles', () => {
  it.each<{ name: string; roles?: RevocationRole[]; frameworks: RevocationFramework[]; wantTasks: Record<string, number> }>([
    {
      // eng and ops split 12 as siblings, 6 and 6; eng's 6 split between its children, 3 and 3.
      // (Flat, the three frameworks would get 4 each.)
      name: "a subtree's share among its siblings",
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 3, b: 3, o: 6 },
    },
    {
      // eng/a weighs 2 against eng/b's 1 inside eng's 6: 4 and 2; ops 6.
      name: 'weights among siblings',
      roles: [{ name: 'eng/a', weight: 2 }],
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 4, b: 2, o: 6 },
    },
    {
      // eng weighs 2 against ops: 8 and 4; inside eng 4 and 4.
      name: "a parent's weight among the top-level roles",
      roles: [{ name: 'eng', weight: 2 }],
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 4, b: 4, o: 4 },
    },
    {
      // eng's limit of 4 CPU bounds its whole subtree: 2 and 2; ops takes the other 8.
      name: "a parent's limit",
      roles: [{ name: 'eng', limit: { cpu: 4000 } }],
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 2, b: 2, o: 8 },
    },
    {
      // eng's guarantee of 9 CPU is filled first inside its subtree (a before b on ties: 5 and
      // 4); ops then gets the 3 left.
      name: "a parent's guarantee",
      roles: [{ name: 'eng', guarantee: { cpu: 9000 } }],
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 5, b: 4, o: 3 },
    },
    {
      // eng/a's guarantee of 6 first; eng (6 of 12) then waits while ops rises to 6: b gets nothing.
      name: "a child's guarantee counts in its parent's share",
      roles: [{ name: 'eng/a', guarantee: { cpu: 6000 } }],
      frameworks: [hungry('a', 'eng/a'), hungry('b', 'eng/b'), hungry('o', 'ops')],
      wantTasks: { a: 6, b: 0, o: 6 },
    },
    {
      // eng's own framework e is one more child of eng, of weight 1, beside eng/a: 3 and 3 of eng's 6.
      name: "a role's own frameworks beside its children",
      frameworks: [hungry('e', 'eng'), hungry('a', 'eng/a'), hungry('o', 'ops')],
      wantTasks: { e: 3, a: 3, o: 6 },
    },
    {
      // eng's own weight (3) counts among the top-level roles only: eng 9, ops 3; inside eng its
      // own framework (weight 1) and eng/a (weight 1) split 9 as 5 and 4 (its own first on ties).
      name: "a role's weight is not its own frameworks' weight among its children",
      roles: [{ name: 'eng', weight: 3 }],
      frameworks: [hungry('e', 'eng'), hungry('a', 'eng/a'), hungry('o', 'ops')],
      wantTasks: { e: 5, a: 4, o: 3 },
    },
  ])('$name', ({ roles, frameworks, wantTasks }) => {
    const got = fairShares({ nodes: [NODE], roles, frameworks, tasks: [] });
    expect(Object.fromEntries(got.map((s) => [s.framework, s.fairTasks]))).toEqual(wantTasks);
  });

  it('counts what runs: a hoarder in one subtree is fair at its subtree’s half', () => {
    // a (eng/a) runs 10 of 12; o (ops) arrives wanting 12: eng 6 (a keeps 6 of its 10), ops 6.
    const running = Array.from({ length: 10 }, (_, i) => ({
      id: `a-${i}`,
      framework: 'a',
      node: 'n1',
      resources: { cpu: 1000, memory: GiB },
      startedAt: i,
    }));
    const got = fairShares({ nodes: [NODE], frameworks: [{ name: 'a', role: 'eng/a' }, hungry('o', 'ops')], tasks: running });
    expect(got.map((s) => [s.framework, s.running, s.fairTasks])).toEqual([
      ['a', 10, 6],
      ['o', 0, 6],
    ]);
  });
});
