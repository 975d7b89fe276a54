/**
 * `stereo-sdk bench [--model M] --preset kitti`: latency of a model on this device (the edge
 * runtime's harness), optionally its accuracy on a dataset, as text, JSON, Markdown and a PNG.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { writeFileAtomic } from '@stereo-sdk/core';
import { benchHistogramSvg, benchMarkdown, benchText, hostInfo, type BenchReport } from '../report/bench-report.js';
import { roundNumbers, writeJson } from '../report/json.js';
import { writePng } from '../report/png.js';
import type { ProgramIO } from '../program.js';
import { createProgress } from '../progress.js';
import { parseDisparityOptions } from './disparity.js';
import { evaluateModel, openEvalDataset } from './eval.js';
import { openMatcher, parseIntegerFlag, parseResolution, progressStream, usageError, writeOutput, type RuntimeFlags } from './runtime-flags.js';

interface BenchFlags extends RuntimeFlags {
  preset: string;
  runs: string;
  warmup: string;
  json?: string;
  md?: string;
  plot?: string;
  data?: string;
  split: string;
  limit?: string;
  confidence?: boolean;
  downscale?: string;
  lrCheck?: boolean | string;
}

/** Runs the command; exported for programmatic use and tests. */
export async function runBench(flags: BenchFlags, io: ProgramIO): Promise<BenchReport> {
  const resolution = await parseResolution('--preset', flags.preset);
  const runs = parseIntegerFlag('--runs', flags.runs, 1, 1e6);
  const warmup = parseIntegerFlag('--warmup', flags.warmup, 0, 1e6);
  const options = { ...parseDisparityOptions(flags), confidence: flags.confidence === true };
  // Open the dataset first so a bad --data fails before minutes of timing.
  const data = flags.data !== undefined ? await openEvalDataset(flags.data, flags.split, flags.limit) : undefined;
  // Without --model, the bundled model the runtime picks for the preset's frame size.
  const opened = await openMatcher(flags, resolution);
  const { benchmarkMatcher } = await import('@stereo-sdk/edge-runtime');
  let report: BenchReport;
  try {
    const progress = createProgress('bench', warmup + runs, progressStream(io));
    let result;
    try {
      result = await benchmarkMatcher(opened.matcher, {
        width: resolution.width,
        height: resolution.height,
        runs,
        warmup,
        threads: opened.threads,
        disparity: options,
        onProgress: (done) => progress.update(done),
      });
    } finally {
      progress.stop();
    }
    report = { model: opened.label, preset: resolution.name, ...result, host: hostInfo(), date: new Date().toISOString() };
    if (data) {
      const total = Math.min(data.dataset.length, data.limit ?? Infinity);
      const p = createProgress('accuracy', total, progressStream(io));
      try {
        const e = await evaluateModel(opened.matcher, data.dataset, { limit: data.limit, disparity: options, onScene: (done) => p.update(done) });
        report.accuracy = { dataset: flags.data!, split: flags.split, scenes: e.scenes, mean: e.mean };
      } finally {
        p.stop();
      }
    }
  } finally {
    await opened.matcher.dispose();
  }
  report = roundNumbers(report, 3);
  io.out(benchText(report));
  if (flags.plot !== undefined) {
    const out = flags.plot;
    await writeOutput(out, 'latency histogram', () => writePng(out, benchHistogramSvg(report)));
    io.out(`wrote ${out}\n`);
  }
  if (flags.md !== undefined) {
    const out = flags.md;
    const plot = flags.plot !== undefined ? path.relative(path.dirname(path.resolve(out)), path.resolve(flags.plot)) : undefined;
    await writeOutput(out, 'Markdown report', () => writeFileAtomic(out, benchMarkdown(report, plot)));
    io.out(`wrote ${out}\n`);
  }
  if (flags.json !== undefined) {
    const out = flags.json;
    await writeOutput(out, 'JSON report', () => writeJson(out, report));
    io.out(`wrote ${out}\n`);
  }
  return report;
}

/** Registers `stereo-sdk bench`. */
export function registerBenchCommand(program: Command, io: ProgramIO): void {
  program
    .command('bench')
    .description('Measure a model\'s latency on this device (p50/p90/p99, FPS, peak RSS, pre/inference/post split), optionally its accuracy')
    .option('--model <onnx>', 'ONNX stereo model (default: the bundled model for the preset\'s size: student-kitti30 near KITTI size when shipped, else student)')
    .option('--preset <size>', 'kitti (1242x375), sceneflow (960x540) or WIDTHxHEIGHT', 'kitti')
    .option('--runs <n>', 'timed calls', '50')
    .option('--warmup <n>', 'untimed calls first', '5')
    .option('--threads <n>', 'intra-op threads (default: onnxruntime chooses)')
    .option('--providers <list>', 'execution providers to try in order, e.g. tensorrt,cuda,cpu (default cpu)')
    .option('--json <file>', 'write the full report (latencyMs, fps, peakRssMb, breakdownMs, provider, threads, width, height, samples...)')
    .option('--md <file>', 'write a Markdown report')
    .option('--plot <png>', 'write a latency histogram')
    .option('--data <spec>', 'also report accuracy on this dataset, e.g. manifest:../shared/datasets/real/manifest.json')
    .option('--split <part>', 'with --data: all, train or val', 'all')
    .option('--limit <n>', 'with --data: only the first n scenes')
    .option('--confidence', 'also produce confidence in each call (off by default: an upsample of the model\'s confidence output, or a softmax pass over its logits)')
    .option('--downscale <s>', 'run the model at 1/s resolution (≥ 1)')
    .option('--lr-check [px]', 'time the left-right consistency check too (two inferences per call)')
    .action(async (flags: BenchFlags) => {
      await runBench(flags, io);
    });
}
