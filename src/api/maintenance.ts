// Maintenance windows and inverse offers, as every layer reads them: when a window is in force
// and what state an inverse offer is in. Pure; times in ms since the epoch.

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
