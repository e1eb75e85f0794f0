// `agora status` against the local control plane: tables, --output json|yaml, usage errors,
// plain output when stdout is not a terminal.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/cluster/index.ts';
import type { StatusView } from '../../src/cli/status-view.ts';
import { eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { run, type RunResult } from './support/run.ts';
import { applyExample, getFramework, onPool, useController } from './examples-support.ts';

const ns = useNamespace('cli');
const pool = useController(ns, 'cli');

function agora(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [join(repoRoot, 'src/cli/main.ts'), ...args], {
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
}

describe('agora status', () => {
  const scope = () => ['--kubeconfig', inject('kubeconfig'), '-n', ns.name, '-l', pool.selector];

  it('shows the DRF pair converged: table, json and yaml', async () => {
    await pool.addNode({ name: 'paper', cpu: '9', memory: '18Gi', labels: { 'agora.dev/pool': 'drf-paper' } });
    await applyExample(kubeConfig(), 'drf-paper.yaml', ns.name, onPool(pool));
    await eventually(
      'converged',
      async () =>
        (await getFramework(ns.name, 'drf-a')).status?.tasks?.running === 3 &&
        (await getFramework(ns.name, 'drf-b')).status?.tasks?.running === 2,
      60_000,
    );
    await eventually(
      'shares settled',
      async () => Math.abs(((await getFramework(ns.name, 'drf-b')).status?.dominantShare ?? 0) - 2 / 3) < 0.001,
      30_000,
    );

    // An outstanding offer counts toward a share while it is out (as in Mesos): read until none is.
    const view = await eventually(
      'a status without an outstanding offer',
      async () => {
        const json = await agora(['status', ...scope(), '-o', 'json']);
        expect(json.code).toBe(0);
        const v = JSON.parse(json.stdout) as StatusView;
        return v.offers.length === 0 && v.frameworks.every((f) => f.dominantShare === 0.6667) ? v : undefined;
      },
      30_000,
    );
    expect(view.frameworks.map((f) => [f.name, f.role, f.scheduler, f.tasks.running, f.launched, f.wanted])).toEqual([
      ['drf-a', 'drf-a', 'builtin', 3, 3, 10],
      ['drf-b', 'drf-b', 'builtin', 2, 2, 10],
    ]);
    expect(view.frameworks.map((f) => f.dominantShare)).toEqual([0.6667, 0.6667]);
    expect(view.nodes).toEqual([
      expect.objectContaining({ name: `${pool.id}-paper`, allocatable: { cpu: '9', memory: '18Gi' }, used: { cpu: '9', memory: '14Gi' } }),
    ]);

    const yaml = await agora(['status', ...scope(), '--output', 'yaml']);
    expect(yaml.code).toBe(0);
    expect((load(yaml.stdout) as StatusView).frameworks).toHaveLength(2);

    const table = await eventually(
      'a table without an outstanding offer',
      async () => {
        const t = await agora(['status', ...scope()]);
        return t.code === 0 && t.stdout.includes('No outstanding offers.') ? t : undefined;
      },
      30_000,
    );
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout).toMatch(
      /^Frameworks\nNAMESPACE +NAME +ROLE +SCHEDULER +PHASE +DOMINANT SHARE +FAIR +DEMAND +ALLOCATED +TASKS +OFFERS\n/,
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `${ns.name} +drf-a +drf-a +builtin 3/10 +Active +[█▏▎▍▌▋▊▉░]{20} +66\\.7% +66\\.7% +7 × cpu 1, memory 4Gi +cpu 3, mem 12Gi +3 running`,
      ),
    );
    expect(table.stdout).toMatch(new RegExp(`${pool.id}-paper +0 / 0 / 9 / 9 +4Gi / 0 / 14Gi / 18Gi`));
    expect(table.stdout).toContain('Outstanding offers');
  });

  it('--watch re-renders until interrupted', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'src/cli/main.ts'), 'status', ...scope(), '--watch', '--interval', '0.5', '-o', 'json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('two snapshots', async () => (out.match(/"frameworks"/g) ?? []).length >= 2, 20_000);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });

  it('colors only when asked or on a terminal', async () => {
    const forced = await agora(['status', ...scope()], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[1m');
  });

  it.each([
    { name: 'unknown output format', args: ['status', '-o', 'xml'], wantCode: 2, wantErr: /--output: want one of table, json, yaml/ },
    { name: 'unknown flag', args: ['status', '--bogus'], wantCode: 2, wantErr: /Unknown option '--bogus'/ },
    {
      name: 'a bad resource name to leave out of the fair shares',
      args: ['status', '--fair-sharing-excluded-resources', 'gpu cards'],
      wantCode: 2,
      wantErr: /--fair-sharing-excluded-resources: "gpu cards" is not a resource name/,
    },
    {
      name: 'resources left out of the fair shares',
      args: ['status', '--fair-sharing-excluded-resources', 'nvidia.com/gpu', '-o', 'json'],
      wantCode: 0,
      wantOut: /"frameworks"/,
    },
    { name: 'help', args: ['status', '--help'], wantCode: 0, wantOut: /Usage: agora status/ },
    { name: 'demo help', args: ['demo', '--help'], wantCode: 0, wantOut: /Usage: agora demo \[--once\]/ },
    { name: 'command table lists status and demo', args: ['--help'], wantCode: 0, wantOut: /status .*\n.*demo/s },
  ])('$name', async ({ args, wantCode, wantErr, wantOut }) => {
    const r = await agora(args);
    expect(r.code).toBe(wantCode);
    if (wantErr) expect(r.stderr).toMatch(wantErr);
    if (wantOut) expect(r.stdout).toMatch(wantOut);
  });
});
