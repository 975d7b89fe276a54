/**
 * Report helpers for every command that measures something (bench, eval, and later prune and
 * training): tables as text or Markdown, JSON files, and charts as SVG rasterized to PNG.
 */
export { histogramSvg, xyPlotSvg, type HistogramOptions, type Marker, type Series, type XyPlotOptions } from './charts.js';
export { formatJson, roundNumbers, writeJson } from './json.js';
export { renderPng, writePng } from './png.js';
export type { ChartOptions } from './svg.js';
export { fixed, grouped, markdownTable, percent, si, textTable, type Align, type Table } from './table.js';
