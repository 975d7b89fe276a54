/**
 * Everything a run needs before its first step: the network (fresh from its config, or an `init`
 * model), the data (training source, validator), the checks that turn bad input into one-line
 * errors (crop vs stride and image size, ground truth), the trainer options, and, for a time
 * budget, the step count measured on a throwaway trainer. Shared by supervised training and
 * distillation.
 */
import { createTrainer, DatasetError, InvalidParameterError, type Feeds, type Graph, type TrainerOptions } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { networkStride, resolveNetConfig, STUDENT_CONFIG, TEACHER_CONFIG } from '../nets/config.js';
import { buildStudent } from '../nets/student.js';
import { buildTeacher } from '../nets/teacher.js';
import { defaultValEvery, defaultWarmup, type StereoTrainingOptions } from './config.js';
import { isInMemoryInit, loadInitGraph, networkFacts, prepareInitNetwork, type NetworkFacts } from './init.js';
import { createBatchLoader, type BatchLoader } from './loader.js';
import { LOSS_OUTPUTS } from './loss.js';
import { assertLabeled, openTrainingSource, type SampleSource } from './source.js';
import type { CropSize, StereoTrainingConfig, TrainingSchedule, ValidationResult } from './types.js';
import { createValidator, type Validator } from './validate.js';

/** The config fields that say where a run's data comes from. */
export type SourceConfig = Pick<StereoTrainingConfig, 'data' | 'val' | 'dataSplit' | 'valSplit' | 'valLimit' | 'crop' | 'seed'>;

/** The opened data of a run, before batches. */
export interface RunSources<C extends SourceConfig> {
  /** The config, with validation dropped when a derived `val` split turned out empty. */
  readonly config: C;
  readonly train: SampleSource;
  readonly val?: SampleSource;
  /** Training sample 0 (already checked against the crop). */
  readonly first: StereoSample;
}

/** The data side of a supervised run. */
export interface RunData {
  /** The config, with validation dropped when a derived `val` split turned out empty. */
  readonly config: StereoTrainingConfig;
  readonly train: SampleSource;
  readonly loader: BatchLoader;
  readonly validator?: Validator;
}

/**
 * Opens the training and validation data and checks them against the network (no ground truth
 * required).
 * @param valDerived - validation was not given explicitly (an empty derived split then means none)
 * @param net - the network's stride and disparity range
 * @throws InvalidParameterError when the crop is not a multiple of the stride or larger than the images
 * @throws DatasetError for a bad spec or an unbounded validation generator without a limit
 */
export async function openRunSources<C extends SourceConfig>(config: C, valDerived: boolean, net: NetworkFacts): Promise<RunSources<C>> {
  const { maxDisparity } = net;
  const { crop } = config;
  checkCrop(crop, net);
  // Generated scenes default to the crop size and to the disparity share of the generator's own
  // defaults (96 px at 512 wide, as `stereo-sdk dataset synth`), within the network's range: the
  // full range of a 192-disparity network on 512-wide scenes measured much slower to learn.
  const synthetic = { width: crop.width, height: crop.height, maxDisparity: Math.max(2, Math.min(maxDisparity, crop.width - 8, Math.round((crop.width * 96) / 512))) };
  let cfg = config;
  let val: SampleSource | undefined;
  if (cfg.val !== null) {
    val = await openTrainingSource(cfg.val, { split: cfg.valSplit, synthetic, allowEmpty: valDerived });
    if (val.length === 0) {
      val = undefined;
      cfg = { ...cfg, val: null, dataSplit: 'all' };
    }
  }
  const train = await openTrainingSource(cfg.data, { split: cfg.dataSplit, synthetic: { ...synthetic, seed: cfg.seed } });
  const first = await train.get(0);
  if (first.left.width < crop.width || first.left.height < crop.height) {
    throw new InvalidParameterError(
      `crop ${crop.height}x${crop.width} (HxW) is larger than sample '${first.name}' of ${cfg.data} (${first.left.height}x${first.left.width}); use a smaller --crop`,
    );
  }
  if (val && !Number.isFinite(val.length) && cfg.valLimit === null) {
    throw new DatasetError(`${cfg.val}: an unbounded generator cannot be a validation set; add count=N to the spec`);
  }
  return { config: cfg, train, ...(val ? { val } : {}), first };
}

