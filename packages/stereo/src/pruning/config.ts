/**
 * Defaults and checks of the prune-to-latency options, in one place: a fresh run resolves the
 * options into the stored `PruneRunConfig`; a resumed run checks that what was given again agrees
 * with what is stored.
 */
import path from 'node:path';
import { Graph, importanceCriteria, InvalidParameterError, is, type ImportanceCriterion } from '@stereo-sdk/core';
import { assertTargetMs } from './latency.js';
import type { PruneRunConfig } from './run-dir.js';
import type { PruneToLatencyOptions, TargetResolution } from './types.js';

/** Defaults of `pruneToLatency` (Distill-then-prune's schedule: 5 steps of 10 %). */
export const PRUNE_DEFAULTS = Object.freeze({
  steps: 5,
  stepRatio: 0.1,
  maxStepRatio: 0.5,
  criterion: 'l2' as ImportanceCriterion,
  scope: 'local' as const,
  multiple: 8,
  finetuneSteps: 200,
  batch: 2,
  crop: Object.freeze({ height: 128, width: 256 }),
  gradientBatches: 4,
  runs: 20,
  warmup: 3,
  seed: 0,
  // The runtime's BENCHMARK_PRESETS.kitti, spelled out so that importing the stereo package does not load the runtime.
  resolution: Object.freeze({ name: 'kitti', width: 1242, height: 375 }) as TargetResolution,
});

/**
 * The default run folder of an output model: `pruned.onnx` → `pruned.prune`.
 * @example defaultPruneRunDir('out/student-kitti30.onnx') // 'out/student-kitti30.prune'
 */
export function defaultPruneRunDir(out: string): string {
  is.assertString('out', out);
  return `${out.replace(/\.onnx$/i, '')}.prune`;
}

function checkResolution(r: unknown): TargetResolution {
  is.assertObject('resolution', r);
  const { name, width, height } = r as Partial<TargetResolution>;
  is.assertInteger('resolution.width', width, 8, 16384);
  is.assertInteger('resolution.height', height, 8, 16384);
  return { name: typeof name === 'string' && name !== '' ? name : `${width}x${height}`, width, height };
}

/** A path stored absolute, so a resumed run finds it from any working directory. */
const stored = (p: string): string => path.resolve(p);

/**
 * Resolves the options of a fresh run into its stored config.
 * @throws InvalidParameterError naming the first bad option.
 */
