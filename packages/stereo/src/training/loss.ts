/**
 * The supervised multi-scale loss, added to a network graph with the builder:
 *   loss = w_full · smoothL1(disparity, target | valid)
 *        + w_quarter · smoothL1(4 · softArgmin(logits), target_quarter | valid_quarter)
 * Both terms are in full-resolution pixels, so their weights compare. The quarter term supervises
 * the cost volume's distribution directly (as PSMNet's and GwcNet's intermediate losses do), which
 * the learned upsampling cannot hide.
 */
import { GraphBuilder, is, l1Loss, smoothL1Loss, type Graph, type TensorRef } from '@stereo-sdk/core';
import { STEREO_NET_IO, type StereoNetwork } from '../nets/network.js';
import { softArgmin } from '../nets/regression.js';
import { TRAINING_INPUTS } from './batch.js';
import type { LossWeights } from './types.js';

/** Loss and metric outputs of the training graph. */
export const LOSS_OUTPUTS = Object.freeze({
  loss: 'loss',
  /** The unweighted full-resolution term. */
  full: 'loss_full',
  /** The unweighted quarter-resolution term. */
  quarter: 'loss_quarter',
  /** Mean absolute disparity error on the batch's valid pixels (a metric, not differentiated). */
  epe: 'train_epe',
});

/** Default weights of the loss terms. */
export const DEFAULT_LOSS_WEIGHTS: LossWeights = Object.freeze({ full: 1, quarter: 0.5 });

/**
 * Checks loss weights and fills defaults.
 * @param weights - `full` and `quarter`, each ≥ 0 (defaults 1 and 0.5), not both 0
 * @throws InvalidParameterError when a weight is negative or not finite, or both are 0
 * @example resolveLossWeights({ quarter: 0.3 }) // { full: 1, quarter: 0.3 }
 */
export function resolveLossWeights(weights: Partial<LossWeights> = {}): LossWeights {
  if (!is.plainObject(weights as unknown)) throw is.invalidParameterError('loss weights', 'an object like { full: 1, quarter: 0.5 }', weights);
  const w = { ...DEFAULT_LOSS_WEIGHTS, ...weights };
  is.assertNumber('loss.full', w.full, 0);
  is.assertNumber('loss.quarter', w.quarter, 0);
  if (w.full === 0 && w.quarter === 0) throw is.invalidParameterError('loss weights', 'at least one weight > 0', weights);
  return Object.freeze({ full: w.full, quarter: w.quarter });
}

/** A typed reference to an existing value of `g`. */
export const valueRef = (g: Graph, name: string): TensorRef => ({ name, dtype: g.dtype(name)!, shape: g.shape(name)! });

/**
 * A copy of a network graph cut down to the outputs a loss reads (`disparity` and `logits`; the
 * distillation-only `disparity_coarse` is dropped), so the result still exports.
 * @throws InvalidParameterError when the graph lacks `disparity` or `logits`
 */
export function lossBase(graph: Graph): Graph {
  const g = graph.clone();
  for (const name of [STEREO_NET_IO.disparity, STEREO_NET_IO.logits]) {
    if (!g.isOutput(name)) throw is.invalidParameterError('network graph', `a stereo network with a '${name}' output`, g.outputs);
  }
  g.setOutputs([STEREO_NET_IO.disparity, STEREO_NET_IO.logits]);
  g.removeDeadCode();
  return g;
}

/** The supervised terms, as values of the builder's graph. */
export interface SupervisedTerms {
  /** Unweighted full-resolution smooth-L1. */
  readonly full: TensorRef;
  /** Unweighted quarter-resolution smooth-L1. */
  readonly quarter: TensorRef;
  /** Mean absolute error at full resolution (a metric). */
  readonly epe: TensorRef;
  /** `w_full · full + w_quarter · quarter`. */
  readonly weighted: TensorRef;
}

/**
 * Adds the ground-truth inputs (`TRAINING_INPUTS`) and the multi-scale smooth-L1 terms to a builder
 * over a graph from `lossBase`.
 * @param b - a builder over the loss graph
 * @param w - resolved weights
 * @param beta - smooth-L1 transition in pixels, > 0
 */
export function addSupervisedTerms(b: GraphBuilder, w: LossWeights, beta: number): SupervisedTerms {
  const g = b.graph;
  const disparity = valueRef(g, STEREO_NET_IO.disparity);
  const logits = valueRef(g, STEREO_NET_IO.logits);
  const target = b.input(TRAINING_INPUTS.target, 'float32', disparity.shape);
  const valid = b.input(TRAINING_INPUTS.valid, 'float32', disparity.shape);
  const quarterShape = [logits.shape[0]!, 1, logits.shape[2]!, logits.shape[3]!];
  // The logits' resolution (the head scale, 4 or 8) turns their disparities into full-resolution pixels.
  const scale = (disparity.shape[2] as number) / (logits.shape[2] as number);
  const targetQ = b.input(TRAINING_INPUTS.targetQuarter, 'float32', quarterShape);
  const validQ = b.input(TRAINING_INPUTS.validQuarter, 'float32', quarterShape);
  return b.scope('loss', () => {
    const quarterDisparity = b.mul(softArgmin(b, logits), scale);
    const full = smoothL1Loss(b, disparity, target, { mask: valid, beta });
    const quarter = smoothL1Loss(b, quarterDisparity, targetQ, { mask: validQ, beta });
    const epe = l1Loss(b, disparity, target, { mask: valid });
    const weighted = w.quarter === 0 ? b.mul(full, w.full) : w.full === 0 ? b.mul(quarter, w.quarter) : b.add(b.mul(full, w.full), b.mul(quarter, w.quarter));
    return { full, quarter, epe, weighted };
  });
}

/**
 * The training graph of a network: a copy of its graph with the target inputs (`TRAINING_INPUTS`)
 * and the outputs `loss`, `loss_full`, `loss_quarter` and `train_epe`. The distillation-only
 * `disparity_coarse` output is dropped; `disparity` and `logits` stay, so the graph still exports.
 * @param net - a network from `buildStudent` / `buildTeacher`, or a graph from `prepareInitNetwork` (not modified)
 * @param weights - loss weights; default `{ full: 1, quarter: 0.5 }`
 * @param opts.beta - smooth-L1 transition in pixels, > 0; default 1
 * @returns the graph to give `createTrainer` (metrics: `loss_full`, `loss_quarter`, `train_epe`)
 * @throws InvalidParameterError on bad weights or a graph without `disparity` and `logits`
 * @example
 * const graph = supervisedLossGraph(buildStudent({ height: 256, width: 512, batch: 4 }));
 * const trainer = await createTrainer(graph, { metrics: [LOSS_OUTPUTS.full, LOSS_OUTPUTS.quarter, LOSS_OUTPUTS.epe] });
 */
export function supervisedLossGraph(net: Pick<StereoNetwork, 'graph'>, weights: Partial<LossWeights> = {}, opts: { beta?: number } = {}): Graph {
  const w = resolveLossWeights(weights);
  const beta = opts.beta ?? 1;
  is.assertNumber('beta', beta, Number.MIN_VALUE);
  const b = new GraphBuilder({ graph: lossBase(net.graph) });
  const terms = addSupervisedTerms(b, w, beta);
  b.output(terms.weighted, LOSS_OUTPUTS.loss);
  b.output(terms.full, LOSS_OUTPUTS.full);
  b.output(terms.quarter, LOSS_OUTPUTS.quarter);
  b.output(terms.epe, LOSS_OUTPUTS.epe);
  return b.build();
}
