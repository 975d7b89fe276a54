/**
 * Training options: defaults in one object, validation at the boundary, and the resolution of
 * what depends on other options (validation data, warmup, validation interval).
 */
import { Graph, InvalidParameterError, is } from '@stereo-sdk/core';
import { STUDENT_CONFIG, TEACHER_CONFIG, type StereoNetConfigInit } from '../nets/config.js';
import { describeInit, type InitSource } from './init.js';
import { resolveLossWeights } from './loss.js';
import { isOnTheFlySpec, parseOnTheFlySpec } from './source.js';
import type { CropSize, LossWeights, SelectionMetric, StereoTrainingConfig, TrainingAugmentation, TrainingSchedule } from './types.js';

/** What a caller may set; everything is optional except `data` and `out` (for a new run). */
export interface StereoTrainingOptions {
  /** Default `'student'`. */
  arch?: 'student' | 'teacher';
  /** Network config overrides, e.g. `{ widthMultiplier: 0.5, maxDisparity: 96 }`. Not with `init`. */
  net?: StereoNetConfigInit;
  /**
   * Start from an existing model instead of fresh weights: an exported student (`.onnx` path) or a
   * network graph in memory, of any channel widths (e.g. a pruned student). It is trained as it is,
   * BN folded (see `prepareInitNetwork`); `arch` is taken from its metadata.
   */
  init?: InitSource;
  /**
   * Training data: an `openDataset` spec, or `synth:[?width=…&height=…&maxDisparity=…]` generated in
   * memory (defaults: the crop size, and disparities below width·96/512 within the network's range).
   */
  data?: string;
  /**
   * Validation data; default: the `val` split of `data` (training then uses its `train` split), or
   * for `synth:` data 16 held-out scenes of the same generator. `null`: no validation.
   */
  val?: string | null;
  /** Validate on at most this many samples (≥ 1); default all. */
  valLimit?: number | null;
  /** Output inference model (.onnx). */
  out?: string;
  /** Optimizer steps (≥ 1); default 1000. Exclusive with `time`. */
  steps?: number;
  /** Time budget in seconds (> 0): the step count is estimated from the measured speed, and training stops at the budget. */
  time?: number;
  /** Samples per step, [1, 256]; default 4. */
  batch?: number;
  /** Training crop, multiples of the network stride; default 256 × 512 (H × W). */
  crop?: CropSize;
  /** Peak AdamW learning rate, (0, 1]; default 1e-3. */
  lr?: number;
  /** AdamW weight decay, [0, 1]; default 1e-4 (not on BN parameters and biases). */
  weightDecay?: number;
  /** Default `'cosine'`. */
  schedule?: TrainingSchedule;
  /** Linear warmup steps; default 5 % of the steps, at most 200 (0 for one-cycle, which rises on its own). */
  warmup?: number;
  /** Clip the global gradient norm (> 0); default off. */
  clipGradNorm?: number | null;
  /** Loss weights; default `{ full: 1, quarter: 0.5 }`. */
  loss?: Partial<LossWeights>;
  /** Default: occlusion patches on; colour jitter on for disk data, off for `synth:` (the generator already varies each view's photometry). */
  augment?: Partial<TrainingAugmentation>;
  /** Validate every N steps (0: only at the end); default a tenth of the steps, at most 1000. */
  valEvery?: number;
  /** Checkpoint every N steps (≥ 1); default 100. */
  ckptEvery?: number;
  /** Which validation score picks the exported weights; default `'bad2'` (ties broken by EPE). */
  selectBy?: SelectionMetric;
  /** Seed of weights, data order, augmentation and generated data, [0, 2^32 − 1]; default 0. */
  seed?: number;
}

/** Defaults of `StereoTrainingOptions`. */
export const TRAINING_DEFAULTS = Object.freeze({
  arch: 'student' as const,
  steps: 1000,
  batch: 4,
  crop: Object.freeze({ height: 256, width: 512 }),
  lr: 1e-3,
  weightDecay: 1e-4,
  schedule: 'cosine' as TrainingSchedule,
  clipGradNorm: null,
  ckptEvery: 100,
  selectBy: 'bad2' as SelectionMetric,
  seed: 0,
  /** Scenes of the held-out synthetic validation set. */
  syntheticValCount: 16,
});

const SCHEDULES: readonly TrainingSchedule[] = ['constant', 'cosine', 'onecycle'];

/** Default validation interval for a run of `steps` steps. */
export const defaultValEvery = (steps: number): number => Math.min(1000, Math.max(1, Math.round(steps / 10)));

/** Default warmup for a run of `steps` steps. */
export const defaultWarmup = (steps: number): number => Math.min(200, Math.round(steps * 0.05));

