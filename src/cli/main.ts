#!/usr/bin/env node
// `agora`: a table of subcommands, each in its own module under src/cli/, loaded only when
// run. To add a command, add one line to COMMANDS: a module exporting `run(argv)` that
// resolves to the exit code.
import { parseArgs } from 'node:util';

export interface CommandModule {
  run(argv: string[]): Promise<number> | number;
}

interface Command {
  summary: string;
  load: () => Promise<CommandModule>;
}

const COMMANDS: Record<string, Command> = {
  simulate: { summary: 'replay a YAML scenario through the allocator and print the outcome as JSON', load: () => import('./simulate.ts') },
  controller: {
    summary: 'run the controller: offers, tasks, pods (--kubeconfig, --node-selector, --namespaces, …)',
    load: () => import('./controller.ts'),
  },
  status: { summary: 'frameworks, shares, nodes and outstanding offers (--output json|yaml, --watch)', load: () => import('./status.ts') },
  ui: { summary: 'serve the web console on this machine against the cluster and print its URL', load: () => import('./ui.ts') },
  explain: { summary: 'why a framework gets no offers right now (FRAMEWORK [-n NS])', load: () => import('./explain.ts') },
  demo: {
    summary: 'the local control plane, controller and example frameworks, with DRF shares converging live (--once)',
    load: () => import('./demo.ts'),
  },
};

/** Every subcommand's name, in the order `agora --help` lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Exit code for a usage error (unknown command, bad flags, bad input). */
export const EXIT_USAGE = 2;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: agora <command> [options]', '', 'Commands:', ...lines, '', "Run `agora <command> --help` for a command's options."].join(
    '\n',
  );
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
  });
  const name = positionals[0];
  if (name === undefined || (values.help === true && argv[0]?.startsWith('-'))) {
    const out = usage();
    if (name === undefined && values.help !== true) {
      process.stderr.write(`${out}\n`);
      return EXIT_USAGE;
    }
    process.stdout.write(`${out}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`agora: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return EXIT_USAGE;
  }
  const mod = await command.load();
  return mod.run(argv.slice(argv.indexOf(name) + 1));
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
