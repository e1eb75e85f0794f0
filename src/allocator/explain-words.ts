// Pure: an Explanation (Allocator.explain) for one framework, in plain words with the numbers —
// what the console's framework page, `agora explain` and the framework's OffersAvailable
// condition say. Times are absolute (an ISO instant), never "in 30s": the condition's message
// must not change while nothing else does.
import { formatQuantity } from '../api/quantity.ts';
import type { Explanation, OfferRefusalReason, Refusal } from './types.ts';

/** Why a framework is (not) offered anything by the next cycle. */
export interface WhyNoOffers {
  /** A cycle run now would offer it a node. */
  offered: boolean;
  /**
   * `Offered`, or the reason that keeps it from the most nodes it could use (a Refusal reason or
   * `OfferedToOthers`; `Constraint` only when no node matches; `NoNodes`).
   */
  reason: string;
  /** One line: the details' texts joined. */
  message: string;
  /** One entry per reason, most nodes first. */
  details: WhyDetail[];
}

export interface WhyDetail {
  reason: OfferRefusalReason | 'OfferedToOthers' | 'Offered';
  /** How many nodes this reason concerns, and the first few of them by name. */
  nodes: number;
  examples: string[];
  text: string;
}

const EXAMPLES = 3;

const nodesPhrase = (n: number, examples: readonly string[]): string => {
  const more = n > examples.length ? `, … ${n - examples.length} more` : '';
  return `${n} node${n === 1 ? '' : 's'} (${examples.join(', ')}${more})`;
};

const amount = (r: Refusal, v: number | undefined): string =>
  v === undefined || r.resource === undefined ? '?' : formatQuantity(v, r.resource);

const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The words for one reason, given the refusals that carry it (all of one reason, for one framework or node-wide). */
function reasonText(reason: OfferRefusalReason, refusals: readonly Refusal[], where: string): string {
  const first = refusals[0]!;
  switch (reason) {
    case 'Refused': {
      const until = Math.min(...refusals.map((r) => r.until ?? Infinity));
      const last = Math.max(...refusals.map((r) => r.until ?? Infinity));
      const when = (t: number) => (Number.isFinite(t) ? `until ${instant(t)}` : 'until it revives or their free resources grow');
      return `it declined ${where}: refused ${until === last ? when(until) : `${when(until)} at the earliest, ${when(last)} at the latest`}`;
    }
    case 'Suppressed':
      return `it is suppressed (spec.suppressed, its built-in workload is over, or its scheduler stopped heartbeating): nothing is offered on ${where}`;
    case 'NoDemand':
      return `its published demand is empty (spec.demand: []): nothing is offered on ${where}`;
    case 'DemandMet':
      return `its outstanding offers already cover all of its demand: not offered ${where}`;
    case 'DemandUnfit':
      return `none of the task shapes in its demand fits what ${where} have free`;
    case 'RoleLimit':
      return `role ${first.role ?? '?'} is at its limit for ${first.resource ?? '?'}: ${amount(first, first.allocated)} of ${amount(first, first.limit)} used (${where})`;
    case 'QuotaHeadroom':
      return `${where} held back for other roles' unmet guarantees${first.resource ? ` of ${first.resource}` : ''}`;
    case 'GpuCapability':
      return `${where} have GPUs and it lacks the GPU_RESOURCES capability`;
    case 'BelowMinimum':
      return first.resource !== undefined
        ? `${where} have no free ${first.resource} (every task takes one)`
        : `what ${where} have free is below the smallest offer made (minAllocatable)`;
    case 'BelowFrameworkMinimum':
      return `what ${where} have free is below its own minimum offer (spec.offerFilters)${first.resource !== undefined ? `: short of ${first.resource}` : ''}`;
    case 'OfferOutstanding':
      return `${where} have an outstanding offer: what they have free waits for its answer`;
    case 'Constraint': {
      const labels = [...new Set(refusals.map((r) => r.label).filter((l): l is string => l !== undefined))];
      return `its offer constraints match none of ${where}${labels.length > 0 ? ` (label ${labels.join(', ')})` : ''}`;
    }
    case 'NodeUnschedulable':
      return `${where} are cordoned`;
    case 'NodeNotReady':
      return `${where} are not Ready`;
    case 'Nominated':
      return `revocation is freeing ${where} for another framework`;
  }
}

/**
 * Why `framework` (a `namespace/name` key) would or would not be offered anything by a cycle
 * run now, from the explanation asked for it.
 */
export function whyNoOffers(e: Explanation, framework: string): WhyNoOffers {
  const mine = e.offers.filter((o) => o.framework === framework);
  if (mine.length > 0) {
    const nodes = mine.map((o) => o.node).sort();
    const text = `the next cycle offers it ${nodesPhrase(nodes.length, nodes.slice(0, EXAMPLES))}`;
    return {
      offered: true,
      reason: 'Offered',
      message: text,
      details: [{ reason: 'Offered', nodes: nodes.length, examples: nodes.slice(0, EXAMPLES), text }],
    };
  }
  const concerns = (r: Refusal) => r.framework === undefined || r.framework === framework;
  // A node outside its constraints is never its node: whatever else is said about it does not matter.
  const excluded = new Set(e.refusals.filter((r) => r.reason === 'Constraint' && concerns(r)).map((r) => r.node));
  const byReason = new Map<OfferRefusalReason, { nodes: Set<string>; refusals: Refusal[] }>();
  for (const r of e.refusals) {
    if (!concerns(r) || (r.reason !== 'Constraint' && excluded.has(r.node))) continue;
    let g = byReason.get(r.reason);
    if (g === undefined) byReason.set(r.reason, (g = { nodes: new Set(), refusals: [] }));
    g.nodes.add(r.node);
    g.refusals.push(r);
  }
  const details: WhyDetail[] = [];
  for (const [reason, g] of byReason) {
    const names = [...g.nodes].sort();
    const examples = names.slice(0, EXAMPLES);
    details.push({ reason, nodes: names.length, examples, text: reasonText(reason, g.refusals, nodesPhrase(names.length, examples)) });
  }
  const others = e.offers.filter((o) => o.framework !== framework && !excluded.has(o.node));
  if (others.length > 0) {
    const nodes = others.map((o) => o.node).sort();
    const to = [...new Set(others.map((o) => o.framework))].sort();
    details.push({
      reason: 'OfferedToOthers',
      nodes: nodes.length,
      examples: nodes.slice(0, EXAMPLES),
      text: `${nodesPhrase(nodes.length, nodes.slice(0, EXAMPLES))} go first to ${to.slice(0, EXAMPLES).join(', ')}${to.length > EXAMPLES ? ` and ${to.length - EXAMPLES} more` : ''}, ahead of it in DRF order (a lower share)`,
    });
  }
  // Nodes outside its constraints say least about why it waits: the nodes it could use come first.
  const rank = (d: WhyDetail) => (d.reason === 'Constraint' ? 1 : 0);
  details.sort((a, b) => rank(a) - rank(b) || b.nodes - a.nodes || a.reason.localeCompare(b.reason));
  if (details.length === 0) return { offered: false, reason: 'NoNodes', message: 'there is no node to offer', details };
  return { offered: false, reason: details[0]!.reason, message: `no offer now: ${details.map((d) => d.text).join('; ')}`, details };
}
