/**
 * Distillation losses, built into the student's training graph with the graph builder:
 * - `dist-l1`: Σ_d |q_d − p_d| per pixel (averaged over pixels), q = softmax(student logits / T),
 *   p = softmax(teacher logits / T) resampled to the student's bins (and averaged over the teacher's
 *   cells inside each student cell when the teacher's grid is finer, e.g. a 1/4 teacher for a
 *   student whose head runs at 1/8);
 * - `dist-kl`: T² · Σ_d p_d (log p_d − log q_d) per pixel (Hinton's T² keeps the gradient's scale
 *   as T changes);
 * - `disp-l1`: |d_student − d_teacher| over the pixels the teacher is trusted on (pseudo ground truth);
 * - `feature`: mean squared error between a learned 1×1 adapter of the student's 1/4-resolution
 *   features and the teacher's features (the adapter is not part of the exported model);
 * plus `gtWeight ·` the supervised multi-scale smooth-L1 when ground truth is used. The temperature
 * is a scalar graph input fed every step, as the learning rate is.
 *
 * Bin resampling: when the teacher's bins (k · s_t pixels) differ from the student's (j · s_s), the
 * teacher's softened distribution is interpolated linearly in disparity at the student's bins (one
 * constant 1×1 Conv) and renormalized. Pixels whose teacher mass falls mostly outside the student's
 * range (estimated retained mass < 0.5) do not count in the distribution terms.
 */
import { attr, GraphBuilder, InvalidParameterError, is, l1Loss, mseLoss, type Graph, type TensorRef } from '@stereo-sdk/core';
import { STEREO_NET_IO } from '../nets/network.js';
import { addSupervisedTerms, lossBase, resolveLossWeights, valueRef } from '../training/loss.js';
import type { LossWeights } from '../training/types.js';

/** The distillation loss terms. */
export type KdLoss = 'dist-l1' | 'dist-kl' | 'disp-l1' | 'feature';

/** Every distillation loss term, in a fixed order. */
export const KD_LOSSES: readonly KdLoss[] = ['dist-l1', 'dist-kl', 'disp-l1', 'feature'];

/** Weights of the distillation terms (absent or 0: not used). */
export type KdWeights = Readonly<Partial<Record<KdLoss, number>>>;

/** The data inputs distillation adds to the training graph (besides `left`, `right` and, with ground truth, `TRAINING_INPUTS`). */
export const DISTILL_INPUTS = Object.freeze({
  /** Softening temperature T, a float32 scalar fed every step. */
  temperature: 'kd_temperature',
  /** Teacher scores [N, D_t, H/4, W/4]. */
  teacherLogits: 'teacher_logits',
  /** Teacher disparity [N, 1, H, W] in pixels (0 where not valid). */
  teacherDisparity: 'teacher_disparity',
  /** 1 where the teacher disparity is trusted (finite, in the student's range, confident enough). */
  teacherValid: 'teacher_valid',
  /** Teacher features [N, C_t, h, w] at the student feature's resolution. */
  teacherFeatures: 'teacher_features',
});

/** Scalar outputs of the distillation graph. */
export const DISTILL_OUTPUTS = Object.freeze({
  loss: 'loss',
  'dist-l1': 'kd_dist_l1',
  'dist-kl': 'kd_dist_kl',
  'disp-l1': 'kd_disp_l1',
  feature: 'kd_feature',
  /** The supervised term (before `gtWeight`). */
  gt: 'loss_gt',
  /** Mean absolute error against the ground truth. */
  gtEpe: 'train_epe',
  /** Mean absolute difference to the teacher's disparity on its trusted pixels. */
  teacherEpe: 'train_teacher_epe',
});

/** Value in the student graph used for feature hints: the left context features at 1/4 resolution. */
export const DEFAULT_STUDENT_FEATURE = '/feature/context/Relu_output_0';

/** Disparity bins: bin k stands for disparity `k · spacing` pixels. */
export interface BinLayout {
  readonly bins: number;
  readonly spacing: number;
}

