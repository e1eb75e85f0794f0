import { describe, expect, it } from 'vitest';
import { decodeReview, encodeReview, toResponse, type AdmissionRequest } from './admission.ts';
import { child, formatErrors } from './field-errors.ts';
import { createHandlers, WEBHOOK_PATHS, type AdmissionLookups } from './handlers.ts';

const NS = 'team-a';
const SA_A = 'system:serviceaccount:team-a:sched-a';

/** An in-memory AdmissionLookups that records which lookups a handler made. */
function fakeLookups(over: Partial<AdmissionLookups> = {}) {
  const calls: string[] = [];
  const lookups: AdmissionLookups = {
    getFramework: async (_ns, name) => (
      calls.push('getFramework'),
      name === 'fw-a' ? { name, serviceAccountName: 'sched-a' } : name === 'fw-open' ? { name } : undefined
    ),
    frameworksOfServiceAccount: async (_ns, sa) => (calls.push('frameworksOfServiceAccount'), sa === 'sched-a' ? ['fw-a'] : []),
    namespaceLabels: async () => (calls.push('namespaceLabels'), {}),
    canCreatePods: async () => (calls.push('canCreatePods'), { allowed: true }),
    canUseRole: async (_user, verb) => (calls.push(`canUseRole:${verb}`), { allowed: verb === 'reserve' }),
    existingTasks: async () => (calls.push('existingTasks'), []),
    canImpersonateServiceAccount: async () => (calls.push('canImpersonateServiceAccount'), { allowed: false }),
    roleNamespaceSelector: async () => (calls.push('roleNamespaceSelector'), { exists: false }),
    priorityClassValue: async (name) => (calls.push(`priorityClassValue:${name}`), name === 'batch-low' ? -10 : undefined),
    roleGuarantees: async () => (
      calls.push('roleGuarantees'),
      new Map([
        ['eng', { cpu: 4000 }],
        ['eng/b', { cpu: 2000 }],
      ])
    ),
    ...over,
  };
  return { lookups, calls };
}

const handlersWith = (lookups: AdmissionLookups) =>
  createHandlers({
    lookups,
    privileged: { usernames: ['controller'], groups: ['system:masters'] },
    clock: { now: () => Date.parse('2030-01-01T00:00:00Z') },
  });

const offer = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Offer',
  metadata: { name: 'o1', namespace: NS },
  spec: { framework: 'fw-a', nodeName: 'n1', resources: { cpu: '2' }, ...spec },
  status: { phase: 'Outstanding' },
});
const task = { name: 't1', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] };

const request = (over: Partial<AdmissionRequest>): AdmissionRequest => ({
  uid: 'u1',
  kind: { group: 'agora.dev', version: 'v1alpha1', kind: 'Offer' },
  resource: { group: 'agora.dev', version: 'v1alpha1', resource: 'offers' },
  namespace: NS,
  operation: 'UPDATE',
  userInfo: { username: SA_A, groups: ['system:serviceaccounts'] },
  oldObject: offer(),
  object: offer({ accept: { tasks: [task] } }),
  ...over,
});

describe('offer handler', () => {
  it.each([
    {
      name: 'an accept by a framework fetches identity, namespace, SAR and tasks',
      req: request({}),
      wantCalls: ['canCreatePods', 'existingTasks', 'getFramework', 'namespaceLabels'],
      wantAllowed: true,
    },
    {
      name: 'a decline needs no SAR and no task lookup',
      req: request({ object: offer({ decline: {} }) }),
      wantCalls: ['getFramework'],
      wantAllowed: true,
    },
    {
      name: "an answer for a framework without a ServiceAccount checks the writer is no other framework's",
      req: request({ object: offer({ framework: 'fw-open', decline: {} }), oldObject: offer({ framework: 'fw-open' }) }),
      wantCalls: ['frameworksOfServiceAccount', 'getFramework'],
      wantAllowed: false,
    },
    {
      name: 'an accept by the controller only checks task names',
      req: request({ userInfo: { username: 'controller' } }),
      wantCalls: ['existingTasks'],
      wantAllowed: true,
    },
    {
      name: 'an administrator (system:masters) is the controller',
      req: request({ userInfo: { username: 'kubernetes-admin', groups: ['system:masters'] } }),
      wantCalls: ['existingTasks'],
      wantAllowed: true,
    },
    {
      name: 'an update without an answer fetches nothing',
      req: request({ object: { ...offer(), metadata: { name: 'o1', labels: { a: 'b' } } } }),
      wantCalls: [],
      wantAllowed: true,
    },
    { name: 'a status write by a framework is refused', req: request({ subResource: 'status' }), wantCalls: [], wantAllowed: false },
    { name: 'a delete is not reviewed', req: request({ operation: 'DELETE' }), wantCalls: [], wantAllowed: true },
  ])('$name', async ({ req, wantCalls, wantAllowed }) => {
    const { lookups, calls } = fakeLookups();
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.offers]!(req);
    expect([...calls].sort()).toEqual(wantCalls);
    expect(verdict.errors.length === 0).toBe(wantAllowed);
  });

  it('denies when a lookup fails instead of guessing', async () => {
    const { lookups } = fakeLookups({
      canCreatePods: async () => {
        throw new Error('connection refused');
      },
    });
    await expect(handlersWith(lookups)[WEBHOOK_PATHS.offers]!(request({}))).rejects.toThrow(/connection refused/);
  });
});

