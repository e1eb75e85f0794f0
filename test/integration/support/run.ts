// Runs a command to its end and collects what it printed. Asynchronous on purpose: a server the
// command talks to (a webhook, a controller) may live in this process's event loop.
import { spawn } from 'node:child_process';

export interface RunResult {
  /** The exit code; -1 when the process was ended by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/** `input` is written to the command's stdin; without it stdin is closed from the start. */
export function run(
  command: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin?.end(o.input);
  });
}

export interface Started {
  readonly pid: number;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when it ends. */
  readonly exited: Promise<RunResult>;
  /** Sends `signal` unless it has ended; resolves when it has. */
  kill(signal?: NodeJS.Signals): Promise<RunResult>;
}

/** Starts a long-running command, collecting what it prints; the caller ends it with kill(). */
export function start(command: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Started {
  const child = spawn(command, args, { env: o.env ?? process.env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      ended = true;
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return {
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      return exited;
    },
  };
}
