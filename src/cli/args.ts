// A subcommand's flags: parsed with node:util parseArgs; a usage error prints the message and
// the usage to stderr (exit 2), --help prints the usage to stdout (exit 0).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The parsed flags, or the exit code when there is nothing to run. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    process.stderr.write(`agora ${command}: ${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return parsed;
}
