/**
 * `distillStereo`: knowledge distillation of a student from any ONNX stereo teacher, with or
 * without ground truth. It runs the same loop as `trainStereo` (deterministic batches by step,
 * periodic validation with the best weights kept, atomic checkpoints, exact resume after a kill,
 * a BN-folded export with the model contract); what differs is the loss (see losses.ts), the
 * batches (the teacher's targets, cached on disk, see targets.ts) and that the data may be
 * unlabeled. It is also the fine-tuning step of pruning: given `init` as an in-memory graph of any
 * channel widths, it returns the fine-tuned inference graph.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { createTrainer, InvalidParameterError, is, writeFileAtomic, writeOnnx, type Graph, type StepResult, type Trainer } from '@stereo-sdk/core';
import { toInferenceModel } from '../nets/export.js';
import { isInMemoryInit, networkFacts } from '../training/init.js';
import { checkWritable, exists, runLoop } from '../training/loop.js';
import { holdsRun, readRunCheckpoint, readRunConfigFile, writeRunConfig, type RunState } from '../training/run-dir.js';
import { calibrateTimeBudget, openRunSources, trainerOptions } from '../training/setup.js';
import { checkSessionOptions, sessionRunFolder, startingNetwork } from '../training/train.js';
import type { ValidationResult } from '../training/types.js';
import { createValidator, type Validator } from '../training/validate.js';
import { createTeacherCache, type TeacherCache } from './cache.js';
import { checkDistillResume, DISTILL_DEFAULTS, resolveDistillConfig, temperatureAt, type StereoDistillOptions } from './config.js';
import { DISTILL_INPUTS, DISTILL_OUTPUTS, distillLossGraph, KD_LOSSES, resolveKdWeights, type KdLoss } from './losses.js';
import { createDistillLoader, missingGroundTruth, teacherReferenceSource, teacherRequest } from './targets.js';
import { openTeacher, type Teacher } from './teacher.js';
import type { DistillLogLine, StereoDistillConfig, StereoDistillEvent, StereoDistillResult } from './types.js';

/** Knobs of one distillation session that are not part of the stored run config. */
export interface DistillRunOptions {
  /** Run folder (config, checkpoints, log, teacher cache); default `<out without .onnx>.run`. */
  runDir?: string;
  /** Continue the run in `runDir` from its last checkpoint; default false. */
  resume?: boolean;
  /** onnxruntime intra-op threads for the student and the teacher, [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Stops after the current step; a checkpoint is written, nothing is exported. */
  signal?: AbortSignal;
  /** Progress events (steps, validations, checkpoints, export). */
  onEvent?: (event: StereoDistillEvent) => void;
}

/** Reads `run.json` of a distillation run. */
async function readDistillConfig(dir: string): Promise<StereoDistillConfig> {
  return readRunConfigFile<StereoDistillConfig>(dir, (c) => typeof c.teacher === 'string' && typeof c.data === 'string' && Number.isInteger(c.steps), 'distillation');
}

/** Which metric output reports which log term. */
const TERM_OF: Readonly<Record<string, KdLoss | 'gt'>> = Object.freeze({
  ...Object.fromEntries(KD_LOSSES.map((k) => [DISTILL_OUTPUTS[k], k])),
  [DISTILL_OUTPUTS.gt]: 'gt',
});

/** Checks that the terms asked for are ones this teacher can give. */
function checkTermsAgainstTeacher(config: StereoDistillConfig, teacher: Teacher): void {
  if ((config.kd['dist-l1'] > 0 || config.kd['dist-kl'] > 0) && !teacher.logits) {
    throw new InvalidParameterError(`Teacher ${teacher.source} outputs only disparity (no logits over disparity bins), so dist-l1 / dist-kl cannot be used; distill with disp-l1`);
  }
  if (config.kd.feature > 0 && !teacher.features) {
    throw new InvalidParameterError(`Teacher ${teacher.source} exposes no features (no output named like "features"; name one with teacherFeature / --teacher-feature), so the feature term cannot be used`);
  }
  if (config.confidenceThreshold > 0 && !teacher.hasConfidence) {
    throw new InvalidParameterError(`Teacher ${teacher.source} has neither a confidence output nor logits, so confidence masking cannot be used; drop the confidence threshold`);
  }
}