/**
 * The matrix resampling a distribution over `from` bins at the `to` bins by linear interpolation in
 * disparity, the distribution counting as 0 outside `from`'s bins (no extrapolation).
 * @returns row-major [to.bins, from.bins], or null when the layouts are the same
 * @throws InvalidParameterError for non-positive bins or spacing
 * @example binResampleMatrix({ bins: 48, spacing: 4 }, { bins: 24, spacing: 4 }) // keeps the first 24 bins
 */
export function binResampleMatrix(from: BinLayout, to: BinLayout): Float32Array | null {
  for (const [name, l] of [['from', from], ['to', to]] as const) {
    is.assertInteger(`${name}.bins`, l.bins, 1);
    is.assertNumber(`${name}.spacing`, l.spacing, Number.MIN_VALUE);
  }
  if (from.bins === to.bins && from.spacing === to.spacing) return null;
  const m = new Float32Array(to.bins * from.bins);
  for (let j = 0; j < to.bins; j++) {
    const u = (j * to.spacing) / from.spacing;
    const k = Math.floor(u);
    const f = u - k;
    if (k < from.bins) m[j * from.bins + k] = 1 - f;
    if (f > 0 && k + 1 < from.bins) m[j * from.bins + k + 1] = f;
  }
  return m;
}

/** Everything `distillLossGraph` needs besides the network. */
export interface DistillLossSpec {
  /** Weights of the distillation terms (≥ 0). */
  readonly kd: KdWeights;
  /** Weight of the supervised term; 0: no ground truth in the graph. */
  readonly gtWeight: number;
  /** Weights inside the supervised term; default `{ full: 1, quarter: 0.5 }`. */
  readonly gtLoss?: Partial<LossWeights>;
  /** The student's disparity range in pixels (its logits have `maxDisparity / bins` spacing). */
  readonly studentMaxDisparity: number;
  /** The teacher's bins (needed by `dist-l1` / `dist-kl`). */
  readonly teacherBins?: BinLayout;
  /**
   * Teacher logit cells per student logit cell along each axis (an integer ≥ 1, default 1): 2 for a
   * teacher whose logits are at 1/4 and a student whose head runs at 1/8.
   */
  readonly teacherPool?: number;
  /** Channels of the teacher's features (needed by `feature`). */
  readonly teacherFeatureChannels?: number;
  /** The student value whose features the adapter reads; default `DEFAULT_STUDENT_FEATURE`. */
  readonly studentFeature?: string;
  /** Seed of the adapter's initial weights; default 0. */
  readonly seed?: number;
}

/** Σ over axis 1, then the (masked) mean over the remaining elements. */
function perPixelMean(b: GraphBuilder, x: TensorRef, mask: TensorRef | undefined): TensorRef {
  const perPixel = b.reduceSum(x, [1]);
  if (!mask) return b.reduceMean(perPixel, undefined, false);
  const count = b.op('Max', [b.reduceSum(mask, undefined, false), b.scalar(1)])[0]!;
  return b.div(b.reduceSum(b.mul(perPixel, mask), undefined, false), count);
}

/** softmax(logits / T) over axis 1 and its log, stably (max-shifted). */
export function softened(b: GraphBuilder, logits: TensorRef, temperature: TensorRef): { prob: TensorRef; logProb: TensorRef } {
  const scaled = b.div(logits, temperature);
  const shifted = b.sub(scaled, b.reduceMax(scaled, [1]));
  const e = b.exp(shifted);
  const sum = b.reduceSum(e, [1]);
  return { prob: b.div(e, sum), logProb: b.sub(shifted, b.log(sum)) };
}

/**
 * The teacher's softened distribution on the student's bins, and the pixels it counts on (when the
 * bins had to be resampled).
 */
