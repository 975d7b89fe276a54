/**
 * `trainStereo`: supervised training of a student or teacher, end to end. Batch `k` is a function
 * of (seed, k); every `valEvery` steps the inference graph is scored on the validation set (the
 * best weights kept in `best.onnx`), every `ckptEvery` steps and after each validation the trainer
 * state is checkpointed atomically, and at the end the selected weights are exported as an
 * inference ONNX with BN folded and the model contract. A killed run resumes from its last
 * checkpoint and continues exactly as if it had not stopped.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { createTrainer, InvalidParameterError, is, writeFileAtomic, type Graph, type StepResult, type Trainer } from '@stereo-sdk/core';
import { exportStereoModel } from '../nets/export.js';
import { checkResumeOptions, resolveTrainingConfig, type StereoTrainingOptions } from './config.js';
import { isInMemoryInit, loadInitGraph, networkFacts, type NetworkFacts } from './init.js';
import { LOSS_OUTPUTS, supervisedLossGraph } from './loss.js';
import { checkWritable, exists, runLoop } from './loop.js';
import { holdsRun, readRunCheckpoint, readRunConfig, runFiles, writeRunConfig, type RunState } from './run-dir.js';
import { calibrateTimeBudget, openRunData, runNetwork, trainerOptions } from './setup.js';
import type { StereoTrainingConfig, StereoTrainingEvent, StereoTrainingResult, TrainLogLine, ValidationResult } from './types.js';

/** Knobs of one training session that are not part of the stored run config. */
export interface TrainingRunOptions {
  /** Run folder (config, checkpoints, log); default `<out without .onnx>.run` next to the output. */
  runDir?: string;
  /** Continue the run in `runDir` from its last checkpoint; default false. */
  resume?: boolean;
  /** onnxruntime intra-op threads, [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Stops after the current step; a checkpoint is written, nothing is exported. */
  signal?: AbortSignal;
  /** Progress events (steps, validations, checkpoints, export). */
  onEvent?: (event: StereoTrainingEvent) => void;
}

/**
 * The default run folder of an output model: `model.onnx` → `model.run`.
 * @example defaultRunDir('out/student.onnx') // 'out/student.run'
 */
export function defaultRunDir(out: string): string {
  is.assertString('out', out);
  return `${out.replace(/\.onnx$/i, '')}.run`;
}

/**
 * The absolute run folder of a `trainStereo` or `distillStereo` session, and its files: `runDir`
 * when given, else the default next to `out`.
 * @param missing - the message when neither is given and the session starts a new run
 * @throws InvalidParameterError when neither `runDir` nor `out` is given
 */
export function sessionRunFolder(runDir: string | undefined, out: string | undefined, resume: boolean, missing: string): { runDir: string; files: ReturnType<typeof runFiles> } {
  const base = runDir ?? (out !== undefined ? defaultRunDir(out) : undefined);
  if (base === undefined) throw new InvalidParameterError(resume ? 'Resuming needs the run folder (runDir / --run-dir) or the output it was started with (out)' : missing);
  const resolved = path.resolve(base);
  return { runDir: resolved, files: runFiles(resolved) };
}

/**
 * Checks the session options shared by `trainStereo` and `distillStereo`.
 * @throws InvalidParameterError naming the first bad option
 */
