/**
 * The `bench` report: one data object, rendered as terminal text, Markdown and a latency histogram.
 */
import os from 'node:os';
import path from 'node:path';
import type { BenchmarkResult } from '@stereo-sdk/edge-runtime';
import { histogramSvg } from './charts.js';
import { fixed, markdownTable, percent, textTable, type Table } from './table.js';

/** Accuracy part of a bench report (with `--data`). */
export interface BenchAccuracy {
  dataset: string;
  split: string;
  scenes: { name: string; epe: number; bad1: number; bad2: number; bad3: number; d1: number; ms: number }[];
  mean: { epe: number; bad1: number; bad2: number; bad3: number; d1: number; ms: number };
}

/** Everything `bench` measured, as written to `--json`. */
export interface BenchReport extends BenchmarkResult {
  model: string;
  /** Preset name or WxH. */
  preset: string;
  host: { cpu: string; cores: number; platform: string; arch: string; node: string };
  date: string;
  accuracy?: BenchAccuracy;
}

/** The machine the numbers come from: a latency means nothing without it. */
export function hostInfo(): BenchReport['host'] {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(), platform: os.platform(), arch: os.arch(), node: process.version };
}

/** ` (kitti)` for a named preset, nothing when the preset was given as WxH. */
const presetNote = (r: BenchReport): string => (/^\d+x\d+$/.test(r.preset) ? '' : ` (${r.preset})`);

const threadsText = (t: number): string => (t > 0 ? String(t) : 'onnxruntime default');

function optionsText(r: BenchReport): string {
  const o = r.options;
  const parts = [`confidence ${o.confidence ? 'on' : 'off'}`];
  if (o.downscale !== undefined && o.downscale !== 1) parts.push(`downscale ${o.downscale}`);
  if (o.lrCheck) parts.push('left-right check');
  if (o.maxDisparity !== undefined) parts.push(`max disparity ${o.maxDisparity}`);
  return parts.join(', ');
}

function latencyTable(r: BenchReport): Table {
  const l = r.latencyMs;
  return {
    header: ['p50', 'p90', 'p99', 'mean', 'min', 'max', 'FPS'],
    rows: [[fixed(l.p50), fixed(l.p90), fixed(l.p99), fixed(l.mean), fixed(l.min), fixed(l.max), fixed(r.fps, 1)]],
    align: new Array(7).fill('right'),
  };
}

function breakdownTable(r: BenchReport): Table {
  const b = r.breakdownMs;
  const total = b.preprocess + b.inference + b.postprocess;
  const share = (v: number) => (total > 0 ? percent((100 * v) / total, 0) : '–');
  return {
    header: ['step', 'median ms', 'share'],
    rows: [
      ['preprocess', fixed(b.preprocess), share(b.preprocess)],
      ['inference (session.run)', fixed(b.inference), share(b.inference)],
      ['postprocess', fixed(b.postprocess), share(b.postprocess)],
    ],
  };
}

function accuracyTable(a: BenchAccuracy): Table {
  const row = (name: string, s: BenchAccuracy['mean']) => [name, fixed(s.epe, 3), percent(s.bad1), percent(s.bad2), percent(s.bad3), percent(s.d1), fixed(s.ms, 1)];
  return {
    header: ['scene', 'EPE', 'bad-1', 'bad-2', 'bad-3', 'D1', 'ms'],
    rows: [...a.scenes.map((s) => row(s.name, s)), row(`mean (${a.scenes.length} scenes)`, a.mean)],
  };
}

/** The summary `bench` prints. */
export function benchText(r: BenchReport): string {
  const lines = [
    `bench: ${r.model} on ${r.provider} (threads: ${threadsText(r.threads)}), ${r.width}x${r.height}${presetNote(r)}, ${r.runs} runs after ${r.warmup} warm-up; ${optionsText(r)}`,
    textTable(latencyTable(r)).trimEnd(),
    textTable(breakdownTable(r)).trimEnd(),
    `peak RSS ${fixed(r.peakRssMb, 0)} MiB`,
  ];
  if (r.accuracy) lines.push(`accuracy on ${r.accuracy.dataset} (${r.accuracy.split}):`, textTable(accuracyTable(r.accuracy)).trimEnd());
  return lines.join('\n') + '\n';
}

/**
 * The Markdown report.
 * @param plotPath - the histogram PNG's path relative to the Markdown file, when one was written.
 */
export function benchMarkdown(r: BenchReport, plotPath?: string): string {
  const settings: Table = {
    header: ['setting', 'value'],
    align: ['left', 'left'],
    rows: [
      ['model', `\`${r.model}\``],
      ['provider', r.provider],
      ['threads', threadsText(r.threads)],
      ['input', `${r.width}×${r.height}${presetNote(r)}, synthetic random texture, raw pixels (no decoding)`],
      ['runs', `${r.runs} timed after ${r.warmup} warm-up, one at a time`],
      ['call options', optionsText(r)],
      ['machine', `${r.host.cpu}, ${r.host.cores} cores, ${r.host.platform}/${r.host.arch}, Node ${r.host.node}`],
      ['date', r.date],
    ],
  };
  const parts = [
    `# Latency of ${path.basename(r.model)}`,
    '',
    markdownTable(settings),
    '## Latency (ms per call)',
    '',
    markdownTable(latencyTable(r)),
    '## Where the time goes',
    '',
    markdownTable(breakdownTable(r)),
    `Peak resident memory: ${fixed(r.peakRssMb, 0)} MiB.`,
    '',
  ];
  if (plotPath) parts.push(`![latency histogram](${plotPath.split(path.sep).join('/')})`, '');
  if (r.accuracy) {
    parts.push(`## Accuracy on \`${r.accuracy.dataset}\` (${r.accuracy.split})`, '', 'Rates are % of scored pixels; D1 = error > 3 px and > 5 %.', '', markdownTable(accuracyTable(r.accuracy)));
  }
  return parts.join('\n');
}

/** The latency histogram, with p50 / p90 / p99 marked. */
export function benchHistogramSvg(r: BenchReport): string {
  return histogramSvg(r.samplesMs, {
    title: `${path.basename(r.model)}: ${r.width}×${r.height}, ${r.provider}, ${r.runs} runs`,
    xLabel: 'latency per call (ms)',
    yLabel: 'calls',
    markers: [
      { label: `p50 ${fixed(r.latencyMs.p50, 1)}`, value: r.latencyMs.p50 },
      { label: `p90 ${fixed(r.latencyMs.p90, 1)}`, value: r.latencyMs.p90 },
      { label: `p99 ${fixed(r.latencyMs.p99, 1)}`, value: r.latencyMs.p99 },
    ],
  });
}
