/**
 * Everything a run needs before its first step: the data (training source, validator), the checks
 * that turn bad input into one-line errors (crop vs stride and image size, ground truth), the
 * network's training graph and trainer options, and, for a time budget, the step count measured
 * on a throwaway trainer.
 */
import { createTrainer, DatasetError, InvalidParameterError, type Graph, type TrainerOptions } from '@stereo-sdk/core';
import { networkStride, resolveNetConfig, STUDENT_CONFIG, TEACHER_CONFIG } from '../nets/config.js';
import { buildStudent } from '../nets/student.js';
import { buildTeacher } from '../nets/teacher.js';
import { defaultValEvery, defaultWarmup, netMaxDisparity, type StereoTrainingOptions } from './config.js';
import { createBatchLoader, type BatchLoader } from './loader.js';
import { LOSS_OUTPUTS, supervisedLossGraph } from './loss.js';
import { openTrainingSource, supervisedSample, type SampleSource } from './source.js';
import type { StereoTrainingConfig, ValidationResult } from './types.js';
import { createValidator, type Validator } from './validate.js';

/** The data side of a run. */
export interface RunData {
  /** The config, with validation dropped when a derived `val` split turned out empty. */
  readonly config: StereoTrainingConfig;
  readonly train: SampleSource;
  readonly loader: BatchLoader;
  readonly validator?: Validator;
}

/** The network's input stride under the run's config. */
export function runStride(config: StereoTrainingConfig): number {
  return networkStride(resolveNetConfig(config.arch === 'teacher' ? TEACHER_CONFIG : STUDENT_CONFIG, config.net));
}

/**
 * Opens the training and validation data and checks them against the network.
 * @param valDerived - validation was not given explicitly (an empty derived split then means none)
 * @throws InvalidParameterError when the crop is not a multiple of the stride or larger than the images
 * @throws DatasetError when a sample lacks ground truth
 */
export async function openRunData(config: StereoTrainingConfig, valDerived: boolean, threads: number): Promise<RunData> {
  const stride = runStride(config);
  const { crop } = config;
  if (crop.height % stride !== 0 || crop.width % stride !== 0) {
    throw new InvalidParameterError(
      `crop ${crop.height}x${crop.width} (HxW) must be a multiple of the ${config.arch}'s stride ${stride}, e.g. ${Math.max(stride, Math.round(crop.height / stride) * stride)}x${Math.max(stride, Math.round(crop.width / stride) * stride)}`,
    );
  }
  const maxDisparity = netMaxDisparity(config.arch, config.net);
  // Generated scenes default to the crop size and to the disparity share of the generator's own
  // defaults (96 px at 512 wide, as `stereo-sdk dataset synth`), within the network's range: the
  // full range of a 192-disparity network on 512-wide scenes measured much slower to learn.
  const synthetic = { width: crop.width, height: crop.height, maxDisparity: Math.max(2, Math.min(maxDisparity, crop.width - 8, Math.round((crop.width * 96) / 512))) };
  let cfg = config;
  let valSource: SampleSource | undefined;
  if (cfg.val !== null) {
    valSource = await openTrainingSource(cfg.val, { split: cfg.valSplit, synthetic, allowEmpty: valDerived });
    if (valSource.length === 0) {
      valSource = undefined;
      cfg = { ...cfg, val: null, dataSplit: 'all' };
    }
  }
  const train = await openTrainingSource(cfg.data, { split: cfg.dataSplit, synthetic: { ...synthetic, seed: cfg.seed } });
  const first = await supervisedSample(train, 0);
  if (first.left.width < crop.width || first.left.height < crop.height) {
    throw new InvalidParameterError(
      `crop ${crop.height}x${crop.width} (HxW) is larger than sample '${first.name}' of ${cfg.data} (${first.left.height}x${first.left.width}); use a smaller --crop`,
    );
  }
  const loader = createBatchLoader(train, { batch: cfg.batch, crop, maxDisparity, seed: cfg.seed, augment: cfg.augment });
  if (!valSource) return { config: cfg, train, loader };
  if (!Number.isFinite(valSource.length) && cfg.valLimit === null) {
    throw new DatasetError(`${cfg.val}: an unbounded generator cannot be a validation set; add count=N to the spec`);
  }
  const validator = await createValidator(valSource, { threads, ...(cfg.valLimit !== null ? { limit: cfg.valLimit } : {}) });
  return { config: cfg, train, loader, validator };
}

