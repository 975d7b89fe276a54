/**
 * `stereo-sdk eval [--model M] --data SPEC`: accuracy of a model on a dataset with ground truth:
 * per-scene and mean EPE, bad-1/2/3 and D1, and the time of each call. `evaluateModel` is also what
 * `bench --data` runs.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { DatasetError, type RasterImage } from '@stereo-sdk/core';
import type { DisparityOptions, RawImage, StereoMatcher } from '@stereo-sdk/edge-runtime';
import type { DatasetSplit, StereoDataset } from '@stereo-sdk/stereo';
import { writeJson, roundNumbers } from '../report/json.js';
import { fixed, percent, textTable, type Table } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { createProgress } from '../progress.js';
import { openMatcher, parseIntegerFlag, parseProviders, progressStream, providerLine, usageError, writeOutput, type OpenedMatcher, type RuntimeFlags } from './runtime-flags.js';

/** One scene's scores; rates are percentages in [0, 100], `ms` the wall time of `disparity()`. */
export interface SceneScore {
  name: string;
  epe: number;
  bad1: number;
  bad2: number;
  bad3: number;
  d1: number;
  ms: number;
  /** Pixels scored (finite ground truth inside the valid mask). */
  pixels: number;
}

/** Unweighted mean over the scenes that have scored pixels (each scene weighs the same). */
export interface MeanScore {
  epe: number;
  bad1: number;
  bad2: number;
  bad3: number;
  d1: number;
  ms: number;
}

/** What `evaluateModel` returns. */
export interface Evaluation {
  scenes: SceneScore[];
  mean: MeanScore;
}

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** Evaluate only the first `limit` samples. Default: all. */
  limit?: number;
  /** Per-call options. */
  disparity?: DisparityOptions;
  /** Write `<dir>/<scene>.png` (colorized, GT range) and `<dir>/<scene>.pfm` per scene. */
  savePredictions?: string;
  /** Called after each scene. */
  onScene?: (done: number, total: number, scene: SceneScore) => void;
}

/** Dataset rasters are core's; the runtime takes 8/16-bit raw pixels, which they are unless float. */
function toRaw(img: RasterImage, scene: string, view: string): RawImage {
  if (img.data instanceof Float32Array) throw new DatasetError(`${scene}: ${view} image is a float image; stereo input must be 8 or 16-bit`);
  return { data: img.data, width: img.width, height: img.height, channels: img.channels };
}

/** Scene names become relative paths below the prediction folder, never above it. */
function safeRelative(name: string): string {
  return name.split(/[\\/]/).filter((s) => s !== '' && s !== '.' && s !== '..').join(path.sep) || 'scene';
}

async function savePrediction(dir: string, name: string, pred: Float32Array, gt: { data: Float32Array }, width: number, height: number): Promise<void> {
  const core = await import('@stereo-sdk/core');
  const base = path.join(dir, safeRelative(name));
  let max = 0;
  for (const d of gt.data) if (Number.isFinite(d) && d > max) max = d;
  const map = { data: pred, width, height };
  // Colors on the ground truth's range, so predictions of one scene compare by eye.
  await writeOutput(`${base}.png`, 'prediction PNG', () => core.writeColorizedDisparity(`${base}.png`, map, max > 0 ? { min: 0, max } : undefined));
  const pfm = Float32Array.from(pred, (d) => (Number.isNaN(d) ? Infinity : d));
  await writeOutput(`${base}.pfm`, 'prediction PFM', () => core.writePfm(`${base}.pfm`, { data: pfm, width, height }));
}

/** The matcher for frames of a given size (eval without --model runs each scene on the bundled model picked for its size). */
export type MatcherForSize = (width: number, height: number) => Promise<StereoMatcher>;

/**
 * Runs a matcher over a dataset's samples and scores each against its ground truth.
 * @param matcher - a loaded stereo matcher, or a function giving the matcher for each scene's size
 *   (matchers are not disposed here; opening one is not counted in the scene's `ms`).
 * @param dataset - an opened dataset; every evaluated sample must have ground-truth disparity.
 * @param options - limit, per-call disparity options, a folder for predictions, a progress callback.
 * @returns per-scene scores and their unweighted mean.
 * @throws DatasetError when a sample has no ground truth or a float image.
 */