export function checkSessionOptions(o: { resume?: unknown; threads?: unknown; signal?: unknown; onEvent?: unknown; runDir?: unknown }): void {
  if (o.resume !== undefined) is.assertBoolean('resume', o.resume);
  if (o.threads !== undefined) is.assertInteger('threads', o.threads, 0, 64);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw is.invalidParameterError('signal', 'an AbortSignal', o.signal);
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') throw is.invalidParameterError('onEvent', 'a function', o.onEvent);
  if (o.runDir !== undefined) is.assertString('runDir', o.runDir);
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

/**
 * Trains a stereo network with supervision from ground truth.
 * @param options - the run (see `StereoTrainingOptions`: arch, data, val, out, steps or time,
 *   batch, crop, lr, schedule, ...) and the session (`TrainingRunOptions`: runDir, resume,
 *   threads, signal, onEvent). When resuming, only `runDir` (or `out`) is needed; other run
 *   options must agree with the stored ones.
 * @returns what ran, the best validation, the exported model and the full log
 * @throws InvalidParameterError for bad options, a crop that is not a multiple of the stride or
 *   larger than the images, or a run folder that already holds a run (without `resume`)
 * @throws DatasetError for a bad data spec or a sample without ground truth
 * @throws FileNotFoundError when resuming a folder without a run
 * @throws TrainingDivergedError when the loss becomes non-finite (the last checkpoint stays intact)
 * @example
 * const result = await trainStereo({ arch: 'student', data: 'synth:', out: 'student.onnx', steps: 2000, threads: 2 });
 * console.log(result.best?.epe, result.model);
 */
export async function trainStereo(options: StereoTrainingOptions & TrainingRunOptions): Promise<StereoTrainingResult> {
  const started = performance.now();
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('training options', 'an object', options);
  checkSessionOptions(options);
  const { runDir: runDirOption, resume = false, threads = 0, signal, onEvent, ...given } = options;
  const { runDir, files } = sessionRunFolder(runDirOption, given.out, resume, 'Expected a string for out but received undefined');

  let config: StereoTrainingConfig;
  let saved: { graph: Graph; state: RunState } | undefined;
  if (resume) {
    config = await readRunConfig(runDir);
    checkResumeOptions(config, given);
    if (given.out !== undefined) config = { ...config, out: given.out };
    if (await exists(files.checkpoint)) saved = await readRunCheckpoint(files.checkpoint);
  } else {
    config = resolveTrainingConfig(given);
    if (await holdsRun(runDir)) throw new InvalidParameterError(`${runDir} already holds a training run; continue it with resume (--resume) or choose another run folder (--run-dir)`);
  }
  await checkWritable(path.dirname(path.resolve(config.out)), `the output folder of ${config.out}`);
  const network = saved ? undefined : await startingNetwork(config, given.init);
  const facts = network?.facts ?? networkFacts(saved!.graph, files.checkpoint);
  // An init model decides the kind of network.
  if (network && config.init !== null) config = { ...config, arch: facts.kind };
  // A resumed run opens its data as stored: its val spec and splits are already resolved.
  const data = await openRunData(config, !resume && given.val === undefined, threads, facts);
  config = data.config;

  let initialValidation: ValidationResult | undefined;
  let trainer: Trainer;
  if (saved) {
    trainer = await createTrainer(saved.graph, { threads });
  } else {
    const graph = supervisedLossGraph({ graph: network!.graph }, config.loss);
    if (!resume && config.timeBudget !== null) {
      const calibration = await calibrateTimeBudget(graph, { config, batch: (s) => data.loader.batch(s), ...(data.validator ? { validator: data.validator } : {}), trainerOptions: (c) => trainerOptions(c, threads) }, started + config.timeBudget * 1000, given);
      config = calibration.config;
      initialValidation = calibration.initialValidation;
      onEvent?.({ type: 'calibrated', stepMs: calibration.stepMs, totalSteps: config.steps });
    }
    trainer = await createTrainer(graph, trainerOptions(config, threads));
  }
  try {
    if (!resume) {
      await fsp.mkdir(runDir, { recursive: true });
      await writeRunConfig(runDir, config);
      // A stray log of an older run in this folder must not be mistaken for this run's.
      await writeFileAtomic(files.log, '');
    }
    const trainLine = (r: StepResult): TrainLogLine => ({
      type: 'train',
      step: r.step,
      loss: r.loss,
      lossFull: r.metrics[LOSS_OUTPUTS.full]!,
      lossQuarter: r.metrics[LOSS_OUTPUTS.quarter]!,
      epe: r.metrics[LOSS_OUTPUTS.epe]!,
      lr: r.lr,
      gradNorm: r.gradNorm,
      ms: r.ms,
    });
    const out = config.out;
    const outcome = await runLoop<TrainLogLine>({
      settings: config,
      trainer,
      files,
      runDir,
      state: saved?.state ?? { seconds: 0 },
      started,
      batch: (step) => data.loader.batch(step),
      ...(data.validator ? { validator: data.validator } : {}),
      trainLine,
      exportModel: async (source) => ({ graph: await exportStereoModel(out, source), path: out }),
      ...(signal ? { signal } : {}),
      ...(onEvent ? { onEvent } : {}),
      ...(initialValidation ? { initialValidation } : {}),
    });
    return {
      config,
      runDir,
      step: outcome.step,
      stopped: outcome.stopped,
      outOfTime: outcome.outOfTime,
      ...(outcome.exported ? { model: config.out, exportedStep: outcome.exported.step } : {}),
      ...(outcome.best ? { best: outcome.best } : {}),
      log: outcome.log,
      seconds: outcome.seconds,
      params: outcome.params,
      files: { checkpoint: files.checkpoint, ...(outcome.best ? { best: files.best } : {}), log: files.log, config: files.config },
    };
  } finally {
    await trainer.release();
  }
}