/**
 * Checks that a crop is a multiple of the network's stride.
 * @throws InvalidParameterError suggesting the nearest valid crop
 */
export function checkCrop(crop: CropSize, net: Pick<NetworkFacts, 'kind' | 'stride'>): void {
  const { stride } = net;
  if (crop.height % stride !== 0 || crop.width % stride !== 0) {
    throw new InvalidParameterError(
      `crop ${crop.height}x${crop.width} (HxW) must be a multiple of the ${net.kind}'s stride ${stride}, e.g. ${Math.max(stride, Math.round(crop.height / stride) * stride)}x${Math.max(stride, Math.round(crop.width / stride) * stride)}`,
    );
  }
}

/**
 * Opens the data of a supervised run: sources, the batch loader and the validator.
 * @param valDerived - validation was not given explicitly (an empty derived split then means none)
 * @param net - the network's stride and disparity range
 * @throws InvalidParameterError when the crop is not a multiple of the stride or larger than the images
 * @throws DatasetError when a sample lacks ground truth
 */
export async function openRunData(config: StereoTrainingConfig, valDerived: boolean, threads: number, net: NetworkFacts): Promise<RunData> {
  const sources = await openRunSources(config, valDerived, net);
  const cfg = sources.config;
  assertLabeled(cfg.data, sources.first);
  const loader = createBatchLoader(sources.train, { batch: cfg.batch, crop: cfg.crop, maxDisparity: net.maxDisparity, headScale: net.headScale, seed: cfg.seed, augment: cfg.augment });
  if (!sources.val) return { config: cfg, train: sources.train, loader };
  const validator = await createValidator(sources.val, { threads, ...(cfg.valLimit !== null ? { limit: cfg.valLimit } : {}) });
  return { config: cfg, train: sources.train, loader, validator };
}

/**
 * The network graph of a run at its batch and crop size: fresh weights from the config (seeded by
 * the run's seed), or the `init` model's.
 * @param config - arch, net, batch, crop, seed
 * @param init - the init model, when the run starts from one
 * @param source - its file name, for error messages
 * @throws InvalidParameterError / FileFormatError as `buildStudent` / `prepareInitNetwork`
 */
export function runNetwork(config: Pick<StereoTrainingConfig, 'arch' | 'net' | 'batch' | 'crop' | 'seed'>, init?: Graph, source?: string): { graph: Graph; facts: NetworkFacts } {
  if (init) {
    checkCrop(config.crop, networkFacts(init, source));
    return prepareInitNetwork(init, { batch: config.batch, height: config.crop.height, width: config.crop.width }, source);
  }
  checkCrop(config.crop, { kind: config.arch, stride: networkStride(resolveNetConfig(config.arch === 'teacher' ? TEACHER_CONFIG : STUDENT_CONFIG, config.net)) });
  const opts = { height: config.crop.height, width: config.crop.width, batch: config.batch, seed: config.seed, config: config.net };
  const net = config.arch === 'teacher' ? buildTeacher(opts) : buildStudent(opts);
  return { graph: net.graph, facts: { kind: net.kind, stride: net.stride, maxDisparity: net.config.maxDisparity, headScale: net.config.headScale } };
}

/**
 * The network graph of a new or checkpoint-less run: fresh, or the init model (read again from its
 * file, or the graph given now).
 * @throws InvalidParameterError when a recorded in-memory init is not given again
 */
export async function startingNetwork(config: Pick<StereoTrainingConfig, 'arch' | 'net' | 'batch' | 'crop' | 'seed' | 'init'>, given: Graph | string | undefined): Promise<{ graph: Graph; facts: NetworkFacts }> {
  if (config.init === null) return runNetwork(config);
  if (given === undefined && isInMemoryInit(config.init)) {
    throw new InvalidParameterError(`This run started from ${config.init} and has no checkpoint yet; pass the same graph as init again`);
  }
  const init = given ?? config.init;
  return runNetwork(config, await loadInitGraph(init), typeof init === 'string' ? init : undefined);
}

/** The optimizer-side fields of a run config. */
export type OptimizerSettings = Pick<StereoTrainingConfig, 'steps' | 'warmup' | 'schedule' | 'lr' | 'weightDecay' | 'clipGradNorm'>;

/**
 * Trainer options of a run: AdamW, the schedule over the run's steps, the given metrics.
 * @param metrics - scalar outputs reported per step; default the supervised loss terms
 */
