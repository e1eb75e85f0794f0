// `agora demo --once` (what `npm run demo -- --once` runs): it reuses the running control
// plane, converges (DRF pair 3 + 2 at 2/3, batch complete, gang finished, service replaced its
// lost instance, a late framework took 2 of 4 back by revocation), prints the final table,
// exits 0 and removes everything it created.
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/cluster/index.ts';
import { kubeConfig } from './support/kube.ts';
import { run } from './support/run.ts';

describe('agora demo --once', () => {
  it('converges, prints the result and cleans up', async () => {
    const r = await run(process.execPath, [join(repoRoot, 'src/cli/main.ts'), 'demo', '--once', '--timeout', '200']);
    expect(r.code, r.stderr).toBe(0);
    // It printed the URL of its web console (as a step, on stderr).
    expect(r.stderr).toMatch(/web console: http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/drf-a +built-in 3\/10 +drf-a +Active +3 running +[█▏▎▍▌▋▊▉░]+ +66\.7%/);
    expect(r.stdout).toMatch(/drf-b +built-in 2\/10 +drf-b +Active +2 running +[█▏▎▍▌▋▊▉░]+ +66\.7%/);
    // More than 30 launches when a task had to be replaced (OnFailure).
    expect(r.stdout).toMatch(/batch-job +built-in \d+\/30 +batch +Completed +30 finished/);
    expect(r.stdout).toContain('✓ DRF paper: A runs 3 tasks, B runs 2, both dominant shares 2/3');
    expect(r.stdout).toContain('gang: all 4 ranks launched together');
    // The revocation partition: late arrives on the full node, two of early's tasks are revoked for it.
    expect(r.stdout).toMatch(/early +built-in \d+\/4 +early +Active +2 running, 2 killed/);
    expect(r.stdout).toMatch(/late +built-in \d+\/4 +late +Active +2 running/);
    // (each event is a line as it happens; the final table's recent events may repeat some)
    expect(r.stdout.match(/^\[[\d.]+s\] revoking early-\d+ of early for late \(FairShare\)/gm)).toHaveLength(2);
    expect(r.stdout).toContain('✓ revocation: late took its fair share back, early and late run 2 tasks each');
    expect(r.stderr).toContain('▸ stopped');
    const core = kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNode({ labelSelector: 'agora.dev/demo' })).items).toEqual([]);
  }, 300_000);
});