export function resolvePruneConfig(o: PruneToLatencyOptions, modelLabel: string): PruneRunConfig {
  const d = PRUNE_DEFAULTS;
  if (o.data === undefined || o.out === undefined) throw new InvalidParameterError('pruneToLatency needs data (fine-tuning data spec) and out (output .onnx path)');
  is.assertString('data', o.data);
  is.assertString('out', o.out);
  if (o.teacher !== undefined && !(o.teacher instanceof Graph)) is.assertString('teacher', o.teacher);
  if (o.val !== undefined) is.assertString('val', o.val);
  if (o.valLimit !== undefined) is.assertInteger('valLimit', o.valLimit, 1);
  if (o.targetMs !== undefined) assertTargetMs('targetMs', o.targetMs);
  const steps = o.steps ?? d.steps;
  is.assertInteger('steps', steps, 1, 100);
  if (o.stepRatio !== undefined) is.assertNumber('stepRatio', o.stepRatio, Number.MIN_VALUE, 0.95);
  const maxStepRatio = o.maxStepRatio ?? d.maxStepRatio;
  is.assertNumber('maxStepRatio', maxStepRatio, Number.MIN_VALUE, 0.95);
  const criterion = o.criterion ?? d.criterion;
  is.assertOneOf('criterion', criterion, Object.keys(importanceCriteria) as ImportanceCriterion[]);
  const scope = o.scope ?? d.scope;
  is.assertOneOf('scope', scope, ['local', 'global']);
  const multiple = o.multiple ?? d.multiple;
  is.assertInteger('multiple', multiple, 1, 256);
  if (o.lut !== undefined && typeof o.lut !== 'string' && !is.plainObject(o.lut)) throw is.invalidParameterError('lut', 'a path to lut.json or a LatencyTable', o.lut);
  const finetuneSteps = o.finetuneSteps ?? d.finetuneSteps;
  is.assertInteger('finetuneSteps', finetuneSteps, 0, 1e6);
  const batch = o.batch ?? d.batch;
  is.assertInteger('batch', batch, 1, 256);
  const crop = o.crop ?? d.crop;
  is.assertObject('crop', crop);
  is.assertInteger('crop.height', crop.height, 4, 8192);
  is.assertInteger('crop.width', crop.width, 4, 8192);
  if (o.lr !== undefined) is.assertNumber('lr', o.lr, Number.MIN_VALUE, 1);
  const gradientBatches = o.gradientBatches ?? d.gradientBatches;
  is.assertInteger('gradientBatches', gradientBatches, 1, 1000);
  const runs = o.runs ?? d.runs;
  is.assertInteger('runs', runs, 1, 10000);
  const warmup = o.warmup ?? d.warmup;
  is.assertInteger('warmup', warmup, 0, 1000);
  const seed = o.seed ?? d.seed;
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  return {
    model: modelLabel,
    teacher: o.teacher === undefined ? null : o.teacher instanceof Graph ? `<in-memory graph '${o.teacher.name}'>` : stored(o.teacher),
    data: o.data,
    val: o.val ?? null,
    valLimit: o.valLimit ?? null,
    out: stored(o.out),
    targetMs: o.targetMs ?? null,
    resolution: checkResolution(o.resolution ?? d.resolution),
    steps,
    stepRatio: o.stepRatio ?? null,
    maxStepRatio,
    criterion,
    scope,
    multiple,
    lut: o.lut !== undefined,
    finetuneSteps,
    batch,
    crop: { height: crop.height, width: crop.width },
    lr: o.lr ?? null,
    gradientBatches,
    runs,
    warmup,
    seed,
  };
}

/** Options a resumed run may change: where the output goes, and (raised) how many steps it may take. */
const RESUME_MAY_CHANGE = new Set(['out', 'steps']);

/**
 * Checks the options given again on `resume` against the stored run and applies what may change.
 * @throws InvalidParameterError naming an option that disagrees with the stored run.
 */
export function resumeConfig(stored: PruneRunConfig, o: PruneToLatencyOptions): PruneRunConfig {
  const config = { ...stored };
  const given: Partial<Record<keyof PruneRunConfig, unknown>> = {
    data: o.data,
    val: o.val,
    valLimit: o.valLimit,
    targetMs: o.targetMs,
    resolution: o.resolution && checkResolution(o.resolution),
    stepRatio: o.stepRatio,
    maxStepRatio: o.maxStepRatio,
    criterion: o.criterion,
    scope: o.scope,
    multiple: o.multiple,
    finetuneSteps: o.finetuneSteps,
    batch: o.batch,
    crop: o.crop && { height: o.crop.height, width: o.crop.width },
    lr: o.lr,
    gradientBatches: o.gradientBatches,
    runs: o.runs,
    warmup: o.warmup,
    seed: o.seed,
    model: typeof o.model === 'string' ? path.resolve(o.model) : undefined,
    teacher: typeof o.teacher === 'string' ? path.resolve(o.teacher) : undefined,
    out: o.out !== undefined ? path.resolve(o.out) : undefined,
    steps: o.steps,
  };
  for (const [key, value] of Object.entries(given) as [keyof PruneRunConfig, unknown][]) {
    if (value === undefined) continue;
    if (RESUME_MAY_CHANGE.has(key)) {
      if (key === 'steps') {
        is.assertInteger('steps', value, 1, 100);
        config.steps = value;
      } else config.out = value as string;
      continue;
    }
    if (JSON.stringify(value) !== JSON.stringify(stored[key])) {
      throw new InvalidParameterError(`Cannot resume with ${key} ${JSON.stringify(value)}: the run in this folder was started with ${JSON.stringify(stored[key])} (start a new run in another folder to change it)`);
    }
  }
  if (o.lut !== undefined && !stored.lut) throw new InvalidParameterError('Cannot resume with a latency table: the run in this folder was started without one');
  return config;
}
