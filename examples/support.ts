// What the example framework programs share: flags for where to register, a logger, and
// running until done or Ctrl-C.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';

export interface Common {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  role: string;
  log: Logger;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `--kubeconfig --namespace --name --role` plus the example's own options.
 * The kubeconfig defaults to KUBECONFIG / ~/.kube/config / in-cluster.
 */
export function parseCommon(argv: string[], defaults: { name: string; role: string }, own: Options, usage: string): { common: Common; values: Record<string, string | boolean | undefined> } {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n', default: 'default' },
      name: { type: 'string', default: defaults.name },
      role: { type: 'string', default: defaults.role },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
      ...own,
    },
  }) as { values: Record<string, string | boolean | undefined> };
  if (values.help) {
    console.log(`${usage}\n\ncommon options: --kubeconfig FILE  --namespace NS (default)  --name NAME (${defaults.name})  --role ROLE (${defaults.role})  --log-level info`);
    process.exit(0);
  }
  const kubeConfig = new KubeConfig();
  if (typeof values.kubeconfig === 'string') kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const common: Common = {
    kubeConfig,
    namespace: String(values.namespace),
    name: String(values.name),
    role: String(values.role),
    log: pino({ level: String(values['log-level']) }, pino.destination(2)),
  };
  return { common, values };
}

export function int(value: unknown, flag: string): number {
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