function teacherDistribution(b: GraphBuilder, logits: TensorRef, temperature: TensorRef, from: BinLayout, to: BinLayout, pool: number): { prob: TensorRef; mask?: TensorRef } {
  const soft = softened(b, logits, temperature).prob;
  // A student cell covers pool × pool teacher cells: its target is their mean distribution.
  const p = pool > 1 ? b.avgPool(soft, pool, { stride: pool }) : soft;
  const m = binResampleMatrix(from, to);
  if (!m) return { prob: p };
  const [r] = b.op('Conv', [p, b.constant(m, [to.bins, from.bins, 1, 1])], { kernel_shape: attr.ints([1, 1]) });
  const sum = b.reduceSum(r!, [1]);
  // Σ of interpolated densities × (s_s / s_t) estimates the probability mass inside the student's range.
  const mass = b.mul(sum, to.spacing / from.spacing);
  const mask = b.cast(b.op('Greater', [mass, b.scalar(0.5)])[0]!, 'float32');
  return { prob: b.div(r!, b.clip(sum, 1e-12)), mask };
}

/**
 * Resolves and checks term weights.
 * @throws InvalidParameterError for an unknown term, a negative weight, or nothing to learn from
 */
export function resolveKdWeights(kd: KdWeights, gtWeight: number): Readonly<Record<KdLoss, number>> {
  if (!is.plainObject(kd as unknown)) throw is.invalidParameterError('kd', `an object of weights by term (${KD_LOSSES.join(', ')})`, kd);
  for (const k of Object.keys(kd)) if (!KD_LOSSES.includes(k as KdLoss)) throw is.invalidParameterError('kd', `terms among ${KD_LOSSES.join(', ')}`, k);
  const out = Object.fromEntries(KD_LOSSES.map((k) => [k, kd[k] ?? 0])) as Record<KdLoss, number>;
  for (const k of KD_LOSSES) is.assertNumber(`kd.${k}`, out[k], 0, 1e6);
  is.assertNumber('gtWeight', gtWeight, 0, 1e6);
  if (gtWeight === 0 && KD_LOSSES.every((k) => out[k] === 0)) throw new InvalidParameterError('Nothing to learn from: every distillation weight and gtWeight are 0');
  return Object.freeze(out);
}

/**
 * The distillation training graph of a student: a copy of its graph with the distillation inputs
 * (`DISTILL_INPUTS`, only those the used terms need), the ground-truth inputs when `gtWeight > 0`,
 * and the scalar outputs `loss`, one per used term (`DISTILL_OUTPUTS`), `train_teacher_epe`, and
 * with ground truth `loss_gt` and `train_epe`. `disparity` and `logits` stay outputs, so the graph
 * exports; the feature adapter hangs off the graph and is dropped by the export.
 * @param net - the student network graph (static shapes), e.g. `buildStudent(...).graph` or from `prepareInitNetwork`
 * @param spec - term weights, ground-truth weight, bin layouts, feature channels
 * @returns the graph and the metric outputs to report
 * @throws InvalidParameterError on bad weights, a distribution term without teacher bins, a feature
 *   term without teacher features or with a missing student feature value
 * @example
 * const { graph, metrics } = distillLossGraph(net.graph, { kd: { 'dist-l1': 1 }, gtWeight: 0, studentMaxDisparity: 192, teacherBins: { bins: 48, spacing: 4 } });
 */
