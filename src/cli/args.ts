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

/** A Kubernetes resource name: an optional DNS-subdomain prefix and a name (cpu, nvidia.com/gpu). */
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** `a, b,,c` → [a, b, c]. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * --fair-sharing-excluded-resources (the controller's, and `agora status`'s, which must name the
 * same to show the same fair shares): resource names, comma-separated; throws naming the flag.
 */
export function excludedResourcesFlag(text: string): string[] {
  const names = commaList(text);
  for (const name of names) {
    if (!RESOURCE_NAME.test(name))
      throw new Error(`--fair-sharing-excluded-resources: ${JSON.stringify(name)} is not a resource name (e.g. nvidia.com/gpu)`);
  }
  return names;
}
