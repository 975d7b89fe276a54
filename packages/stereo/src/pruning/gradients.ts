/**
 * Gradient statistics of a stereo model for the 'taylor' and 'hessian' importance criteria: the
 * model is brought back to a static training shape (`prepareInitNetwork`), a loss is added, and
 * core's `collectGradientStats` averages the gradients over a few deterministic, un-augmented
 * batches of the fine-tuning data. The loss is the supervised multi-scale loss when the data has
 * ground truth, else the distillation loss against the teacher (the one fine-tuning uses). Parameter
 * names are those of the inference model, so the statistics line up with its dependency graph.
 */
import { collectGradientStats, is, type Feeds, type GradientStats, type Graph } from '@stereo-sdk/core';
import { DISTILL_DEFAULTS } from '../distill/config.js';
import { distillLossGraph, resolveKdWeights } from '../distill/losses.js';
import { createDistillLoader } from '../distill/targets.js';
import { openTeacher } from '../distill/teacher.js';
import { prepareInitNetwork } from '../training/init.js';
import { createBatchLoader } from '../training/loader.js';
import { supervisedLossGraph } from '../training/loss.js';
import type { SampleSource } from '../training/source.js';

/** Options of {@link stereoGradientStats}. */
export interface StereoGradientOptions {
  /** Samples (with or without ground truth). */
  source: SampleSource;
  /** The teacher, for data without ground truth. */
  teacher: string | Graph;
  /** Batches to average, integer ≥ 1. */
  batches: number;
  /** Samples per batch, integer ≥ 1. */
  batch: number;
  /** Crop (multiples of the model's stride). */
  crop: { height: number; width: number };
  /** Seed of the batches. */
  seed: number;
  /** onnxruntime intra-op threads; 0 = one per core. */
  threads: number;
}

const NO_AUGMENT = Object.freeze({ color: false, occlusion: false });

async function* take(batches: number, batch: (step: number) => Promise<Record<string, unknown>>): AsyncGenerator<Feeds> {
  for (let i = 0; i < batches; i++) yield (await batch(i)) as Feeds;
}

/**
 * Mean gradient and mean squared gradient of the loss for every parameter of a stereo model.
 * @param model - an inference model of the stereo contract (not modified).
 * @param o - data source, teacher (used when the data has no ground truth), batches, batch size,
 *   crop, seed, threads.
 * @returns the statistics and which loss they come from.
 * @throws FileFormatError / InvalidParameterError when the model does not re-shape to the crop.
 * @throws DatasetError for unreadable samples.
 * @example const { stats } = await stereoGradientStats(model, { source, teacher: 'teacher.onnx', batches: 4, batch: 2, crop: { height: 128, width: 256 }, seed: 0, threads: 2 });
 */
export async function stereoGradientStats(model: Graph, o: StereoGradientOptions): Promise<{ stats: GradientStats; loss: 'supervised' | 'distill' }> {
  is.assertInteger('gradient batches', o.batches, 1, 1000);
  const { graph, facts } = prepareInitNetwork(model, { batch: o.batch, height: o.crop.height, width: o.crop.width });
  const labeled = (await o.source.get(0)).disparity !== undefined;
  if (labeled) {
    const loader = createBatchLoader(o.source, { batch: o.batch, crop: o.crop, maxDisparity: facts.maxDisparity, seed: o.seed, augment: NO_AUGMENT });
    const stats = await collectGradientStats(supervisedLossGraph({ graph }), { batches: take(o.batches, (s) => loader.batch(s)), loss: 'loss', threads: o.threads });
    return { stats, loss: 'supervised' };
  }
  const teacher = await openTeacher(o.teacher, { threads: o.threads });
  try {
    const kd = resolveKdWeights(teacher.logits ? DISTILL_DEFAULTS.kdForLogits : DISTILL_DEFAULTS.kdForDisparity, 0);
    const { graph: lossGraph } = distillLossGraph(graph, {
      kd,
      gtWeight: 0,
      studentMaxDisparity: facts.maxDisparity,
      ...(teacher.logits ? { teacherBins: { bins: teacher.logits.bins, spacing: teacher.logits.spacing } } : {}),
    });
    const loader = createDistillLoader(o.source, {
      batch: o.batch,
      crop: o.crop,
      seed: o.seed,
      augment: NO_AUGMENT,
      studentMaxDisparity: facts.maxDisparity,
      teacher,
      want: { logits: kd['dist-l1'] > 0 || kd['dist-kl'] > 0, features: false },
      confidenceThreshold: 0,
      groundTruth: false,
      // The end of Distill-then-prune's annealing: the plain distribution.
      temperature: () => 1,
    });
    const stats = await collectGradientStats(lossGraph, { batches: take(o.batches, (s) => loader.batch(s)), loss: 'loss', threads: o.threads });
    return { stats, loss: 'distill' };
  } finally {
    await teacher.release();
  }
}
