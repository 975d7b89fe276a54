/**
 * Gradient rules of broadcasting binary and variadic ops. Each returns gradients in the broadcast
 * output shape; the walker sums them back to each input's shape.
 */
import type { GradRule } from '../types.js';
import { castTo, scalar } from './helpers.js';

/** d(a/b) = dy/b, −dy·y/b. */
const div: GradRule = (e, n, [dy]) => {
  const b = n.inputs[1]!;
  const da = e.op('Div', [dy!, b]);
  return [da, e.op('Neg', [e.op('Mul', [da, n.outputs[0]!])])];
};

/** d(aᵇ) = dy·b·aᵇ⁻¹, dy·y·ln a (the exponent may be an integer tensor: it gets no gradient). */
const pow: GradRule = (e, n, [dy]) => {
  const [a, b] = [n.inputs[0]!, n.inputs[1]!];
  const bf = castTo(e, b, e.dtype(a));
  const da = e.op('Mul', [e.op('Mul', [dy!, bf]), e.op('Pow', [a, e.op('Sub', [bf, scalar(e, 1, a)])])]);
  return [da, e.op('Mul', [e.op('Mul', [dy!, n.outputs[0]!]), e.op('Log', [a])])];
};

/** No gradient to the condition. */
const where: GradRule = (e, n, [dy]) => {
  const [c, zero] = [n.inputs[0]!, scalar(e, 0, dy!)];
  return [null, e.op('Where', [c, dy!, zero]), e.op('Where', [c, zero, dy!])];
};

/** Max/Min: the gradient goes to the inputs equal to the result, split evenly between ties. */
const extremum: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  const masks = n.inputs.map((x) => castTo(e, e.op('Equal', [x, y]), e.dtype(y)));
  const count = masks.length === 1 ? masks[0]! : e.op('Sum', masks);
  const share = e.op('Div', [dy!, count]);
  return masks.map((m) => e.op('Mul', [share, m]));
};

/** Binary and variadic elementwise rules by op type. */
export const elementwiseRules: Record<string, GradRule> = {
  Add: (_e, _n, [dy]) => [dy!, dy!],
  Sub: (e, _n, [dy]) => [dy!, e.op('Neg', [dy!])],
  Mul: (e, n, [dy]) => [e.op('Mul', [dy!, n.inputs[1]!]), e.op('Mul', [dy!, n.inputs[0]!])],
  Div: div,
  Pow: pow,
  Where: where,
  Sum: (_e, n, [dy]) => n.inputs.map(() => dy!),
  Mean: (e, n, [dy]) => n.inputs.map(() => e.op('Mul', [dy!, scalar(e, 1 / n.inputs.length, dy!)])),
  Max: extremum,
  Min: extremum,
};