export async function evaluateModel(matcher: StereoMatcher | MatcherForSize, dataset: StereoDataset, options: EvaluateModelOptions = {}): Promise<Evaluation> {
  const { evaluateDisparity, summarizeScenes } = await import('@stereo-sdk/core');
  const total = Math.min(dataset.length, options.limit ?? Infinity);
  const scenes: SceneScore[] = [];
  const metrics = [];
  for (let i = 0; i < total; i++) {
    const s = await dataset.get(i);
    if (!s.disparity) {
      throw new DatasetError(
        `${dataset.root}: sample '${s.name}' has no ground-truth disparity; eval needs ground truth (run \`stereo-sdk disparity\` on unlabeled pairs)`,
      );
    }
    const m = typeof matcher === 'function' ? await matcher(s.left.width, s.left.height) : matcher;
    const t0 = performance.now();
    const r = await m.disparity(toRaw(s.left, s.name, 'left'), toRaw(s.right, s.name, 'right'), options.disparity);
    const ms = performance.now() - t0;
    const pred = { data: r.disparity, width: r.width, height: r.height };
    const { all } = evaluateDisparity(pred, s.disparity, s.valid ? { valid: s.valid } : {});
    if (options.savePredictions) await savePrediction(options.savePredictions, s.name, r.disparity, s.disparity, r.width, r.height);
    const score = { name: s.name, epe: all.epe, bad1: all.bad1, bad2: all.bad2, bad3: all.bad3, d1: all.d1, ms, pixels: all.count };
    scenes.push(score);
    metrics.push({ name: s.name, metrics: all });
    options.onScene?.(i + 1, total, score);
  }
  const { mean } = summarizeScenes(metrics);
  const ms = scenes.length ? scenes.reduce((a, s) => a + s.ms, 0) / scenes.length : NaN;
  return { scenes, mean: { epe: mean.epe, bad1: mean.bad1, bad2: mean.bad2, bad3: mean.bad3, d1: mean.d1, ms } };
}

/** The per-scene table plus a mean row. */
export function evaluationTable(e: Evaluation): Table {
  const row = (name: string, s: MeanScore) => [name, fixed(s.epe, 3), percent(s.bad1), percent(s.bad2), percent(s.bad3), percent(s.d1), fixed(s.ms, 1)];
  return {
    header: ['scene', 'EPE', 'bad-1', 'bad-2', 'bad-3', 'D1', 'ms'],
    rows: [...e.scenes.map((s) => row(s.name, s)), row(`mean (${e.scenes.length} scenes)`, e.mean)],
  };
}

interface EvalFlags extends RuntimeFlags {
  data: string;
  json?: string;
  savePred?: string;
  split: string;
  limit?: string;
}

/** Opens `--data` with `--split`, refusing an empty selection. */
export async function openEvalDataset(spec: string, split: string, limitFlag?: string): Promise<{ dataset: StereoDataset; limit?: number }> {
  const splits: DatasetSplit[] = ['all', 'train', 'val'];
  if (!(splits as string[]).includes(split)) throw usageError(`Expected one of ${splits.join(', ')} for --split but received '${split}'`);
  const limit = limitFlag === undefined ? undefined : parseIntegerFlag('--limit', limitFlag, 1, 1e9);
  const { openDataset } = await import('@stereo-sdk/stereo');
  const dataset = await openDataset(spec, { split: split as DatasetSplit });
  if (dataset.length === 0) throw new DatasetError(`${spec}: the '${split}' split is empty; try --split all`);
  return { dataset, limit };
}

/**
 * The bundled models for `eval` without --model: each scene runs on the model the runtime picks for
 * its frame size (what `disparity(left, right)` would load), each model opened once, on first use.
 */
