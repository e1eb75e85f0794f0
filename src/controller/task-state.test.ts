import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { TaskObject, TaskStatus } from '../api/objects.ts';
import {
  nextTaskStatus,
  STARTING_GRACE_BACKLOGGED_MS,
  STARTING_GRACE_MS,
  startingDeferralMs,
  type NodeNotReady,
  type TaskObservation,
} from './task-state.ts';

const NOW = '2026-01-01T00:00:10.000Z';
const UID = 'task-uid';

function task(status?: TaskStatus, kill?: boolean): TaskObservation['task'] {
  const spec: TaskObject['spec'] = {
    framework: 'fw',
    offer: 'o1',
    nodeName: 'n1',
    resources: { cpu: '1' },
    containers: [{ name: 'main', image: 'busybox' }],
  };
  if (kill) spec.kill = true;
  return { metadata: { name: 't1', uid: UID, generation: 1 }, spec, status };
}

function pod(
  phase: string,
  extra: { deleting?: boolean; owner?: string; reason?: string; exitCode?: number; waiting?: string } = {},
): V1Pod {
  return {
    metadata: {
      name: 't1',
      ownerReferences: [{ apiVersion: 'agora.dev/v1alpha1', kind: 'Task', name: 't1', uid: extra.owner ?? UID }],
      deletionTimestamp: extra.deleting ? new Date(NOW) : undefined,
    },
    status: {
      phase,
      reason: extra.reason,
      startTime: new Date('2026-01-01T00:00:05.000Z'),
      containerStatuses:
        extra.exitCode !== undefined
          ? [
              {
                name: 'main',
                image: 'busybox',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode: extra.exitCode, reason: extra.exitCode === 0 ? 'Completed' : 'Error' } },
              },
            ]
          : extra.waiting
            ? [
                {
                  name: 'main',
                  image: 'busybox',
                  imageID: '',
                  ready: false,
                  restartCount: 0,
                  state: { waiting: { reason: extra.waiting } },
                },
              ]
            : undefined,
    },
  };
}

const staging: TaskStatus = {
  state: 'TASK_STAGING',
  reason: 'TaskLaunched',
  message: 'launched on n1',
  podName: 't1',
  lastTransitionTime: '2026-01-01T00:00:00.000Z',
};
const running: TaskStatus = {
  state: 'TASK_RUNNING',
  reason: 'PodRunning',
  message: 'Pod t1 is running on n1',
  podName: 't1',
  lastTransitionTime: '2026-01-01T00:00:01.000Z',
  startedAt: '2026-01-01T00:00:05.000Z',
};
const starting: TaskStatus = {
  state: 'TASK_STARTING',
  reason: 'PodPending',
  message: 'Pod t1 is bound to n1',
  podName: 't1',
  lastTransitionTime: '2026-01-01T00:00:01.000Z',
};

