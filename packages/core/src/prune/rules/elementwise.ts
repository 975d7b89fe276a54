/**
 * Elementwise ops: unary ops pass every axis through; broadcasting binary and variadic ops couple
 * the axes they align (both sides of a residual Add, a per-channel Mul constant), and an axis of
 * size 1 broadcast against channels stays free.
 */
import { broadcastLink, freeFrom, passAll } from './helpers.js';
import type { ChannelRule } from './types.js';

/** Output 0 has the shape of input 0; extra inputs are scalars or attributes-as-inputs. */
const unary: ChannelRule = {
  comb: (ctx) => {
    passAll(ctx, ctx.input(0), ctx.output(0));
    freeFrom(ctx, 1);
  },
};

/** Every input broadcasts to output 0. */
const broadcast: ChannelRule = {
  comb: (ctx) => broadcastLink(ctx, ctx.node.inputs, ctx.output(0)),
};

/** Dropout's optional mask output has the data's shape; ratio and training_mode are scalars. */
const dropout: ChannelRule = {
  comb: (ctx) => {
    passAll(ctx, ctx.input(0), ctx.output(0));
    if (ctx.output(1)) passAll(ctx, ctx.input(0), ctx.output(1));
    freeFrom(ctx, 1);
  },
};

/** CastLike takes only the element type of input 1. */
const castLike: ChannelRule = {
  comb: (ctx) => {
    passAll(ctx, ctx.input(0), ctx.output(0));
    ctx.free(ctx.input(1));
  },
};

const UNARY = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'BitwiseNot', 'Cast', 'Ceil', 'Celu', 'Clip', 'Cos', 'Cosh', 'Elu',
  'Erf', 'Exp', 'Floor', 'Gelu', 'HardSigmoid', 'HardSwish', 'Identity', 'IsInf', 'IsNaN', 'LeakyRelu', 'Log', 'Mish', 'Neg',
  'Not', 'Reciprocal', 'Relu', 'Round', 'Selu', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Softsign', 'Sqrt',
  'Tan', 'Tanh', 'ThresholdedRelu',
] as const;

const BROADCAST = [
  'Add', 'And', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'Div', 'Equal', 'Greater', 'GreaterOrEqual', 'Less',
  'LessOrEqual', 'Max', 'Mean', 'Min', 'Mod', 'Mul', 'Or', 'Pow', 'PRelu', 'Sub', 'Sum', 'Where', 'Xor',
] as const;

/** Elementwise channel rules by op type. */
export const elementwiseRules: Record<string, ChannelRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, unary])),
  ...Object.fromEntries(BROADCAST.map((op) => [op, broadcast])),
  Dropout: dropout,
  CastLike: castLike,
};
