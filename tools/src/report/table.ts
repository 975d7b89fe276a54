/**
 * Tables for reports: the same rows rendered as aligned plain text (terminal) or as Markdown.
 * Cells are strings; numbers are formatted by the caller with {@link fixed} / {@link percent} so a
 * table never decides precision on its own.
 */

/** Column alignment: numbers right, names left. */
export type Align = 'left' | 'right';

/** A table: header cells, rows of cells, and one alignment per column (default: first left, rest right). */
export interface Table {
  header: string[];
  rows: string[][];
  align?: Align[];
}

const alignOf = (t: Table, i: number): Align => t.align?.[i] ?? (i === 0 ? 'left' : 'right');

/** Number with `digits` decimals; non-finite values (no data) print as an en dash. */
export function fixed(value: number | undefined, digits = 2): string {
  return value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** A percentage in [0, 100] with one decimal and a `%` sign; non-finite prints as an en dash. */
export function percent(value: number | undefined, digits = 1): string {
  return value !== undefined && Number.isFinite(value) ? `${value.toFixed(digits)}%` : '–';
}

/** An integer with thousands separators (`1,234,567`); non-finite prints as an en dash. */
export function grouped(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',') : '–';
}

/** A count with an SI suffix: `12.3 k`, `4.56 M`, `7.89 G`. */
export function si(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const units = ['', ' k', ' M', ' G', ' T'];
  let v = value;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? String(Math.round(v)) : `${v.toPrecision(3)}${units[u]}`;
}

/**
 * Renders a table as aligned plain text, two spaces between columns, no trailing spaces.
 * @example
 * textTable({ header: ['scene', 'EPE'], rows: [['a', '1.00']] });
 */
export function textTable(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const pad = ' '.repeat(widths[i] - [...c].length);
        return alignOf(t, i) === 'left' ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n') + '\n';
}

/** Escapes the characters that would break a Markdown table cell. */
function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * Renders a table as GitHub-flavoured Markdown with alignment markers.
 * @example
 * markdownTable({ header: ['p50', 'p90'], rows: [['10.1', '12.0']], align: ['right', 'right'] });
 */
export function markdownTable(t: Table): string {
  const row = (r: string[]) => `| ${r.map(mdCell).join(' | ')} |`;
  const rule = `|${t.header.map((_, i) => (alignOf(t, i) === 'left' ? ' --- ' : ' ---: ')).join('|')}|`;
  return [row(t.header), rule, ...t.rows.map(row)].join('\n') + '\n';
}
