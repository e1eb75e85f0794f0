// Decline filters (Mesos's RefusedOfferFilter): after a framework declines an offer with
// refuseSeconds, that node is not offered to it again until the filter expires, while the
// node's offerable resources are still contained in what was declined. Indexed both ways
// (node → framework → filter, framework → nodes) and expired through a min-heap on `until`,
// so a cycle never scans filters that cannot matter.
import { containsVec, type Vec } from './resources.ts';

export interface Filter {
  readonly framework: number;
  readonly node: number;
  /** The declined resources. */
  readonly resources: Vec;
  /** Expiry, ms; Infinity for a filter only revive (or growth) removes. */
  readonly until: number;
}

export class FilterIndex {
  private readonly byNode: (Map<number, Filter> | undefined)[] = [];
  private readonly byFramework = new Map<number, Set<number>>();
  private readonly heap: Filter[] = [];

  /** Installs (or replaces) the filter of `framework` on `node`. */
  add(framework: number, node: number, resources: Vec, until: number): void {
    const f: Filter = { framework, node, resources, until };
    let m = this.byNode[node];
    if (m === undefined) this.byNode[node] = m = new Map();
    m.set(framework, f);
    let s = this.byFramework.get(framework);
    if (s === undefined) this.byFramework.set(framework, (s = new Set()));
    s.add(node);
    if (until !== Infinity) this.push(f);
  }

  get(node: number, framework: number): Filter | undefined {
    return this.byNode[node]?.get(framework);
  }

  countOnNode(node: number): number {
    return this.byNode[node]?.size ?? 0;
  }

  /**
   * Does a filter keep `offerable` on `node` from `framework` at `now`? A filter that no
   * longer applies (expired, or the node's offerable grew beyond the declined resources) is
   * dropped: declining was about those resources, and the node now has more.
   */
  blocks(node: number, framework: number, offerable: Vec, now: number): Filter | undefined {
    const f = this.byNode[node]?.get(framework);
    if (f === undefined) return undefined;
    if (f.until > now && containsVec(f.resources, offerable)) return f;
    this.remove(framework, node);
    return undefined;
  }

  remove(framework: number, node: number): void {
    const m = this.byNode[node];
    if (m === undefined || !m.delete(framework)) return;
    if (m.size === 0) this.byNode[node] = undefined;
    const s = this.byFramework.get(framework);
    if (s !== undefined) {
      s.delete(node);
      if (s.size === 0) this.byFramework.delete(framework);
    }
  }

  /** Revive: drops every filter of `framework`; returns the nodes that had one. */
  removeFramework(framework: number): number[] {
    const nodes = [...(this.byFramework.get(framework) ?? [])];
    for (const n of nodes) this.remove(framework, n);
    return nodes;
  }

  removeNode(node: number): void {
    const m = this.byNode[node];
    if (m === undefined) return;
    for (const fw of [...m.keys()]) this.remove(fw, node);
  }

  /** Drops filters with until ≤ now; calls `onExpired(node)` for each one dropped. */
  expire(now: number, onExpired: (node: number) => void): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.until <= now) {
      const f = this.pop();
      // The heap keeps replaced/removed filters too: only a still-installed one counts.
      if (this.byNode[f.node]?.get(f.framework) === f) {
        this.remove(f.framework, f.node);
        onExpired(f.node);
      }
    }
  }

  private push(f: Filter): void {
    const h = this.heap;
    h.push(f);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.until <= f.until) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = f;
  }

  private pop(): Filter {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.until < h[l]!.until ? r : l;
        if (h[c]!.until >= last.until) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
