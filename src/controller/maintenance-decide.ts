// Pure: what maintenance asks of the allocator and of frameworks. Nodes of a window in force are
// unavailable (offered to no one); before and during a window, every framework holding tasks on
// one of its nodes has one inverse offer per (window, node) — Mesos sends an inverse offer per
// agent to each framework with resources allocated there, and only one at a time.
import { createHash } from 'node:crypto';
import { inForce, type Window } from '../api/maintenance.ts';
import type { ResourceList } from '../api/quantity.ts';

/** What one framework holds on one node. */
export interface Holder {
  /** The framework's key, namespace/name. */
  framework: string;
  tasks: string[];
  resources: ResourceList;
}

export interface WantedInverseOffer {
  namespace: string;
  name: string;
  framework: string;
  node: string;
  window: Window;
  tasks: string[];
  resources: ResourceList;
}

/** The nodes no one may be offered now. */
export function nodesInForce(windows: readonly Window[], now: number): Set<string> {
  const out = new Set<string>();
  for (const w of windows) if (inForce(w, now)) for (const n of w.nodes) out.add(n);
  return out;
}

/** The next time (ms) a window starts or ends after `now`: the allocator must look again then. */
export function nextBoundary(windows: readonly Window[], now: number): number | undefined {
  let next: number | undefined;
  for (const w of windows) for (const t of [w.start, w.end]) if (t > now && (next === undefined || t < next)) next = t;
  return next;
}

/**
 * The inverse offers that should exist and do not: one per framework holding tasks on a node of
 * a window not yet over. Frameworks that hold nothing there are not asked.
 */
export function inverseOffersWanted(
  windows: readonly Window[],
  holders: (node: string) => Holder[],
  exists: (namespace: string, name: string) => boolean,
  now: number,
): WantedInverseOffer[] {
  const out: WantedInverseOffer[] = [];
  for (const w of windows) {
    if (w.end <= now) continue;
    for (const node of w.nodes) {
      for (const h of holders(node)) {
        if (h.tasks.length === 0) continue;
        const slash = h.framework.indexOf('/');
        const namespace = h.framework.slice(0, slash);
        const framework = h.framework.slice(slash + 1);
        const name = inverseOfferName(framework, w.name, node);
        if (exists(namespace, name)) continue;
        out.push({ namespace, name, framework, node, window: w, tasks: [...h.tasks].sort(), resources: h.resources });
      }
    }
  }
  return out;
}

const MAX_NAME = 253;

/** `<framework>.<maintenance>.<node>` (all DNS subdomains), or a hash-suffixed cut when too long. */
export function inverseOfferName(framework: string, maintenance: string, node: string): string {
  const full = `${framework}.${maintenance}.${node}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 16);
  return `${full.slice(0, MAX_NAME - 17).replace(/[-.]+$/, '')}-${hash}`;
}
