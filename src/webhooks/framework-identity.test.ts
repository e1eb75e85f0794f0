import { describe, expect, it } from 'vitest';
import {
  frameworkIdentityErrors,
  identityQuestions,
  roleErrors,
  rolesToCheck,
  type IdentityFacts,
  type IdentityReview,
  type RoleFacts,
} from './framework-identity.ts';

const NS = 'team-a';
const SA = (name: string) => `system:serviceaccount:${NS}:${name}`;
const fw = (spec: Record<string, unknown>, name = 'victim') => ({ metadata: { name }, spec });
const update = (username: string, old: Record<string, unknown>, now: Record<string, unknown>): IdentityReview => ({
  operation: 'UPDATE',
  namespace: NS,
  old: fw(old),
  framework: fw(now),
  writer: { username, privileged: false },
});
const create = (username: string, spec: Record<string, unknown>): IdentityReview => ({
  operation: 'CREATE',
  namespace: NS,
  framework: fw(spec),
  writer: { username, privileged: false },
});
const none: IdentityFacts = { mayImpersonate: [], frameworksOfWriter: [] };

describe('framework identity', () => {
  it.each([
    { name: 'create naming its own ServiceAccount', review: create(SA('a'), { serviceAccountName: 'a' }), facts: none, wantPaths: [] },
    { name: 'create naming no ServiceAccount', review: create('alice', {}), facts: none, wantPaths: [] },
    {
      name: "create naming another's ServiceAccount",
      review: create(SA('a'), { serviceAccountName: 'b' }),
      facts: none,
      wantPaths: ['spec.serviceAccountName'],
      want: /may not make framework "victim" run as ServiceAccount "b": name your own ServiceAccount, or get permission to impersonate "b"/,
    },
    {
      name: 'create by an identity that may impersonate it',
      review: create('ns-admin', { serviceAccountName: 'b' }),
      facts: { ...none, mayImpersonate: ['b'] },
      wantPaths: [],
    },
    {
      name: 'takeover: another framework sets the victim ServiceAccount to its own',
      review: update(SA('a'), { serviceAccountName: 'b' }, { serviceAccountName: 'a' }),
      facts: none,
      wantPaths: ['spec'],
      want: /may not change framework "victim": it runs as ServiceAccount "b" \(system:serviceaccount:team-a:b\)/,
    },
    {
      name: "suppressing another's framework",
      review: update(SA('a'), { serviceAccountName: 'b' }, { serviceAccountName: 'b', suppressed: true }),
      facts: none,
      wantPaths: ['spec'],
    },
    {
      name: 'its own ServiceAccount changes it',
      review: update(SA('b'), { serviceAccountName: 'b' }, { serviceAccountName: 'b', role: 'x' }),
      facts: none,
      wantPaths: [],
    },
    {
      name: 'a namespace admin hands it to another ServiceAccount',
      review: update('ns-admin', { serviceAccountName: 'b' }, { serviceAccountName: 'c' }),
      facts: { ...none, mayImpersonate: ['b', 'c'] },
      wantPaths: [],
    },
    {
      name: 'another framework claims a framework without a ServiceAccount',
      review: update(SA('a'), {}, { serviceAccountName: 'a' }),
      facts: { ...none, frameworksOfWriter: ['fw-a'] },
      wantPaths: ['spec'],
      want: /is the ServiceAccount of framework "fw-a" and may not change framework "victim"/,
    },
    {
      name: 'anyone RBAC allows changes a framework without a ServiceAccount',
      review: update('alice', {}, { role: 'x' }),
      facts: none,
      wantPaths: [],
    },
  ])('$name', ({ review, facts, wantPaths, want }) => {
    const errors = frameworkIdentityErrors(review, facts);
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    if (want) expect(errors[0]!.message).toMatch(want);
    for (const e of errors) expect(e.reason).toBe('Forbidden');
  });

  it('asks only the questions the rule reads', () => {
    expect(identityQuestions(create(SA('a'), { serviceAccountName: 'a' }))).toEqual({ impersonate: [], frameworksOfWriter: false });
    expect(identityQuestions(update(SA('a'), { serviceAccountName: 'b' }, { serviceAccountName: 'c' }))).toEqual({
      impersonate: ['b', 'c'],
      frameworksOfWriter: false,
    });
    expect(identityQuestions(update(SA('a'), {}, {}))).toEqual({ impersonate: [], frameworksOfWriter: true });
    expect(identityQuestions({ ...create('c', { serviceAccountName: 'x' }), writer: { username: 'c', privileged: true } })).toEqual({
      impersonate: [],
      frameworksOfWriter: false,
    });
  });
});

