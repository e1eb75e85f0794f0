import { describe, expect, it } from 'vitest';
import { maintenanceActions } from './maintenance.ts';
import { progressOf, taskViews } from './decide.ts';

const END = '2026-01-01T01:00:00Z';
const now = Date.parse(END) - 30_000;
const io = (name: string, nodeName: string, answer?: 'Accept' | 'Decline', end = END) => ({
  metadata: { name },
  spec: { nodeName, end, ...(answer ? { answer } : {}) },
});
const task = (name: string, nodeName: string, state?: string, kill?: boolean) => ({
  metadata: { name },
  spec: { nodeName, ...(kill ? { kill } : {}) },
  ...(state ? { status: { state: state as 'TASK_RUNNING' } } : {}),
});
const offer = (name: string, nodeName: string) => ({ metadata: { name }, spec: { nodeName } });

describe('maintenanceActions (built-in scheduler)', () => {
  it('accepts a pending inverse offer, kills its active tasks on the node and refuses offers there until the end', () => {
    const got = maintenanceActions(
      [io('web.m.a', 'a')],
      [
        task('web-0', 'a', 'TASK_RUNNING'),
        task('web-1', 'a', 'TASK_RUNNING', true),
        task('web-2', 'b', 'TASK_RUNNING'),
        task('web-3', 'a', 'TASK_FINISHED'),
      ],
      [offer('o-a', 'a'), offer('o-b', 'b')],
      now,
    );
    expect(got.accept).toEqual(['web.m.a']);
    expect(got.kill).toEqual(['web-0']);
    expect(got.declines).toEqual([
      expect.objectContaining({ offer: 'o-a', action: 'decline', refuseSeconds: 30, reason: 'NodeInMaintenance' }),
    ]);
  });

  it.each([
    { name: 'declined: keeps its tasks', answer: 'Decline' as const, end: END, wantKill: [], wantDeclines: 0 },
    { name: 'accepted earlier: still drains', answer: 'Accept' as const, end: END, wantKill: ['web-0'], wantDeclines: 1 },
    { name: 'window over: nothing', answer: undefined, end: '2026-01-01T00:00:00Z', wantKill: [], wantDeclines: 0 },
  ])('$name', ({ answer, end, wantKill, wantDeclines }) => {
    const got = maintenanceActions([io('x', 'a', answer, end)], [task('web-0', 'a', 'TASK_RUNNING')], [offer('o-a', 'a')], now);
    expect(got.accept).toEqual([]);
    expect(got.kill).toEqual(wantKill);
    expect(got.declines).toHaveLength(wantDeclines);
  });
});

describe('progressOf with tasks moved off a maintenance node (revoked: their resources were taken back)', () => {
  const fw = { spec: { builtin: { tasks: 2, maxRetries: 1 } } };
  it('replaces a task moved off a maintenance node without using a retry', () => {
    const p = progressOf(fw, [
      { name: 'w-0', state: 'TASK_KILLED', revoked: true },
      { name: 'w-1', state: 'TASK_RUNNING' },
    ]);
    expect([p.toLaunch, p.retriesLeft, p.failed]).toEqual([1, 1, 0]);
  });
  it('a plain kill uses the retry', () => {
    const p = progressOf(fw, [
      { name: 'w-0', state: 'TASK_KILLED' },
      { name: 'w-1', state: 'TASK_RUNNING' },
    ]);
    expect([p.toLaunch, p.retriesLeft, p.failed]).toEqual([1, 1, 1]);
    const after = progressOf(fw, [
      { name: 'w-0', state: 'TASK_KILLED' },
      { name: 'w-1', state: 'TASK_RUNNING' },
      { name: 'w-2', state: 'TASK_RUNNING' },
    ]);
    expect(after.retriesLeft).toBe(0);
    const moved = progressOf(fw, [
      { name: 'w-0', state: 'TASK_KILLED', revoked: true },
      { name: 'w-1', state: 'TASK_RUNNING' },
      { name: 'w-2', state: 'TASK_RUNNING' },
    ]);
    expect(moved.retriesLeft).toBe(1);
  });
});

describe('taskViews', () => {
  it('marks a task killed to move it off a maintenance node as taken back, not failed', () => {
    const killed = (name: string, annotations?: Record<string, string>) => ({
      metadata: { name, ...(annotations ? { annotations } : {}) },
      status: { state: 'TASK_KILLED' as const },
    });
    const views = taskViews([killed('w-0', { 'agora.dev/moved-off': 'node-a' }), killed('w-1')], [], new Map());
    expect(views.map((v) => [v.name, v.revoked === true])).toEqual([
      ['w-0', true],
      ['w-1', false],
    ]);
  });
});