function bundledBySize(flags: RuntimeFlags) {
  const opened = new Map<string, { o: OpenedMatcher; scenes: number }>();
  const forSize: MatcherForSize = async (width, height) => {
    const { defaultModelFor } = await import('@stereo-sdk/edge-runtime');
    const file = defaultModelFor(width, height);
    let entry = opened.get(file);
    if (!entry) {
      entry = { o: await openMatcher(flags, { width, height }), scenes: 0 };
      opened.set(file, entry);
    }
    entry.scenes++;
    return entry.o.matcher;
  };
  /** One label, or the scene count of each model when the sizes called for more than one. */
  const label = (): string => {
    const all = [...opened.values()];
    if (all.length === 1) return all[0].o.label;
    const each = all.map((e) => `${path.basename(e.o.matcher.model, '.onnx')} (${e.scenes} scene${e.scenes > 1 ? 's' : ''})`);
    return `bundled models by frame size: ${each.join(', ')} (@stereo-sdk/edge-runtime/models/)`;
  };
  return { forSize, label, opened: () => [...opened.values()].map((e) => e.o) };
}

/** Runs the command; exported for programmatic use and tests. */
export async function runEval(flags: EvalFlags, io: ProgramIO): Promise<void> {
  const { dataset, limit } = await openEvalDataset(flags.data, flags.split, flags.limit);
  let given: OpenedMatcher | undefined;
  let bundled: ReturnType<typeof bundledBySize> | undefined;
  if (flags.model !== undefined) given = await openMatcher(flags);
  else {
    // Bundled models open on the first scene of their size; bad flags should still fail before any work.
    await parseProviders(flags.providers);
    if (flags.threads !== undefined) parseIntegerFlag('--threads', flags.threads, 1, 1024);
    bundled = bundledBySize(flags);
  }
  const total = Math.min(dataset.length, limit ?? Infinity);
  const progress = createProgress('eval', total, progressStream(io));
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateModel(given?.matcher ?? bundled!.forSize, dataset, {
      limit,
      disparity: { confidence: false },
      savePredictions: flags.savePred,
      onScene: (done, _t, s) => progress.update(done, { scene: s.name, epe: fixed(s.epe, 2) }),
    });
  } finally {
    progress.stop();
    for (const o of given ? [given] : bundled!.opened()) await o.matcher.dispose();
  }
  const opened = given ?? bundled!.opened()[0];
  const model = given?.label ?? bundled!.label();
  io.out(`eval: ${model} on ${flags.data} (${flags.split}, ${total} scenes), ${providerLine(opened)}\n`);
  io.out(textTable(evaluationTable(evaluation)));
  if (flags.json !== undefined) {
    const out = flags.json;
    const report = {
      model,
      dataset: flags.data,
      split: flags.split,
      provider: opened.matcher.provider,
      threads: opened.threads,
      scenes: evaluation.scenes,
      mean: evaluation.mean,
    };
    await writeOutput(out, 'JSON report', () => writeJson(out, roundNumbers(report, 4)));
    io.out(`wrote ${out}\n`);
  }
  if (flags.savePred !== undefined) io.out(`predictions in ${flags.savePred}\n`);
}

/** Registers `stereo-sdk eval`. */
export function registerEvalCommand(program: Command, io: ProgramIO): void {
  program
    .command('eval')
    .description('Score a model on a dataset with ground truth: per-scene and mean EPE, bad-1/2/3 and D1 (rates in %)')
    .option('--model <onnx>', 'ONNX stereo model (default: for each scene, the bundled model for its size: student-kitti30 near KITTI size when shipped, else student)')
    .requiredOption('--data <spec>', 'dataset spec, e.g. manifest:../shared/datasets/real/manifest.json or kitti2015:/data/kitti2015')
    .option('--json <file>', 'write { model, dataset, scenes: [{ name, epe, bad1, bad2, bad3, d1, ms }], mean } as JSON')
    .option('--save-pred <dir>', 'write each prediction as <dir>/<scene>.png (colorized) and .pfm')
    .option('--split <part>', 'all, train or val (the dataset\'s deterministic split)', 'all')
    .option('--limit <n>', 'evaluate only the first n scenes')
    .option('--providers <list>', 'execution providers to try in order, e.g. cuda,cpu (default cpu)')
    .option('--threads <n>', 'intra-op threads (default: onnxruntime chooses)')
    .action(async (flags: EvalFlags) => runEval(flags, io));
}
