/**
 * Ops that work on spatial axes and pass channels through: pooling, Resize/Upsample and Pad.
 * A spatial axis is left to the walker (fixed: its size follows the input's); a channel axis is
 * linked only when the op provably leaves it alone (scale 1, zero padding on it).
 */
import { attrInts } from '../../graph/index.js';
import { axisIn, controlInts, freeFrom } from './helpers.js';
import type { ChannelRule, CombContext } from './types.js';

/** Links batch and channel of a windowed pool; MaxPool's Indices are flat NCHW offsets. */
const pool: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    ctx.link(x, 0, y, 0);
    ctx.link(x, 1, y, 1);
    if (ctx.output(1)) ctx.fix(x, 1, 'MaxPool Indices are flat offsets that depend on the channel count');
  },
};

/** Global pools reduce every spatial axis to 1. */
const globalPool: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    ctx.link(x, 0, y, 0);
    ctx.link(x, 1, y, 1);
    for (let a = 2; a < ctx.rank(x); a++) {
      ctx.free(x, a);
      ctx.free(y, a);
    }
  },
};

/** Axes a Resize-like node lists (the `axes` attribute, opset 18), else all. */
function listedAxes(ctx: CombContext, rank: number): number[] {
  const axes = attrInts(ctx.node, 'axes');
  return axes ? axes.map((a) => axisIn(a, rank)) : Array.from({ length: rank }, (_, a) => a);
}

/**
 * Resize (X, roi, scales, sizes): an axis whose size does not change is linked. A `sizes` entry
 * naming it must follow the cut: stored (the cut rewrites it) or a run-time copy of some value's
 * dim (`Shape(skip)[1]`, coupled too); any other run-time entry fixes the axis.
 */
function resizeRule(sizesInput: number | undefined): ChannelRule {
  return {
    comb: (ctx) => {
      const [x, y] = [ctx.input(0), ctx.output(0)];
      const xs = ctx.shape(x)!;
      const ys = ctx.shape(y)!;
      const sizes = sizesInput === undefined ? '' : ctx.input(sizesInput);
      const dynamic = sizes && !ctx.isStored(sizes) ? (ctx.dimSources(sizes) ?? []) : undefined;
      const listed = listedAxes(ctx, xs.length);
      xs.forEach((d, a) => {
        if (d !== ys[a] || d === '?') return;
        const src = dynamic && listed.includes(a) ? dynamic[listed.indexOf(a)] : undefined;
        if (dynamic && listed.includes(a) && !(src && 'value' in src)) ctx.fix(x, a, 'Resize sizes are computed at run time');
        if (src && 'value' in src) ctx.link(src.value, src.axis, y, a);
        ctx.link(x, a, y, a);
      });
      freeFrom(ctx, 1);
    },
    cut: (ctx) => {
      const sizes = sizesInput === undefined ? undefined : ctx.constant(sizesInput);
      if (!sizes) return;
      const x = ctx.node.inputs[0]!;
      const y = ctx.node.outputs[0]!;
      const rank = ctx.oldShape(x)!.length;
      const axes = attrInts(ctx.node, 'axes')?.map((a) => axisIn(a, rank)) ?? Array.from({ length: rank }, (_, a) => a);
      const values = Array.from(sizes.data as BigInt64Array, Number);
      let changed = false;
      axes.forEach((a, j) => {
        const n = ctx.kept(y, a)?.length;
        if (n !== undefined && n !== values[j]) {
          values[j] = n;
          changed = true;
        }
      });
      if (changed) ctx.setConstant(sizesInput!, { dtype: 'int64', dims: sizes.dims, data: BigInt64Array.from(values, BigInt) });
    },
  };
}

/** Pad (data, pads, constant_value, axes): an axis provably padded by 0 on both sides is linked. */
const pad: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const r = ctx.rank(x);
    // Run-time pads (padding to a stride multiple) count only where a stored constant says 0.
    const pads = ctx.input(1) ? controlInts(ctx, ctx.input(1)) : attrInts(ctx.node, 'pads')?.slice();
    freeFrom(ctx, 1);
    if (!pads) {
      for (let a = 0; a < r; a++) ctx.fix(x, a, 'Pad pads are computed at run time');
      return;
    }
    const axes = ctx.input(3) ? controlInts(ctx, ctx.input(3))?.map((a) => axisIn(a, r)) : Array.from({ length: r }, (_, a) => a);
    if (!axes || axes.includes(-1)) {
      for (let a = 0; a < r; a++) ctx.fix(x, a, 'Pad axes are computed at run time');
      return;
    }
    for (let a = 0; a < r; a++) {
      const j = axes.indexOf(a);
      if (j < 0 || (pads[j] === 0 && pads[j + axes.length] === 0)) ctx.link(x, a, y, a);
      else {
        ctx.fix(x, a, `Pad pads axis ${a}`);
        ctx.fix(y, a, `Pad pads axis ${a}`);
      }
    }
  },
};

/** Spatial channel rules by op type. */
export const spatialRules: Record<string, ChannelRule> = {
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Resize: resizeRule(3),
  Upsample: resizeRule(undefined),
  Pad: pad,
};
