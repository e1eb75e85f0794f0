// Starting and stopping the control plane's processes. Each runs detached in its own process
// group (so it survives the command that started it) with its pid recorded in state.json.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive as isAlive } from '../../src/webhooks/local-owner.ts';

export interface RunningProcess {
  name: string;
  pid: number;
  log: string;
}

export function startDetached(
  name: string,
  bin: string,
  args: string[],
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
): RunningProcess {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name} failed to start (${bin})`);
  child.unref();
  return { name, pid: child.pid, log };
}

/** Running, and not a zombie (one definition for the cluster scripts and the webhooks' owner checks). */
export { isAlive };

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when every process is gone. */
export async function stopAll(procs: RunningProcess[], graceMs = 10_000): Promise<void> {
  for (const p of procs) signalGroup(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (procs.some((p) => isAlive(p.pid)) && Date.now() < deadline) await sleep(100);
  for (const p of procs.filter((q) => isAlive(q.pid))) signalGroup(p.pid, 'SIGKILL');
  while (procs.some((p) => isAlive(p.pid))) await sleep(50);
}

/** Distinct free TCP ports on loopback. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Polls `check` until it returns true; fails with the process's log tail if it dies first. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: RunningProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (proc && !isAlive(proc.pid)) throw new Error(`${what}: ${proc.name} exited; see ${proc.log}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs / 1000}s${proc ? `; see ${proc.log}` : ''}`);
    await sleep(200);
  }
}
