/** Gradient rules of Softmax and LogSoftmax along any axis (opset 13 semantics: one axis). */
import { attr } from '../../graph/index.js';
import type { GradRule } from '../types.js';
import { axisAttr } from './helpers.js';

/** dx = y ⊙ (dy − Σ_axis dy ⊙ y). */
const softmax: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  const axis = e.ints([axisAttr(e, n, -1)]);
  const dot = e.op('ReduceSum', [e.op('Mul', [dy!, y]), axis], { keepdims: attr.int(1) });
  return [e.op('Mul', [y, e.op('Sub', [dy!, dot])])];
};

/** dx = dy − softmax ⊙ Σ_axis dy, with softmax = exp(y). */
const logSoftmax: GradRule = (e, n, [dy]) => {
  const axis = e.ints([axisAttr(e, n, -1)]);
  const total = e.op('ReduceSum', [dy!, axis], { keepdims: attr.int(1) });
  return [e.op('Sub', [dy!, e.op('Mul', [e.op('Exp', [n.outputs[0]!]), total])])];
};

/** Softmax-family rules by op type. */
export const softmaxRules: Record<string, GradRule> = {
  Softmax: softmax,
  LogSoftmax: logSoftmax,
};
