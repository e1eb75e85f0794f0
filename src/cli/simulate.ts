// `agora simulate FILE`: reads a YAML scenario, runs it through the allocator
// (src/allocator/simulation.ts) and prints the outcome as one JSON document.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { parseScenario, ScenarioError, simulate } from '../allocator/simulation.ts';

const HELP = `Usage: agora simulate FILE [--pretty]

Replays the scenario in FILE (YAML: nodes, roles, frameworks) through the DRF allocator:
simulated frameworks launch up to tasksPerOffer tasks per offer and decline offers in which
nothing fits, until a cycle makes no offer and nothing on the timeline (arriveAt, leaveAt,
duration, reserve/unreserve; options.revocation) is still due. Prints
{"frameworks": {NAME: {role, tasks, allocated, dominantShare}}, "nodes": {NAME: {free, reserved?}}, "cycles": N}
and, when anything besides offers happened, "events": [{cycle, event, …}].
Exit code 2 for a bad command line or scenario (the error names the field).`;

export function run(argv: string[]): number {
  let values: { help?: boolean; pretty?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, pretty: { type: 'boolean' } },
      allowPositionals: true,
    }));
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${HELP}`);
  }
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) return fail(`expected exactly one scenario FILE\n\n${HELP}`);
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    return fail(`${file}: invalid YAML: ${(err as Error).message}`);
  }
  let scenario;
  try {
    scenario = parseScenario(doc);
  } catch (err) {
    if (err instanceof ScenarioError) return fail(`${file}: ${err.message}`);
    throw err;
  }
  const result = simulate(scenario);
  process.stdout.write(`${JSON.stringify(result, null, values.pretty === true ? 2 : undefined)}\n`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`agora simulate: ${message}\n`);
  return 2;
}