/** The network's max disparity and stride-relevant preset, after overrides. */
export function netMaxDisparity(arch: 'student' | 'teacher', net: StereoNetConfigInit): number {
  return net.maxDisparity ?? (arch === 'teacher' ? TEACHER_CONFIG : STUDENT_CONFIG).maxDisparity;
}

/**
 * The held-out validation spec of on-the-fly data: the same generator with another seed and a
 * fixed scene count, so training never sees a validation scene.
 */
export function heldOutSyntheticSpec(spec: string, seed: number): string {
  const parsed = parseOnTheFlySpec(spec);
  const params = Object.entries(parsed.options).map(([k, v]) => `${k}=${typeof v === 'boolean' ? Number(v) : v}`);
  const base = parsed.seed ?? seed;
  params.push(`seed=${(base + 0x7f4a7c15) >>> 0}`, `count=${parsed.count ?? TRAINING_DEFAULTS.syntheticValCount}`);
  return `synth:?${params.join('&')}`;
}

/**
 * Validates options and fills defaults (the step count of a time budget is filled in later, from
 * the measured speed; `steps` then holds a first guess).
 * @param o - see `StereoTrainingOptions`; `data` and `out` are required
 * @throws InvalidParameterError naming the first bad option
 * @example resolveTrainingConfig({ data: 'synth:', out: 'student.onnx', steps: 300 }).valEvery // 30
 */
export function resolveTrainingConfig(o: StereoTrainingOptions): StereoTrainingConfig {
  if (!is.plainObject(o as unknown)) throw is.invalidParameterError('training options', 'an object', o);
  const arch = o.arch ?? TRAINING_DEFAULTS.arch;
  is.assertOneOf('arch', arch, ['student', 'teacher'] as const);
  is.assertString('data', o.data);
  is.assertString('out', o.out);
  if (o.net !== undefined && !is.plainObject(o.net as unknown)) throw is.invalidParameterError('net', 'an object of network config overrides', o.net);
  const init = resolveInit(o.init);
  if (init !== null && o.net !== undefined && Object.keys(o.net).length > 0) throw new InvalidParameterError('init takes the network from the model; drop the network overrides (net / --width-mult / --max-disp)');
  if (o.steps !== undefined && o.time !== undefined) throw new InvalidParameterError('Give either steps or a time budget, not both');
  if (o.time !== undefined) is.assertNumber('time', o.time, 1, 365 * 86400);
  const steps = o.steps ?? TRAINING_DEFAULTS.steps;
  is.assertInteger('steps', steps, 1, 1e8);
  const batch = o.batch ?? TRAINING_DEFAULTS.batch;
  is.assertInteger('batch', batch, 1, 256);
  const crop = o.crop ?? TRAINING_DEFAULTS.crop;
  if (!is.plainObject(crop as unknown)) throw is.invalidParameterError('crop', 'an object { height, width }', crop);
  is.assertInteger('crop.height', crop.height, 4, 8192);
  is.assertInteger('crop.width', crop.width, 4, 8192);
  const lr = o.lr ?? TRAINING_DEFAULTS.lr;
  is.assertNumber('lr', lr, Number.MIN_VALUE, 1);
  const weightDecay = o.weightDecay ?? TRAINING_DEFAULTS.weightDecay;
  is.assertNumber('weightDecay', weightDecay, 0, 1);
  const schedule = o.schedule ?? TRAINING_DEFAULTS.schedule;
  is.assertOneOf('schedule', schedule, SCHEDULES);
  // One-cycle has its own rising phase; the others get a short linear warmup by default.
  const warmup = o.warmup ?? (schedule === 'onecycle' ? 0 : defaultWarmup(steps));
  is.assertInteger('warmup', warmup, 0, 1e8);
  if (schedule !== 'constant' && o.time === undefined && warmup >= steps) throw is.invalidParameterError('warmup', `fewer than the ${steps} steps`, warmup);
  const clipGradNorm = o.clipGradNorm ?? TRAINING_DEFAULTS.clipGradNorm;
  if (clipGradNorm !== null) is.assertNumber('clipGradNorm', clipGradNorm, Number.MIN_VALUE);
  const onTheFly = isOnTheFlySpec(o.data);
  if (o.augment !== undefined && !is.plainObject(o.augment as unknown)) throw is.invalidParameterError('augment', 'an object { color, occlusion }', o.augment);
  const augment = { color: o.augment?.color ?? !onTheFly, occlusion: o.augment?.occlusion ?? true };
  is.assertBoolean('augment.color', augment.color);
  is.assertBoolean('augment.occlusion', augment.occlusion);
  const valEvery = o.valEvery ?? defaultValEvery(steps);
  is.assertInteger('valEvery', valEvery, 0, 1e8);
  const ckptEvery = o.ckptEvery ?? TRAINING_DEFAULTS.ckptEvery;
  is.assertInteger('ckptEvery', ckptEvery, 1, 1e8);
  const selectBy = o.selectBy ?? TRAINING_DEFAULTS.selectBy;
  is.assertOneOf('selectBy', selectBy, ['epe', 'bad2'] as const);
  const seed = o.seed ?? TRAINING_DEFAULTS.seed;
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  const valLimit = o.valLimit ?? null;
  if (valLimit !== null) is.assertInteger('valLimit', valLimit, 1);
  if (o.val !== undefined && o.val !== null) is.assertString('val', o.val);
  // Default validation: held-out scenes of a generator, or the dataset's own val split.
  const derived = o.val === undefined;
  const val = o.val === null ? null : (o.val ?? (onTheFly ? heldOutSyntheticSpec(o.data, seed) : o.data));
  return {
    arch,
    net: { ...o.net },
    init,
    data: o.data,
    val,
    dataSplit: derived && val !== null && !onTheFly ? 'train' : 'all',
    valSplit: derived && !onTheFly ? 'val' : 'all',
    valLimit,
    out: o.out,
    steps,
    timeBudget: o.time ?? null,
    batch,
    crop: { height: crop.height, width: crop.width },
    lr,
    weightDecay,
    schedule,
    warmup,
    clipGradNorm,
    loss: resolveLossWeights(o.loss),
    augment,
    valEvery,
    ckptEvery,
    selectBy,
    seed,
  };
}

