/**
 * `distillStereo`: knowledge distillation of a student from any ONNX stereo teacher, with or
 * without ground truth. It runs the same loop as `trainStereo` (deterministic batches by step,
 * periodic validation with the best weights kept, atomic checkpoints, exact resume after a kill,
 * a BN-folded export with the model contract); what differs is the loss (see losses.ts), the
 * batches (the teacher's targets, cached on disk, see targets.ts) and that the data may be
 * unlabeled. It is also the fine-tuning step of pruning: given `init` as an in-memory graph of any
 * channel widths, it returns the fine-tuned inference graph.
 */
import path from 'node:path';
import { InvalidParameterError, writeOnnx, type StepResult, type Trainer } from '@stereo-sdk/core';
import { toInferenceModel } from '../nets/export.js';
import { isInMemoryInit, networkFacts } from '../training/init.js';
import { readRunConfigFile } from '../training/run-dir.js';
import { openSession, runSession, sessionFiles, sessionResult, startTrainer, type RunKind, type SessionOptions } from '../training/session.js';
import { openRunSources, startingNetwork, trainerOptions } from '../training/setup.js';
import { createValidator, type Validator } from '../training/validate.js';
import { createTeacherCache, type TeacherCache } from './cache.js';
import { checkDistillResume, DISTILL_DEFAULTS, resolveDistillConfig, temperatureAt, type StereoDistillOptions } from './config.js';
import { DISTILL_INPUTS, DISTILL_OUTPUTS, distillLossGraph, KD_LOSSES, resolveKdWeights, type KdLoss } from './losses.js';
import { createDistillLoader, missingGroundTruth, teacherReferenceSource, teacherRequest } from './targets.js';
import { openTeacher, type Teacher } from './teacher.js';
import type { DistillLogLine, StereoDistillConfig, StereoDistillResult } from './types.js';

/** Knobs of one distillation session that are not part of the stored run config. */
export type DistillRunOptions = SessionOptions<DistillLogLine>;

/** How a distillation run reads, checks and resolves its config. */
const DISTILL_RUN: RunKind<StereoDistillConfig, StereoDistillOptions> = {
  optionsName: 'distillation options',
  missingOut: 'Give out (the output model) or runDir (the run folder) for a distillation run',
  occupied: (runDir) => `${runDir} already holds a run; continue it with resume (--resume) or choose another run folder (--run-dir)`,
  readConfig: (runDir) => readRunConfigFile<StereoDistillConfig>(runDir, (c) => typeof c.teacher === 'string' && typeof c.data === 'string' && Number.isInteger(c.steps), 'distillation'),
  checkResume: checkDistillResume,
  resolveConfig: resolveDistillConfig,
};

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
  const session = await openSession<StereoDistillConfig, StereoDistillOptions, DistillLogLine>(options, DISTILL_RUN);
  const { runDir, files, resume, threads, given, saved } = session;
  let { config } = session;
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

    // A teacher with finer logits than the student's head (1/4 vs 1/8) is averaged down to it.
    const teacherPool = teacher.logits ? facts.headScale / teacher.logits.downsample : 1;
    if (want.logits && teacher.logits && !(Number.isInteger(teacherPool) && teacherPool >= 1)) {
      throw new InvalidParameterError(`teacher ${teacher.source} gives logits at 1/${teacher.logits.downsample}, coarser than the student's 1/${facts.headScale}: distribution distillation cannot sharpen them (use --kd disp-l1)`);
    }
    const built = network
      ? distillLossGraph(network.graph, {
          kd: config.kd,
          gtWeight: config.gtWeight,
          gtLoss: config.gtLoss,
          studentMaxDisparity: facts.maxDisparity,
          ...(teacher.logits ? { teacherBins: { bins: teacher.logits.bins, spacing: teacher.logits.spacing }, ...(want.logits ? { teacherPool } : {}) } : {}),
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

    const feed = { batch: (step: number) => loader.batch(step), ...(validator ? { validator } : {}) };
    const start = await startTrainer(session, config, () => lossGraph, { ...feed, trainerOptions: (c) => trainerOptions(c, threads, built!.metrics) });
    trainer = start.trainer;
    config = start.config;
    steps = config.steps;
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
    const outcome = await runSession(session, {
      ...start,
      ...feed,
      config,
      trainLine,
      exportModel: async (source) => {
        const graph = toInferenceModel(source);
        if (out === null) return { graph };
        await writeOnnx(out, graph);
        return { graph, path: out };
      },
    });
    return {
      ...sessionResult(session, config, outcome, (exported) => ({ graph: exported.graph, exportedStep: exported.step, ...(exported.path !== undefined ? { model: exported.path } : {}) })),
      teacher: { runs: teacher.runs, cacheHits: cache?.hits ?? 0, cacheMisses: cache?.misses ?? 0 },
      files: { ...sessionFiles(session, outcome), ...(cache ? { cache: cache.dir } : {}) },
    };
  } finally {
    await trainer?.release();
    await teacher.release();
  }
}