/** The training graph of a fresh network (weights seeded by the run's seed). */
export function freshTrainingGraph(config: StereoTrainingConfig): Graph {
  const opts = { height: config.crop.height, width: config.crop.width, batch: config.batch, seed: config.seed, config: config.net };
  const net = config.arch === 'teacher' ? buildTeacher(opts) : buildStudent(opts);
  return supervisedLossGraph(net, config.loss);
}

/** Trainer options of a run: AdamW, the schedule over the run's steps, the loss terms as metrics. */
export function trainerOptions(config: StereoTrainingConfig, threads: number): TrainerOptions {
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
    metrics: [LOSS_OUTPUTS.full, LOSS_OUTPUTS.quarter, LOSS_OUTPUTS.epe],
    // BN scales/shifts and biases are not decayed (the usual AdamW practice).
    noWeightDecay: [/_bn\.(weight|bias)$/, /\.bias$/],
    threads,
  };
}

/** Steps a probe runs to time one step (the first two, slowed by allocation and warm-up, are not timed). */
const PROBE_STEPS = 6;

/** What a time budget became. */
export interface Calibration {
  readonly config: StereoTrainingConfig;
  /** Median time of a training step, data included. */
  readonly stepMs: number;
  /** The step-0 validation, run on the probe's initial weights (the real run's initial weights too). */
  readonly initialValidation?: ValidationResult;
}

/**
 * Turns a time budget into a step count: builds a throwaway trainer, times a validation pass and a
 * few steps, and fits the run (steps, the validations, a final validation and the rebuild) into what
 * is left of the budget. The run itself then starts from the same initial weights, so it equals a
 * run given that step count.
 * @param deadline - `performance.now()` time by which training must end
 * @param given - the caller's options (a given valEvery or warmup is kept)
 */
export async function calibrateTimeBudget(graph: Graph, data: RunData, deadline: number, threads: number, given: StereoTrainingOptions): Promise<Calibration> {
  const t0 = performance.now();
  const probe = await createTrainer(graph, trainerOptions(data.config, threads));
  try {
    const buildMs = performance.now() - t0;
    let initialValidation: ValidationResult | undefined;
    if (data.validator) initialValidation = await data.validator.run(probe.modelGraph());
    const valMs = initialValidation?.ms ?? 0;
    const times: number[] = [];
    for (let s = 0; s < PROBE_STEPS; s++) {
      const t = performance.now();
      await probe.trainStep(await data.loader.batch(s));
      times.push(performance.now() - t);
    }
    const timed = times.slice(2).sort((a, b) => a - b);
    const stepMs = (timed[1]! + timed[2]!) / 2;
    const remaining = deadline - performance.now() - buildMs - valMs;
    const rough = Math.max(1, Math.floor(remaining / stepMs));
    const valEvery = given.valEvery ?? defaultValEvery(rough);
    const perStep = stepMs + (valEvery > 0 && data.validator ? valMs / valEvery : 0);
    const steps = Math.max(1, Math.floor(remaining / perStep));
    const cfg = data.config;
    let warmup = given.warmup ?? (cfg.schedule === 'onecycle' ? 0 : defaultWarmup(steps));
    if (cfg.schedule !== 'constant') warmup = Math.min(warmup, steps - 1);
    return { config: { ...cfg, steps, valEvery, warmup }, stepMs, ...(initialValidation && valEvery > 0 ? { initialValidation } : {}) };
  } finally {
    await probe.release();
  }
}
