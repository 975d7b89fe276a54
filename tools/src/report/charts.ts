/**
 * Two chart kinds cover the project's reports: a histogram (latency distributions, with percentile
 * markers) and an x/y plot of one or more series as lines and/or points (accuracy versus latency
 * for pruning, loss curves for training). Both return SVG text; `png.ts` rasterizes it.
 */
import { InvalidParameterError, is } from '@stereo-sdk/core';
import { drawAxes, esc, frameOf, linearScale, logScale, niceStep, PALETTE, px, type ChartOptions, type Scale } from './svg.js';

/** A labelled vertical line on a histogram, e.g. `p50` at 12.3. */
export interface Marker {
  label: string;
  value: number;
}

/** Options of {@link histogramSvg}. */
export interface HistogramOptions extends ChartOptions {
  /** Approximate number of bins (rounded to a nice bin width); default √n clamped to [5, 40]. */
  bins?: number;
  /** Vertical lines drawn over the bars. */
  markers?: Marker[];
}

function finiteValues(name: string, values: readonly number[]): number[] {
  if (!Array.isArray(values as unknown)) throw is.invalidParameterError(name, 'an array of numbers', values);
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) throw new InvalidParameterError(`Expected at least one finite value in ${name} but received none`);
  return v;
}

/**
 * A histogram of `values` with nicely rounded bin edges.
 * @param values - samples (non-finite ones are ignored); at least one finite.
 * @param options - title, axis labels, size (default 720×420), bins, markers.
 * @returns SVG text.
 * @throws InvalidParameterError when no value is finite.
 * @example
 * const svg = histogramSvg(result.samplesMs, { title: 'latency', xLabel: 'ms', markers: [{ label: 'p50', value: 12.1 }] });
 */
export function histogramSvg(values: readonly number[], options: HistogramOptions = {}): string {
  const v = finiteValues('values', values);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const target = options.bins ?? Math.min(40, Math.max(5, Math.ceil(Math.sqrt(v.length))));
  const width = hi > lo ? niceStep(hi - lo, target) : Math.max(Math.abs(lo) * 0.01, 1e-3);
  const start = Math.floor(lo / width + 1e-9) * width;
  const nbins = Math.max(1, Math.floor((hi - start) / width + 1e-9) + 1);
  const counts = new Array<number>(nbins).fill(0);
  for (const x of v) counts[Math.min(nbins - 1, Math.floor((x - start) / width + 1e-9))]++;
  const f = frameOf(options);
  const markers = (options.markers ?? []).filter((m) => Number.isFinite(m.value));
  const xlo = Math.min(start, ...markers.map((m) => m.value));
  const xhi = Math.max(start + nbins * width, ...markers.map((m) => m.value));
  const x = linearScale(xlo, xhi, f.left, f.right, 8);
  // Head room above the tallest bar for the marker labels.
  const y = linearScale(0, Math.max(...counts) * (markers.length ? 1.25 : 1.05), f.bottom, f.top, 5, true);
  const out = drawAxes(f, x, y, { yLabel: 'count', ...options });
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = x.map(start + i * width);
    const x1 = x.map(start + (i + 1) * width);
    const y0 = y.map(c);
    out.push(`<rect x="${px(x0 + 0.5)}" y="${px(y0)}" width="${px(Math.max(1, x1 - x0 - 1))}" height="${px(f.bottom - y0)}" fill="${PALETTE[0]}"/>`);
  });
  markers.forEach((m, i) => {
    const at = x.map(m.value);
    const xx = px(at);
    const color = PALETTE[(i + 1) % PALETTE.length];
    // Labels near the right edge go on the line's left so they are not clipped.
    const anchor = at > f.right - 8 * m.label.length - 8 ? ' text-anchor="end" dx="-4"' : ' dx="4"';
    out.push(`<line x1="${xx}" x2="${xx}" y1="${f.top}" y2="${f.bottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    out.push(`<text x="${xx}" y="${f.top + 12 + 14 * i}"${anchor} fill="${color}">${esc(m.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** One series of an x/y plot. */
export interface Series {
  label: string;
  /** [x, y] pairs, drawn in the given order. */
  points: readonly (readonly [number, number])[];
  /** Default 'line+points'. */
  style?: 'line' | 'points' | 'line+points';
  /** Text drawn next to each point (e.g. a pruning step), same length as `points`. */
  pointLabels?: readonly string[];
}

/** Options of {@link xyPlotSvg}. */
export interface XyPlotOptions extends ChartOptions {
  /** Default 'linear'; 'log' needs every y > 0 (loss curves). */
  yScale?: 'linear' | 'log';
  /** Start the linear y axis at 0. Default false. */
  yFromZero?: boolean;
}

/**
 * Plots series of [x, y] points as lines and/or markers, with a legend when there are several.
 * @param series - at least one series with at least one finite point overall.
 * @param options - title, axis labels, size (default 720×420), y scale (linear or log), yFromZero.
 * @returns SVG text.
 * @throws InvalidParameterError when there is no finite point, or a log axis gets y ≤ 0.
 * @example
 * const svg = xyPlotSvg([{ label: 'pruned', points: [[31, 2.1], [18, 2.4]] }], { xLabel: 'latency (ms)', yLabel: 'bad-2 (%)' });
 */
export function xyPlotSvg(series: readonly Series[], options: XyPlotOptions = {}): string {
  if (!Array.isArray(series as unknown) || series.length === 0) throw is.invalidParameterError('series', 'a non-empty array of series', series);
  const finite = series.map((s) => s.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)));
  const xs = finiteValues('series x values', finite.flat().map((p) => p[0]));
  const ys = finite.flat().map((p) => p[1]);
  const log = options.yScale === 'log';
  if (log && ys.some((y) => y <= 0)) throw new InvalidParameterError('Expected y > 0 for every point of a log-scale plot but received a value ≤ 0');
  // A legend row above the plot area (never over the data) when there are several series.
  const legend = series.length > 1;
  const f = frameOf(options, legend ? 22 : 0);
  const x = linearScale(Math.min(...xs), Math.max(...xs), f.left, f.right, 8);
  const ylo = options.yFromZero && !log ? Math.min(0, ...ys) : Math.min(...ys);
  const y: Scale = log ? logScale(ylo, Math.max(...ys), f.bottom, f.top) : linearScale(ylo, Math.max(...ys), f.bottom, f.top, 6);
  const out = drawAxes(f, x, y, options);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const pts = finite[i].map(([a, b]) => [x.map(a), y.map(b)] as const);
    const style = s.style ?? 'line+points';
    if (style !== 'points' && pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([a, b]) => `${px(a)},${px(b)}`).join(' ')}"/>`);
    }
    if (style !== 'line') for (const [a, b] of pts) out.push(`<circle cx="${px(a)}" cy="${px(b)}" r="3.5" fill="${color}"/>`);
    s.pointLabels?.forEach((label, k) => {
      const p = s.points[k];
      if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return;
      out.push(`<text x="${px(x.map(p[0]))}" y="${px(y.map(p[1]))}" dx="6" dy="-6" fill="${color}">${esc(label)}</text>`);
    });
  });
  if (legend) {
    let lx = f.left;
    const ly = f.top - 14;
    series.forEach((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      if ((s.style ?? 'line+points') === 'points') out.push(`<circle cx="${lx + 9}" cy="${ly - 4}" r="4" fill="${color}"/>`);
      else out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
      out.push(`<text x="${lx + 24}" y="${ly}" fill="#222">${esc(s.label)}</text>`);
      lx += 24 + 7.5 * s.label.length + 18;
    });
  }
  out.push('</svg>');
  return out.join('\n');
}
