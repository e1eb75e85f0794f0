import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { TaskObject, TaskStatus } from './objects.ts';
import { nextTaskStatus, type TaskObservation } from './task-state.ts';

const NOW = '2026-01-01T00:00:10.000Z';
const UID = 'task-uid';

function task(status?: TaskStatus, kill?: boolean): TaskObservation['task'] {
  const spec: TaskObject['spec'] = { framework: 'fw', offer: 'o1', nodeName: 'n1', resources: { cpu: '1' }, containers: [{ name: 'main', image: 'busybox' }] };
  if (kill) spec.kill = true;
  return { metadata: { name: 't1', uid: UID, generation: 1 }, spec, status };
}

function pod(phase: string, extra: { deleting?: boolean; owner?: string; reason?: string; exitCode?: number; waiting?: string } = {}): V1Pod {
  return {
    metadata: { name: 't1', ownerReferences: [{ apiVersion: 'agora.dev/v1alpha1', kind: 'Task', name: 't1', uid: extra.owner ?? UID }], deletionTimestamp: extra.deleting ? new Date(NOW) : undefined },
    status: {
      phase,
      reason: extra.reason,
      startTime: new Date('2026-01-01T00:00:05.000Z'),
      containerStatuses:
        extra.exitCode !== undefined
          ? [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: extra.exitCode, reason: extra.exitCode === 0 ? 'Completed' : 'Error' } } }]
          : extra.waiting
            ? [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: extra.waiting } } }]
            : undefined,
    },
  };
}

const staging: TaskStatus = { state: 'TASK_STAGING', reason: 'TaskLaunched', message: 'launched on n1', podName: 't1', lastTransitionTime: '2026-01-01T00:00:00.000Z' };
const running: TaskStatus = { state: 'TASK_RUNNING', reason: 'PodRunning', message: 'Pod t1 is running on n1', podName: 't1', lastTransitionTime: '2026-01-01T00:00:01.000Z', startedAt: '2026-01-01T00:00:05.000Z' };