describe('framework handler', () => {
  const fw = (spec: Record<string, unknown>) => ({ apiVersion: 'agora.dev/v1alpha1', kind: 'Framework', metadata: { name: 'fw-b' }, spec });
  const frameworkRequest = (over: Partial<AdmissionRequest>) =>
    request({
      kind: { group: 'agora.dev', version: 'v1alpha1', kind: 'Framework' },
      resource: { group: 'agora.dev', version: 'v1alpha1', resource: 'frameworks' },
      ...over,
    });

  it.each([
    {
      name: "a takeover asks whether the writer may impersonate the framework's ServiceAccount, and is denied",
      req: frameworkRequest({
        oldObject: fw({ serviceAccountName: 'sched-b', role: 'default' }),
        object: fw({ serviceAccountName: 'sched-a', role: 'default' }),
      }),
      wantCalls: ['canImpersonateServiceAccount'],
      wantPaths: ['spec'],
    },
    {
      name: 'a role change reads the role and the namespace; a role limited elsewhere is denied',
      req: frameworkRequest({
        oldObject: fw({ serviceAccountName: 'sched-a', role: 'default' }),
        object: fw({ serviceAccountName: 'sched-a', role: 'gold' }),
      }),
      lookups: { roleNamespaceSelector: async () => ({ exists: true, selector: { matchLabels: { tier: 'gold' } } }) },
      wantCalls: ['namespaceLabels'],
      wantPaths: ['spec.role'],
    },
    {
      name: 'turning spec.builtin.reserve on asks whether the writer may reserve for the role, and is allowed',
      req: frameworkRequest({
        oldObject: fw({ serviceAccountName: 'sched-a', role: 'db', builtin: { tasks: 0 } }),
        object: fw({ serviceAccountName: 'sched-a', role: 'db', builtin: { tasks: 0, reserve: true } }),
      }),
      wantCalls: ['canUseRole:reserve'],
      wantPaths: [],
    },
    {
      name: 'a writer without the reserve verb may not turn spec.builtin.reserve on',
      req: frameworkRequest({
        oldObject: fw({ serviceAccountName: 'sched-a', role: 'db', builtin: { tasks: 0 } }),
        object: fw({ serviceAccountName: 'sched-a', role: 'db', builtin: { tasks: 0, reserve: true } }),
      }),
      lookups: { canUseRole: async () => ({ allowed: false }) },
      wantCalls: [],
      wantPaths: ['spec.builtin.reserve'],
    },
    {
      name: 'its own ServiceAccount suppressing it needs no lookup',
      req: frameworkRequest({
        oldObject: fw({ serviceAccountName: 'sched-a', role: 'default' }),
        object: fw({ serviceAccountName: 'sched-a', role: 'default', suppressed: true }),
      }),
      wantCalls: [],
      wantPaths: [],
    },
  ])('$name', async ({ req, lookups: over, wantCalls, wantPaths }) => {
    const { lookups, calls } = fakeLookups(over);
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.frameworks]!(req);
    expect(calls.filter((c) => c !== 'roleNamespaceSelector').sort()).toEqual(wantCalls);
    expect(verdict.errors.map((e) => e.path)).toEqual(wantPaths);
  });
});

describe('framework defaults handler', () => {
  it('returns a JSON patch the response carries base64-encoded', async () => {
    const { lookups } = fakeLookups();
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.frameworkDefaults]!(
      request({ operation: 'CREATE', object: { spec: { builtin: { tasks: 1 } } }, oldObject: undefined }),
    );
    const res = toResponse('u1', verdict);
    expect(res).toMatchObject({ uid: 'u1', allowed: true, patchType: 'JSONPatch' });
    expect(JSON.parse(Buffer.from(res.patch!, 'base64').toString())).toEqual([
      { op: 'add', path: '/spec/role', value: 'default' },
      { op: 'add', path: '/spec/defaultRefuseSeconds', value: 5 },
      { op: 'add', path: '/spec/builtin/tasksPerOffer', value: 1 },
      { op: 'add', path: '/spec/builtin/refuseSeconds', value: 5 },
    ]);
  });

  it("fills spec.priority from the PriorityClass's value when only the class is given", async () => {
    const { lookups, calls } = fakeLookups();
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.frameworkDefaults]!(
      request({
        operation: 'CREATE',
        object: { spec: { role: 'r', defaultRefuseSeconds: 5, priorityClassName: 'batch-low' } },
        oldObject: undefined,
      }),
    );
    expect(calls).toEqual(['priorityClassValue:batch-low']);
    expect(verdict.patch).toEqual([{ op: 'add', path: '/spec/priority', value: -10 }]);
  });

  it('refuses, at the Framework, a PriorityClass that does not exist', async () => {
    const { lookups } = fakeLookups();
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.frameworks]!(
      request({
        operation: 'CREATE',
        object: { metadata: { name: 'f' }, spec: { role: 'r', priorityClassName: 'missing' } },
        oldObject: undefined,
      }),
    );
    expect(verdict.errors.map((e) => e.path)).toEqual(['spec.priorityClassName']);
  });
});

