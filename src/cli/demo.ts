// `agora demo` (npm run demo): the local control plane, the controller and webhooks, example
// frameworks, and their DRF shares converging live. The demo is a tool of the checkout: it
// starts the control plane (scripts/cluster) and the example SDK programs (examples/), which the
// image does not ship, so this command parses its flags and runs scripts/demo/demo.ts as a child
// process — `agora demo --help` works anywhere, the demo itself where the checkout is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../api/local-paths.ts';

const USAGE = `Usage: agora demo [--once] [--timeout 180] [--no-webhooks]

Starts the local control plane (or reuses a running one), the controller and webhooks, applies
example frameworks with different demands and shows their DRF shares converging. Ctrl-C stops
everything it started. Needs the Agora checkout (scripts/ and examples/).

  --once          exit after the result: 0 once the shares converged (printing the final
                  table), 1 with the reason if they did not within --timeout seconds
  --timeout SECS  how long --once waits (default 180)
  --no-webhooks   do not run the admission webhooks`;

export interface DemoOptions {
  once: boolean;
  timeoutMs: number;
  webhooks: boolean;
}

/** The demo's flags, or the exit code when there is nothing to run (--help, a usage error). */
export function parseDemoArgs(argv: string[]): DemoOptions | { exit: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        once: { type: 'boolean' },
        timeout: { type: 'string', default: '180' },
        'no-webhooks': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`agora demo: ${(err as Error).message}\n\n${USAGE}\n`);
    return { exit: 2 };
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return { exit: 0 };
  }
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) {
    process.stderr.write(`agora demo: --timeout: want a positive number of seconds\n`);
    return { exit: 2 };
  }
  return { once: values.once === true, timeoutMs, webhooks: values['no-webhooks'] !== true };
}

export const DEMO_PROGRAM = join(repoRoot, 'scripts/demo/demo.ts');

export async function run(argv: string[]): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if ('exit' in parsed) return parsed.exit;
  if (!existsSync(DEMO_PROGRAM)) {
    process.stderr.write('agora demo: scripts/demo/demo.ts not found: the demo runs from an Agora checkout (git clone, npm ci)\n');
    return 1;
  }
  const child = spawn(process.execPath, [DEMO_PROGRAM, ...argv], { stdio: 'inherit' });
  // Ctrl-C (SIGINT) and a closed terminal (SIGHUP) reach the demo too, as it is in our process
  // group: it cleans up and exits, and so do we; passing them on would be a second interrupt,
  // which makes the demo exit without cleaning up. SIGTERM, sent to this process alone, is passed on.
  const handlers = [
    ['SIGINT', () => {}],
    ['SIGHUP', () => {}],
    ['SIGTERM', () => child.kill('SIGTERM')],
  ] as const;
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 143)));
    });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
