// `agora status`: inverse offers of maintenance windows not yet over — pending ones and how
// frameworks answered the others.
import type { IInverseOffer } from '../api/index.ts';
import { inverseOfferPhase, type InverseOfferPhase } from '../api/maintenance.ts';
import { plain, table, type Style } from './output.ts';

export interface InverseOfferRow {
  namespace: string;
  name: string;
  framework: string;
  node: string;
  maintenance: string;
  phase: InverseOfferPhase;
  /** Seconds until the window starts (negative: it has). */
  startsInSeconds: number;
  tasks: number;
  message?: string;
}

export function inverseOfferRows(ios: readonly IInverseOffer[], now: number): InverseOfferRow[] {
  return ios
    .map((io) => ({ io, phase: inverseOfferPhase(io, now) }))
    .filter(({ io }) => Date.parse(io.spec.end) > now)
    .map(({ io, phase }) => ({
      namespace: io.metadata?.namespace ?? '',
      name: io.metadata?.name ?? '',
      framework: io.spec.framework,
      node: io.spec.nodeName,
      maintenance: io.spec.maintenance,
      phase,
      startsInSeconds: Math.round((Date.parse(io.spec.start) - now) / 1000),
      tasks: io.spec.tasks?.length ?? 0,
      ...(io.spec.message ? { message: io.spec.message } : {}),
    }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export function renderInverseOffers(rows: readonly InverseOfferRow[], style: Style = plain): string {
  return table(
    ['NAMESPACE', 'FRAMEWORK', 'NODE', 'MAINTENANCE', 'STARTS IN', 'TASKS', 'ANSWER'],
    rows.map((r) => [
      r.namespace,
      r.framework,
      r.node,
      r.maintenance,
      r.startsInSeconds > 0 ? `${r.startsInSeconds}s` : 'started',
      String(r.tasks),
      r.phase === 'Pending' ? style.yellow('Pending') : r.phase === 'Declined' ? style.red('Declined') : style.green(r.phase),
    ]),
    { style },
  );
}