describe('nextTaskStatus', () => {
  it.each([
    { name: 'staging task without a Pod gets one', obs: { task: task(staging), pod: undefined }, wantState: 'TASK_STAGING', wantCreate: true },
    { name: 'new task whose accept is still being applied: hands off', obs: { task: task(), pod: undefined, launch: 'pending' as const }, wantState: undefined, wantCreate: false },
    { name: 'task no accept vouches for never gets a Pod', obs: { task: task(), pod: undefined, launch: 'unconfirmed' as const }, wantState: 'TASK_ERROR', wantReason: 'LaunchNotConfirmed' },
    { name: 'bound Pod not running yet: starting', obs: { task: task(staging), pod: pod('Pending') }, wantState: 'TASK_STARTING', wantReason: 'PodPending' },
    { name: 'image pull trouble shows in the message', obs: { task: task(staging), pod: pod('Pending', { waiting: 'ImagePullBackOff' }) }, wantState: 'TASK_STARTING', wantMessage: /ImagePullBackOff/ },
    { name: 'running Pod: running, with its start time', obs: { task: task(staging), pod: pod('Running') }, wantState: 'TASK_RUNNING', wantStartedAt: '2026-01-01T00:00:05.000Z' },
    { name: 'Pod succeeded: finished, exit 0', obs: { task: task(running), pod: pod('Succeeded', { exitCode: 0 }) }, wantState: 'TASK_FINISHED', wantExit: 0 },
    { name: 'Pod failed: failed with the exit code', obs: { task: task(running), pod: pod('Failed', { exitCode: 3 }) }, wantState: 'TASK_FAILED', wantExit: 3, wantMessage: /code 3/ },
    { name: 'evicted Pod: lost', obs: { task: task(running), pod: pod('Failed', { reason: 'Evicted' }) }, wantState: 'TASK_LOST', wantReason: 'PodEvicted' },
    { name: 'kubelet rejected the Pod: error', obs: { task: task(staging), pod: pod('Failed', { reason: 'OutOfcpu' }) }, wantState: 'TASK_ERROR', wantReason: 'AdmissionFailed' },
    { name: 'kill with a running Pod: delete it, state unchanged', obs: { task: task(running, true), pod: pod('Running') }, wantState: 'TASK_RUNNING', wantDelete: true },
    { name: 'kill once the Pod is gone: killed', obs: { task: task(running, true), pod: undefined }, wantState: 'TASK_KILLED', wantReason: 'KillRequested' },
    { name: 'kill with the Pod terminating: wait', obs: { task: task(running, true), pod: pod('Running', { deleting: true }) }, wantState: 'TASK_RUNNING', wantDelete: false },
    { name: 'kill after the Pod finished: finished stands', obs: { task: task(running, true), pod: pod('Succeeded', { exitCode: 0 }) }, wantState: 'TASK_FINISHED' },
    { name: 'framework removed: killed', obs: { task: task(running), pod: undefined, frameworkDown: 'FrameworkRemoved' as const }, wantState: 'TASK_KILLED', wantReason: 'FrameworkRemoved' },
    { name: 'framework disconnected: Pod deleted', obs: { task: task(running), pod: pod('Running'), frameworkDown: 'FrameworkDisconnected' as const }, wantState: 'TASK_RUNNING', wantDelete: true },
    { name: 'node gone: lost, Pod deleted', obs: { task: task(running), pod: pod('Running'), nodePresent: false }, wantState: 'TASK_LOST', wantReason: 'NodeLost', wantDelete: true },
    { name: 'running Pod deleted by someone: lost', obs: { task: task(running), pod: undefined }, wantState: 'TASK_LOST', wantReason: 'PodDeleted' },
    { name: 'a Pod of that name owned by someone else: error', obs: { task: task(staging), pod: pod('Running', { owner: 'other' }) }, wantState: 'TASK_ERROR', wantReason: 'PodNameConflict' },
    { name: 'terminal states never change', obs: { task: task({ ...running, state: 'TASK_FAILED', reason: 'PodFailed' }), pod: pod('Running') }, wantState: 'TASK_FAILED', wantDelete: false },
    { name: 'a killed task whose Pod still runs: delete the Pod', obs: { task: task({ ...running, state: 'TASK_KILLED', reason: 'KillRequested' }), pod: pod('Running') }, wantState: 'TASK_KILLED', wantDelete: true },
  ])('$name', ({ obs, wantState, wantReason, wantCreate, wantDelete, wantExit, wantMessage, wantStartedAt }) => {
    const d = nextTaskStatus({ nodePresent: true, launch: 'confirmed', now: NOW, ...obs } as TaskObservation);
    expect(d.status?.state).toBe(wantState);
    if (wantReason !== undefined) expect(d.status?.reason).toBe(wantReason);
    if (wantCreate !== undefined) expect(d.createPod).toBe(wantCreate);
    if (wantDelete !== undefined) expect(d.deletePod).toBe(wantDelete);
    if (wantExit !== undefined) expect(d.status?.exitCode).toBe(wantExit);
    if (wantMessage !== undefined) expect(d.status?.message).toMatch(wantMessage);
    if (wantStartedAt !== undefined) expect(d.status?.startedAt).toBe(wantStartedAt);
  });

  it('returns the same status object when nothing changed (no write)', () => {
    const t = task(running);
    expect(nextTaskStatus({ task: t, pod: pod('Running'), nodePresent: true, launch: 'confirmed', now: NOW }).status).toBe(t.status);
  });

  it('stamps the transition time and finish time on a change', () => {
    const d = nextTaskStatus({ task: task(running), pod: pod('Succeeded', { exitCode: 0 }), nodePresent: true, launch: 'confirmed', now: NOW });
    expect(d.status).toMatchObject({ lastTransitionTime: NOW, finishedAt: NOW, startedAt: running.startedAt, observedGeneration: 1 });
  });
});
