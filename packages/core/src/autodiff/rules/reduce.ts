/**
 * Gradient rules of reductions. Each broadcasts the output gradient back over the reduced axes
 * (`expandReduced`) and applies the reduction's local derivative.
 */
import type { GradRule } from '../types.js';
import { castTo, expandReduced, keptOutput, reduceAxes, scalar } from './helpers.js';

/** Wraps a rule: with `noop_with_empty_axes` and no axes, Sum/Mean/Max/Min are the identity. */
const reduction =
  (rule: GradRule): GradRule =>
  (e, n, dy) =>
    reduceAxes(e, n).length === 0 ? [dy[0]!, null] : rule(e, n, dy);

const count = (shape: readonly number[], axes: readonly number[]): number => axes.reduce((p, a) => p * shape[a]!, 1);

/** dx = expand(dy) / count (count = 1 for noop_with_empty_axes). */
const mean: GradRule = (e, n, [dy]) => {
  const c = count(e.shape(n.inputs[0]!), reduceAxes(e, n));
  return [e.op('Mul', [expandReduced(e, n, dy!), scalar(e, 1 / c, dy!)]), null];
};

/** The gradient goes to the elements equal to the extremum, split evenly between ties. */
const extremum: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const mask = castTo(e, e.op('Equal', [x, keptOutput(e, n)]), e.dtype(x));
  const ties = e.op('ReduceSum', [mask, e.ints(reduceAxes(e, n))], { keepdims: { type: 'int', value: 1 } });
  return [e.op('Mul', [expandReduced(e, n, dy!), e.op('Div', [mask, ties])]), null];
};

/** dx = dy · 2x. */
const sumSquare: GradRule = (e, n, [dy]) => [e.op('Mul', [expandReduced(e, n, dy!), e.op('Add', [n.inputs[0]!, n.inputs[0]!])]), null];

/** dx = dy · sign(x). */
const l1: GradRule = (e, n, [dy]) => [e.op('Mul', [expandReduced(e, n, dy!), e.op('Sign', [n.inputs[0]!])]), null];

/** dx = dy · x / ‖x‖. */
const l2: GradRule = (e, n, [dy]) => [e.op('Mul', [expandReduced(e, n, dy!), e.op('Div', [n.inputs[0]!, keptOutput(e, n)])]), null];

/** dx = dy · exp(x − y) (the softmax over the reduced axes). */
const logSumExp: GradRule = (e, n, [dy]) => [e.op('Mul', [expandReduced(e, n, dy!), e.op('Exp', [e.op('Sub', [n.inputs[0]!, keptOutput(e, n)])])]), null];

/** Reduction rules by op type. The axes input gets no gradient. */
export const reduceRules: Record<string, GradRule> = {
  ReduceSum: reduction((e, n, [dy]) => [expandReduced(e, n, dy!), null]),
  ReduceMean: reduction(mean),
  ReduceMax: reduction(extremum),
  ReduceMin: reduction(extremum),
  // With noop_with_empty_axes these still apply their elementwise part (x², |x|), as the ONNX
  // reference and onnxruntime do, and so do their rules.
  ReduceSumSquare: sumSquare,
  ReduceL1: l1,
  ReduceL2: l2,
  ReduceLogSumExp: logSumExp,
};
