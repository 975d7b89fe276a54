/**
 * Reductions and normalizing maps. A reduced axis is free: the op accepts any size there (a
 * correlation's mean over feature channels shrinks with them). ArgMax/ArgMin return positions
 * along their axis, so that axis carries meaning and stays fixed. Softmax-like ops keep shapes.
 */
import { attrInt, attrInts } from '../../graph/index.js';
import { axisIn, controlInts, freeFrom, passAll } from './helpers.js';
import type { ChannelRule, CombContext } from './types.js';

/** Links kept axes of x to y, frees reduced ones; `fixReduced` names why a reduced axis is fixed instead. */
function reduceAxes(ctx: CombContext, axes: readonly number[], fixReduced?: string): void {
  const [x, y] = [ctx.input(0), ctx.output(0)];
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  let j = 0;
  for (let a = 0; a < ctx.rank(x); a++) {
    if (!axes.includes(a)) ctx.link(x, a, y, keep ? a : j++);
    else {
      if (fixReduced) ctx.fix(x, a, fixReduced);
      else ctx.free(x, a);
      if (keep) ctx.free(y, a);
    }
  }
}

const reduce: ChannelRule = {
  comb: (ctx) => {
    const r = ctx.rank(ctx.input(0));
    const fromInput = ctx.input(1) ? controlInts(ctx, ctx.input(1)) : undefined;
    freeFrom(ctx, 1);
    if (ctx.input(1) && (!fromInput || fromInput.some(Number.isNaN))) {
      for (let a = 0; a < r; a++) ctx.fix(ctx.input(0), a, `${ctx.node.opType} axes are computed at run time`);
      return;
    }
    const listed = (fromInput ?? attrInts(ctx.node, 'axes') ?? []).map((a) => axisIn(a, r));
    if (listed.length === 0 && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return passAll(ctx, ctx.input(0), ctx.output(0));
    reduceAxes(ctx, listed.length ? listed : Array.from({ length: r }, (_, a) => a));
  },
};

const argReduce: ChannelRule = {
  comb: (ctx) => {
    const axis = axisIn(attrInt(ctx.node, 'axis', 0), ctx.rank(ctx.input(0)));
    reduceAxes(ctx, [axis], `${ctx.node.opType} returns positions along this axis`);
  },
};

const sameShape: ChannelRule = {
  comb: (ctx) => passAll(ctx, ctx.input(0), ctx.output(0)),
};

const REDUCE = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare'] as const;

/** Reduction channel rules by op type. */
export const reduceRules: Record<string, ChannelRule> = {
  ...Object.fromEntries(REDUCE.map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  Softmax: sameShape,
  LogSoftmax: sameShape,
  Hardmax: sameShape,
  LpNormalization: sameShape,
  MeanVarianceNormalization: sameShape,
};