export function trainerOptions(config: OptimizerSettings, threads: number, metrics: readonly string[] = [LOSS_OUTPUTS.full, LOSS_OUTPUTS.quarter, LOSS_OUTPUTS.epe]): TrainerOptions {
  const { steps, warmup } = config;
  const schedule: TrainerOptions['schedule'] =
    config.schedule === 'constant'
      ? { type: 'constant', warmupSteps: warmup }
      : config.schedule === 'cosine'
        ? { type: 'cosine', totalSteps: steps, warmupSteps: warmup }
        : { type: 'oneCycle', totalSteps: steps, warmupSteps: warmup };
  return {
    optimizer: { type: 'adamw', lr: config.lr, weightDecay: config.weightDecay },
    schedule,
    ...(config.clipGradNorm !== null ? { clipGradNorm: config.clipGradNorm } : {}),
    metrics: [...metrics],
    // BN scales/shifts and biases are not decayed (the usual AdamW practice).
    noWeightDecay: [/_bn\.(weight|bias)$/, /\.bias$/],
    threads,
  };
}

/** Steps a probe runs to time one step (the first two, slowed by allocation and warm-up, are not timed). */
const PROBE_STEPS = 6;

/** The config fields a time budget sets. */
export interface BudgetConfig {
  readonly steps: number;
  readonly valEvery: number;
  readonly warmup: number;
  readonly schedule: TrainingSchedule;
}

/** What a time budget became. */
export interface Calibration<C extends BudgetConfig = StereoTrainingConfig> {
  readonly config: C;
  /** Median time of a training step, data included. */
  readonly stepMs: number;
  /** The step-0 validation, run on the probe's initial weights (the real run's initial weights too). */
  readonly initialValidation?: ValidationResult;
}

/** What the time-budget probe runs. */
export interface BudgetProbe<C extends BudgetConfig> {
  readonly config: C;
  readonly batch: (step: number) => Promise<Feeds>;
  readonly validator?: Validator;
  /** Trainer options for a config (the probe uses the config as it is). */
  readonly trainerOptions: (config: C) => TrainerOptions;
}

/**
 * Turns a time budget into a step count: builds a throwaway trainer, times a validation pass and a
 * few steps, and fits the run (steps, the validations, a final validation and the rebuild) into what
 * is left of the budget. The run itself then starts from the same initial weights, so it equals a
 * run given that step count.
 * @param deadline - `performance.now()` time by which training must end
 * @param given - the caller's options (a given valEvery or warmup is kept)
 */
export async function calibrateTimeBudget<C extends BudgetConfig>(graph: Graph, probe: BudgetProbe<C>, deadline: number, given: Pick<StereoTrainingOptions, 'valEvery' | 'warmup'>): Promise<Calibration<C>> {
  const t0 = performance.now();
  const trainer = await createTrainer(graph, probe.trainerOptions(probe.config));
  try {
    const buildMs = performance.now() - t0;
    let initialValidation: ValidationResult | undefined;
    if (probe.validator) initialValidation = await probe.validator.run(trainer.modelGraph());
    const valMs = initialValidation?.ms ?? 0;
    const times: number[] = [];
    for (let s = 0; s < PROBE_STEPS; s++) {
      const t = performance.now();
      await trainer.trainStep(await probe.batch(s));
      times.push(performance.now() - t);
    }
    const timed = times.slice(2).sort((a, b) => a - b);
    const stepMs = (timed[1]! + timed[2]!) / 2;
    const remaining = deadline - performance.now() - buildMs - valMs;
    const rough = Math.max(1, Math.floor(remaining / stepMs));
    const valEvery = given.valEvery ?? defaultValEvery(rough);
    const perStep = stepMs + (valEvery > 0 && probe.validator ? valMs / valEvery : 0);
    const steps = Math.max(1, Math.floor(remaining / perStep));
    const cfg = probe.config;
    let warmup = given.warmup ?? (cfg.schedule === 'onecycle' ? 0 : defaultWarmup(steps));
    if (cfg.schedule !== 'constant') warmup = Math.min(warmup, steps - 1);
    return { config: { ...cfg, steps, valEvery, warmup }, stepMs, ...(initialValidation && valEvery > 0 ? { initialValidation } : {}) };
  } finally {
    await trainer.release();
  }
}
