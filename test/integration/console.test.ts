// The web console in a real headless Chromium, against the local control plane and a controller
// serving it (--ui-addr): the DRF paper's shares converge to 2/3 on the overview; a framework
// page lists its tasks, offers and Events; a framework whose constraints match no node says so
// (on the page, in its OffersAvailable condition and in `agora explain`); markup in cluster
// strings shows as text; the overview keeps up while 500 tasks launch; `agora ui` serves the
// same console on its own watches. Screenshots go to .agora/test-artifacts/console/.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { deleteNode, repoRoot } from '../../scripts/cluster/index.ts';
import { API_VERSION, GROUP, PLURAL, VERSION } from '../../src/api/group.ts';
import type { IFramework } from '../../src/api/index.ts';
import { custom, eventually, kubeConfig, useNamespace } from './support/kube.ts';
import { run } from './support/run.ts';
import { ARTIFACTS, launchBrowser } from '../../scripts/browser.ts';
import { applyExample, getFramework, listTasks, POOL_LABEL, useController, type Pool } from './examples-support.ts';

const XSS = '<img src=x onerror=alert(1)>';
const ns = useNamespace('console');
const pool = useController(ns, 'console', { uiAddr: '127.0.0.1:0', uiSampleIntervalMs: 500, events: true, allocationIntervalMs: 200 });

let browser: Browser;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

const url = (hash = '') => `http://127.0.0.1:${pool.controller().uiPort}/${hash}`;

/** Restricts a Framework to this file's pool (and, with `extra`, to labels no node has). */
const onlyPool =
  (p: Pool, extra: Record<string, string> = {}) =>
  (f: IFramework): IFramework => ({
    ...f,
    spec: { ...f.spec, offerConstraints: { nodeSelector: { matchLabels: { [POOL_LABEL]: p.id, ...extra } } } },
  });

async function createFramework(name: string, spec: IFramework['spec']): Promise<void> {
  await custom().createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: ns.name,
    plural: PLURAL.Framework,
    body: { apiVersion: API_VERSION, kind: 'Framework', metadata: { name, namespace: ns.name }, spec },
  });
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The share the overview's legend shows for a framework, as a number, or undefined. */
async function legendShare(fw: string): Promise<number | undefined> {
  const el = page.locator(`[data-testid=share-legend] [data-fw="${ns.name}/${fw}"] b`);
  if ((await el.count()) === 0) return undefined;
  const v = await el.getAttribute('data-share');
  return v === null || v === '' ? undefined : Number(v);
}

