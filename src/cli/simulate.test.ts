import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const NODE = 'node_modules/.bin/node';

function agora(...args: string[]) {
  const r = spawnSync(NODE, ['src/cli/main.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('agora simulate', () => {
  it('prints the DRF paper outcome as JSON', () => {
    const r = agora('simulate', 'examples/scenarios/drf-paper.yaml');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.frameworks.A).toEqual({ role: 'default', tasks: 3, allocated: { cpu: '3', memory: '12Gi' }, dominantShare: 2 / 3 });
    expect(out.frameworks.B).toEqual({ role: 'default', tasks: 2, allocated: { cpu: '6', memory: '2Gi' }, dominantShare: 2 / 3 });
    expect(out.nodes['node-1'].free).toEqual({ cpu: '0', memory: '4Gi' });
  });

  it.each(['roles-quota.yaml', 'reservations.yaml', 'gpu.yaml'])('runs the example %s', (file) => {
    const r = agora('simulate', `examples/scenarios/${file}`);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['frameworks', 'nodes', 'cycles']);
  });

  it('runs dynamic reservations: another role gets the reserved part only once it is unreserved', () => {
    const r = agora('simulate', 'examples/scenarios/dynamic-reservations.yaml');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(
      out.events.filter((e: { event: string }) => /serve/.test(e.event)).map((e: { cycle: number; event: string }) => [e.cycle, e.event]),
    ).toEqual([
      [1, 'Reserved'],
      [6, 'Unreserved'],
    ]);
    expect(out.frameworks.batch.tasks).toBe(16);
    expect(out.nodes['node-1']).toEqual({ free: { cpu: '0', memory: '8Gi' } });
  });

  it('runs nested roles: subtrees by weight, a parent limit over its subtree, GPUs left out of shares', () => {
    const r = agora('simulate', 'examples/scenarios/nested-roles.yaml');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const cpus = (role: string) => out.roles[role].allocated.cpu;
    // eng is capped at 12 CPUs by its limit, split 2:1 by weight inside it; ops/batch takes 8.
    expect([cpus('eng'), cpus('eng/ml'), cpus('eng/web'), cpus('ops'), cpus('ops/batch')]).toEqual(['12', '8', '4', '8', '8']);
    // Of 24 CPUs: eng 12/24 ÷ 3; the 4 GPUs it holds are not counted.
    expect(out.roles.eng.share).toBeCloseTo(1 / 6, 12);
    expect(out.frameworks.trainer.dominantShare).toBeCloseTo(4 / 24, 12);
  });

  it('rejects a bad scenario naming the field, exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-sim-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'nodes:\n  - {name: n, resources: {cpu: "1"}}\nframeworks:\n  - {name: a, task: {cpu: "1"}}\n  - {name: b, task: {cpu: abc}}\n',
    );
    const r = agora('simulate', file);
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('frameworks[1].task.cpu: invalid quantity "abc"');
  });

  it.each([
    { name: 'missing file argument', args: ['simulate'], want: 'expected exactly one scenario FILE' },
    { name: 'unreadable file', args: ['simulate', 'no/such/file.yaml'], want: 'cannot read no/such/file.yaml' },
  ])('usage errors: $name', ({ args, want }) => {
    const r = agora(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(want);
  });
});

describe('agora', () => {
  it('--help lists the commands', () => {
    const r = agora('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Commands:\n\s+simulate\s/);
  });

  it('an unknown command is an error, exit code 2', () => {
    const r = agora('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});