describe('role namespaceSelector', () => {
  it.each<{ name: string; role?: string; facts: RoleFacts; wantPaths: string[]; want?: RegExp }>([
    { name: 'no ResourceRole', facts: { of: 'gold', exists: false, namespaceLabels: {} }, wantPaths: [] },
    { name: 'no selector: every namespace', facts: { of: 'gold', exists: true, namespaceLabels: {} }, wantPaths: [] },
    {
      name: 'a matching namespace',
      facts: { of: 'gold', exists: true, selector: { matchLabels: { tenant: 'gold' } }, namespaceLabels: { tenant: 'gold' } },
      wantPaths: [],
    },
    {
      name: 'a namespace that does not match',
      facts: { of: 'gold', exists: true, selector: { matchLabels: { tenant: 'gold' } }, namespaceLabels: { tenant: 'free' } },
      wantPaths: ['spec.role'],
      want: /role "gold" may not be used in namespace "team-a": the ResourceRole's spec\.namespaceSelector does not match the namespace \(its label "tenant" is "free"\)/,
    },
    {
      name: 'a namespace without the label',
      facts: {
        of: 'gold',
        exists: true,
        selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-b'] }] },
        namespaceLabels: {},
      },
      wantPaths: ['spec.role'],
      want: /its label "kubernetes\.io\/metadata\.name" is not set/,
    },
    {
      name: "an ancestor's ResourceRole that does not match (the subrole would use its reservations and quota)",
      role: 'gold/batch',
      facts: { of: 'gold', exists: true, selector: { matchLabels: { tenant: 'gold' } }, namespaceLabels: { tenant: 'free' } },
      wantPaths: ['spec.role'],
      want: /role "gold\/batch" may not be used in namespace "team-a": the ResourceRole of its ancestor "gold" \(gold\): spec\.namespaceSelector does not match/,
    },
  ])('$name', ({ role, facts, wantPaths, want }) => {
    const errors = roleErrors(role ?? 'gold', NS, facts);
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    if (want) expect(errors[0]!.message).toMatch(want);
  });

  it('is checked on create and when the role changes', () => {
    expect(rolesToCheck(create('a', { role: 'gold' }))).toEqual([{ role: 'gold', path: 'spec.role' }]);
    expect(rolesToCheck(update('a', { role: 'gold' }, { role: 'gold', suppressed: true }))).toEqual([]);
    expect(rolesToCheck(update('a', { role: 'default' }, { role: 'gold' }))).toEqual([{ role: 'gold', path: 'spec.role' }]);
  });

  it('checks each of spec.roles by its index, on update only the roles added', () => {
    expect(rolesToCheck(create('a', { roles: ['free', 'gold'] }))).toEqual([
      { role: 'free', path: 'spec.roles[0]' },
      { role: 'gold', path: 'spec.roles[1]' },
    ]);
    expect(rolesToCheck(update('a', { role: 'free' }, { roles: ['free', 'gold'] }))).toEqual([{ role: 'gold', path: 'spec.roles[1]' }]);
    const facts: RoleFacts = { of: 'gold', exists: true, selector: { matchLabels: { tenant: 'gold' } }, namespaceLabels: {} };
    expect(roleErrors('gold', NS, facts, 'spec.roles[1]').map((e) => e.path)).toEqual(['spec.roles[1]']);
  });
});
