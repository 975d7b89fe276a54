/**
 * `trainStereo`: supervised training of a student or teacher, end to end. Batch `k` is a function
 * of (seed, k); every `valEvery` steps the inference graph is scored on the validation set (the
 * best weights kept in `best.onnx`), every `ckptEvery` steps and after each validation the trainer
 * state is checkpointed atomically, and at the end the selected weights are exported as an
 * inference ONNX with BN folded and the model contract. A killed run resumes from its last
 * checkpoint and continues exactly as if it had not stopped.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { createTrainer, InvalidParameterError, is, readOnnx, StereoSdkError, writeFileAtomic, type Graph, type Trainer } from '@stereo-sdk/core';
import { exportStereoModel } from '../nets/export.js';
import { checkResumeOptions, resolveTrainingConfig, type StereoTrainingOptions } from './config.js';
import { LOSS_OUTPUTS } from './loss.js';
import { holdsRun, openLog, readRunCheckpoint, readRunConfig, rewindLog, runFiles, writeBest, writeRunCheckpoint, writeRunConfig, type RunState } from './run-dir.js';
import { calibrateTimeBudget, freshTrainingGraph, openRunData, trainerOptions, type RunData } from './setup.js';
import type { StereoTrainingConfig, StereoTrainingEvent, StereoTrainingResult, TrainingLogLine, ValidationResult, ValLogLine } from './types.js';

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

const exists = (p: string): Promise<boolean> => fsp.access(p).then(() => true, () => false);

/** Fails before hours of training rather than at the export: creates `dir` and checks it is writable. */
async function checkWritable(dir: string, what: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
    await fsp.access(dir, fsConstants.W_OK);
  } catch (e) {
    throw new StereoSdkError('ERR_OUTPUT', `${dir}: cannot write ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/** Lower is better; the second key breaks ties; NaN (nothing scored) never wins. */
function improves(v: ValidationResult, best: RunState['best'], by: StereoTrainingConfig['selectBy']): boolean {
  const key = (r: { epe: number; bad2: number }): [number, number] => (by === 'bad2' ? [r.bad2, r.epe] : [r.epe, r.bad2]);
  const [a, b] = key(v);
  if (!Number.isFinite(a)) return false;
  if (!best) return true;
  const [c, d] = key(best);
  return a < c || (a === c && b < d);
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
  const { runDir: runDirOption, resume = false, threads = 0, signal, onEvent, ...given } = options;
  is.assertBoolean('resume', resume);
  is.assertInteger('threads', threads, 0, 64);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw is.invalidParameterError('signal', 'an AbortSignal', signal);
  if (onEvent !== undefined && typeof onEvent !== 'function') throw is.invalidParameterError('onEvent', 'a function', onEvent);
  if (runDirOption !== undefined) is.assertString('runDir', runDirOption);
  const base = runDirOption ?? (given.out !== undefined ? defaultRunDir(given.out) : undefined);
  if (base === undefined) throw new InvalidParameterError(resume ? 'Resuming needs the run folder (runDir / --run-dir) or the output it was started with (out)' : 'Expected a string for out but received undefined');
  const runDir = path.resolve(base);
  const files = runFiles(runDir);

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
  // A resumed run opens its data as stored: its val spec and splits are already resolved.
  const data = await openRunData(config, !resume && given.val === undefined, threads);
  config = data.config;

  let initialValidation: ValidationResult | undefined;
  let trainer: Trainer;
  if (saved) {
    trainer = await createTrainer(saved.graph, { threads });
  } else {
    const graph = freshTrainingGraph(config);
    if (!resume && config.timeBudget !== null) {
      const calibration = await calibrateTimeBudget(graph, data, started + config.timeBudget * 1000, threads, given);
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
    return await runLoop({ config, data: { ...data, config }, trainer, files, runDir, state: saved?.state ?? { seconds: 0 }, started, signal, onEvent, initialValidation });
  } finally {
    await trainer.release();
  }
}

interface LoopContext {
  config: StereoTrainingConfig;
  data: RunData;
  trainer: Trainer;
  files: ReturnType<typeof runFiles>;
  runDir: string;
  state: RunState;
  started: number;
  signal?: AbortSignal;
  onEvent?: (event: StereoTrainingEvent) => void;
  initialValidation?: ValidationResult;
}

async function runLoop(ctx: LoopContext): Promise<StereoTrainingResult> {
  const { config, trainer, files, signal, onEvent } = ctx;
  const { loader, validator } = ctx.data;
  const total = config.steps;
  const secondsBefore = ctx.state.seconds;
  const seconds = (): number => secondsBefore + (performance.now() - ctx.started) / 1000;
  let best = ctx.state.best;
  const deadline = config.timeBudget !== null && trainer.step === 0 ? ctx.started + config.timeBudget * 1000 : Infinity;
  const log: TrainingLogLine[] = await rewindLog(files.log, trainer.step);
  const writer = await openLog(files.log);
  const params = trainer.params.reduce((n, p) => n + (trainer.trainingGraph.staticShape(p).reduce((a, d) => a * d, 1)), 0);
  let lastCheckpoint = -1;
  let lastValidation = log.filter((l) => l.type === 'val').at(-1)?.step ?? -1;

  const append = async (line: TrainingLogLine): Promise<void> => {
    log.push(line);
    await writer.write(line);
  };
  const checkpoint = async (): Promise<void> => {
    await writeRunCheckpoint(files.checkpoint, trainer, { ...(best ? { best } : {}), seconds: seconds() });
    lastCheckpoint = trainer.step;
    onEvent?.({ type: 'checkpoint', step: trainer.step, path: files.checkpoint });
  };
  const validate = async (precomputed?: ValidationResult): Promise<void> => {
    const step = trainer.step;
    const v = precomputed ?? (await validator!.run(trainer.modelGraph()));
    const isBest = improves(v, best, config.selectBy);
    const line: ValLogLine = { type: 'val', step, epe: v.epe, bad1: v.bad1, bad2: v.bad2, bad3: v.bad3, d1: v.d1, scenes: v.scenes, ms: v.ms, best: isBest };
    if (isBest) {
      await writeBest(files.best, trainer);
      const { type: _t, best: _b, ...scores } = line;
      best = scores;
    }
    lastValidation = step;
    await append(line);
    onEvent?.({ ...line, type: 'validation' });
  };

  let stopped = false;
  let outOfTime = false;
  try {
    onEvent?.({ type: 'start', step: trainer.step, totalSteps: total, resumed: trainer.step > 0, runDir: ctx.runDir, params });
    if (validator && config.valEvery > 0 && trainer.step === 0 && lastValidation < 0) await validate(ctx.initialValidation);
    while (trainer.step < total) {
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      // A time budget always leaves room for one step, however long the set-up took.
      if (performance.now() >= deadline && trainer.step > 0) {
        outOfTime = true;
        break;
      }
      const r = await trainer.trainStep(await loader.batch(trainer.step));
      const line = {
        type: 'train' as const,
        step: r.step,
        loss: r.loss,
        lossFull: r.metrics[LOSS_OUTPUTS.full]!,
        lossQuarter: r.metrics[LOSS_OUTPUTS.quarter]!,
        epe: r.metrics[LOSS_OUTPUTS.epe]!,
        lr: r.lr,
        gradNorm: r.gradNorm,
        ms: r.ms,
      };
      await append(line);
      onEvent?.({ ...line, type: 'step', totalSteps: total });
      const validated = validator !== undefined && config.valEvery > 0 && r.step % config.valEvery === 0;
      if (validated) await validate();
      if (validated || r.step % config.ckptEvery === 0) await checkpoint();
    }
    if (stopped) {
      if (lastCheckpoint !== trainer.step) await checkpoint();
      onEvent?.({ type: 'end', step: trainer.step, stopped: true });
      return result(false);
    }
    if (validator && lastValidation !== trainer.step) await validate();
    if (lastCheckpoint !== trainer.step) await checkpoint();
    // Model selection: the best validation's weights when there is validation, else the last ones.
    const fromBest = best !== undefined && (await exists(files.best));
    const source = fromBest ? await readOnnx(files.best) : trainer.modelGraph();
    await exportStereoModel(config.out, source);
    const exportedStep = fromBest ? best!.step : trainer.step;
    onEvent?.({ type: 'export', step: exportedStep, path: config.out });
    onEvent?.({ type: 'end', step: trainer.step, stopped: false });
    return result(true, exportedStep);
  } finally {
    await writer.close();
  }

  function result(exported: boolean, exportedStep?: number): StereoTrainingResult {
    return {
      config,
      runDir: ctx.runDir,
      step: trainer.step,
      stopped,
      outOfTime,
      ...(exported ? { model: config.out, exportedStep } : {}),
      ...(best ? { best } : {}),
      log,
      seconds: seconds(),
      params,
      files: { checkpoint: files.checkpoint, ...(best ? { best: files.best } : {}), log: files.log, config: files.config },
    };
  }
}

