// Which process registered a webhook configuration, and whether it is still there.
//
// A local run (`agora controller`, the demo, tests, benchmarks) registers configurations that point
// the API server at its own loopback server and removes them on exit. Killed (SIGKILL, a crash, a
// closed laptop), it leaves them behind, and with failurePolicy Fail they block every write to
// Offers, Tasks and Frameworks they cover. So each registration records its owner — host, pid and
// the process's start time (a pid alone may have been reused) — and a later start can tell a
// registration whose owner is gone, and only that, from one that is in use.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const OWNER_ANNOTATIONS = {
  host: 'agora.dev/owner-host',
  pid: 'agora.dev/owner-pid',
  startedAt: 'agora.dev/owner-started-at',
} as const;

export interface LocalOwner {
  host: string;
  pid: number;
  /** When the process started (ISO 8601, ms). */
  startedAt: string;
}

/** What is known of a process on this host: gone, or running (since when, where the OS says). */
export type ProcessProbe = (pid: number) => { alive: false } | { alive: true; startedAtMs?: number };

/** alive: its owner still runs; gone: its owner has exited; unknown: not ours to judge (no owner recorded, or another host). */
export type OwnerState = 'alive' | 'gone' | 'unknown';

/** /proc's start times come from the boot time in whole seconds; a reused pid started far later. */
const START_TIME_TOLERANCE_MS = 2_000;

export function ownerAnnotations(owner: LocalOwner): Record<string, string> {
  return {
    [OWNER_ANNOTATIONS.host]: owner.host,
    [OWNER_ANNOTATIONS.pid]: String(owner.pid),
    [OWNER_ANNOTATIONS.startedAt]: owner.startedAt,
  };
}

/** The owner an object's annotations record, or undefined when they record none (or a malformed one). */
export function ownerOf(annotations: Record<string, string> | undefined): LocalOwner | undefined {
  const host = annotations?.[OWNER_ANNOTATIONS.host];
  const pid = Number(annotations?.[OWNER_ANNOTATIONS.pid]);
  const startedAt = annotations?.[OWNER_ANNOTATIONS.startedAt];
  if (!host || !Number.isSafeInteger(pid) || pid <= 0 || !startedAt || Number.isNaN(Date.parse(startedAt))) return undefined;
  return { host, pid, startedAt };
}

export const sameOwner = (a: LocalOwner | undefined, b: LocalOwner): boolean =>
  a !== undefined && a.host === b.host && a.pid === b.pid && a.startedAt === b.startedAt;

/** Whether the recorded owner still runs, judged from `host` with `probe`. */
export function ownerState(owner: LocalOwner | undefined, host: string, probe: ProcessProbe): OwnerState {
  if (owner === undefined || owner.host !== host) return 'unknown';
  const p = probe(owner.pid);
  if (!p.alive) return 'gone';
  if (p.startedAtMs !== undefined && Math.abs(p.startedAtMs - Date.parse(owner.startedAt)) > START_TIME_TOLERANCE_MS) return 'gone';
  return 'alive';
}

function readStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)", which may itself contain spaces: state is field 3, starttime field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

let bootTimeMs: number | undefined;

/** When `pid` started, from /proc (Linux); undefined elsewhere. */
export function processStartTimeMs(pid: number): number | undefined {
  const ticks = Number(readStat(pid)?.[22 - 3]);
  if (!Number.isFinite(ticks)) return undefined;
  if (bootTimeMs === undefined) {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    if (btime === undefined) return undefined;
    bootTimeMs = Number(btime) * 1000;
  }
  // starttime is in clock ticks since boot; USER_HZ is 100 on every Linux ABI Node.js runs on.
  return bootTimeMs + ticks * 10;
}

/** Running, and not a zombie waiting for a parent (some sandboxes' init never reaps them). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = readStat(pid)?.[0];
  return state === undefined || state[0] !== 'Z';
}

export const probeProcess: ProcessProbe = (pid) => {
  if (!isProcessAlive(pid)) return { alive: false };
  const startedAtMs = processStartTimeMs(pid);
  return startedAtMs === undefined ? { alive: true } : { alive: true, startedAtMs };
};

/** This process, as registrations record it. */
export function currentOwner(): LocalOwner {
  const startedAtMs = processStartTimeMs(process.pid) ?? performance.timeOrigin;
  return { host: hostname(), pid: process.pid, startedAt: new Date(Math.round(startedAtMs)).toISOString() };
}
