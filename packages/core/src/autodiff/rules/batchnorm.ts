/**
 * Gradient rule of BatchNormalization in inference form, Y = scale·(X − mean)/√(var + ε) + B, with
 * mean and var as given inputs. Training-mode batch norm (statistics of the batch) is built from
 * primitive ops by the trainer, so its gradient comes from their rules; a node with
 * training_mode = 1 is refused rather than differentiated as if its statistics were constants.
 */
import { attr, attrFloat, attrInt, GraphValidationError } from '../../graph/index.js';
import type { GradEmitter, GradRule } from '../types.js';
import { reshape, scalar } from './helpers.js';
import { range } from './conv-window.js';

/** A per-channel [C] value shaped [C, 1, ...] to broadcast against X [N, C, ...]. */
const perChannel = (e: GradEmitter, v: string, rank: number): string => reshape(e, v, [e.shape(v)[0]!, ...new Array<number>(rank - 2).fill(1)]);

/**
 * dX = dY·scale·r, dscale = Σ dY·(X − mean)·r, dB = Σ dY, dmean = −dB·scale·r,
 * dvar = −½·dscale·scale·r² with r = 1/√(var + ε) and Σ over every axis but the channel axis.
 */
const batchNormalization: GradRule = (e, n, [dy]) => {
  if (attrInt(n, 'training_mode', 0) === 1) {
    throw new GraphValidationError(
      `Node '${n.name}' (BatchNormalization): training_mode = 1 has no gradient rule; build training-mode batch norm from primitive ops (the trainer does)`,
      { node: n.name, opType: n.opType },
    );
  }
  const [x, scale, , mean, variance] = n.inputs as [string, string, string, string, string];
  const rank = e.shape(x).length;
  const axes = e.ints([0, ...range(rank - 2, 2)]);
  const sum = (v: string): string => e.op('ReduceSum', [v, axes], { keepdims: attr.int(0) });
  const r = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, scalar(e, attrFloat(n, 'epsilon', 1e-5), variance)])])]);
  const scaleR = e.op('Mul', [scale, r]);
  const dB = sum(dy!);
  const dScale = e.op('Mul', [sum(e.op('Mul', [dy!, e.op('Sub', [x, perChannel(e, mean, rank)])])), r]);
  const dMean = e.op('Neg', [e.op('Mul', [dB, scaleR])]);
  const dVar = e.op('Mul', [e.op('Mul', [dScale, e.op('Mul', [scaleR, r])]), scalar(e, -0.5, variance)]);
  return [e.op('Mul', [dy!, perChannel(e, scaleR, rank)]), dScale, dB, dMean, dVar];
};

/** Normalization rules by op type. */
export const batchNormRules: Record<string, GradRule> = {
  BatchNormalization: batchNormalization,
};