describe('web console', () => {
  it('serves the page with a Content-Security-Policy that forbids inline script, and assets from the package', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)|https?:\/\//);
    for (const asset of ['/assets/console.js', '/assets/uplot.js', '/assets/uplot.css', '/assets/console.css'])
      expect((await fetch(url(asset.slice(1)))).status).toBe(200);
    expect((await fetch(url('api/v1/overview'), { method: 'POST' })).status).toBe(405);
  });

  it('overview: the DRF paper (examples/drf-paper.yaml) converges to dominant shares of 2/3 and 2/3', async () => {
    await pool.addNode({ name: 'paper', cpu: '9', memory: '18Gi' });
    await applyExample(kubeConfig(), 'drf-paper.yaml', ns.name, onlyPool(pool));
    await page.goto(url('#/'));
    await eventually(
      'both shares at 2/3 on the overview',
      async () => {
        const [a, b] = [await legendShare('drf-a'), await legendShare('drf-b')];
        return a !== undefined && b !== undefined && Math.abs(a - 2 / 3) < 0.001 && Math.abs(b - 2 / 3) < 0.001;
      },
      90_000,
    );
    expect(await page.locator('[data-testid=share-legend] [data-fw] b').allTextContents()).toEqual(['66.7%', '66.7%']);
    // The chart is drawn (uPlot's canvas), and the counts are the cluster's: 5 tasks running.
    await page.locator('[data-testid=share-chart] canvas').first().waitFor();
    await eventually('5 running on the overview', async () => (await page.locator('[data-testid=running] .n').textContent()) === '5');
    const cpu = page.locator('[data-testid=resources] tr[data-resource=cpu] td');
    expect(await cpu.nth(1).textContent()).toBe('9');
    expect(await cpu.nth(2).textContent()).toBe('9'); // A 3 × 1 CPU + B 2 × 3 CPU
    await shot('overview');
    // The frameworks table: each at its fair share of the node given both demands — progressive
    // filling gives A 3 tasks (12/18 memory) and B 2 (6/9 CPU): 2/3 each.
    await page.goto(url('#/frameworks'));
    const fair = (fw: string) => page.locator(`tr[data-fw="${ns.name}/${fw}"] td[data-fair-share]`);
    await eventually('fair shares shown', async () => (await fair('drf-b').count()) === 1);
    for (const fw of ['drf-a', 'drf-b']) {
      expect(Number(await fair(fw).getAttribute('data-fair-share'))).toBeCloseTo(2 / 3, 3);
      expect(await fair(fw).textContent()).toBe('66.7%');
    }
    await shot('frameworks');
    // The other list pages, each with a screenshot: roles (each framework in its own role), tasks
    // (the 5 running), offers (with the inverse offers' section, empty here).
    await page.goto(url('#/roles'));
    const roleRow = async (role: string) => {
      const row = page.locator(`tr[data-role="${role}"]`);
      return (await row.count()) === 1 ? ((await row.textContent()) ?? '') : '';
    };
    await eventually(
      'roles drf-a and drf-b with their frameworks',
      async () => (await roleRow('drf-a')).includes(`${ns.name}/drf-a`) && (await roleRow('drf-b')).includes(`${ns.name}/drf-b`),
    );
    await shot('roles');
    await page.goto(url('#/tasks'));
    await eventually('5 tasks listed', async () => (await page.locator('#view tr[data-task]').count()) === 5);
    await shot('tasks');
    await page.goto(url('#/offers'));
    await page.locator('[data-testid=inverse-offers]').waitFor();
    expect(await page.locator('[data-testid=inverse-offers]').textContent()).toBe('No inverse offers.');
    await shot('offers');
  });

  it('a nested role is one row, by its role name, with its ResourceRole (named with "." for "/") and its frameworks', async () => {
    const role = `${ns.name}-eng/ml`;
    const object = `${ns.name}-eng.ml`;
    await custom().createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL.ResourceRole,
      body: { apiVersion: API_VERSION, kind: 'ResourceRole', metadata: { name: object }, spec: { weight: 2 } },
    });
    try {
      // Constrained to a label no node has: it exists, in the role, and runs nothing.
      await createFramework('nested', onlyPool(pool, { nowhere: 'true' })({ spec: { role } } as IFramework).spec);
      const rows = await eventually('the role listed with its framework', async () => {
        const body = (await (await fetch(url('api/v1/roles'))).json()) as {
          items: { name: string; weight: number; frameworks: string[] }[];
        };
        const mine = body.items.filter((r) => r.name.startsWith(`${ns.name}-eng`));
        return mine.some((r) => r.frameworks.length > 0) ? mine : undefined;
      });
      expect(rows.map((r) => [r.name, r.weight, r.frameworks])).toEqual([[role, 2, [`${ns.name}/nested`]]]);
    } finally {
      await custom()
        .deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Framework, name: 'nested' })
        .catch(() => undefined);
      await custom().deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL.ResourceRole, name: object });
    }
  });

  it('a framework page lists its tasks, its offers and its Events, and why it gets no more', async () => {
    await page.goto(url(`#/frameworks/${ns.name}/drf-a`));
    await eventually('3 tasks listed', async () => (await page.locator('[data-testid=tasks] tr[data-task]').count()) === 3);
    const states = await page.locator('[data-testid=tasks] tr[data-task] td:nth-child(2)').allTextContents();
    expect(states).toEqual(['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING']);
    await eventually('its offers listed', async () => (await page.locator('[data-testid=offers] tr[data-offer]').count()) >= 3);
    expect(await page.locator('[data-testid=offer-counts]').textContent()).toMatch(/\d+ Accepted/);
    await eventually('its Events listed', async () =>
      ((await page.locator('[data-testid=events]').textContent()) ?? '').includes('TaskRunning'),
    );
    // Nothing more fits the node: its next task shape does not fit what is free, it declined the
    // leftover, or the leftover is on offer to the other framework.
    const reason = await page.locator('[data-testid=why]').getAttribute('data-reason');
    expect(['DemandUnfit', 'Refused', 'BelowMinimum', 'OfferOutstanding', 'OfferedToOthers']).toContain(reason);
    // Its offers over time, kept in the controller's memory: at least the 3 accepted ones.
    await page.locator('[data-testid=offer-chart] canvas').first().waitFor();
    const outcome = async (o: string) =>
      Number(await page.locator(`[data-testid=offer-legend] [data-outcome=${o}] b`).getAttribute('data-count'));
    await eventually('3 accepted offers on the chart', async () => (await outcome('accepted')) >= 3);
    expect(await outcome('made')).toBeGreaterThanOrEqual(await outcome('accepted'));
    await shot('framework');

    // A task links to its Pod: where it runs, its phase and its containers.
    const first = page.locator('[data-testid=tasks] tr[data-task]').first();
    const task = await first.getAttribute('data-task');
    await first.locator(`a[href^="#/pods/"]`).click();
    await page.waitForSelector('body[data-rendered=Pod]');
    expect(await page.locator('[data-testid=pod-title]').textContent()).toBe(`Pod ${ns.name}/${task}`);
    const row = page.locator('tr[data-pod] td');
    expect(await row.nth(0).textContent()).toBe(task);
    expect(await row.nth(2).textContent()).toMatch(new RegExp(`^${pool.id}-paper`));
    expect(await row.nth(3).textContent()).toBe('Running');
    expect(await page.locator('[data-testid=containers] tr[data-container] td').nth(2).textContent()).toBe('running');
    await shot('pod');
    // Only tasks' Pods: any other Pod is not shown.
    expect((await fetch(url(`api/v1/pods/kube-system/nothing-${ns.name}`))).status).toBe(404);
  });

  it('a framework whose constraints match no node says so: on its page, in its condition and in `agora explain`', async () => {
    await createFramework('nowhere', {
      builtin: { tasks: 1, template: { resources: { cpu: '1', memory: '1Gi' }, containers: [{ name: 'main', image: 'busybox' }] } },
      offerConstraints: { nodeSelector: { matchLabels: { [POOL_LABEL]: pool.id, disk: 'ssd' } } },
    });
    await page.goto(url(`#/frameworks/${ns.name}/nowhere`));
    const why = page.locator('[data-testid=why]');
    await eventually('Constraint shown', async () => (await why.getAttribute('data-reason')) === 'Constraint');
    expect(await why.textContent()).toContain('its offer constraints match none of 1 node');
    expect(await why.textContent()).toContain('(label disk)');

    const condition = await eventually('OffersAvailable condition says Constraint', async () =>
      (await getFramework(ns.name, 'nowhere')).status?.conditions?.find((c) => c.type === 'OffersAvailable' && c.reason === 'Constraint'),
    );
    expect(condition).toMatchObject({ status: 'False', reason: 'Constraint' });
    expect(condition.message).toMatch(/^no offer now: its offer constraints match none of 1 node \(.*\) \(label disk\)$/);

    const out = await run(process.execPath, [
      join(repoRoot, 'src/cli/main.ts'),
      'explain',
      'nowhere',
      '-n',
      ns.name,
      '--kubeconfig',
      inject('kubeconfig'),
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`${ns.name}/nowhere gets no offers now (Constraint)`);
    expect(out.stdout).toContain('  - its offer constraints match none of 1 node');
    await shot('no-offers');
  });

  it(`shows markup from the cluster as text: a framework constrained by ${XSS}`, async () => {
    await createFramework('xss', { offerConstraints: { nodeSelector: { matchLabels: { [POOL_LABEL]: pool.id, [XSS]: XSS } } } });
    for (const hash of [`#/frameworks/${ns.name}/xss`, '#/frameworks']) {
      await page.goto(url(hash));
      await page.waitForSelector('body[data-rendered]');
    }
    await page.goto(url(`#/frameworks/${ns.name}/xss`));
    await eventually('the explanation names the label', async () =>
      ((await page.locator('[data-testid=why]').textContent()) ?? '').includes(XSS),
    );
    const main = page.locator('main');
    expect(await main.textContent()).toContain(`"${XSS}":"${XSS}"`);
    expect(await main.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await shot('xss');
  });

  it('the overview keeps up while 500 tasks launch', async () => {
    // Room for 500 small tasks: a node with 600 pod slots in the pool.
    const big = await pool.addNode({ name: 'big', cpu: '64', memory: '256Gi', pods: '600' });
    for (const name of ['drf-a', 'drf-b', 'nowhere', 'xss'])
      await custom().deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.name, plural: PLURAL.Framework, name });
    await eventually('earlier tasks gone', async () => (await listTasks(ns.name)).length === 0, 60_000);
    await page.goto(url('#/'));
    await page.waitForSelector('body[data-rendered]');
    const seen: { at: number; page: number }[] = [];
    const started = Date.now();
    await createFramework('many', {
      builtin: {
        tasks: 500,
        tasksPerOffer: 50,
        template: { resources: { cpu: '10m', memory: '16Mi' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
      },
      // Only the big node: an offer does not say how many pod slots are free, and the built-in
      // scheduler would launch more tasks than the paper node's 110 slots hold.
      offerConstraints: { nodeSelector: { matchLabels: { [POOL_LABEL]: pool.id, 'kubernetes.io/hostname': big } } },
    });
    // Sample the page's count and the API server's once a second until the launches settle
    // (all 500 running, or no change for 20 s), then the page must show the final count.
    const ctl = pool.controller();
    let api = 0;
    let stableSince = Date.now();
    while (Date.now() - started < 240_000) {
      const shown = Number(await page.locator('[data-testid=running] .n').textContent());
      const running = (await listTasks(ns.name)).filter((t) => t.status?.state === 'TASK_RUNNING').length;
      seen.push({ at: Date.now() - started, page: shown });
      if (running !== api) stableSince = Date.now();
      api = running;
      if (api === 500 || (api > 0 && Date.now() - stableSince > 20_000)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settled = Date.now();
    await eventually(
      `the page shows the ${api} running tasks the API server has`,
      async () => Number(await page.locator('[data-testid=running] .n').textContent()) === api,
      5000,
    );
    // It followed along (several distinct counts on the way) and caught up within 5 s.
    expect(new Set(seen.map((x) => x.page)).size, JSON.stringify(seen)).toBeGreaterThanOrEqual(3);
    expect(Date.now() - settled).toBeLessThan(5000);
    expect(api, 'tasks running once the launches settled').toBe(500);
    expect(ctl.isReady()).toBe(true);
    expect(pageErrors).toEqual([]);
    await shot('500-tasks');
    await custom().deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: ns.name,
      plural: PLURAL.Framework,
      name: 'many',
    });
    await eventually('tasks gone', async () => (await listTasks(ns.name)).length === 0, 120_000);
    await deleteNode(kubeConfig(), big);
  }, 400_000);

  it('`agora ui` serves the same console from its own watches and prints its URL', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'src/cli/main.ts'), 'ui', '--addr', '127.0.0.1:0', '--namespaces', ns.name, '--kubeconfig', inject('kubeconfig')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const uiUrl = await eventually('the URL printed', async () => /Agora console: (http:\/\/\S+)/.exec(out)?.[1], 60_000);
      await page.goto(`${uiUrl}#/nodes`);
      await page.waitForSelector('body[data-rendered=Nodes]');
      expect(await page.locator('[data-testid=node-count]').textContent()).toMatch(/ of \d+ \(\d+ nodes\)/);
      const frameworks = (await (await fetch(`${uiUrl}api/v1/frameworks`)).json()) as { items: { namespace: string }[] };
      expect(frameworks.items.every((f) => f.namespace === ns.name)).toBe(true);
      await shot('agora-ui-nodes');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