/**
 * Distills a stereo student from a teacher.
 * @param options - the run (see `StereoDistillOptions`: teacher, data, val, out, init or arch/net,
 *   kd, temperature, gtWeight, steps or time, batch, crop, lr, schedule, ...) and the session
 *   (`DistillRunOptions`: runDir, resume, threads, signal, onEvent). When resuming, only `runDir`
 *   (or `out`) is needed (and the teacher or init again if they were in-memory graphs); other
 *   options must agree with the stored ones.
 * @returns what ran, the exported inference graph (and file), the best validation, the full log,
 *   and the teacher's work (runs, cache hits)
 * @throws InvalidParameterError for bad options, terms the teacher cannot serve, a crop that does
 *   not fit, or a run folder that already holds a run (without `resume`)
 * @throws FileNotFoundError / FileFormatError for a missing or unusable teacher or init model
 * @throws DatasetError for a bad data spec, or a sample without ground truth when `gtWeight > 0`
 * @throws TrainingDivergedError when the loss becomes non-finite (the last checkpoint stays intact)
 * @example
 * // Teacher-only distillation on the user's own unlabeled pairs:
 * const r = await distillStereo({ teacher: 'teacher.onnx', data: 'pairs:/data/my-robot', out: 'student.onnx', steps: 5000, threads: 2 });
 * // Fine-tuning a pruned student in memory (the prune pipeline):
 * const { graph } = await distillStereo({ init: prunedGraph, teacher: 'teacher.onnx', data: 'synthetic:/data/synth', runDir: 'prune.run/step1', steps: 500, val: null });
 */
