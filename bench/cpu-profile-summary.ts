// Summarises a V8 .cpuprofile (node --cpu-prof): where the process spent its CPU, by function
// (self time: samples taken while that function was on top of the stack), and by file.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface CpuSummary {
  /** Profiled wall time, ms. */
  wallMs: number;
  /** Time on the CPU (samples not in the idle node), ms. */
  busyMs: number;
  topFunctions: { name: string; ms: number; pct: number }[];
  topFiles: { file: string; ms: number; pct: number }[];
}

/** `root`: file URLs under it are shown relative to it. */
export function summarizeCpuProfile(path: string, root: string, top = 15): CpuSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the samples and their time deltas (µs).
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(program)' || f.functionName === '(root)') continue;
    busy += us;
    const file = f.url === '' ? `(${f.functionName})` : shorten(f.url, root);
    const name = `${f.functionName || '(anonymous)'} ${file}${f.url === '' ? '' : `:${f.lineNumber + 1}`}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const wallUs = p.endTime - p.startTime;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ k, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / Math.max(1, busy)) / 10 }));
  return {
    wallMs: Math.round(wallUs / 1000),
    busyMs: Math.round(busy / 1000),
    topFunctions: rank(fns).map(({ k, ms, pct }) => ({ name: k, ms, pct })),
    topFiles: rank(files).map(({ k, ms, pct }) => ({ file: k, ms, pct })),
  };
}

function shorten(url: string, root: string): string {
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  if (!path.startsWith('/')) return path;
  const rel = relative(root, path);
  const nm = rel.lastIndexOf('node_modules/');
  return nm >= 0 ? rel.slice(nm) : rel;
}