describe('AdmissionReview encoding', () => {
  it.each([
    { name: 'an invalid value is 422', errors: [{ path: 'spec.a', message: 'bad' }], wantCode: 422, wantMessage: 'spec.a: bad' },
    {
      name: 'any forbidden error makes it 403',
      errors: [
        { path: 'spec.a', message: 'bad' },
        { path: 'spec.b', message: 'not you', reason: 'Forbidden' as const },
      ],
      wantCode: 403,
      wantMessage: 'spec.a: bad; spec.b: not you',
    },
  ])('$name', ({ errors, wantCode, wantMessage }) => {
    expect(toResponse('u', { errors }).status).toMatchObject({ code: wantCode, message: wantMessage });
  });

  it('keeps a rejection to one line, counting what it leaves out', () => {
    const errors = Array.from({ length: 8 }, (_, i) => ({ path: `spec.x[${i}]`, message: 'two\nlines' }));
    expect(formatErrors(errors)).toBe(
      'spec.x[0]: two lines; spec.x[1]: two lines; spec.x[2]: two lines; spec.x[3]: two lines; spec.x[4]: two lines (and 3 more)',
    );
  });

  it('round-trips a review and refuses anything else', () => {
    const req = request({});
    expect(decodeReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req })).toEqual(req);
    expect(() => decodeReview({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: req })).toThrow(
      /expected an admission\.k8s\.io\/v1 AdmissionReview/,
    );
    expect(encodeReview({ uid: 'u', allowed: true })).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u', allowed: true },
    });
  });

  it.each([
    { base: 'spec.resources', key: 'cpu', want: 'spec.resources.cpu' },
    { base: 'spec.resources', key: 'ephemeral-storage', want: 'spec.resources.ephemeral-storage' },
    { base: 'spec.resources', key: 'nvidia.com/gpu', want: 'spec.resources[nvidia.com/gpu]' },
    { base: 'spec.tasks', key: 2, want: 'spec.tasks[2]' },
  ])('paths: $want', ({ base, key, want }) => {
    expect(child(base, key)).toBe(want);
  });
});

describe('resource role handler', () => {
  const role = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'agora.dev/v1alpha1',
    kind: 'ResourceRole',
    metadata: { name },
    spec,
  });
  const roleRequest = (object: unknown): AdmissionRequest =>
    request({
      kind: { group: 'agora.dev', version: 'v1alpha1', kind: 'ResourceRole' },
      resource: { group: 'agora.dev', version: 'v1alpha1', resource: 'resourceroles' },
      namespace: undefined,
      operation: 'CREATE',
      oldObject: undefined,
      object,
    });

  it.each([
    // eng guarantees 4 cpu, eng/b 2 of them (the fake lookups): eng.a may take the other 2.
    { name: 'a child within its parent', object: role('eng.a', { guarantee: { cpu: '2' } }), wantPaths: [], wantCalls: ['roleGuarantees'] },
    {
      name: 'a child over its parent',
      object: role('eng.a', { guarantee: { cpu: '3' } }),
      wantPaths: ['spec.guarantee.cpu'],
      wantCalls: ['roleGuarantees'],
    },
    {
      name: 'a parent below its children',
      object: role('eng', { guarantee: { cpu: '1' } }),
      wantPaths: ['spec.guarantee.cpu'],
      wantCalls: ['roleGuarantees'],
    },
    { name: 'no guarantee: nothing to look up', object: role('eng.a', { weight: 2 }), wantPaths: [], wantCalls: [] },
  ])('$name', async ({ object, wantPaths, wantCalls }) => {
    const { lookups, calls } = fakeLookups();
    const verdict = await handlersWith(lookups)[WEBHOOK_PATHS.resourceRoles]!(roleRequest(object));
    expect(verdict.errors.map((e) => e.path)).toEqual(wantPaths);
    expect(calls).toEqual(wantCalls);
  });
});
