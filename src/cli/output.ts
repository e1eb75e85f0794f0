// Terminal output for the agora CLI: aligned tables, share bars, color only on a terminal
// (NO_COLOR / FORCE_COLOR respected), and json|yaml|table selection.
import { dump } from 'js-yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(v))
    throw new Error(`--output: want one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(v)}`);
  return v as OutputFormat;
}

export interface Style {
  color: boolean;
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const color =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
      ? true
      : stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { color, bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39), cyan: wrap(36, 39) };
}

export const plain: Style = styleFor({ isTTY: false }, {});

// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** The printed width of a string (ANSI escapes take none). */
export function visibleWidth(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

export type Align = 'left' | 'right';

/** Renders rows under headers, columns padded to their widest cell; right-aligned where asked. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { align?: readonly Align[]; style?: Style; indent?: string } = {},
): string {
  const style = opts.style ?? plain;
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const pad = (cell: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i]! - visibleWidth(cell)));
    return opts.align?.[i] === 'right' ? gap + cell : cell + gap;
  };
  const line = (cells: readonly string[]) =>
    (opts.indent ?? '') +
    cells
      .map((c, i) => pad(c, i))
      .join('  ')
      .trimEnd();
  return [style.bold(line(headers)), ...rows.map(line)].join('\n');
}

/** A share 0..1 as a bar of `width` cells, e.g. `██████░░░░`. */
export function bar(share: number, width: number, style: Style = plain): string {
  const s = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const eighths = Math.round(s * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  const partial = part > 0 ? ' ▏▎▍▌▋▊▉'[part]! : '';
  const filled = '█'.repeat(full) + partial;
  return style.green(filled) + style.dim('░'.repeat(Math.max(0, width - full - (partial ? 1 : 0))));
}

export function percent(share: number | undefined): string {
  return share === undefined ? '-' : `${(share * 100).toFixed(1)}%`;
}

/** Serializes for --output json|yaml. */
export function serialize(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : dump(value, { noRefs: true, lineWidth: 120 });
}

/** Clears the terminal and homes the cursor (for in-place refresh). */
export const CLEAR_SCREEN = '\u001b[H\u001b[2J';
