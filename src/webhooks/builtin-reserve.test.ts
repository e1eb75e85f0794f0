import { describe, expect, it } from 'vitest';
import { builtinReserveErrors, builtinReserveRoles, type BuiltinReserveReview } from './builtin-reserve.ts';

const fw = (spec: Record<string, unknown>) => ({ spec: { builtin: { tasks: 1 }, ...spec } });
const user = { username: 'system:serviceaccount:team-a:sched', privileged: false };

describe('builtinReserveRoles', () => {
  it.each<{ name: string; review: BuiltinReserveReview; want: string[] }>([
    {
      name: 'a create that reserves: every role, at its path',
      review: { operation: 'CREATE', framework: fw({ roles: ['a', 'b/c'], builtin: { reserve: true } }), writer: user },
      want: ['a@spec.roles[0]', 'b/c@spec.roles[1]'],
    },
    {
      name: 'a create that does not reserve: none',
      review: { operation: 'CREATE', framework: fw({ role: 'a' }), writer: user },
      want: [],
    },
    {
      name: 'reserve: false is not reserving',
      review: { operation: 'CREATE', framework: fw({ role: 'a', builtin: { reserve: false } }), writer: user },
      want: [],
    },
    {
      name: 'a privileged writer (the controller, an administrator): none',
      review: { operation: 'CREATE', framework: fw({ role: 'a', builtin: { reserve: true } }), writer: { ...user, privileged: true } },
      want: [],
    },
    {
      name: 'no role named: the default role',
      review: { operation: 'CREATE', framework: fw({ builtin: { reserve: true } }), writer: user },
      want: ['default@spec.role'],
    },
    {
      name: 'an update turning it on: every role',
      review: { operation: 'UPDATE', framework: fw({ role: 'a', builtin: { reserve: true } }), old: fw({ role: 'a' }), writer: user },
      want: ['a@spec.role'],
    },
    {
      name: 'an update of one that reserves already: only the roles it adds',
      review: {
        operation: 'UPDATE',
        framework: fw({ roles: ['a', 'b'], builtin: { reserve: true } }),
        old: fw({ roles: ['a'], builtin: { reserve: true } }),
        writer: user,
      },
      want: ['b@spec.roles[1]'],
    },
    {
      name: 'an update that changes nothing of it: none',
      review: {
        operation: 'UPDATE',
        framework: fw({ role: 'a', suppressed: true, builtin: { reserve: true } }),
        old: fw({ role: 'a', builtin: { reserve: true } }),
        writer: user,
      },
      want: [],
    },
  ])('$name', ({ review, want }) => {
    expect(builtinReserveRoles(review).map((x) => `${x.role}@${x.path}`)).toEqual(want);
  });
});

describe('builtinReserveErrors', () => {
  it('refuses each role the writer may not reserve for, at spec.builtin.reserve, naming the grant', () => {
    const errors = builtinReserveErrors(user.username, [
      { role: 'a', path: 'spec.roles[0]', decision: { allowed: true } },
      { role: 'eng/ml', path: 'spec.roles[1]', decision: { allowed: false } },
    ]);
    expect(errors).toEqual([
      {
        path: 'spec.builtin.reserve',
        reason: 'Forbidden',
        message:
          'user "system:serviceaccount:team-a:sched" may not reserve for role "eng/ml" (spec.roles[1]), so it may not make the built-in scheduler reserve for it (grant it the "reserve" verb on resourceroles "eng.ml" in group agora.dev)',
      },
    ]);
  });
});
