// What a V8 heap snapshot holds, by constructor: count and self size, the largest first (the
// "Summary" view of Chrome's DevTools, without retained sizes). Used by bench:scale
// --heap-snapshot to say which structures grow with nodes, Pods and offers.
//
// A snapshot of a few hundred MiB of heap is a JSON file larger than the longest string V8 can
// hold, so it is not JSON.parse'd whole: the header and the strings table are, and the flat
// `nodes` array of integers between them is read number by number from the bytes.
import { readFileSync } from 'node:fs';

export interface HeapGroup {
  /** Constructor name for objects and closures; `(type)` for strings, arrays, code and the rest. */
  name: string;
  count: number;
  selfBytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  top: HeapGroup[];
}

interface SnapshotMeta {
  node_count: number;
  meta: { node_fields: string[]; node_types: [string[], ...unknown[]] };
}

const GROUPED_BY_NAME = new Set(['object', 'closure', 'native']);

export function summarizeHeapSnapshot(file: string, topN = 25): HeapSummary {
  const buf = readFileSync(file);
  const nodesKey = Buffer.from('"nodes":[');
  const nodesAt = buf.indexOf(nodesKey);
  const stringsAt = buf.lastIndexOf(Buffer.from('"strings":['));
  if (nodesAt < 0 || stringsAt < 0) throw new Error(`${file}: not a V8 heap snapshot (no nodes or strings section)`);
  const header = buf.toString('utf8', 0, nodesAt).trim().replace(/,$/, '');
  const snapshot = (JSON.parse(`${header}}`) as { snapshot: SnapshotMeta }).snapshot;
  const fields = snapshot.meta.node_fields;
  const types = snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  if (typeAt! < 0 || nameAt! < 0 || sizeAt! < 0) throw new Error(`${file}: unexpected node fields ${fields.join(',')}`);

  const values = new Float64Array(snapshot.node_count * width);
  let n = 0;
  let cur = 0;
  let inNumber = false;
  for (let i = nodesAt + nodesKey.length; i < buf.length; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      values[n++] = cur;
      cur = 0;
      inNumber = false;
    }
    if (c === 93 /* ] */) break;
  }
  if (n !== values.length) throw new Error(`${file}: read ${n} node values, expected ${values.length}`);
  const end = buf.lastIndexOf(Buffer.from(']'));
  const strings = JSON.parse(buf.toString('utf8', stringsAt + '"strings":'.length, end + 1)) as string[];

  const groups = new Map<string, HeapGroup>();
  let total = 0;
  for (let i = 0; i < values.length; i += width) {
    const type = types[values[i + typeAt!]!] ?? 'unknown';
    const size = values[i + sizeAt!]!;
    const name = GROUPED_BY_NAME.has(type) ? (strings[values[i + nameAt!]!] ?? '?') : `(${type})`;
    total += size;
    let g = groups.get(name);
    if (g === undefined) groups.set(name, (g = { name, count: 0, selfBytes: 0 }));
    g.count++;
    g.selfBytes += size;
  }
  const top = [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, topN);
  return { totalBytes: total, nodes: snapshot.node_count, top };
}
