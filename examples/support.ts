// What the example framework programs share: flags for where to register, their own typed flags,
// a logger, and running until done or Ctrl-C.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { loadKubeConfig } from '../src/sdk/index.ts';

export interface Common {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  role: string;
  log: Logger;
}

type FlagValue = string | boolean | undefined;

/** One of a program's own flags: how parseArgs reads it and what it becomes. */
export interface Flag<T> {
  option: NonNullable<ParseArgsConfig['options']>[string];
  parse(value: FlagValue, flag: string): T;
}

/** A whole number ≥ 0. */
export const count = (fallback: number): Flag<number> => ({ option: { type: 'string', default: String(fallback) }, parse: int });
export const text = (fallback: string): Flag<string> => ({ option: { type: 'string', default: fallback }, parse: (v) => String(v) });
export const optionalText = (): Flag<string | undefined> => ({
  option: { type: 'string' },
  parse: (v) => (typeof v === 'string' ? v : undefined),
});
export const boolean = (): Flag<boolean> => ({ option: { type: 'boolean' }, parse: (v) => v === true });

type Values<F> = { [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

/**
 * Parses `--kubeconfig --namespace --name --role --log-level --help` and the program's own `flags`.
 * The kubeconfig is --kubeconfig, else KUBECONFIG / ~/.kube/config / in-cluster (the SDK's
 * loadKubeConfig). --help prints `usage` and exits 0; a bad flag prints why and exits 1.
 */
export function parseFlags<F extends Record<string, Flag<unknown>>>(
  argv: string[],
  program: { name: string; role: string; usage: string },
  flags: F,
): { common: Common; flags: Values<F> } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', short: 'n', default: 'default' },
        name: { type: 'string', default: program.name },
        role: { type: 'string', default: program.role },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, f.option])),
      },
    }) as { values: Record<string, FlagValue> };
    if (values.help) {
      console.log(
        `${program.usage}\n\ncommon options: --kubeconfig FILE  --namespace NS (default)  --name NAME (${program.name})  --role ROLE (${program.role})  --log-level info`,
      );
      process.exit(0);
    }
    const own = Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, f.parse(values[k], k)])) as Values<F>;
    const common: Common = {
      kubeConfig: loadKubeConfig({ kubeconfig: values.kubeconfig as string | undefined }),
      namespace: String(values.namespace),
      name: String(values.name),
      role: String(values.role),
      log: pino({ level: String(values['log-level']) }, pino.destination(2)),
    };
    return { common, flags: own };
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

function int(value: FlagValue, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: want a whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs `body` with an AbortSignal fired by Ctrl-C; exits 0 on success, 1 on an error. */
export async function runMain(body: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  process.once('SIGTERM', () => ac.abort());
  try {
    const result = await body(ac.signal);
    if (result !== undefined) console.log(JSON.stringify(result));
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

/** Resolves when the signal fires (never rejects). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Annotations that make a task's Pod finish (exit 0) or crash (non-zero) on the local kwok cluster. */
export function simulated(exitCode: number, runFor: string): Record<string, string> {
  return { 'agora.dev/sim-exit-code': String(exitCode), 'agora.dev/sim-run-duration': runFor };
}
