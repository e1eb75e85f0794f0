// Pure: is a framework's scheduler connected? It heartbeats by renewing the Lease
// `agora-framework-<name>` in the framework's namespace; a framework with
// spec.failoverTimeoutSeconds whose Lease (or, without one, the framework itself) is older than
// that is Disconnected. Built-in frameworks have no external scheduler and never fail over.
import type { V1Lease } from '@kubernetes/client-node';
import type { FrameworkObject } from '../api/objects.ts';

export interface Heartbeat {
  /** ms since the epoch of the last heartbeat, if the Lease exists and was ever renewed. */
  lastHeartbeat: number | undefined;
  disconnected: boolean;
  /** When (ms) the framework will be disconnected if it does not heartbeat before; undefined: never. */
  deadline: number | undefined;
}

export function heartbeat(
  framework: Pick<FrameworkObject, 'spec'> & { metadata?: { creationTimestamp?: Date | string } },
  lease: V1Lease | undefined,
  now: number,
): Heartbeat {
  const last =
    lease === undefined ? undefined : time(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? lease.metadata?.creationTimestamp);
  const timeout = framework.spec.failoverTimeoutSeconds;
  if (timeout === undefined || framework.spec.builtin !== undefined)
    return { lastHeartbeat: last, disconnected: false, deadline: undefined };
  const since = last ?? time(framework.metadata?.creationTimestamp) ?? now;
  const deadline = since + timeout * 1000;
  return { lastHeartbeat: last, disconnected: now >= deadline, deadline };
}

function time(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