export function distillLossGraph(net: Graph, spec: DistillLossSpec): { graph: Graph; metrics: string[] } {
  if (!is.plainObject(spec as unknown)) throw is.invalidParameterError('distillation spec', 'an object', spec);
  const w = resolveKdWeights(spec.kd, spec.gtWeight);
  is.assertNumber('studentMaxDisparity', spec.studentMaxDisparity, Number.MIN_VALUE);
  const pool = spec.teacherPool ?? 1;
  is.assertInteger('teacherPool', pool, 1, 16);
  const b = new GraphBuilder({ graph: lossBase(net), seed: spec.seed ?? 0 });
  const g = b.graph;
  const disparity = valueRef(g, STEREO_NET_IO.disparity);
  const logits = valueRef(g, STEREO_NET_IO.logits);
  const [n, bins, h, wq] = logits.shape as number[];
  const student: BinLayout = { bins: bins!, spacing: spec.studentMaxDisparity / bins! };
  const terms: { name: string; value: TensorRef; weight: number }[] = [];
  const metrics: string[] = [];
  const usesDist = w['dist-l1'] > 0 || w['dist-kl'] > 0;

  const gt = spec.gtWeight > 0 ? addSupervisedTerms(b, resolveLossWeights(spec.gtLoss), 1) : undefined;
  const teacherDisparity = b.input(DISTILL_INPUTS.teacherDisparity, 'float32', disparity.shape);
  const teacherValid = b.input(DISTILL_INPUTS.teacherValid, 'float32', disparity.shape);
  b.scope('kd', () => {
    if (usesDist) {
      if (!spec.teacherBins) throw new InvalidParameterError('dist-l1 / dist-kl need a teacher that exposes logits over disparity bins; use disp-l1 for a disparity-only teacher');
      const temperature = b.input(DISTILL_INPUTS.temperature, 'float32', []);
      const teacherLogits = b.input(DISTILL_INPUTS.teacherLogits, 'float32', [n!, spec.teacherBins.bins, h! * pool, wq! * pool]);
      const q = softened(b, logits, temperature);
      const p = teacherDistribution(b, teacherLogits, temperature, spec.teacherBins, student, pool);
      if (w['dist-l1'] > 0) terms.push({ name: DISTILL_OUTPUTS['dist-l1'], value: perPixelMean(b, b.abs(b.sub(q.prob, p.prob)), p.mask), weight: w['dist-l1'] });
      if (w['dist-kl'] > 0) {
        const logP = b.log(b.clip(p.prob, 1e-12));
        const kl = perPixelMean(b, b.mul(p.prob, b.sub(logP, q.logProb)), p.mask);
        terms.push({ name: DISTILL_OUTPUTS['dist-kl'], value: b.mul(kl, b.mul(temperature, temperature)), weight: w['dist-kl'] });
      }
    }
    const dispL1 = l1Loss(b, disparity, teacherDisparity, { mask: teacherValid });
    if (w['disp-l1'] > 0) terms.push({ name: DISTILL_OUTPUTS['disp-l1'], value: dispL1, weight: w['disp-l1'] });
    b.output(dispL1, DISTILL_OUTPUTS.teacherEpe);
    if (w.feature > 0) {
      const name = spec.studentFeature ?? DEFAULT_STUDENT_FEATURE;
      if (!g.hasValue(name) || g.shape(name)?.length !== 4) throw new InvalidParameterError(`feature hints read the student value '${name}' [N, C, H/4, W/4], which the student graph does not have; name another with studentFeature`);
      if (spec.teacherFeatureChannels === undefined) throw new InvalidParameterError('feature hints need a teacher that outputs features (an output named like "features"); this teacher exposes none');
      is.assertInteger('teacherFeatureChannels', spec.teacherFeatureChannels, 1);
      const fs = valueRef(g, name);
      const ft = b.input(DISTILL_INPUTS.teacherFeatures, 'float32', [fs.shape[0]!, spec.teacherFeatureChannels, fs.shape[2]!, fs.shape[3]!]);
      const adapted = b.scope('adapter', () => b.conv(fs, spec.teacherFeatureChannels!, { kernel: 1, name: 'conv' }));
      terms.push({ name: DISTILL_OUTPUTS.feature, value: mseLoss(b, adapted, ft), weight: w.feature });
    }
  });
  if (gt) terms.push({ name: DISTILL_OUTPUTS.gt, value: gt.weighted, weight: spec.gtWeight });
  const weighted = terms.map((t) => b.mul(t.value, t.weight));
  const total = weighted.slice(1).reduce((a, t) => b.add(a, t), weighted[0]!);
  b.output(total, DISTILL_OUTPUTS.loss);
  for (const t of terms) {
    b.output(t.value, t.name);
    metrics.push(t.name);
  }
  metrics.push(DISTILL_OUTPUTS.teacherEpe);
  if (gt) {
    b.output(gt.epe, DISTILL_OUTPUTS.gtEpe);
    metrics.push(DISTILL_OUTPUTS.gtEpe);
  }
  return { graph: b.build(), metrics };
}
