/**
 * The small SVG toolkit the charts share: escaping, "nice" axis ticks, linear and log scales, and
 * a plot frame with axes, grid, title and labels. Charts are SVG text first (diffable, viewable in
 * a browser) and rasterized to PNG by `png.ts`.
 */

/** Size and labels every chart takes. */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 720. */
  width?: number;
  /** Pixels; default 420. */
  height?: number;
}

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const PALETTE = ['#4C78A8', '#E45756', '#54A24B', '#F58518', '#B279A2', '#72B7B2', '#9D755D', '#BAB0AC'];
const MARGIN = { top: 44, right: 24, bottom: 56, left: 72 };

/** Escapes text for SVG content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number for SVG coordinates: two decimals are sub-pixel enough and keep files small. */
export const px = (v: number): string => String(Math.round(v * 100) / 100);

/** A round step (1, 2 or 5 × 10^k) that splits `range` into about `target` parts. */
export function niceStep(range: number, target: number): number {
  const raw = range / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

/** Decimals needed to print multiples of `step` exactly. */
export function stepDigits(step: number): number {
  return Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
}

/** An axis mapping data values to pixels, with its ticks. */
export interface Scale {
  lo: number;
  hi: number;
  map(v: number): number;
  ticks: { value: number; label: string }[];
}

/**
 * A linear axis over [lo, hi] extended to round ticks.
 * @param from, to - pixel ends (`to` may be smaller, e.g. y grows downwards).
 * @param integer - ticks at whole numbers only (counts).
 */
export function linearScale(lo: number, hi: number, from: number, to: number, target = 6, integer = false): Scale {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  // Counts get whole-number ticks.
  const step = integer ? Math.max(1, niceStep(hi - lo, target)) : niceStep(hi - lo, target);
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const digits = stepDigits(step);
  const ticks = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push({ value: v, label: (Math.abs(v) < step * 1e-9 ? 0 : v).toFixed(digits) });
  return { lo: a, hi: b, map: (v) => from + ((v - a) / (b - a)) * (to - from), ticks };
}

/** A log10 axis over [lo, hi] (both > 0) extended to whole decades; ticks at 1, 2, 5 × 10^k when few decades. */
export function logScale(lo: number, hi: number, from: number, to: number): Scale {
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const ticks = [];
  for (let k = a; k <= b; k++) {
    for (const m of mults) {
      const v = m * 10 ** k;
      if (v <= 10 ** b * 1.000001) ticks.push({ value: v, label: v >= 1e4 || v < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3))) });
    }
  }
  return { lo: 10 ** a, hi: 10 ** b, map: (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from), ticks };
}

/** The plot area inside the margins. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The plot area for a chart; `extraTop` makes room for a legend row under the title. */
export function frameOf(options: ChartOptions, extraTop = 0): Frame {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  return { width, height, left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top + extraTop, bottom: height - MARGIN.bottom };
}

/** The opening of a chart: background, title, axis labels, grid lines and tick labels. */
export function drawAxes(f: Frame, x: Scale, y: Scale, options: ChartOptions): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="${FONT}" font-size="12">`,
    `<rect width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
  ];
  if (options.title) out.push(`<text x="${px(f.width / 2)}" y="26" font-size="16" text-anchor="middle" fill="#222">${esc(options.title)}</text>`);
  for (const t of y.ticks) {
    const yy = px(y.map(t.value));
    out.push(`<line x1="${f.left}" x2="${f.right}" y1="${yy}" y2="${yy}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${f.left - 6}" y="${yy}" dy="4" text-anchor="end" fill="#444">${esc(t.label)}</text>`);
  }
  for (const t of x.ticks) {
    const xx = px(x.map(t.value));
    out.push(`<line x1="${xx}" x2="${xx}" y1="${f.bottom}" y2="${f.bottom + 5}" stroke="#444"/>`);
    out.push(`<text x="${xx}" y="${f.bottom + 19}" text-anchor="middle" fill="#444">${esc(t.label)}</text>`);
  }
  out.push(`<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="#444"/>`);
  out.push(`<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}" stroke="#444"/>`);
  if (options.xLabel) {
    out.push(`<text x="${px((f.left + f.right) / 2)}" y="${f.height - 14}" font-size="13" text-anchor="middle" fill="#222">${esc(options.xLabel)}</text>`);
  }
  if (options.yLabel) {
    const cy = px((f.top + f.bottom) / 2);
    out.push(`<text transform="translate(18 ${cy}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222">${esc(options.yLabel)}</text>`);
  }
  return out;
}
