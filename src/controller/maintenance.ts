// Maintenance windows applied: which nodes are unavailable now (the allocation loop treats them
// as cordoned), and the InverseOffers frameworks with tasks on those nodes are sent, created
// once per (framework, window, node) and owned by the Maintenance so deleting it removes them.
// Driven by the allocation loop's sync (each cycle, and at every window's start and end).
import type { Logger } from 'pino';
import { API_VERSION, LABEL } from '../api/index.ts';
import { windowOf, type Window } from '../api/maintenance.ts';
import { formatResourceList } from '../api/quantity.ts';
import { errorSummary, isConflict } from '../api/errors.ts';
import { namespacedKey } from '../api/keys.ts';
import type { InverseOfferObject } from '../api/objects.ts';
import { MANAGED_BY } from '../api/pod.ts';
import type { Context } from './context.ts';
import { inverseOffersWanted, nextBoundary, nodesInForce, type Holder, type WantedInverseOffer } from './maintenance-decide.ts';
import { isTerminal } from '../api/group.ts';

export class MaintenanceLoop {
  private readonly ctx: Context;
  private readonly log: Logger;
  private unavailable = new Set<string>();
  /** Inverse offers being created (namespace/name), so a cycle does not create one twice. */
  private readonly creating = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.log = ctx.log.child({ component: 'maintenance' });
  }

  /** Is the node in a maintenance window now (as of the last sync)? */
  inForce(node: string): boolean {
    return this.unavailable.has(node);
  }

  /**
   * Marks dirty the nodes whose availability changed, creates the inverse offers that are
   * missing, and asks for a cycle when the next window starts or ends.
   */
  sync(): void {
    const { state } = this.ctx;
    const now = this.ctx.clock.now();
    const windows = state.c.maintenances
      .list()
      .map((m) => windowOf(m))
      .filter((w): w is Window => w !== undefined);
    const unavailable = nodesInForce(windows, now);
    for (const n of unavailable) if (!this.unavailable.has(n)) state.dirtyNodes.add(n);
    for (const n of this.unavailable) if (!unavailable.has(n)) state.dirtyNodes.add(n);
    this.unavailable = unavailable;
    this.wakeAt(nextBoundary(windows, now));
    if (windows.length === 0) return;
    const wanted = inverseOffersWanted(
      windows,
      (node) => this.holders(node),
      (ns, name) => this.creating.has(namespacedKey(ns, name)) || state.c.inverseOffers.get(namespacedKey(ns, name)) !== undefined,
      now,
    );
    for (const w of wanted) void this.create(w);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private holders(node: string): Holder[] {
    const { state } = this.ctx;
    const by = new Map<string, string[]>();
    for (const key of state.taskKeysOnNode(node)) {
      const task = state.task(key);
      if (task === undefined || isTerminal(task.status?.state)) continue;
      const fw = namespacedKey(task.metadata.namespace, task.spec.framework);
      if (!this.ctx.manages(task.metadata.namespace)) continue;
      let l = by.get(fw);
      if (l === undefined) by.set(fw, (l = []));
      l.push(task.metadata.name);
    }
    const usage = state.usage(node).frameworks;
    return [...by].map(([framework, tasks]) => ({ framework, tasks, resources: usage.get(framework) ?? {} }));
  }

  private wakeAt(at: number | undefined): void {
    if (at === this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.ctx.kick();
      },
      Math.max(0, at - this.ctx.clock.now()),
    );
    this.timer.unref();
  }

  private async create(w: WantedInverseOffer): Promise<void> {
    const { ctx } = this;
    const key = namespacedKey(w.namespace, w.name);
    const maintenance = ctx.state.c.maintenances.get(w.window.name);
    const fw = ctx.state.c.frameworks.get(namespacedKey(w.namespace, w.framework));
    if (maintenance?.metadata.uid === undefined || fw === undefined) return;
    this.creating.add(key);
    const labels: Record<string, string> = { [LABEL.managedBy]: MANAGED_BY };
    if (w.framework.length <= 63) labels[LABEL.framework] = w.framework;
    const body: InverseOfferObject = {
      apiVersion: API_VERSION,
      kind: 'InverseOffer',
      metadata: {
        name: w.name,
        namespace: w.namespace,
        labels,
        ownerReferences: [{ apiVersion: API_VERSION, kind: 'Maintenance', name: w.window.name, uid: maintenance.metadata.uid }],
      },
      spec: {
        framework: w.framework,
        nodeName: w.node,
        maintenance: w.window.name,
        start: new Date(w.window.start).toISOString(),
        end: new Date(w.window.end).toISOString(),
        ...(maintenance.spec.reason ? { reason: maintenance.spec.reason } : {}),
        resources: formatResourceList(w.resources),
        tasks: w.tasks,
      },
    };
    try {
      await ctx.kube.createCustom('InverseOffer', w.namespace, body, 'normal');
      this.log.info({ inverseOffer: key, node: w.node, maintenance: w.window.name, tasks: w.tasks.length }, 'inverse offer sent');
      ctx.events.normal(
        { apiVersion: API_VERSION, kind: 'Framework', namespace: w.namespace, name: w.framework, uid: fw.metadata.uid },
        'InverseOffer',
        `maintenance ${w.window.name} asks for node ${w.node} back by ${body.spec.start}`,
      );
    } catch (err) {
      if (!isConflict(err)) this.log.warn({ inverseOffer: key, err: errorSummary(err) }, 'inverse offer not created; retried next cycle');
    } finally {
      this.creating.delete(key);
    }
  }
}
