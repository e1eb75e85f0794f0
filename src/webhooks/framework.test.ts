import { describe, expect, it } from 'vitest';
import { frameworkDefaults, launchReviewNeeded, validateFramework, type FrameworkReview, type TemplateFacts } from './framework.ts';

const NS = 'team-a';
const main = { name: 'main', image: 'busybox' };
const template = (containers: unknown[] = [main], resources: unknown = { cpu: '500m', memory: '128Mi' }) => ({ resources, containers });
const framework = (spec: Record<string, unknown>) => ({
  apiVersion: 'agora.dev/v1alpha1',
  kind: 'Framework',
  metadata: { name: 'fw' },
  spec,
});
const user = { username: 'alice', privileged: false };
const okFacts: TemplateFacts = { allowPrivileged: false, canCreatePods: { allowed: true } };
const create = (spec: Record<string, unknown>, over: Partial<FrameworkReview> = {}): FrameworkReview => ({
  operation: 'CREATE',
  namespace: NS,
  framework: framework(spec),
  writer: user,
  facts: okFacts,
  ...over,
});

describe('validateFramework', () => {
  it.each([
    {
      name: 'an external framework',
      review: create({ role: 'eng/ml/training', serviceAccountName: 'sched', failoverTimeoutSeconds: 60 }),
      wantPaths: [],
      wantWarnings: [],
    },
    {
      name: 'a framework with its own minimum offer',
      review: create({ role: 'eng', offerFilters: [{ role: 'eng', minAllocatableResources: [{ cpu: '4' }, { memory: '16Gi' }] }] }),
      wantPaths: [],
      wantWarnings: [],
    },
    {
      name: 'a built-in framework',
      review: create({ builtin: { tasks: 3, tasksPerOffer: 2, template: template() } }),
      wantPaths: [],
      wantWarnings: [],
    },
    {
      name: 'a built-in framework with a failover timeout and too many tasks per offer',
      review: create({ failoverTimeoutSeconds: 30, builtin: { tasks: 1, tasksPerOffer: 4, template: template() } }),
      wantPaths: [],
      wantWarnings: [
        /failoverTimeoutSeconds is ignored for a built-in framework/,
        /tasksPerOffer \(4\) is more than spec\.builtin\.tasks \(1\)/,
      ],
    },
    {
      name: 'a privileged template by an administrator',
      review: create(
        { builtin: { tasks: 1, template: template([{ ...main, securityContext: { privileged: true } }]) } },
        { writer: { username: 'admin', privileged: true }, facts: undefined },
      ),
      wantPaths: [],
      wantWarnings: [],
    },
  ])('admits $name', ({ review, wantPaths, wantWarnings }) => {
    const { errors, warnings } = validateFramework(review);
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    expect(warnings).toHaveLength(wantWarnings.length);
    wantWarnings.forEach((w, i) => expect(warnings[i]).toMatch(w));
  });

  it.each([
    {
      name: 'a role that is not a DNS label',
      review: create({ role: 'Team_A' }),
      wantPaths: ['spec.role'],
      wantMessage: /must be lowercase DNS labels joined by "\/".* got "Team_A"/,
    },
    {
      name: "an offer filter for another role than the framework's",
      review: create({ role: 'eng/ml', offerFilters: [{ role: 'eng', minAllocatableResources: [{ cpu: '4' }] }] }),
      wantPaths: ['spec.offerFilters[0].role'],
      wantMessage: /must be the framework's role "eng\/ml" \(spec.role\), got "eng"/,
    },
    {
      name: 'an offer filter with a bad minimum',
      review: create({ offerFilters: [{ role: 'default', minAllocatableResources: [{ cpu: '4' }, { memory: '0' }] }] }),
      wantPaths: ['spec.offerFilters[0].minAllocatableResources[1].memory'],
      wantMessage: /must be positive/,
    },
    {
      name: 'an offer filter without a minimum',
      review: create({ offerFilters: [{ role: 'default', minAllocatableResources: [] }] }),
      wantPaths: ['spec.offerFilters[0].minAllocatableResources'],
      wantMessage: /must list at least one set of resources/,
    },
    {
      name: 'spec.role together with spec.roles',
      review: create({ role: 'a', roles: ['a', 'b'] }),
      wantPaths: ['spec.roles'],
      wantMessage: /spec.role and spec.roles are mutually exclusive/,
    },
    {
      name: 'a duplicate in spec.roles',
      review: create({ roles: ['a', 'b', 'a'] }),
      wantPaths: ['spec.roles[2]'],
      wantMessage: /duplicate role "a"/,
    },
    {
      name: 'a bad role in spec.roles',
      review: create({ roles: ['a', 'B'] }),
      wantPaths: ['spec.roles[1]'],
      wantMessage: /must be lowercase DNS labels joined by "\/".* got "B"/,
    },
    {
      name: 'a suppressed role the framework is not in',
      review: create({ roles: ['a', 'b'], suppressedRoles: ['c'] }),
      wantPaths: ['spec.suppressedRoles[0]'],
      wantMessage: /must be one of the framework's roles \("a", "b"\), got "c"/,
    },
    {
      name: 'an offer filter for a role not in spec.roles',
      review: create({ roles: ['a', 'b'], offerFilters: [{ role: 'c', minAllocatableResources: [{ cpu: '4' }] }] }),
      wantPaths: ['spec.offerFilters[0].role'],
      wantMessage: /must be one of the framework's roles "a", "b" \(spec.roles\), got "c"/,
    },
    {
      name: 'a nested role with an empty segment',
      review: create({ role: 'eng//ml' }),
      wantPaths: ['spec.role'],
      wantMessage: /must be lowercase DNS labels joined by "\/", at most 253 characters .*"eng\/ml\/training"\), got "eng\/\/ml"/,
    },
    {
      name: 'a fractional failover timeout',
      review: create({ failoverTimeoutSeconds: 1.5 }),
      wantPaths: ['spec.failoverTimeoutSeconds'],
      wantMessage: /a whole number of seconds from 0 to 31536000, got 1\.5/,
    },
    {
      name: 'a negative refuse time',
      review: create({ defaultRefuseSeconds: -1 }),
      wantPaths: ['spec.defaultRefuseSeconds'],
      wantMessage: /a number of seconds from 0/,
    },
    {
      name: 'a bad ServiceAccount name',
      review: create({ serviceAccountName: 'Sched A' }),
      wantPaths: ['spec.serviceAccountName'],
      wantMessage: /ServiceAccount name in namespace "team-a"/,
    },
    {
      name: 'tasks without a template',
      review: create({ builtin: { tasks: 2 } }),
      wantPaths: ['spec.builtin.template'],
      wantMessage: /is required when spec\.builtin\.tasks > 0 \(it is 2\)/,
    },
    {
      name: 'zero tasks per offer',
      review: create({ builtin: { tasks: 1, tasksPerOffer: 0, template: template() } }),
      wantPaths: ['spec.builtin.tasksPerOffer'],
      wantMessage: /whole number from 1 to 256, got 0/,
    },
    {
      name: 'more tasks per offer than an accept holds',
      review: create({ builtin: { tasks: 1, tasksPerOffer: 257, template: template() } }),
      wantPaths: ['spec.builtin.tasksPerOffer'],
      wantMessage: /whole number from 1 to 256, got 257/,
    },
    {
      name: 'a template with zero memory',
      review: create({ builtin: { tasks: 1, template: template([main], { cpu: '1', memory: '0' }) } }),
      wantPaths: ['spec.builtin.template.resources.memory'],
      wantMessage: /must be positive/,
    },
    {
      name: 'a template with a privileged container',
      review: create({ builtin: { tasks: 1, template: template([{ ...main, securityContext: { privileged: true } }]) } }),
      wantPaths: ['spec.builtin.template.containers[0].securityContext.privileged'],
      wantMessage: /privileged containers are not allowed in namespace "team-a"/,
    },
    {
      name: 'a template whose annotation makes the container Unconfined (AppArmor)',
      review: create({
        builtin: {
          tasks: 1,
          template: { ...template(), annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' } },
        },
      }),
      wantPaths: ['spec.builtin.template.annotations[container.apparmor.security.beta.kubernetes.io/main]'],
      wantMessage: /the AppArmor profile unconfined is not allowed/,
    },
    {
      name: 'a template with resizePolicy as an object, even by an administrator',
      review: create(
        { builtin: { tasks: 1, template: template([{ ...main, resizePolicy: { resourceName: 'cpu' } }]) } },
        { writer: { username: 'admin', privileged: true }, facts: undefined },
      ),
      wantPaths: ['spec.builtin.template.containers[0].resizePolicy'],
      wantMessage: /must be a list, got an object/,
    },
    {
      name: 'a scale-up by a user who may not create pods',
      review: {
        ...create(
          { builtin: { tasks: 12, template: template() } },
          { facts: { allowPrivileged: false, canCreatePods: { allowed: false } } },
        ),
        operation: 'UPDATE' as const,
        old: framework({ builtin: { tasks: 1, template: template() } }),
      },
      wantPaths: ['spec.builtin.template'],
      wantMessage: /user "alice" may not create pods/,
    },
    {
      name: 'a template by a user who may not create pods',
      review: create(
        { builtin: { tasks: 1, template: template() } },
        { facts: { allowPrivileged: false, canCreatePods: { allowed: false } } },
      ),
      wantPaths: ['spec.builtin.template'],
      wantMessage: /user "alice" may not create pods in namespace "team-a", so it may not give the built-in scheduler a task template/,
    },
  ])('rejects $name', ({ review, wantPaths, wantMessage }) => {
    const { errors } = validateFramework(review);
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    expect(errors[0]!.message).toMatch(wantMessage);
  });
});

