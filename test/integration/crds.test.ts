// The CRDs are the first line of validation: the real API server rejects malformed objects with
// messages that name the field.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, GROUP, VERSION } from '../../src/api/index.ts';
import { custom, rejection, useNamespace } from './support/kube.ts';

const ns = useNamespace('crds');

const container = { name: 'main', image: 'busybox' };
const framework = (spec: unknown) => ({ apiVersion: API_VERSION, kind: 'Framework', metadata: { generateName: 'fw-' }, spec });
const offerSpec = { framework: 'fw', nodeName: 'agora-node-1', resources: { cpu: '2', memory: '4Gi' } };
const offer = (spec: unknown) => ({ apiVersion: API_VERSION, kind: 'Offer', metadata: { generateName: 'offer-' }, spec });
const task = { name: 't1', resources: { cpu: '1' }, containers: [container] };

const create = (plural: string, body: object) =>
  custom().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural, body });

describe('CRD schemas reject bad objects, naming the field', () => {
  it.each([
    {
      name: 'framework without spec',
      plural: 'frameworks',
      body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { generateName: 'fw-' } },
      want: /spec: Required value/,
    },
    {
      name: 'role that is not a DNS label',
      plural: 'frameworks',
      body: framework({ role: 'Bad_Role' }),
      want: /spec\.role: Invalid value/,
    },
    {
      name: 'nested role with an empty segment',
      plural: 'frameworks',
      body: framework({ role: 'eng//ml' }),
      want: /spec\.role: Invalid value: "eng\/\/ml"/,
    },
    {
      name: "offer filter for another role than the framework's",
      plural: 'frameworks',
      body: framework({ role: 'eng/ml', offerFilters: [{ role: 'eng', minAllocatableResources: [{ cpu: '4' }] }] }),
      want: /spec\.offerFilters: Invalid value.*must be one of the framework's roles/,
    },
    {
      name: 'framework with both spec.role and spec.roles',
      plural: 'frameworks',
      body: framework({ role: 'a', roles: ['a', 'b'] }),
      want: /spec\.roles: Invalid value.*spec\.role and spec\.roles are mutually exclusive/,
    },
    {
      name: 'framework listing a role twice',
      plural: 'frameworks',
      body: framework({ roles: ['a', 'b', 'a'] }),
      want: /spec\.roles\[2\]: Duplicate value: "a"/,
    },
    {
      name: 'framework with a bad role in spec.roles',
      plural: 'frameworks',
      body: framework({ roles: ['a', 'Bad_Role'] }),
      want: /spec\.roles\[1\]: Invalid value: "Bad_Role"/,
    },
    {
      name: 'framework suppressing a role it is not in',
      plural: 'frameworks',
      body: framework({ roles: ['a', 'b'], suppressedRoles: ['c'] }),
      want: /spec\.suppressedRoles: Invalid value.*must be one of the framework's roles/,
    },
    {
      name: 'offer filter for a role not in spec.roles',
      plural: 'frameworks',
      body: framework({ roles: ['a', 'b'], offerFilters: [{ role: 'c', minAllocatableResources: [{ cpu: '4' }] }] }),
      want: /spec\.offerFilters: Invalid value.*must be one of the framework's roles/,
    },
    {
      name: 'offer filter with a malformed minimum',
      plural: 'frameworks',
      body: framework({ offerFilters: [{ role: 'default', minAllocatableResources: [{ cpu: 'lots' }] }] }),
      want: /spec\.offerFilters\[0\]\.minAllocatableResources\[0\]\.cpu: Invalid value: "lots"/,
    },
    {
      name: 'negative task count',
      plural: 'frameworks',
      body: framework({ builtin: { tasks: -1, template: { resources: { cpu: '1' }, containers: [container] } } }),
      want: /spec\.builtin\.tasks: Invalid value.*greater than or equal to 0/,
    },
    {
      name: 'zero tasksPerOffer',
      plural: 'frameworks',
      body: framework({ builtin: { tasks: 1, tasksPerOffer: 0, template: { resources: { cpu: '1' }, containers: [container] } } }),
      want: /spec\.builtin\.tasksPerOffer: Invalid value/,
    },
    {
      name: 'malformed quantity',
      plural: 'frameworks',
      body: framework({ builtin: { tasks: 1, template: { resources: { cpu: 'lots' }, containers: [container] } } }),
      want: /spec\.builtin\.template\.resources\.cpu: Invalid value: "lots"/,
    },
    {
      name: 'tasks without a template',
      plural: 'frameworks',
      body: framework({ builtin: { tasks: 3 } }),
      want: /spec\.builtin: Invalid value.*template is required/,
    },
    {
      name: 'unknown capability',
      plural: 'frameworks',
      body: framework({ capabilities: ['TELEPORT'] }),
      want: /spec\.capabilities\[0\]: Unsupported value: "TELEPORT"/,
    },
    {
      name: 'In constraint without values',
      plural: 'frameworks',
      body: framework({ offerConstraints: { nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'In' }] } } }),
      want: /spec\.offerConstraints\.nodeSelector\.matchExpressions\[0\].*values must be non-empty/,
    },
    {
      name: 'container without image',
      plural: 'frameworks',
      body: framework({ builtin: { tasks: 1, template: { resources: { cpu: '1' }, containers: [{ name: 'main' }] } } }),
      want: /spec\.builtin\.template\.containers\[0\]\.image: Required value/,
    },
    {
      name: 'offer without node',
      plural: 'offers',
      body: offer({ framework: 'fw', resources: { cpu: '1' } }),
      want: /spec\.nodeName: Required value/,
    },
    {
      name: 'offer accepted and declined',
      plural: 'offers',
      body: offer({ ...offerSpec, accept: { tasks: [task] }, decline: {} }),
      want: /accept or decline, not both/,
    },
    {
      name: 'duplicate task names',
      plural: 'offers',
      body: offer({ ...offerSpec, accept: { tasks: [task, task] } }),
      want: /spec\.accept\.tasks\[1\]: Duplicate value/,
    },
    {
      name: 'negative refuseSeconds',
      plural: 'offers',
      body: offer({ ...offerSpec, decline: { refuseSeconds: -5 } }),
      want: /spec\.decline\.refuseSeconds: Invalid value/,
    },
    {
      name: 'task name that is not a DNS label',
      plural: 'offers',
      body: offer({ ...offerSpec, accept: { tasks: [{ ...task, name: 'Task One' }] } }),
      want: /spec\.accept\.tasks\[0\]\.name: Invalid value: "Task One"/,
    },
    {
      name: 'accept that launches, reserves and unreserves nothing',
      plural: 'offers',
      body: offer({ ...offerSpec, accept: { tasks: [] } }),
      want: /spec\.accept: Invalid value.*an accept launches a task, reserves or unreserves/,
    },
    {
      name: 'reserve of a malformed amount',
      plural: 'offers',
      body: offer({ ...offerSpec, accept: { tasks: [], reserve: [{ resources: { cpu: 'lots' } }] } }),
      want: /spec\.accept\.reserve\[0\]\.resources\.cpu: Invalid value: "lots"/,
    },
    {
      name: 'reserved part of an unknown type',
      plural: 'offers',
      body: offer({ ...offerSpec, reserved: [{ role: 'db', type: 'Sticky', resources: { cpu: '1' } }] }),
      want: /spec\.reserved\[0\]\.type: Unsupported value: "Sticky"/,
    },
    {
      name: 'task without containers',
      plural: 'tasks',
      body: {
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: { generateName: 't-' },
        spec: { framework: 'fw', nodeName: 'n', resources: { cpu: '1' } },
      },
      want: /spec\.containers: Required value/,
    },
  ])('rejects a $name', async ({ plural, body, want }) => {
    expect(await rejection(create(plural, body))).toMatch(want);
  });

  it('accepts a nested role with its own minimum offer, the default role, and several roles with their own', async () => {
    const ok = (await create(
      'frameworks',
      framework({
        role: 'eng/ml/training',
        offerFilters: [{ role: 'eng/ml/training', minAllocatableResources: [{ cpu: '4' }, { memory: '16Gi' }] }],
      }),
    )) as { spec: { role: string } };
    expect(ok.spec.role).toBe('eng/ml/training');
    const dflt = (await create(
      'frameworks',
      framework({ offerFilters: [{ role: 'default', minAllocatableResources: [{ cpu: '1' }] }] }),
    )) as {
      spec: { role: string };
    };
    // Without the mutating webhook (it fills in `default`), an unset role means `default`.
    expect(dflt.spec.role).toBeUndefined();
    const multi = (await create(
      'frameworks',
      framework({
        roles: ['a', 'b/c'],
        suppressedRoles: ['b/c'],
        offerFilters: [
          { role: 'a', minAllocatableResources: [{ cpu: '1' }] },
          { role: 'b/c', minAllocatableResources: [{ cpu: '2' }] },
        ],
      }),
    )) as { spec: { role?: string; roles: string[] } };
    expect(multi.spec.roles).toEqual(['a', 'b/c']);
    expect(multi.spec.role).toBeUndefined();
  });

  it('rejects a ResourceRole whose guarantee exceeds its limit, and a zero weight', async () => {
    const role = (name: string, spec: unknown) =>
      custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'resourceroles',
        body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name }, spec },
      });
    expect(await rejection(role(`${ns.name}-over`, { guarantee: { cpu: '10' }, limit: { cpu: '4' } }))).toMatch(
      /guarantee must not exceed the limit/,
    );
    expect(await rejection(role(`${ns.name}-zero`, { weight: 0 }))).toMatch(/spec\.weight: Invalid value/);
  });

  it('rejects a Reservation for a malformed role, without resources, or moved to another role or node', async () => {
    const resv = (name: string, spec: unknown) =>
      custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'reservations',
        body: { apiVersion: API_VERSION, kind: 'Reservation', metadata: { name }, spec },
      });
    expect(await rejection(resv(`${ns.name}-bad`, { role: 'Bad_Role', nodeName: 'n', resources: { cpu: '1' } }))).toMatch(
      /spec\.role: Invalid value/,
    );
    expect(await rejection(resv(`${ns.name}-empty`, { role: 'db', nodeName: 'n', resources: {} }))).toMatch(
      /spec\.resources: Invalid value/,
    );
    const name = `${ns.name}-ok`;
    await resv(name, { role: 'db', nodeName: 'n', resources: { cpu: '1' } });
    try {
      const moved = custom().patchClusterCustomObject(
        { group: GROUP, version: VERSION, plural: 'reservations', name, body: { spec: { role: 'web', nodeName: 'm' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const why = await rejection(moved);
      expect(why).toMatch(/spec\.role is immutable/);
      expect(why).toMatch(/spec\.nodeName is immutable/);
    } finally {
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: 'reservations', name });
    }
  });

  it('rejects a Maintenance without nodes or with a zero duration', async () => {
    const maint = (name: string, spec: unknown) =>
      custom().createClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'maintenances',
        body: { apiVersion: API_VERSION, kind: 'Maintenance', metadata: { name }, spec },
      });
    expect(await rejection(maint(`${ns.name}-none`, { nodes: [], start: '2026-01-01T00:00:00Z', durationSeconds: 60 }))).toMatch(
      /spec\.nodes: Invalid value/,
    );
    expect(await rejection(maint(`${ns.name}-zero`, { nodes: ['a'], start: '2026-01-01T00:00:00Z', durationSeconds: 0 }))).toMatch(
      /spec\.durationSeconds: Invalid value/,
    );
    expect(await rejection(maint(`${ns.name}-when`, { nodes: ['a'], start: 'tomorrow', durationSeconds: 60 }))).toMatch(/spec\.start/);
  });

  it('keeps an InverseOffer answered once, and its request unchanged', async () => {
    const io = (await create('inverseoffers', {
      apiVersion: API_VERSION,
      kind: 'InverseOffer',
      metadata: { generateName: 'io-' },
      spec: { framework: 'fw', nodeName: 'n', maintenance: 'm', start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' },
    })) as { metadata: { name: string } };
    const patch = (spec: object) =>
      custom().patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: ns.name, plural: 'inverseoffers', name: io.metadata.name, body: { spec } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    expect(await rejection(patch({ answer: 'Maybe' }))).toMatch(/spec\.answer: Unsupported value/);
    expect(await rejection(patch({ start: '2026-02-01T00:00:00Z' }))).toMatch(/only spec\.answer and spec\.message may change/);
    expect(await rejection(patch({ answer: 'Accept' }))).toBe('');
    expect(await rejection(patch({ answer: 'Decline' }))).toMatch(/answered once/);
  });

  describe('transitions', () => {
    let offerName = '';
    let taskName = '';
    beforeAll(async () => {
      offerName = ((await create('offers', offer(offerSpec))) as { metadata: { name: string } }).metadata.name;
      const t = await create('tasks', {
        apiVersion: API_VERSION,
        kind: 'Task',
        metadata: { generateName: 't-' },
        spec: { framework: 'fw', nodeName: 'agora-node-1', resources: { cpu: '1' }, containers: [container] },
      });
      taskName = (t as { metadata: { name: string } }).metadata.name;
    });
    const patch = (plural: string, name: string, body: unknown) =>
      custom().patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: ns.name, plural, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );

    it('accepts an answer once and refuses to change it', async () => {
      expect(await rejection(patch('offers', offerName, { spec: { accept: { tasks: [task] } } }))).toBe('');
      expect(await rejection(patch('offers', offerName, { spec: { accept: { tasks: [{ ...task, resources: { cpu: '2' } }] } } }))).toMatch(
        /spec\.accept: Invalid value.*written once/,
      );
    });

    it('refuses to change what was offered', async () => {
      expect(await rejection(patch('offers', offerName, { spec: { resources: { cpu: '64' } } }))).toMatch(
        /spec\.resources: Invalid value.*immutable/,
      );
    });

    it('keeps a Task immutable except for a kill request, which cannot be withdrawn', async () => {
      expect(await rejection(patch('tasks', taskName, { spec: { nodeName: 'agora-node-2' } }))).toMatch(/immutable except spec\.kill/);
      expect(await rejection(patch('tasks', taskName, { spec: { kill: true } }))).toBe('');
      expect(await rejection(patch('tasks', taskName, { spec: { kill: false } }))).toMatch(
        /spec\.kill: Invalid value.*cannot be withdrawn/,
      );
    });
  });
});
