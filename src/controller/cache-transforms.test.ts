import { describe, expect, it } from 'vitest';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { podRequests } from '../api/pod-resources.ts';
import { slimMeta, slimNode, slimPod } from './cache-transforms.ts';

describe('cache transforms', () => {
  it('drop managedFields and the last-applied annotation, keep other metadata', () => {
    const obj = slimMeta({
      metadata: {
        name: 'x',
        labels: { a: 'b' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}', keep: 'me' },
        managedFields: [{ manager: 'kubectl' }],
      },
    });
    expect(obj.metadata).toEqual({ name: 'x', labels: { a: 'b' }, annotations: { keep: 'me' } });
  });

  it('a Node keeps what allocation reads: labels, unschedulable, allocatable, conditions', () => {
    const node: V1Node = {
      metadata: { name: 'n', labels: { zone: 'a' } },
      spec: { unschedulable: true },
      status: {
        allocatable: { cpu: '4' },
        capacity: { cpu: '4' },
        conditions: [{ type: 'Ready', status: 'True' }],
        images: [{ names: ['big'], sizeBytes: 1 }],
        nodeInfo: { architecture: 'amd64' } as V1Node['status'] extends infer S ? (S extends { nodeInfo?: infer I } ? I : never) : never,
      },
    };
    expect(slimNode(node)).toEqual({
      metadata: { name: 'n', labels: { zone: 'a' } },
      spec: { unschedulable: true },
      status: { allocatable: { cpu: '4' }, capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  it("a task's Pod keeps its requests (as the allocator counts them), owner, node and status", () => {
    const pod: V1Pod = {
      metadata: { name: 'p', ownerReferences: [{ apiVersion: 'agora.dev/v1alpha1', kind: 'Task', name: 't', uid: 'u' }] },
      spec: {
        nodeName: 'n',
        overhead: { cpu: '10m' },
        volumes: [{ name: 'v' }],
        tolerations: [{ key: 'k' }],
        initContainers: [{ name: 'i', image: 'x', command: ['sh'], resources: { requests: { cpu: '2' } } }],
        containers: [{ name: 'c', image: 'y', env: [{ name: 'E', value: '1' }], resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', image: 'y', imageID: '', ready: true, restartCount: 0 }] },
    };
    const before = podRequests(pod);
    const slim = slimPod(pod);
    expect(podRequests(slim)).toEqual(before);
    expect(slim.spec?.containers).toEqual([{ name: 'c', image: 'y', resources: { requests: { cpu: '1', memory: '1Gi' } } }]);
    expect(slim.spec?.volumes).toBeUndefined();
    expect(slim.spec?.tolerations).toBeUndefined();
    expect(slim.status?.phase).toBe('Running');
    expect(slim.metadata?.ownerReferences).toHaveLength(1);
  });

  it('any other Pod keeps only its identity, node, requests, overhead and phase', () => {
    const pod: V1Pod = {
      metadata: {
        name: 'web',
        namespace: 'shop',
        uid: 'u1',
        resourceVersion: '42',
        labels: { app: 'web' },
        annotations: { big: 'x'.repeat(1000) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'r' }],
        deletionTimestamp: new Date(5),
      },
      spec: {
        nodeName: 'n',
        overhead: { cpu: '10m' },
        restartPolicy: 'Always',
        initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '2' } } }],
        containers: [{ name: 'c', image: 'y', command: ['serve'], resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      },
      status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const before = podRequests(pod);
    const slim = slimPod(structuredClone(pod));
    expect(podRequests(slim)).toEqual(before);
    expect(slim).toEqual({
      metadata: { name: 'web', namespace: 'shop', uid: 'u1', resourceVersion: '42', deletionTimestamp: new Date(5) },
      spec: {
        nodeName: 'n',
        overhead: { cpu: '10m' },
        initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }],
        containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      },
      status: { phase: 'Running' },
    });
    // A Pod with the controller's task label is a task's, whoever owns it: kept whole.
    const labelled = slimPod({ ...structuredClone(pod), metadata: { ...pod.metadata, labels: { 'agora.dev/task': 't' } } });
    expect(labelled.status?.podIP).toBe('10.0.0.1');
  });
});
