import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { histogramSvg, xyPlotSvg } from '../../src/report/charts.js';
import { formatJson, roundNumbers } from '../../src/report/json.js';
import { renderPng } from '../../src/report/png.js';
import { linearScale, logScale, niceStep } from '../../src/report/svg.js';
import { fixed, grouped, markdownTable, percent, si, textTable } from '../../src/report/table.js';

describe('tables', () => {
  const t = { header: ['scene', 'EPE', 'bad-2'], rows: [['a', '1.00', '5.0%'], ['longer name', '12.50', '–']] };

  it('aligns plain text: names left, numbers right, no trailing spaces', () => {
    expect(textTable(t)).toBe(['scene          EPE  bad-2', 'a             1.00   5.0%', 'longer name  12.50      –', ''].join('\n'));
  });

  it('renders Markdown with alignment markers and escaped pipes', () => {
    expect(markdownTable({ header: ['k', 'v'], rows: [['a|b', '1']] })).toBe('| k | v |\n| --- | ---: |\n| a\\|b | 1 |\n');
  });

  it('formats numbers, with an en dash for missing values', () => {
    expect([fixed(1.234), fixed(NaN), fixed(undefined), fixed(2, 0)]).toEqual(['1.23', '–', '–', '2']);
    expect([percent(12.345), percent(Infinity)]).toEqual(['12.3%', '–']);
    expect([grouped(1234567), grouped(12)]).toEqual(['1,234,567', '12']);
    expect([si(17), si(1234), si(83_100_000), si(4.2e9)]).toEqual(['17', '1.23 k', '83.1 M', '4.20 G']);
  });
});

describe('JSON reports', () => {
  it('keeps flat arrays on one line, nests objects, maps NaN to null', () => {
    const text = formatJson({ a: [1, 2.5, NaN], b: { c: 'x', d: [] }, e: [{ f: 1 }], skip: undefined });
    expect(text).toBe('{\n  "a": [1, 2.5, null],\n  "b": {\n    "c": "x",\n    "d": []\n  },\n  "e": [\n    {\n      "f": 1\n    }\n  ]\n}\n');
    expect(JSON.parse(text)).toEqual({ a: [1, 2.5, null], b: { c: 'x', d: [] }, e: [{ f: 1 }] });
  });

  it('rounds every number in a structure', () => {
    expect(roundNumbers({ a: 1.23456, b: [2.00049, NaN], c: 'x' }, 3)).toEqual({ a: 1.235, b: [2, NaN], c: 'x' });
  });
});

describe('chart scales', () => {
  it('picks 1-2-5 steps and round domains', () => {
    expect([niceStep(10, 5), niceStep(97, 10), niceStep(0.37, 4), niceStep(300, 6)]).toEqual([2, 10, 0.1, 50]);
    const s = linearScale(3.2, 47.9, 0, 100, 5);
    expect([s.lo, s.hi]).toEqual([0, 50]);
    expect(s.ticks.map((t) => t.label)).toEqual(['0', '10', '20', '30', '40', '50']);
    expect(s.map(25)).toBeCloseTo(50);
    const flat = linearScale(5, 5, 0, 10);
    expect(flat.lo).toBeLessThan(5);
    expect(flat.hi).toBeGreaterThan(5);
  });

  it('log scales span whole decades', () => {
    const s = logScale(0.03, 2, 100, 0);
    expect([s.lo, s.hi]).toEqual([0.01, 10]);
    expect(s.map(0.1)).toBeCloseTo(100 - 100 / 3);
  });
});

/** Bars of a histogram SVG as [height in px] (markers are lines, the background is the first rect). */
const bars = (svg: string) => [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#4C78A8"/g)].map((m) => Number(m[1]));

describe('histogram', () => {
  it('bins the samples: bar heights are proportional to the counts', () => {
    // 10 in [10, 11), 5 in [12, 13), 1 in [15, 16)
    const values = [...Array(10).fill(10.5), ...Array(5).fill(12.2), 15.9];
    const svg = histogramSvg(values, { bins: 6, title: 'latency <ms>' });
    const h = bars(svg);
    expect(h).toHaveLength(3);
    expect(h[1] / h[0]).toBeCloseTo(0.5, 2);
    expect(h[2] / h[0]).toBeCloseTo(0.1, 2);
    expect(svg).toContain('latency &lt;ms&gt;');
  });

  it('draws markers, handles a single repeated value, and rejects no data', () => {
    const svg = histogramSvg([7, 7, 7], { markers: [{ label: 'p50', value: 7 }] });
    expect(bars(svg)).toHaveLength(1);
    expect(svg).toContain('>p50</text>');
    expect(() => histogramSvg([NaN])).toThrow(/at least one finite value/);
  });

  it('labels the count axis with whole numbers only', () => {
    const svg = histogramSvg([1, 2, 3, 3], { markers: [{ label: 'p50', value: 2 }] });
    const labels = [...svg.matchAll(/text-anchor="end" fill="#444">([^<]+)</g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.every((l) => /^\d+$/.test(l))).toBe(true);
  });

  it('rasterizes to a PNG of the requested size', async () => {
    const png = await renderPng(histogramSvg([1, 2, 2, 3], { width: 400, height: 300 }), 2);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 600]);
  });
});

describe('x/y plot', () => {
  it('draws one polyline per series and a legend for several', () => {
    const svg = xyPlotSvg(
      [
        { label: 'unpruned', points: [[30, 2.1]], style: 'points' },
        { label: 'pruned', points: [[25, 2.2], [18, 2.4], [12, 3.1]], pointLabels: ['10%', '20%', '30%'] },
      ],
      { xLabel: 'latency (ms)', yLabel: 'bad-2 (%)' },
    );
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle [^>]*r="3.5"/g)).toHaveLength(4);
    // The legend shows a dot for a points-only series and a line for the others.
    expect(svg.match(/<circle [^>]*r="4"/g)).toHaveLength(1);
    expect(svg).toContain('>unpruned</text>');
    expect(svg).toContain('>20%</text>');
  });

  it('log y axis for loss curves, and refuses y ≤ 0 on it', () => {
    const loss = Array.from({ length: 50 }, (_, i) => [i, 2 * Math.exp(-i / 10)] as const);
    expect(xyPlotSvg([{ label: 'loss', points: loss, style: 'line' }], { yScale: 'log' })).toContain('<polyline');
    expect(() => xyPlotSvg([{ label: 'bad', points: [[0, 0]] }], { yScale: 'log' })).toThrow(/y > 0/);
    expect(() => xyPlotSvg([])).toThrow(/series/);
  });
});
