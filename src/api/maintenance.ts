// Maintenance windows and inverse offers, as every layer reads them: when a window is in force
// and what state an inverse offer is in. Pure; times in ms since the epoch.
import type { IInverseOffer } from './generated/agora.dev/v1alpha1/InverseOffer.ts';

/** What the rows read of an InverseOffer (the generated model and the controller's object both fit). */
type InverseOfferLike = { metadata?: { name?: string; namespace?: string }; spec: IInverseOffer['spec'] };

export const INVERSE_OFFER_PHASES = ['Pending', 'Accepted', 'Declined', 'Expired'] as const;
export type InverseOfferPhase = (typeof INVERSE_OFFER_PHASES)[number];

export type InverseOfferAnswer = 'Accept' | 'Decline';

export interface Window {
  name: string;
  nodes: readonly string[];
  start: number;
  end: number;
}

/** A Maintenance's window; undefined when its start is not a time. */
export function windowOf(m: {
  metadata: { name: string };
  spec: { nodes: string[]; start: string; durationSeconds: number };
}): Window | undefined {
  const start = Date.parse(m.spec.start);
  if (Number.isNaN(start)) return undefined;
  return { name: m.metadata.name, nodes: m.spec.nodes, start, end: start + m.spec.durationSeconds * 1000 };
}

/** In force: the nodes are unavailable now. */
export function inForce(w: Window, now: number): boolean {
  return w.start <= now && now < w.end;
}

/** An inverse offer's phase: answered (Accepted/Declined), else Expired once its window ended, else Pending. */
export function inverseOfferPhase(io: { spec: { answer?: InverseOfferAnswer; end: string } }, now: number): InverseOfferPhase {
  if (io.spec.answer === 'Accept') return 'Accepted';
  if (io.spec.answer === 'Decline') return 'Declined';
  return Date.parse(io.spec.end) <= now ? 'Expired' : 'Pending';
}

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

/** Inverse offers of windows not yet over, as `agora status` and the console list them: pending ones and the answers. */
export function inverseOfferRows(ios: readonly InverseOfferLike[], now: number): InverseOfferRow[] {
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
