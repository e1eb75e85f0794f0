// `agora status`: inverse offers of maintenance windows not yet over — pending ones and how
// frameworks answered the others.
import type { InverseOfferRow } from '../api/maintenance.ts';
import { plain, table, type Style } from './output.ts';

export { inverseOfferRows, type InverseOfferRow } from '../api/maintenance.ts';

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
