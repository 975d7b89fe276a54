/**
 * `trainStereo`: supervised training of a student or teacher, end to end. Batch `k` is a function
 * of (seed, k); every `valEvery` steps the inference graph is scored on the validation set (the
 * best weights kept in `best.onnx`), every `ckptEvery` steps and after each validation the trainer
 * state is checkpointed atomically, and at the end the selected weights are exported as an
 * inference ONNX with BN folded and the model contract. A killed run resumes from its last
 * checkpoint and continues exactly as if it had not stopped.
 */
import type { StepResult } from '@stereo-sdk/core';
import { exportStereoModel } from '../nets/export.js';
import { checkResumeOptions, resolveTrainingConfig, type StereoTrainingOptions } from './config.js';
import { networkFacts } from './init.js';
import { LOSS_OUTPUTS, supervisedLossGraph } from './loss.js';
import { readRunConfig } from './run-dir.js';
import { openSession, runSession, sessionFiles, sessionResult, startTrainer, type RunKind, type SessionOptions } from './session.js';
import { openRunData, startingNetwork, trainerOptions } from './setup.js';
import type { StereoTrainingConfig, StereoTrainingResult, TrainLogLine } from './types.js';

/** Knobs of one training session that are not part of the stored run config. */
export type TrainingRunOptions = SessionOptions<TrainLogLine>;

/** How a training run reads, checks and resolves its config. */
const TRAINING_RUN: RunKind<StereoTrainingConfig, StereoTrainingOptions> = {
  optionsName: 'training options',
  missingOut: 'Expected a string for out but received undefined',
  occupied: (runDir) => `${runDir} already holds a training run; continue it with resume (--resume) or choose another run folder (--run-dir)`,
  readConfig: readRunConfig,
  checkResume: checkResumeOptions,
  resolveConfig: resolveTrainingConfig,
};

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
  const session = await openSession<StereoTrainingConfig, StereoTrainingOptions, TrainLogLine>(options, TRAINING_RUN);
  const { files, resume, threads, given, saved } = session;
  let { config } = session;
  const network = saved ? undefined : await startingNetwork(config, given.init);
  const facts = network?.facts ?? networkFacts(saved!.graph, files.checkpoint);
  // An init model decides the kind of network.
  if (network && config.init !== null) config = { ...config, arch: facts.kind };
  // A resumed run opens its data as stored: its val spec and splits are already resolved.
  const data = await openRunData(config, !resume && given.val === undefined, threads, facts);
  config = data.config;

  const feed = { batch: (step: number) => data.loader.batch(step), ...(data.validator ? { validator: data.validator } : {}) };
  const start = await startTrainer(session, config, () => supervisedLossGraph({ graph: network!.graph }, config.loss), { ...feed, trainerOptions: (c) => trainerOptions(c, threads) });
  const { trainer } = start;
  config = start.config;
  try {
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
    const outcome = await runSession(session, { ...start, ...feed, config, trainLine, exportModel: async (source) => ({ graph: await exportStereoModel(out, source), path: out }) });
    return {
      ...sessionResult(session, config, outcome, (exported) => ({ model: out, exportedStep: exported.step })),
      files: sessionFiles(session, outcome),
    };
  } finally {
    await trainer.release();
  }
}
