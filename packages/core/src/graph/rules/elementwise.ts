/** Shape rules of elementwise ops: unary activations, broadcasting binary ops, Where, Clip, Cast. */
import { attrInt } from '../attributes.js';
import { broadcastShapes, formatShape } from '../dims.js';
import type { InferContext, InferredOutput, ShapeRule } from '../rule-registry.js';
import { dtypeFromOnnx, tensorToNumbers } from '../tensor.js';
import type { Dim, DType } from '../types.js';
import { broadcastIndex, fold, requireSameDtype, sameAs } from './util.js';

const unary: ShapeRule = (ctx) => [sameAs(ctx)];

const identity: ShapeRule = (ctx) => [{ ...sameAs(ctx), value: ctx.value(0) }];

/** Broadcast shape of the listed inputs, or a failure naming them. */
function broadcastOf(ctx: InferContext, indices: readonly number[]): Dim[] {
  const shapes = indices.filter((i) => ctx.has(i)).map((i) => ctx.shape(i));
  const out = broadcastShapes(shapes);
  if (!out) ctx.fail(`shapes ${shapes.map(formatShape).join(' and ')} do not broadcast`);
  return out!;
}

/** Folds an elementwise integer op over broadcast constant inputs. */
function foldBroadcast(ctx: InferContext, dtype: DType, shape: Dim[], f: (...xs: number[]) => number): InferredOutput {
  const value = fold(ctx, dtype, shape, (vals) => {
    const out = shape as number[];
    const maps = vals.map((_, i) => broadcastIndex(out, ctx.shape(i) as number[]));
    const n = out.reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, k) => f(...vals.map((v, i) => v[maps[i]!(k)]!)));
  });
  return { dtype, shape, value };
}

/** Binary ops take exactly two inputs; ORT rejects a third, so inference must too. */
function requireTwoInputs(ctx: InferContext): void {
  if (ctx.inputCount !== 2) ctx.fail(`${ctx.node.opType} takes exactly 2 inputs, got ${ctx.inputCount}`);
}

function binary(f?: (a: number, b: number) => number): ShapeRule {
  return (ctx) => {
    requireTwoInputs(ctx);
    requireSameDtype(ctx, 0, 1);
    const shape = broadcastOf(ctx, [0, 1]);
    return [f ? foldBroadcast(ctx, ctx.dtype(0), shape, f) : { dtype: ctx.dtype(0), shape }];
  };
}

const compare: ShapeRule = (ctx) => {
  requireTwoInputs(ctx);
  requireSameDtype(ctx, 0, 1);
  return [{ dtype: 'bool', shape: broadcastOf(ctx, [0, 1]) }];
};

const logical: ShapeRule = (ctx) => {
  if (ctx.dtype(0) !== 'bool' || ctx.dtype(1) !== 'bool') ctx.fail('inputs must be bool');
  return [{ dtype: 'bool', shape: broadcastOf(ctx, [0, 1]) }];
};

const variadic: ShapeRule = (ctx) => {
  const all = Array.from({ length: ctx.inputCount }, (_, i) => i);
  for (const i of all) requireSameDtype(ctx, 0, i);
  return [{ dtype: ctx.dtype(0), shape: broadcastOf(ctx, all) }];
};

const where: ShapeRule = (ctx) => {
  if (ctx.dtype(0) !== 'bool') ctx.fail(`condition must be bool, got ${ctx.dtype(0)}`);
  requireSameDtype(ctx, 1, 2);
  return [{ dtype: ctx.dtype(1), shape: broadcastOf(ctx, [0, 1, 2]) }];
};

const clip: ShapeRule = (ctx) => {
  for (const i of [1, 2]) {
    if (!ctx.has(i)) continue;
    requireSameDtype(ctx, 0, i);
    if (ctx.shape(i).length !== 0 && !(ctx.shape(i).length === 1 && ctx.shape(i)[0] === 1)) {
      ctx.fail(`${i === 1 ? 'min' : 'max'} must be a scalar, got ${formatShape(ctx.shape(i))}`);
    }
  }
  return [sameAs(ctx)];
};

const prelu: ShapeRule = (ctx) => {
  const shape = broadcastOf(ctx, [0, 1]);
  if (shape.length !== ctx.shape(0).length || shape.some((d, i) => d !== ctx.shape(0)[i])) {
    ctx.fail(`slope ${formatShape(ctx.shape(1))} must broadcast to X ${formatShape(ctx.shape(0))}`);
  }
  return [sameAs(ctx)];
};

const dropout: ShapeRule = (ctx) => [sameAs(ctx), { dtype: 'bool', shape: [...ctx.shape(0)] }];

const cast: ShapeRule = (ctx) => {
  const to = dtypeFromOnnx(attrInt(ctx.node, 'to', 0));
  if (!to) ctx.fail(`unsupported 'to' type ${attrInt(ctx.node, 'to', 0)}`);
  const shape = [...ctx.shape(0)];
  const src = ctx.value(0);
  const value = src && fold(ctx, to!, shape, () => tensorToNumbers(src));
  return [{ dtype: to!, shape, value }];
};

const castLike: ShapeRule = (ctx) => [{ dtype: ctx.dtype(1), shape: [...ctx.shape(0)] }];

const isCheck: ShapeRule = (ctx) => [{ dtype: 'bool', shape: [...ctx.shape(0)] }];

const UNARY = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Abs', 'Exp', 'Log', 'Sqrt', 'Neg', 'Reciprocal', 'Erf', 'Softplus',
  'Softsign', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Mish', 'Gelu', 'Floor', 'Ceil', 'Round', 'Sin',
  'Cos', 'Tan', 'Sign', 'ThresholdedRelu', 'Shrink', 'Not', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh',
];

/** Elementwise rules by op type. */
export const elementwiseRules: Record<string, ShapeRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, unary])),
  Identity: identity,
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => Math.trunc(a / b)),
  Mod: binary(),
  Pow: (ctx) => [{ dtype: ctx.dtype(0), shape: broadcastOf(ctx, [0, 1]) }],
  Equal: compare,
  Less: compare,
  LessOrEqual: compare,
  Greater: compare,
  GreaterOrEqual: compare,
  And: logical,
  Or: logical,
  Xor: logical,
  Max: variadic,
  Min: variadic,
  Sum: variadic,
  Mean: variadic,
  Where: where,
  Clip: clip,
  PRelu: prelu,
  Dropout: dropout,
  Cast: cast,
  CastLike: castLike,
  IsNaN: isCheck,
  IsInf: isCheck,
};
