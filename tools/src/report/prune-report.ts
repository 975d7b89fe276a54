/**
 * The `prune` report: one data object (what ran, every step's size, latency and accuracy, and the
 * overall speedup and accuracy change), rendered as JSON, a Markdown table per step, and a PNG plot
 * of accuracy against latency with the target drawn in.
 */
import type { PruneRunResult, PruneStepRecord } from '@stereo-sdk/stereo';
import { hostInfo, type BenchReport } from './bench-report.js';
import { xyPlotSvg, type Series } from './charts.js';
import { fixed, grouped, markdownTable, percent, si, type Table } from './table.js';

/** Everything `prune` reports, as written to `report.json`. */
export interface PruneReport {
  model: string;
  teacher: string;
  data: string;
  val: string | null;
  out: string | null;
  targetMs: number | null;
  met: boolean;
  reason: PruneRunResult['reason'];
  latencySource: PruneRunResult['latencySource'];
  preset: PruneRunResult['resolution'];
  criterion: string;
  /** Unpruned p50 over final p50 (measured here). */
  speedup: number;
  /** Final minus unpruned accuracy (absolute), when measured. */
  change: { epe?: number; bad2?: number; bad2Relative?: number };
  steps: PruneStepRecord[];
  seconds: number;
  host: BenchReport['host'];
  date: string;
}

/** Builds the report object of a finished (or stopped) run. */
export function pruneReport(r: PruneRunResult, labels: { model: string; teacher?: string; data: string; val?: string }): PruneReport {
  const first = r.steps[0]!;
  const last = r.steps.at(-1)!;
  const change: PruneReport['change'] = {};
  if (first.epe !== undefined && last.epe !== undefined) change.epe = last.epe - first.epe;
  if (first.bad2 !== undefined && last.bad2 !== undefined) {
    change.bad2 = last.bad2 - first.bad2;
    if (first.bad2 > 0) change.bad2Relative = (last.bad2 - first.bad2) / first.bad2;
  }
  return {
    model: labels.model,
    teacher: labels.teacher ?? `${labels.model} (unpruned)`,
    data: labels.data,
    val: labels.val ?? null,
    out: r.out ?? null,
    targetMs: r.targetMs ?? null,
    met: r.met,
    reason: r.reason,
    latencySource: r.latencySource,
    preset: r.resolution,
    criterion: r.criterion,
    speedup: first.p50Ms / last.p50Ms,
    change,
    steps: r.steps,
    seconds: r.seconds,
    host: hostInfo(),
    date: new Date().toISOString(),
  };
}

const hasAccuracy = (steps: readonly PruneStepRecord[]): boolean => steps.some((s) => s.epe !== undefined);
const hasPrediction = (steps: readonly PruneStepRecord[]): boolean => steps.some((s) => s.predictedMs !== undefined);

/** The per-step table: step, ratio, params, MACs, p50 (and the table's prediction), EPE, bad-2. */
export function pruneStepTable(steps: readonly PruneStepRecord[]): Table {
  const acc = hasAccuracy(steps);
  const pred = hasPrediction(steps);
  return {
    header: ['step', 'ratio', 'params', 'MACs', 'p50 ms', ...(pred ? ['LUT ms'] : []), ...(acc ? ['EPE', 'bad-2'] : [])],
    rows: steps.map((s) => [
      String(s.step),
      s.step === 0 ? '–' : percent(100 * s.ratio),
      grouped(s.params),
      si(s.macs),
      fixed(s.p50Ms, 2),
      ...(pred ? [fixed(s.predictedMs, 2)] : []),
      ...(acc ? [fixed(s.epe, 3), percent(s.bad2)] : []),
    ]),
  };
}

/** One line: target met or not, speedup, accuracy change. */
export function pruneSummaryLine(r: PruneReport): string {
  const last = r.steps.at(-1)!;
  const latency = r.latencySource === 'lut' ? `${fixed(last.predictedMs, 2)} ms predicted by the latency table (${fixed(last.p50Ms, 2)} ms measured here)` : `p50 ${fixed(last.p50Ms, 2)} ms`;
  const n = last.step;
  const steps = `${n} step${n === 1 ? '' : 's'}`;
  const ended = { 'target-met': `after ${steps}`, 'max-steps': `after the maximum of ${steps}`, 'no-prunable-channels': `after ${steps} (no prunable channels left)`, stopped: `(stopped after ${steps})` }[r.reason];
  const head = r.targetMs === null ? `${steps} of pruning (no target)` : `target ${r.targetMs} ms ${r.met ? 'met' : 'NOT met'} ${ended}`;
  const acc = r.change.epe !== undefined ? `; EPE ${fixed(r.steps[0]!.epe, 3)} → ${fixed(last.epe, 3)}, bad-2 ${percent(r.steps[0]!.bad2)} → ${percent(last.bad2)}` : '';
  return `${head}: ${latency}, ×${fixed(r.speedup, 2)} faster than the unpruned model (${fixed(r.steps[0]!.p50Ms, 2)} ms), params ${grouped(r.steps[0]!.params)} → ${grouped(last.params)}${acc}`;
}

/** The Markdown report. */
export function pruneMarkdown(r: PruneReport): string {
  const p = r.preset;
  const settings: Table = {
    header: ['setting', 'value'],
    align: ['left', 'left'],
    rows: [
      ['model', r.model],
      ['teacher', r.teacher],
      ['fine-tuning data', r.data],
      ['validation', r.val ?? 'none (accuracy not measured)'],
      ['target', r.targetMs === null ? 'none (fixed schedule)' : `p50 ≤ ${r.targetMs} ms (${r.latencySource === 'lut' ? 'latency table' : 'measured on this device'})`],
      ['resolution', `${p.name === `${p.width}x${p.height}` ? p.name : `${p.name} (${p.width}x${p.height})`}`],
      ['criterion', r.criterion],
      ['device', `${r.host.cpu}, ${r.host.cores} cores, ${r.host.platform}/${r.host.arch}, Node ${r.host.node}`],
      ['output', r.out ?? 'not written'],
    ],
  };
  return [
    `# Pruning report: ${r.model}`,
    '',
    pruneSummaryLine(r),
    '',
    markdownTable(settings),
    '## Steps',
    '',
    markdownTable(pruneStepTable(r.steps)),
    '![accuracy against latency](accuracy-latency.png)',
    '',
  ].join('\n');
}

/**
 * The accuracy-against-latency chart (bad-2 over p50, one point per step, labelled), with the target
 * as a vertical line. Without validation data the y axis is MACs instead.
 */
export function pruneChartSvg(r: PruneReport): string {
  const acc = hasAccuracy(r.steps);
  const y = (s: PruneStepRecord): number => (acc ? (s.bad2 ?? NaN) : s.macs / 1e9);
  const points = r.steps.map((s) => [s.p50Ms, y(s)] as [number, number]);
  const series: Series[] = [{ label: 'pruning steps', points, pointLabels: r.steps.map((s) => String(s.step)) }];
  const ys = points.map((q) => q[1]).filter(Number.isFinite);
  if (r.targetMs !== null && ys.length > 0) {
    series.push({ label: `target ${r.targetMs} ms`, points: [[r.targetMs, Math.min(...ys)], [r.targetMs, Math.max(...ys)]], style: 'line' });
  }
  return xyPlotSvg(series, {
    title: `${acc ? 'Accuracy' : 'MACs'} against latency (${r.preset.name})`,
    xLabel: `p50 latency (ms, measured on this device)`,
    yLabel: acc ? 'bad-2 (%)' : 'GMACs',
  });
}
