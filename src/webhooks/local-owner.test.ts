import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  currentOwner,
  isProcessAlive,
  ownerAnnotations,
  ownerOf,
  ownerState,
  probeProcess,
  processStartTimeMs,
  type LocalOwner,
  type ProcessProbe,
} from './local-owner.ts';

const owner: LocalOwner = { host: 'laptop', pid: 4242, startedAt: '2030-01-01T10:00:00.000Z' };
const at = (iso: string) => Date.parse(iso);

describe('ownerState', () => {
  it.each<{ name: string; recorded: LocalOwner | undefined; host: string; probe: ProcessProbe; want: string }>([
    {
      name: 'no owner recorded (the chart, an older version)',
      recorded: undefined,
      host: 'laptop',
      probe: () => ({ alive: false }),
      want: 'unknown',
    },
    { name: 'another host: not ours to judge', recorded: owner, host: 'other', probe: () => ({ alive: false }), want: 'unknown' },
    { name: 'the pid has exited', recorded: owner, host: 'laptop', probe: () => ({ alive: false }), want: 'gone' },
    {
      name: 'the pid runs, started when recorded',
      recorded: owner,
      host: 'laptop',
      probe: () => ({ alive: true, startedAtMs: at(owner.startedAt) + 900 }),
      want: 'alive',
    },
    {
      name: 'the pid was reused by a later process',
      recorded: owner,
      host: 'laptop',
      probe: () => ({ alive: true, startedAtMs: at('2030-01-01T11:30:00Z') }),
      want: 'gone',
    },
    { name: 'the pid runs and the OS gives no start time', recorded: owner, host: 'laptop', probe: () => ({ alive: true }), want: 'alive' },
  ])('$name → $want', ({ recorded, host, probe, want }) => {
    expect(ownerState(recorded, host, probe)).toBe(want);
  });
});

describe('owner annotations', () => {
  it('round-trip', () => {
    expect(ownerOf(ownerAnnotations(owner))).toEqual(owner);
  });

  it.each<{ name: string; annotations: Record<string, string> | undefined }>([
    { name: 'none', annotations: undefined },
    { name: 'no pid', annotations: { 'agora.dev/owner-host': 'laptop', 'agora.dev/owner-started-at': owner.startedAt } },
    { name: 'a pid that is not a number', annotations: { ...ownerAnnotations(owner), 'agora.dev/owner-pid': 'abc' } },
    { name: 'a bad start time', annotations: { ...ownerAnnotations(owner), 'agora.dev/owner-started-at': 'yesterday' } },
  ])('record no owner when malformed: $name', ({ annotations }) => {
    expect(ownerOf(annotations)).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('this host’s processes (Linux /proc)', () => {
  it('tells a running process from one that has exited', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const exited = spawnSync('true');
    expect(exited.pid).toBeGreaterThan(0);
    expect(isProcessAlive(exited.pid!)).toBe(false);
  });

  it('records this process with its start time from /proc, which probing it finds again', () => {
    const me = currentOwner();
    expect(me.pid).toBe(process.pid);
    expect(Math.abs(processStartTimeMs(process.pid)! - performance.timeOrigin)).toBeLessThan(5_000);
    expect(ownerState(me, me.host, probeProcess)).toBe('alive');
  });
});
