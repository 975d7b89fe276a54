/** Gradient rules of unary elementwise ops: activations, Abs, Exp, Log, Sqrt, Clip, Cast... */
import { attrFloat, attrInt, GraphValidationError } from '../../graph/index.js';
import type { GradRule } from '../types.js';
import { castTo, constantOf, scalar } from './helpers.js';

/** Where(x > 0, dy, 0). */
const relu: GradRule = (e, n, [dy]) => [e.op('Where', [e.op('Greater', [n.inputs[0]!, scalar(e, 0, dy!)]), dy!, scalar(e, 0, dy!)])];

const leakyRelu: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const slope = e.op('Mul', [dy!, scalar(e, attrFloat(n, 'alpha', 0.01), dy!)]);
  return [e.op('Where', [e.op('Greater', [x, scalar(e, 0, x)]), dy!, slope])];
};

/** dy · y · (1 − y). */
const sigmoid: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  return [e.op('Mul', [e.op('Mul', [dy!, y]), e.op('Sub', [scalar(e, 1, y), y])])];
};

/** dy · (1 − y²). */
const tanh: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  return [e.op('Mul', [dy!, e.op('Sub', [scalar(e, 1, y), e.op('Mul', [y, y])])])];
};

/** dy passes where min ≤ x ≤ max (PyTorch's clamp); min and max get the rest. */
const clip: GradRule = (e, n, [dy]) => {
  const [x, min, max] = [n.inputs[0]!, n.inputs[1] ?? '', n.inputs[2] ?? ''];
  const zero = scalar(e, 0, dy!);
  const below = min ? e.op('Less', [x, min]) : '';
  const above = max ? e.op('Greater', [x, max]) : '';
  const outside = below && above ? e.op('Or', [below, above]) : below || above;
  return [
    outside ? e.op('Where', [outside, zero, dy!]) : dy,
    below ? e.op('Where', [below, dy!, zero]) : null,
    above ? e.op('Where', [above, dy!, zero]) : null,
  ];
};

/** dy · y. */
const exp: GradRule = (e, n, [dy]) => [e.op('Mul', [dy!, n.outputs[0]!])];

/** dy / x. */
const log: GradRule = (e, n, [dy]) => [e.op('Div', [dy!, n.inputs[0]!])];

/** dy / (2y). */
const sqrt: GradRule = (e, n, [dy]) => [e.op('Div', [e.op('Mul', [dy!, scalar(e, 0.5, dy!)]), n.outputs[0]!])];

/** dy · sign(x). */
const abs: GradRule = (e, n, [dy]) => [e.op('Mul', [dy!, e.op('Sign', [n.inputs[0]!])])];

/** −dy · y². */
const reciprocal: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  return [e.op('Neg', [e.op('Mul', [dy!, e.op('Mul', [y, y])])])];
};

/** dy · sigmoid(x). */
const softplus: GradRule = (e, n, [dy]) => [e.op('Mul', [dy!, e.op('Sigmoid', [n.inputs[0]!])])];

/** dy · 2/√π · exp(−x²). */
const erf: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const gauss = e.op('Exp', [e.op('Neg', [e.op('Mul', [x, x])])]);
  return [e.op('Mul', [dy!, e.op('Mul', [gauss, scalar(e, 2 / Math.sqrt(Math.PI), x)])])];
};

/** dy where x > 0, else dy · (y + α) (= dy · α·eˣ). */
const elu: GradRule = (e, n, [dy]) => {
  const [x, y] = [n.inputs[0]!, n.outputs[0]!];
  const negative = e.op('Mul', [dy!, e.op('Add', [y, scalar(e, attrFloat(n, 'alpha', 1), y)])]);
  return [e.op('Where', [e.op('Greater', [x, scalar(e, 0, x)]), dy!, negative])];
};

/** dy · α where 0 < αx + β < 1 (read off y), else 0. */
const hardSigmoid: GradRule = (e, n, [dy]) => {
  const y = n.outputs[0]!;
  const inside = e.op('And', [e.op('Greater', [y, scalar(e, 0, y)]), e.op('Less', [y, scalar(e, 1, y)])]);
  return [e.op('Where', [inside, e.op('Mul', [dy!, scalar(e, attrFloat(n, 'alpha', 0.2), y)]), scalar(e, 0, y)])];
};

/** y = x · clamp(x/6 + 1/2, 0, 1): slope 0 below −3, 1 above 3, x/3 + 1/2 between. */
const hardSwish: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const middle = e.op('Add', [e.op('Mul', [x, scalar(e, 1 / 3, x)]), scalar(e, 0.5, x)]);
  const upper = e.op('Where', [e.op('Greater', [x, scalar(e, 3, x)]), scalar(e, 1, x), middle]);
  const slope = e.op('Where', [e.op('Less', [x, scalar(e, -3, x)]), scalar(e, 0, x), upper]);
  return [e.op('Mul', [dy!, slope])];
};

/** PRelu: x where x > 0, slope · x elsewhere (slope broadcasts to x). */
const prelu: GradRule = (e, n, [dy]) => {
  const [x, slope] = [n.inputs[0]!, n.inputs[1]!];
  const positive = e.op('Greater', [x, scalar(e, 0, x)]);
  const zero = scalar(e, 0, x);
  return [e.op('Where', [positive, dy!, e.op('Mul', [dy!, slope])]), e.op('Where', [positive, zero, e.op('Mul', [dy!, x])])];
};

/** Float-to-float casts pass the gradient back in the input's type; other casts block it. */
const cast: GradRule = (e, n, [dy]) => [castTo(e, dy!, e.dtype(n.inputs[0]!))];

/** Inference-mode Dropout is the identity; training mode is not differentiated here. */
const dropout: GradRule = (e, n, [dy]) => {
  const training = n.inputs[2] ? (constantOf(e.graph, n.inputs[2])?.data[0] ?? 1) : attrInt(n, 'training_mode', 0);
  if (Number(training) !== 0) {
    throw new GraphValidationError(`Node '${n.name}' (Dropout): training-mode Dropout has no gradient rule; use inference mode`, {
      node: n.name,
      opType: n.opType,
    });
  }
  return [dy];
};

const passthrough: GradRule = (_e, _n, [dy]) => [dy ?? null];

/** Unary elementwise rules by op type. */
export const activationRules: Record<string, GradRule> = {
  Relu: relu,
  LeakyRelu: leakyRelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Clip: clip,
  Exp: exp,
  Log: log,
  Sqrt: sqrt,
  Abs: abs,
  Reciprocal: reciprocal,
  Softplus: softplus,
  PRelu: prelu,
  Erf: erf,
  Elu: elu,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Neg: (e, _n, [dy]) => [e.op('Neg', [dy!])],
  Identity: passthrough,
  Cast: cast,
  CastLike: (e, n, [dy]) => [castTo(e, dy!, e.dtype(n.inputs[0]!)), null],
  Dropout: dropout,
};