export async function distillStereo(options: StereoDistillOptions & DistillRunOptions): Promise<StereoDistillResult> {
  const started = performance.now();
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('distillation options', 'an object', options);
  checkSessionOptions(options);
  const { runDir: runDirOption, resume = false, threads = 0, signal, onEvent, ...given } = options;
  const { runDir, files } = sessionRunFolder(runDirOption, given.out, resume, 'Give out (the output model) or runDir (the run folder) for a distillation run');

  let config: StereoDistillConfig;
  let saved: { graph: Graph; state: RunState } | undefined;
  if (resume) {
    config = await readDistillConfig(runDir);
    checkDistillResume(config, given);
    if (given.out !== undefined) config = { ...config, out: given.out };
    if (await exists(files.checkpoint)) saved = await readRunCheckpoint(files.checkpoint);
  } else {
    config = resolveDistillConfig(given, runDirOption !== undefined);
    if (await holdsRun(runDir)) throw new InvalidParameterError(`${runDir} already holds a run; continue it with resume (--resume) or choose another run folder (--run-dir)`);
  }
  if (config.out !== null) await checkWritable(path.dirname(path.resolve(config.out)), `the output folder of ${config.out}`);
  if (given.teacher === undefined && config.teacher.startsWith('<in-memory')) throw new InvalidParameterError(`This run distills from ${config.teacher}; pass the same graph as teacher again`);
  if (!saved && config.init !== null && given.init === undefined && isInMemoryInit(config.init)) {
    throw new InvalidParameterError(`This run started from ${config.init} and has no checkpoint yet; pass the same graph as init again`);
  }
  const teacher = await openTeacher(given.teacher ?? config.teacher, { threads, ...(config.teacherFeature !== null ? { featureOutput: config.teacherFeature } : {}) });
  let trainer: Trainer | undefined;
  let validator: Validator | undefined;
  try {
    if (!resume && given.kd === undefined) {
      config = { ...config, kd: resolveKdWeights(teacher.kind === 'logits' ? DISTILL_DEFAULTS.kdForLogits : DISTILL_DEFAULTS.kdForDisparity, config.gtWeight) };
    }
    checkTermsAgainstTeacher(config, teacher);
    const network = saved ? undefined : await startingNetwork(config, given.init);
    const facts = network?.facts ?? networkFacts(saved!.graph, files.checkpoint);
    if (network && config.init !== null) config = { ...config, arch: facts.kind };
    const sources = await openRunSources(config, !resume && given.val === undefined, facts);
    config = sources.config;
    if (config.gtWeight > 0 && !sources.first.disparity) {
      throw missingGroundTruth(config.data, sources.first.name);
    }
    const cacheRoot = config.cacheDir ?? path.join(runDir, 'teacher-cache');
    const cache: TeacherCache | undefined = config.cache ? createTeacherCache(cacheRoot, teacher.id) : undefined;
    const want = { logits: config.kd['dist-l1'] > 0 || config.kd['dist-kl'] > 0, features: config.kd.feature > 0 };
    if (sources.val) {
      const labeled = (await sources.val.get(0)).disparity !== undefined;
      config = { ...config, valReference: labeled ? 'ground-truth' : 'teacher' };
      const valSource = labeled ? sources.val : teacherReferenceSource(sources.val, teacher, cache, teacherRequest(want, config.confidenceThreshold));
      validator = await createValidator(valSource, { threads, ...(config.valLimit !== null ? { limit: config.valLimit } : {}) });
    } else {
      config = { ...config, valReference: null };
    }

    const built = network
      ? distillLossGraph(network.graph, {
          kd: config.kd,
          gtWeight: config.gtWeight,
          gtLoss: config.gtLoss,
          studentMaxDisparity: facts.maxDisparity,
          ...(teacher.logits ? { teacherBins: { bins: teacher.logits.bins, spacing: teacher.logits.spacing } } : {}),
          ...(teacher.features ? { teacherFeatureChannels: teacher.features.channels } : {}),
          ...(config.studentFeature !== null ? { studentFeature: config.studentFeature } : {}),
          seed: config.seed,
        })
      : undefined;
    const lossGraph = built?.graph ?? saved!.graph;
    const featureShape = lossGraph.shape(DISTILL_INPUTS.teacherFeatures);
    let steps = config.steps;
    const loader = createDistillLoader(sources.train, {
      batch: config.batch,
      crop: config.crop,
      seed: config.seed,
      augment: config.augment,
      studentMaxDisparity: facts.maxDisparity,
      studentScale: facts.headScale,
      teacher,
      ...(cache ? { cache } : {}),
      want,
      confidenceThreshold: config.confidenceThreshold,
      groundTruth: config.gtWeight > 0,
      // Read at each call: a time budget fixes the step count after the loader exists.
      temperature: (step) => temperatureAt(config.temperature, step, steps),
      ...(featureShape ? { featureGrid: { height: featureShape[2] as number, width: featureShape[3] as number } } : {}),
    });

    let initialValidation: ValidationResult | undefined;
    if (saved) {
      trainer = await createTrainer(saved.graph, { threads });
    } else {
      const options = (c: StereoDistillConfig) => trainerOptions(c, threads, built!.metrics);
      if (!resume && config.timeBudget !== null) {
        const calibration = await calibrateTimeBudget(lossGraph, { config, batch: (s) => loader.batch(s), ...(validator ? { validator } : {}), trainerOptions: options }, started + config.timeBudget * 1000, given);
        config = calibration.config;
        steps = config.steps;
        initialValidation = calibration.initialValidation;
        onEvent?.({ type: 'calibrated', stepMs: calibration.stepMs, totalSteps: config.steps });
      }
      trainer = await createTrainer(lossGraph, options(config));
    }
    if (!resume) {
      await fsp.mkdir(runDir, { recursive: true });
      await writeRunConfig(runDir, config);
      await writeFileAtomic(files.log, '');
    }
    const metrics = trainer.trainConfig.metrics;
    const trainLine = (r: StepResult): DistillLogLine => {
      const terms: Partial<Record<KdLoss | 'gt', number>> = {};
      for (const m of metrics) if (TERM_OF[m] !== undefined) terms[TERM_OF[m]!] = r.metrics[m]!;
      const epe = r.metrics[DISTILL_OUTPUTS.gtEpe];
      return {
        type: 'train',
        step: r.step,
        loss: r.loss,
        terms,
        teacherEpe: r.metrics[DISTILL_OUTPUTS.teacherEpe]!,
        ...(epe !== undefined ? { epe } : {}),
        temperature: temperatureAt(config.temperature, r.step - 1, config.steps),
        lr: r.lr,
        gradNorm: r.gradNorm,
        ms: r.ms,
      };
    };
    const out = config.out;
    const outcome = await runLoop<DistillLogLine>({
      settings: config,
      trainer,
      files,
      runDir,
      state: saved?.state ?? { seconds: 0 },
      started,
      batch: (step) => loader.batch(step),
      ...(validator ? { validator } : {}),
      trainLine,
      exportModel: async (source) => {
        const graph = toInferenceModel(source);
        if (out === null) return { graph };
        await writeOnnx(out, graph);
        return { graph, path: out };
      },
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
      ...(outcome.exported ? { graph: outcome.exported.graph, exportedStep: outcome.exported.step, ...(outcome.exported.path !== undefined ? { model: outcome.exported.path } : {}) } : {}),
      ...(outcome.best ? { best: outcome.best } : {}),
      log: outcome.log,
      seconds: outcome.seconds,
      params: outcome.params,
      teacher: { runs: teacher.runs, cacheHits: cache?.hits ?? 0, cacheMisses: cache?.misses ?? 0 },
      files: { checkpoint: files.checkpoint, ...(outcome.best ? { best: files.best } : {}), log: files.log, config: files.config, ...(cache ? { cache: cache.dir } : {}) },
    };
  } finally {
    await trainer?.release();
    await teacher.release();
  }
}