/**
 * Checks an `init` option and returns how the run config records it.
 * @throws InvalidParameterError when it is neither a path nor a Graph
 */
export function resolveInit(init: unknown): string | null {
  if (init === undefined || init === null) return null;
  if (init instanceof Graph) return describeInit(init);
  if (typeof init !== 'string' || init === '') throw is.invalidParameterError('init', 'a model path or a Graph', init);
  return init;
}

/**
 * How a resumed run records an option it is given, to compare it with the stored value: from the
 * given value, the stored one and the whole stored config. An option without a resolver compares
 * as given.
 */
export type ResumeResolvers<C> = Readonly<Record<string, (given: unknown, storedValue: unknown, stored: C) => unknown>>;

/** An object option given again is laid over the stored one (the stored config holds every field). */
const laidOver = (given: unknown, storedValue: unknown): unknown => ({ ...(storedValue as object), ...(given as object) });

/** Resolvers of the resumable options that training and distillation share. */
export const SHARED_RESUME_RESOLVERS: ResumeResolvers<unknown> = Object.freeze({ augment: laidOver, net: laidOver, init: resolveInit });

/**
 * Checks that options given to a resumed run agree with its stored config: a resumed run keeps
 * its step count, so a time budget is refused, and each of `keys` that is given must equal the
 * stored value once resolved. Shared by training and distillation.
 * @param keys - the options a resumed run must not change
 * @param resolvers - how given options are recorded (see `ResumeResolvers`)
 * @param quoteResolved - options whose message quotes the resolved value instead of the given one
 * @throws InvalidParameterError naming the first option that differs
 */
export function checkFixedOnResume<C extends { readonly steps: number }>(stored: C, options: { readonly time?: number }, keys: readonly string[], resolvers: ResumeResolvers<C>, quoteResolved: readonly string[] = []): void {
  if (options.time !== undefined) throw new InvalidParameterError(`A resumed run keeps its step count (${stored.steps}); drop the time budget`);
  for (const key of keys) {
    const given = (options as Record<string, unknown>)[key];
    if (given === undefined) continue;
    const storedValue = (stored as unknown as Record<string, unknown>)[key];
    const resolve = resolvers[key];
    const value = resolve ? resolve(given, storedValue, stored) : given;
    if (JSON.stringify(value) !== JSON.stringify(storedValue)) {
      throw new InvalidParameterError(`The run being resumed was started with ${key} ${JSON.stringify(storedValue)}, not ${JSON.stringify(quoteResolved.includes(key) ? value : given)}; drop the option or start a new run folder`);
    }
  }
}

/** Keys of the stored config that a resumed run must not change. */
const FIXED_ON_RESUME = ['arch', 'net', 'init', 'data', 'val', 'valLimit', 'steps', 'batch', 'crop', 'lr', 'weightDecay', 'schedule', 'warmup', 'clipGradNorm', 'loss', 'augment', 'valEvery', 'ckptEvery', 'selectBy', 'seed'] as const;

const TRAINING_RESUME_RESOLVERS: ResumeResolvers<StereoTrainingConfig> = Object.freeze({ ...SHARED_RESUME_RESOLVERS, loss: (given: unknown) => resolveLossWeights(given as Partial<LossWeights>) });

/**
 * Checks that options given to a resumed run agree with the stored config.
 * @throws InvalidParameterError naming the first option that differs
 */
export function checkResumeOptions(stored: StereoTrainingConfig, o: StereoTrainingOptions): void {
  checkFixedOnResume(stored, o, FIXED_ON_RESUME, TRAINING_RESUME_RESOLVERS);
}