describe('launchReviewNeeded', () => {
  const spec = { builtin: { tasks: 1, template: template() } };
  it.each([
    { name: 'create with a template', review: create(spec), want: true },
    { name: 'create without a template', review: create({ role: 'a' }), want: false },
    { name: 'create by the controller', review: create(spec, { writer: { username: 'c', privileged: true } }), want: false },
    {
      name: 'update that scales up',
      review: { ...create({ builtin: { ...spec.builtin, tasks: 5 } }), operation: 'UPDATE' as const, old: framework(spec) },
      want: true,
    },
    {
      name: 'update that scales down',
      review: { ...create(spec), operation: 'UPDATE' as const, old: framework({ builtin: { ...spec.builtin, tasks: 5 } }) },
      want: false,
    },
    {
      name: 'update that allows more retries',
      review: { ...create({ builtin: { ...spec.builtin, maxRetries: 9 } }), operation: 'UPDATE' as const, old: framework(spec) },
      want: true,
    },
    {
      name: 'update that replaces failed tasks (restartPolicy Never to OnFailure)',
      review: {
        ...create({ builtin: { ...spec.builtin, restartPolicy: 'OnFailure' } }),
        operation: 'UPDATE' as const,
        old: framework({ builtin: { ...spec.builtin, restartPolicy: 'Never' } }),
      },
      want: true,
    },
    {
      name: 'update that drops restartPolicy Never (the default is OnFailure)',
      review: { ...create(spec), operation: 'UPDATE' as const, old: framework({ builtin: { ...spec.builtin, restartPolicy: 'Never' } }) },
      want: true,
    },
    {
      name: 'update that stops replacing failed tasks',
      review: { ...create({ builtin: { ...spec.builtin, restartPolicy: 'Never' } }), operation: 'UPDATE' as const, old: framework(spec) },
      want: false,
    },
    {
      name: 'update that ends suppression',
      review: { ...create(spec), operation: 'UPDATE' as const, old: framework({ ...spec, suppressed: true }) },
      want: true,
    },
    {
      name: 'update that suppresses',
      review: { ...create({ ...spec, suppressed: true }), operation: 'UPDATE' as const, old: framework(spec) },
      want: false,
    },
    {
      name: 'update that adds a built-in scheduler',
      review: { ...create(spec), operation: 'UPDATE' as const, old: framework({ role: 'a' }) },
      want: true,
    },
    {
      name: 'update that changes the image',
      review: {
        ...create({ builtin: { tasks: 1, template: template([{ ...main, image: 'evil' }]) } }),
        operation: 'UPDATE' as const,
        old: framework(spec),
      },
      want: true,
    },
    {
      name: 'update that changes the ServiceAccount',
      review: { ...create({ ...spec, serviceAccountName: 'admin' }), operation: 'UPDATE' as const, old: framework(spec) },
      want: true,
    },
  ])('$name', ({ review, want }) => {
    expect(launchReviewNeeded(review)).toBe(want);
  });
});

describe('frameworkDefaults', () => {
  it.each([
    {
      name: 'an empty spec',
      spec: {},
      want: [
        { op: 'add', path: '/spec/role', value: 'default' },
        { op: 'add', path: '/spec/defaultRefuseSeconds', value: 5 },
      ],
    },
    {
      name: 'a built-in framework inherits its refuse time',
      spec: { role: 'a', defaultRefuseSeconds: 30, builtin: { tasks: 1 } },
      want: [
        { op: 'add', path: '/spec/builtin/tasksPerOffer', value: 1 },
        { op: 'add', path: '/spec/builtin/refuseSeconds', value: 30 },
      ],
    },
    { name: 'a complete spec', spec: { role: 'a', defaultRefuseSeconds: 1, builtin: { tasksPerOffer: 2, refuseSeconds: 0 } }, want: [] },
    {
      name: 'a multi-role framework gets no spec.role (the two are exclusive)',
      spec: { roles: ['a', 'b'], defaultRefuseSeconds: 1 },
      want: [],
    },
  ])('$name', ({ spec, want }) => {
    expect(frameworkDefaults(framework(spec))).toEqual(want);
  });
});
