import { describe, expect, it } from 'vitest';
import { podFor } from './pod.ts';

describe('podFor', () => {
  const task = {
    metadata: { name: 'web-1', namespace: 'team', uid: 'u1' },
    spec: {
      framework: 'web',
      offer: 'web-n1-abc',
      nodeName: 'n1',
      resources: { cpu: '500m', memory: '1Gi' },
      labels: { app: 'web', 'agora.dev/framework': 'spoofed' },
      annotations: { 'agora.dev/sim-exit-code': '0' },
      containers: [
        { name: 'main', image: 'busybox', resources: { requests: { cpu: '8' } } },
        { name: 'sidecar', image: 'busybox', resources: { limits: { cpu: '1' } } },
      ],
    },
  };

  it('binds to the node with requests = limits = the task resources on the first container', () => {
    const pod = podFor({ task, serviceAccountName: 'sched' });
    expect(pod.spec?.nodeName).toBe('n1');
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.spec?.serviceAccountName).toBe('sched');
    expect(pod.spec?.containers[0]?.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '500m', memory: '1Gi' },
    });
    expect(pod.spec?.containers[1]?.resources).toBeUndefined();
  });

  it("links Pod ↔ Task ↔ Offer ↔ Framework, and Agora's labels win", () => {
    const pod = podFor({ task });
    expect(pod.metadata?.name).toBe('web-1');
    expect(pod.metadata?.labels).toMatchObject({
      app: 'web',
      'agora.dev/framework': 'web',
      'agora.dev/task': 'web-1',
      'agora.dev/offer': 'web-n1-abc',
    });
    expect(pod.metadata?.annotations).toMatchObject({ 'agora.dev/sim-exit-code': '0', 'agora.dev/offer': 'web-n1-abc' });
    expect(pod.metadata?.ownerReferences).toEqual([
      { apiVersion: 'agora.dev/v1alpha1', kind: 'Task', name: 'web-1', uid: 'u1', controller: true, blockOwnerDeletion: true },
    ]);
  });

  it.each([
    { name: 'a task from a revocable offer', revocable: true, own: undefined, want: 'true' },
    { name: 'an ordinary task', revocable: undefined, own: undefined, want: undefined },
    { name: 'an ordinary task that labels itself revocable', revocable: undefined, own: 'true', want: undefined },
  ])('agora.dev/revocable: $name', ({ revocable, own, want }) => {
    const t = {
      ...task,
      spec: { ...task.spec, revocable, labels: { ...task.spec.labels, ...(own !== undefined ? { 'agora.dev/revocable': own } : {}) } },
    };
    expect(podFor({ task: t }).metadata?.labels?.['agora.dev/revocable']).toBe(want);
  });

  it.each([
    { name: 'a class of its own', cls: 'batch', want: 'batch' },
    { name: 'none', cls: undefined, want: undefined },
    { name: 'a system class is never put on a Pod', cls: 'system-cluster-critical', want: undefined },
  ])('priorityClassName: $name', ({ cls, want }) => {
    expect(podFor({ task, priorityClassName: cls }).spec?.priorityClassName).toBe(want);
  });
});
