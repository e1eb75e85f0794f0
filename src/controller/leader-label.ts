// The leading replica labels its own Pod `agora.dev/leader=true`, every other replica's Pod says
// `false`: the console Service selects the label, so with several replicas it routes only to the
// one whose caches are running (the pattern of database operators' primary Services). A replica
// marks itself a standby when it starts and when it stops leading; a new leader also clears the
// label from any other Pod still carrying it (an old leader that crashed or lost the API before
// it could). Without a Pod name (a controller run outside the cluster) it does nothing.
import type { Logger } from 'pino';
import { LEADER_LABEL } from '../api/group.ts';
import { errorSummary, isNotFound } from '../api/errors.ts';
import type { Kube } from './kube.ts';

/** How long to wait before trying a failed label write again. */
const RETRY_MS = 2000;

export class LeaderPodLabel {
  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly pod: string;
  private readonly log: Logger;
  /** What the label should say; undefined until set. */
  private want: boolean | undefined;
  private written: boolean | undefined;
  private running: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(kube: Kube, pod: { namespace: string; name: string }, log: Logger) {
    this.kube = kube;
    this.namespace = pod.namespace;
    this.pod = pod.name;
    this.log = log.child({ component: 'leader-label', pod: `${pod.namespace}/${pod.name}` });
  }

  /** Says whether this replica leads; written at once, tried again until it is (or stop()). */
  set(leading: boolean): Promise<void> {
    this.want = leading;
    this.running = this.running.then(() => this.apply());
    return this.running;
  }

  /** Marks this replica a standby (one attempt) and stops retrying. */
  async stop(): Promise<void> {
    if (this.retry !== undefined) clearTimeout(this.retry);
    await this.running;
    if (this.stopped || this.written === false) return;
    this.stopped = true;
    await this.write(false).catch((err: unknown) => this.log.warn({ err: errorSummary(err) }, 'could not mark the pod a standby'));
  }

  private async apply(): Promise<void> {
    const want = this.want;
    if (this.stopped || want === undefined || want === this.written) return;
    try {
      await this.write(want);
      if (want) await this.clearOthers();
    } catch (err) {
      if (isNotFound(err)) {
        this.log.warn('the pod named by --pod-name does not exist: the console Service cannot select the leader');
        this.stopped = true;
        return;
      }
      this.log.warn({ err: errorSummary(err), leading: want }, 'could not label the pod; trying again');
      if (this.retry !== undefined) clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.set(this.want!), RETRY_MS);
      this.retry.unref();
    }
  }

  private async write(leading: boolean): Promise<void> {
    await this.kube.patchPodLabels(this.namespace, this.pod, { [LEADER_LABEL]: String(leading) });
    this.written = leading;
    this.log.info({ leading }, 'pod labelled');
  }

  /** Other Pods of the namespace that still say they lead do not. */
  private async clearOthers(): Promise<void> {
    const stale = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: `${LEADER_LABEL}=true` });
    for (const p of stale.items) {
      const name = p.metadata?.name;
      if (name === undefined || name === this.pod) continue;
      await this.kube.patchPodLabels(this.namespace, name, { [LEADER_LABEL]: 'false' }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      this.log.info({ other: name }, 'cleared a stale leader label');
    }
  }
}
