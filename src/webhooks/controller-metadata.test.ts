import { describe, expect, it } from 'vitest';
import { controllerMetadataErrors } from './controller-metadata.ts';

const owner = { apiVersion: 'agora.dev/v1alpha1', kind: 'Offer', name: 'o1', uid: 'u1', controller: true };
const task = (metadata: Record<string, unknown>) => ({ metadata: { name: 't1', ...metadata }, spec: {} });
const base = {
  ownerReferences: [owner],
  finalizers: ['agora.dev/task'],
  labels: { 'agora.dev/framework': 'fw', 'app.kubernetes.io/managed-by': 'agora', app: 'web' },
  annotations: { 'agora.dev/offer': 'o1', note: 'x' },
};

describe('controllerMetadataErrors', () => {
  it.each([
    { name: 'no change', change: {}, wantPaths: [] },
    {
      name: "the framework's own label and annotation",
      change: { labels: { ...base.labels, app: 'db' }, annotations: { ...base.annotations, note: 'y', extra: 'z' } },
      wantPaths: [],
    },
    { name: 'removed ownerReferences', change: { ownerReferences: undefined }, wantPaths: ['metadata.ownerReferences'] },
    { name: 'an added finalizer', change: { finalizers: ['agora.dev/task', 'tenant/keep'] }, wantPaths: ['metadata.finalizers'] },
    { name: "removed the controller's finalizer", change: { finalizers: [] }, wantPaths: ['metadata.finalizers'] },
    {
      name: "Agora's labels",
      change: { labels: { app: 'web', 'agora.dev/framework': 'other', 'agora.dev/new': 'x' } },
      wantPaths: [
        'metadata.labels[agora.dev/framework]',
        'metadata.labels[agora.dev/new]',
        'metadata.labels[app.kubernetes.io/managed-by]',
      ],
    },
    { name: "Agora's annotation", change: { annotations: { note: 'x' } }, wantPaths: ['metadata.annotations[agora.dev/offer]'] },
  ])('$name', ({ change, wantPaths }) => {
    const errors = controllerMetadataErrors('Task', task(base), task({ ...base, ...change }), 'sa');
    expect(errors.map((e) => e.path)).toEqual(wantPaths);
    for (const e of errors) {
      expect(e.reason).toBe('Forbidden');
      expect(e.message).toMatch(/^user "sa" may not change .* of a Task: only the Agora controller may$/);
    }
  });
});
