// Decline filters (Mesos's RefusedOfferFilter): after a framework declines an offer with
// refuseSeconds, that node is not offered to it again until the filter expires, while the
// node's offerable resources are still contained in what was declined.
//
// A cycle asks "does a filter block framework f at node n?" for every framework it passes
// over, so the per-node store is compact and contiguous: framework ids sorted in an
// Int32Array (binary search), expiry and declined resources in parallel Float64Arrays. A
// framework → nodes index serves revive, and a min-heap on expiry drops filters as time
// passes without scanning.
import type { Vec } from './vectors.ts';

/** One filter, as handed out for inspection (not the hot path). */
export interface Filter {
  readonly framework: number;
  readonly node: number;
  /** The declined resources. */
  readonly resources: Vec;
  /** Expiry, ms; Infinity for a filter only revive (or growth) removes. */
  readonly until: number;
}

/** The filters on one node, by framework id (sorted). */
interface NodeFilters {
  n: number;
  /** Resources per filter (stride of `res`). */
  w: number;
  ids: Int32Array;
  until: Float64Array;
  res: Float64Array;
}

interface Expiry {
  until: number;
  node: number;
  framework: number;
}

export class FilterIndex {
  private readonly byNode: (NodeFilters | undefined)[] = [];
  private readonly byFramework = new Map<number, Set<number>>();
  private readonly heap: Expiry[] = [];

  /** Installs (or replaces) the filter of `framework` on `node`. */
  add(framework: number, node: number, resources: Vec, until: number): void {
    let nf = this.byNode[node];
    if (nf === undefined) {
      const w = Math.max(resources.length, 1);
      this.byNode[node] = nf = { n: 0, w, ids: new Int32Array(4), until: new Float64Array(4), res: new Float64Array(4 * w) };
    }
    if (resources.length > nf.w) this.widen(nf, resources.length);
    let i = search(nf, framework);
    if (i < 0) {
      i = -i - 1;
      if (nf.n === nf.ids.length) this.enlarge(nf);
      nf.ids.copyWithin(i + 1, i, nf.n);
      nf.until.copyWithin(i + 1, i, nf.n);
      nf.res.copyWithin((i + 1) * nf.w, i * nf.w, nf.n * nf.w);
      nf.ids[i] = framework;
      nf.n++;
    }
    nf.until[i] = until;
    const base = i * nf.w;
    for (let k = 0; k < nf.w; k++) nf.res[base + k] = k < resources.length ? resources[k]! : 0;
    let s = this.byFramework.get(framework);
    if (s === undefined) this.byFramework.set(framework, (s = new Set()));
    s.add(node);
    if (until !== Infinity) this.push({ until, node, framework });
  }

  get(node: number, framework: number): Filter | undefined {
    const nf = this.byNode[node];
    if (nf === undefined) return undefined;
    const i = search(nf, framework);
    if (i < 0) return undefined;
    return { framework, node, until: nf.until[i]!, resources: nf.res.slice(i * nf.w, (i + 1) * nf.w) };
  }

  countOnNode(node: number): number {
    return this.byNode[node]?.n ?? 0;
  }

  /**
   * Does a filter keep `offerable` on `node` from `framework` at `now`? A filter that no
   * longer applies (expired, or the node's offerable grew beyond the declined resources) is
   * dropped: declining was about those resources, and the node now has more.
   */
  blocksOrLifts(node: number, framework: number, offerable: Vec, now: number): boolean {
    const nf = this.byNode[node];
    if (nf === undefined) return false;
    const i = search(nf, framework);
    if (i < 0) return false;
    if (nf.until[i]! > now) {
      const w = nf.w;
      const base = i * w;
      let contained = true;
      for (let k = 0; k < offerable.length; k++) {
        const o = offerable[k]!;
        if (o > 0 && o > (k < w ? nf.res[base + k]! : 0)) {
          contained = false;
          break;
        }
      }
      if (contained) return true;
    }
    this.remove(framework, node);
    return false;
  }

  remove(framework: number, node: number): void {
    const nf = this.byNode[node];
    if (nf === undefined) return;
    const i = search(nf, framework);
    if (i < 0) return;
    nf.ids.copyWithin(i, i + 1, nf.n);
    nf.until.copyWithin(i, i + 1, nf.n);
    nf.res.copyWithin(i * nf.w, (i + 1) * nf.w, nf.n * nf.w);
    nf.n--;
    if (nf.n === 0) this.byNode[node] = undefined;
    const s = this.byFramework.get(framework);
    if (s !== undefined) {
      s.delete(node);
      if (s.size === 0) this.byFramework.delete(framework);
    }
  }

  /** Every filter, by framework then node (inspection and snapshots; not the hot path). */
  list(): Filter[] {
    const out: Filter[] = [];
    for (const [framework, nodes] of this.byFramework) for (const node of nodes) out.push(this.get(node, framework)!);
    return out;
  }

  /** Revive: drops every filter of `framework`; returns the nodes that had one. */
  removeFramework(framework: number): number[] {
    const nodes = [...(this.byFramework.get(framework) ?? [])];
    for (const n of nodes) this.remove(framework, n);
    return nodes;
  }

  removeNode(node: number): void {
    const nf = this.byNode[node];
    if (nf === undefined) return;
    for (const fw of [...nf.ids.subarray(0, nf.n)]) this.remove(fw, node);
  }

  /** Drops filters with until ≤ now; calls `onExpired(node)` for each one dropped. */
  expire(now: number, onExpired: (node: number) => void): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.until <= now) {
      const e = this.pop();
      // The heap keeps replaced and removed filters too: only a still-installed one counts.
      const nf = this.byNode[e.node];
      if (nf === undefined) continue;
      const i = search(nf, e.framework);
      if (i >= 0 && nf.until[i] === e.until) {
        this.remove(e.framework, e.node);
        onExpired(e.node);
      }
    }
  }

  private enlarge(nf: NodeFilters): void {
    const cap = nf.ids.length * 2;
    const ids = new Int32Array(cap);
    ids.set(nf.ids);
    const until = new Float64Array(cap);
    until.set(nf.until);
    const res = new Float64Array(cap * nf.w);
    res.set(nf.res);
    nf.ids = ids;
    nf.until = until;
    nf.res = res;
  }

  /** A resource name appeared after this node's filters were laid out: re-stride. */
  private widen(nf: NodeFilters, w: number): void {
    const res = new Float64Array(nf.ids.length * w);
    for (let i = 0; i < nf.n; i++) for (let k = 0; k < nf.w; k++) res[i * w + k] = nf.res[i * nf.w + k]!;
    nf.res = res;
    nf.w = w;
  }

  private push(e: Expiry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.until <= e.until) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Expiry {
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

/** Index of framework in nf.ids, or −(insertion point) − 1. */
function search(nf: NodeFilters, framework: number): number {
  const ids = nf.ids;
  let lo = 0;
  let hi = nf.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid]!;
    if (v < framework) lo = mid + 1;
    else if (v > framework) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}