describe('nextTaskStatus', () => {
  it.each([
    {
      name: 'staging task without a Pod gets one',
      obs: { task: task(staging), pod: undefined },
      wantState: 'TASK_STAGING',
      wantCreate: true,
    },
    {
      name: 'new task whose accept is still being applied: hands off',
      obs: { task: task(), pod: undefined, launch: 'pending' as const },
      wantState: undefined,
      wantCreate: false,
    },
    {
      name: 'task no accept vouches for never gets a Pod',
      obs: { task: task(), pod: undefined, launch: 'unconfirmed' as const },
      wantState: 'TASK_ERROR',
      wantReason: 'LaunchNotConfirmed',
    },
    {
      name: 'bound Pod not running yet: starting',
      obs: { task: task(staging), pod: pod('Pending') },
      wantState: 'TASK_STARTING',
      wantReason: 'PodPending',
    },
    {
      name: 'image pull trouble shows in the message',
      obs: { task: task(staging), pod: pod('Pending', { waiting: 'ImagePullBackOff' }) },
      wantState: 'TASK_STARTING',
      wantMessage: /ImagePullBackOff/,
    },
    {
      name: 'running Pod: running, with its start time',
      obs: { task: task(staging), pod: pod('Running') },
      wantState: 'TASK_RUNNING',
      wantStartedAt: '2026-01-01T00:00:05.000Z',
    },
    {
      name: 'Pod succeeded: finished, exit 0',
      obs: { task: task(running), pod: pod('Succeeded', { exitCode: 0 }) },
      wantState: 'TASK_FINISHED',
      wantExit: 0,
    },
    {
      name: 'Pod failed: failed with the exit code',
      obs: { task: task(running), pod: pod('Failed', { exitCode: 3 }) },
      wantState: 'TASK_FAILED',
      wantExit: 3,
      wantMessage: /code 3/,
    },
    {
      name: 'evicted Pod: lost',
      obs: { task: task(running), pod: pod('Failed', { reason: 'Evicted' }) },
      wantState: 'TASK_LOST',
      wantReason: 'PodEvicted',
    },
    {
      name: 'kubelet rejected the Pod: error',
      obs: { task: task(staging), pod: pod('Failed', { reason: 'OutOfcpu' }) },
      wantState: 'TASK_ERROR',
      wantReason: 'AdmissionFailed',
    },
    {
      name: 'kill with a running Pod: delete it, state unchanged',
      obs: { task: task(running, true), pod: pod('Running') },
      wantState: 'TASK_RUNNING',
      wantDelete: true,
    },
    {
      name: 'kill once the Pod is gone: killed',
      obs: { task: task(running, true), pod: undefined },
      wantState: 'TASK_KILLED',
      wantReason: 'KillRequested',
    },
    {
      name: 'kill with the Pod terminating: wait',
      obs: { task: task(running, true), pod: pod('Running', { deleting: true }) },
      wantState: 'TASK_RUNNING',
      wantDelete: false,
    },
    {
      name: 'kill after the Pod finished: finished stands',
      obs: { task: task(running, true), pod: pod('Succeeded', { exitCode: 0 }) },
      wantState: 'TASK_FINISHED',
    },
    {
      name: 'framework removed: killed',
      obs: { task: task(running), pod: undefined, frameworkDown: 'FrameworkRemoved' as const },
      wantState: 'TASK_KILLED',
      wantReason: 'FrameworkRemoved',
    },
    {
      name: 'framework disconnected: Pod deleted',
      obs: { task: task(running), pod: pod('Running'), frameworkDown: 'FrameworkDisconnected' as const },
      wantState: 'TASK_RUNNING',
      wantDelete: true,
    },
    {
      name: 'node gone: lost, Pod deleted',
      obs: { task: task(running), pod: pod('Running'), nodePresent: false },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantDelete: true,
    },
    {
      name: 'running Pod deleted by someone: lost',
      obs: { task: task(running), pod: undefined },
      wantState: 'TASK_LOST',
      wantReason: 'PodDeleted',
    },
    {
      name: 'a Pod of that name owned by someone else: error',
      obs: { task: task(staging), pod: pod('Running', { owner: 'other' }) },
      wantState: 'TASK_ERROR',
      wantReason: 'PodNameConflict',
    },
    {
      name: 'terminal states never change',
      obs: { task: task({ ...running, state: 'TASK_FAILED', reason: 'PodFailed' }), pod: pod('Running') },
      wantState: 'TASK_FAILED',
      wantDelete: false,
    },
    {
      name: 'a killed task whose Pod still runs: delete the Pod',
      obs: { task: task({ ...running, state: 'TASK_KILLED', reason: 'KillRequested' }), pod: pod('Running') },
      wantState: 'TASK_KILLED',
      wantDelete: true,
    },
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

  // The node has not been Ready since 00:00:00; NOW is 00:00:10.
  const notReady = (extra: Partial<NodeNotReady> = {}): NodeNotReady => ({
    since: '2026-01-01T00:00:00.000Z',
    status: 'False',
    reason: 'KubeletNotReady',
    ...extra,
  });
  const runningNotReady: TaskStatus = {
    ...running,
    reason: 'NodeNotReady',
    message: 'node n1 is not Ready since 2026-01-01T00:00:00.000Z (Ready=False, KubeletNotReady)',
  };
  it.each([
    {
      name: 'node not Ready: state stays, reason and message say which node since when, look again at the timeout',
      obs: { task: task(running), pod: pod('Running'), nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
      wantMessage:
        /^node n1 is not Ready since 2026-01-01T00:00:00.000Z \(Ready=False, KubeletNotReady\); its tasks are lost at 2026-01-01T00:05:00.000Z/,
      wantDelete: false,
      wantRequeue: 290_000,
    },
    {
      name: "node unreachable (Ready Unknown): the condition's reason is in the message",
      obs: {
        task: task(running),
        pod: pod('Running'),
        nodeNotReady: notReady({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }),
        nodeLostTimeoutMs: 300_000,
      },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
      wantMessage: /\(Ready=Unknown, NodeStatusUnknown: Kubelet stopped posting node status\.\)/,
    },
    {
      name: 'starting task on a node not Ready: still starting',
      obs: { task: task(staging), pod: pod('Pending'), nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_STARTING',
      wantReason: 'NodeNotReady',
    },
    {
      name: 'staging task on a node not Ready waits for it: no Pod yet',
      obs: { task: task(staging), pod: undefined, nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_STAGING',
      wantReason: 'NodeNotReady',
      wantCreate: false,
    },
    {
      name: 'staging task on a node not Ready past the timeout is lost, never launched',
      obs: { task: task(staging), pod: undefined, nodeNotReady: notReady(), nodeLostTimeoutMs: 1 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantCreate: false,
    },
    {
      name: 'Pod terminating on a node not Ready: reason says so',
      obs: { task: task(running), pod: pod('Running', { deleting: true }), nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
      wantDelete: false,
    },
    {
      name: 'kill on a node not Ready: Pod deleted, state stays',
      obs: { task: task(running, true), pod: pod('Running'), nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
      wantDelete: true,
    },
    {
      name: "Ready again: back to the Pod's reason and message",
      obs: { task: task(runningNotReady), pod: pod('Running') },
      wantState: 'TASK_RUNNING',
      wantReason: 'PodRunning',
      wantMessage: /^Pod t1 is running on n1$/,
    },
    {
      name: 'Ready again while the Pod terminates: back too',
      obs: { task: task(runningNotReady), pod: pod('Running', { deleting: true }) },
      wantState: 'TASK_RUNNING',
      wantReason: 'PodRunning',
      wantMessage: /^Pod t1 is running on n1$/,
    },
    {
      name: 'Ready again, starting: back to PodPending',
      obs: { task: task({ ...starting, reason: 'NodeNotReady', message: 'node n1 is not Ready since …' }), pod: pod('Pending') },
      wantState: 'TASK_STARTING',
      wantReason: 'PodPending',
    },
    {
      name: 'not Ready longer than the timeout: lost, Pod deleted, message says how long',
      obs: { task: task(runningNotReady), pod: pod('Running'), nodeNotReady: notReady(), nodeLostTimeoutMs: 5000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantMessage:
        /^node n1 has not been Ready for 10s \(since 2026-01-01T00:00:00.000Z, Ready=False, KubeletNotReady\), past the node lost timeout of 5s$/,
      wantDelete: true,
      wantRequeue: undefined,
    },
    {
      name: 'not Ready exactly the timeout: lost',
      obs: { task: task(running), pod: pod('Running'), nodeNotReady: notReady(), nodeLostTimeoutMs: 10_000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantDelete: true,
    },
    {
      name: 'lost with the Pod already terminating: not deleted twice',
      obs: { task: task(running), pod: pod('Running', { deleting: true }), nodeNotReady: notReady(), nodeLostTimeoutMs: 5000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantDelete: false,
    },
    {
      name: 'lost even when a kill was asked: the node cannot confirm it',
      obs: { task: task(running, true), pod: pod('Running'), nodeNotReady: notReady(), nodeLostTimeoutMs: 5000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantDelete: true,
    },
    {
      name: 'a staging task without a Pod is lost too',
      obs: { task: task(staging), pod: undefined, nodeNotReady: notReady(), nodeLostTimeoutMs: 5000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantCreate: false,
    },
    {
      name: 'timeout 0: never lost, no look again',
      obs: {
        task: task(running),
        pod: pod('Running'),
        nodeNotReady: notReady({ since: '2025-01-01T00:00:00.000Z' }),
        nodeLostTimeoutMs: 0,
      },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
      wantRequeue: undefined,
      wantMessage: /^node n1 is not Ready since 2025-01-01T00:00:00.000Z \(Ready=False, KubeletNotReady\)$/,
    },
    {
      name: 'no timeout given: never lost',
      obs: { task: task(running), pod: pod('Running'), nodeNotReady: notReady({ since: '2025-01-01T00:00:00.000Z' }) },
      wantState: 'TASK_RUNNING',
      wantReason: 'NodeNotReady',
    },
    {
      name: 'Pod gone while the node is not Ready (taint eviction): lost, and the message says the node was not Ready',
      obs: { task: task(runningNotReady), pod: undefined, nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeNotReady',
      wantMessage: /^Pod t1 was deleted while node n1 was not Ready \(since 2026-01-01T00:00:00.000Z, Ready=False, KubeletNotReady\)$/,
      wantRequeue: undefined,
    },
    {
      name: 'finished task on a long-lost node: untouched',
      obs: {
        task: task({ ...running, state: 'TASK_FINISHED', reason: 'PodSucceeded' }),
        pod: pod('Succeeded', { exitCode: 0 }),
        nodeNotReady: notReady(),
        nodeLostTimeoutMs: 5000,
      },
      wantState: 'TASK_FINISHED',
      wantReason: 'PodSucceeded',
      wantDelete: false,
      wantSame: true,
    },
    {
      name: 'failed task on a not Ready node: untouched',
      obs: {
        task: task({ ...running, state: 'TASK_FAILED', reason: 'PodFailed' }),
        pod: undefined,
        nodeNotReady: notReady(),
        nodeLostTimeoutMs: 300_000,
      },
      wantState: 'TASK_FAILED',
      wantReason: 'PodFailed',
      wantSame: true,
    },
    {
      name: 'Pod finished on a not Ready node: its result stands',
      obs: { task: task(runningNotReady), pod: pod('Succeeded', { exitCode: 0 }), nodeNotReady: notReady(), nodeLostTimeoutMs: 5000 },
      wantState: 'TASK_FINISHED',
      wantReason: 'PodSucceeded',
    },
    {
      name: 'node gone still wins over not Ready',
      obs: { task: task(runningNotReady), pod: pod('Running'), nodePresent: false, nodeNotReady: notReady(), nodeLostTimeoutMs: 300_000 },
      wantState: 'TASK_LOST',
      wantReason: 'NodeLost',
      wantMessage: /is gone/,
      wantDelete: true,
    },
  ])('$name', (row) => {
    const { obs, wantState, wantReason, wantCreate, wantDelete, wantMessage, wantSame } = row;
    const d = nextTaskStatus({ nodePresent: true, launch: 'confirmed', now: NOW, ...obs } as TaskObservation);
    expect(d.status?.state).toBe(wantState);
    expect(d.status?.reason).toBe(wantReason);
    if (wantCreate !== undefined) expect(d.createPod).toBe(wantCreate);
    if (wantDelete !== undefined) expect(d.deletePod).toBe(wantDelete);
    if (wantMessage !== undefined) expect(d.status?.message).toMatch(wantMessage);
    if ('wantRequeue' in row) expect(d.requeueAfterMs).toBe(row.wantRequeue);
    if (wantSame) expect(d.status).toBe(obs.task.status);
  });

  it('a node not Ready is one write: the next look changes nothing', () => {
    const obs = {
      pod: pod('Running'),
      nodePresent: true,
      nodeNotReady: notReady(),
      nodeLostTimeoutMs: 300_000,
      launch: 'confirmed' as const,
    };
    const first = nextTaskStatus({ ...obs, task: task(running), now: NOW });
    expect(first.status).toMatchObject({ state: 'TASK_RUNNING', reason: 'NodeNotReady', lastTransitionTime: running.lastTransitionTime });
    const t = task(first.status);
    expect(nextTaskStatus({ ...obs, task: t, now: '2026-01-01T00:01:00.000Z' }).status).toBe(t.status);
  });

  it('returns the same status object when nothing changed (no write)', () => {
    const t = task(running);
    expect(nextTaskStatus({ task: t, pod: pod('Running'), nodePresent: true, launch: 'confirmed', now: NOW }).status).toBe(t.status);
  });

  it('stamps the transition time and finish time on a change', () => {
    const d = nextTaskStatus({
      task: task(running),
      pod: pod('Succeeded', { exitCode: 0 }),
      nodePresent: true,
      launch: 'confirmed',
      now: NOW,
    });
    expect(d.status).toMatchObject({ lastTransitionTime: NOW, finishedAt: NOW, startedAt: running.startedAt, observedGeneration: 1 });
  });
});

describe('nextTaskStatus: revocation', () => {
  const notice = (deadline: string, dryRun?: boolean): TaskStatus => ({
    ...running,
    revocation: {
      reason: 'FairShare',
      for: 'ns/w',
      forRole: 'default',
      message: 'revoked for ns/w',
      noticedAt: '2026-01-01T00:00:00.000Z',
      deadline,
      ...(dryRun ? { dryRun } : {}),
    },
  });
  const observe = (status: TaskStatus, p: V1Pod | undefined) =>
    nextTaskStatus({ task: task(status), pod: p, nodePresent: true, launch: 'confirmed', now: NOW });

  it.each([
    // NOW is 00:00:10
    {
      name: 'before the deadline: running, looked at again at the deadline',
      status: notice('2026-01-01T00:00:15.000Z'),
      pod: pod('Running'),
      wantState: 'TASK_RUNNING',
      wantDelete: false,
      wantRequeue: 5000,
    },
    {
      name: 'deadline passed: the Pod is deleted',
      status: notice('2026-01-01T00:00:10.000Z'),
      pod: pod('Running'),
      wantState: 'TASK_RUNNING',
      wantDelete: true,
      wantRequeue: undefined,
    },
    {
      name: 'Pod gone after the deadline: killed, reason Revoked',
      status: notice('2026-01-01T00:00:05.000Z'),
      pod: undefined,
      wantState: 'TASK_KILLED',
      wantReason: 'Revoked',
      wantDelete: false,
      wantRequeue: undefined,
    },
    {
      name: 'a dry-run notice never kills',
      status: notice('2026-01-01T00:00:05.000Z', true),
      pod: pod('Running'),
      wantState: 'TASK_RUNNING',
      wantDelete: false,
      wantRequeue: undefined,
    },
    {
      name: 'Pod terminating after the deadline: not deleted twice',
      status: notice('2026-01-01T00:00:05.000Z'),
      pod: pod('Running', { deleting: true }),
      wantState: 'TASK_RUNNING',
      wantDelete: false,
      wantRequeue: undefined,
    },
  ])('$name', ({ status, pod: p, wantState, wantReason, wantDelete, wantRequeue }) => {
    const d = observe(status, p);
    expect(d.status.state).toBe(wantState);
    if (wantReason !== undefined) expect(d.status.reason).toBe(wantReason);
    expect(d.deletePod).toBe(wantDelete);
    expect(d.requeueAfterMs).toBe(wantRequeue);
  });

  it('a killed revoked task keeps its notice and says why', () => {
    const d = observe(notice('2026-01-01T00:00:05.000Z'), undefined);
    expect(d.status.message).toBe('revoked for ns/w');
    expect(d.status.revocation?.for).toBe('ns/w');
  });
});

describe('startingDeferralMs', () => {
  const starting: TaskStatus = { state: 'TASK_STARTING', reason: 'PodPending' };
  const running: TaskStatus = { state: 'TASK_RUNNING', reason: 'PodRunning' };
  const cases: { name: string; next: TaskStatus; age?: number; backlogged: boolean; want: number | undefined }[] = [
    {
      name: 'a fresh Pod, writes flowing: waits out the rest of a second',
      next: starting,
      age: 300,
      backlogged: false,
      want: STARTING_GRACE_MS - 300,
    },
    { name: 'a Pod a second old: written now', next: starting, age: STARTING_GRACE_MS, backlogged: false, want: undefined },
    {
      name: 'writes backlogged: a Pod seconds old still waits',
      next: starting,
      age: 5000,
      backlogged: true,
      want: STARTING_GRACE_BACKLOGGED_MS - 5000,
    },
    {
      name: 'writes backlogged: a Pod Pending for the whole grace is written',
      next: starting,
      age: STARTING_GRACE_BACKLOGGED_MS,
      backlogged: true,
      want: undefined,
    },
    { name: 'TASK_RUNNING never waits', next: running, age: 0, backlogged: true, want: undefined },
    { name: 'a Pod this process did not create (a restart) is not held back', next: starting, backlogged: true, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const now = 1_000_000;
      expect(
        startingDeferralMs({ next: c.next, podCreatedAt: c.age === undefined ? undefined : now - c.age, now, backlogged: c.backlogged }),
      ).toBe(c.want);
    });
  }
});
