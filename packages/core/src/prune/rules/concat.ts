/**
 * Concat, Split and Slice: the ops that place channels at offsets. Index `k` of a Concat input is
 * index `offset + k` of the output; a Split output and a step-1 Slice are windows into their
 * input. The cut rewrites Split sizes and Slice bounds from the channels kept in each window.
 */
import { attr, attrInt, int64Tensor } from '../../graph/index.js';
import { axisIn, controlInts, freeFrom } from './helpers.js';
import type { ChannelRule } from './types.js';

const concat: ChannelRule = {
  comb: (ctx) => {
    const out = ctx.output(0);
    const r = ctx.rank(out);
    const axis = axisIn(attrInt(ctx.node, 'axis', 0), r);
    // Offsets need every size along the axis; the other axes link regardless.
    const sizes = ctx.node.inputs.map((x) => ctx.shape(x)![axis]);
    const known = sizes.every((d) => typeof d === 'number');
    let offset = 0;
    ctx.node.inputs.forEach((x, i) => {
      for (let a = 0; a < r; a++) {
        if (a !== axis) ctx.link(x, a, out, a);
        else if (known) ctx.link(x, a, out, a, { offset });
        else ctx.fix(x, a, 'Concat of inputs of unknown size along this axis');
      }
      offset += known ? (sizes[i] as number) : 0;
    });
  },
};

const split: ChannelRule = {
  comb: (ctx) => {
    const x = ctx.input(0);
    const r = ctx.rank(x);
    const axis = axisIn(attrInt(ctx.node, 'axis', 0), r);
    const sizes = ctx.node.outputs.map((y) => ctx.shape(y)![axis]);
    const known = sizes.every((d) => typeof d === 'number');
    let offset = 0;
    ctx.node.outputs.forEach((y, i) => {
      for (let a = 0; a < r; a++) {
        if (a !== axis) ctx.link(y, a, x, a);
        else if (known) ctx.link(y, a, x, a, { offset });
        else ctx.fix(y, a, 'Split into parts of unknown size along this axis');
      }
      offset += known ? (sizes[i] as number) : 0;
    });
    if (!known) ctx.fix(x, axis, 'Split into parts of unknown size along this axis');
    freeFrom(ctx, 1);
  },
  cut: (ctx) => {
    const x = ctx.node.inputs[0]!;
    const axis = axisIn(attrInt(ctx.node, 'axis', 0), ctx.oldShape(x)!.length);
    if (!ctx.kept(x, axis)) return;
    const sizes = ctx.node.outputs.map((y) => ctx.newSize(y, axis)!);
    if (ctx.graph.opset < 13) {
      ctx.setAttribute('split', attr.ints(sizes));
      return;
    }
    // Explicit sizes replace num_outputs (opset 18), which only expresses equal parts.
    ctx.setAttribute('num_outputs', undefined);
    ctx.setConstant(1, int64Tensor(sizes));
  },
};

/** Normalized [start, end) of a step-1 slice over an axis of size `dim`. */
function window(start: number, end: number, dim: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  return [clamp(start), clamp(end)];
}

/** Slice (data, starts, ends, axes, steps): step-1 windows are offset links, other steps fixed. */
const slice: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const xs = ctx.shape(x)!;
    const [starts, ends] = [ctx.ints(ctx.input(1)), ctx.ints(ctx.input(2))];
    const axes = ctx.input(3) ? controlInts(ctx, ctx.input(3)) : starts?.map((_, i) => i);
    const steps = ctx.input(4) ? controlInts(ctx, ctx.input(4)) : starts?.map(() => 1);
    freeFrom(ctx, 1);
    if (!starts || !ends || !axes || !steps || axes.some((v) => axisIn(v, xs.length) < 0) || ctx.opset < 10) {
      for (let a = 0; a < xs.length; a++) ctx.fix(x, a, 'Slice bounds are computed at run time');
      return;
    }
    xs.forEach((d, a) => {
      const j = axes.findIndex((v) => axisIn(v, xs.length) === a);
      if (j < 0) return ctx.link(x, a, y, a);
      if (typeof d !== 'number' || steps[j] !== 1) {
        ctx.fix(x, a, `Slice with step ${steps[j]} on an axis of size ${d}`);
        return ctx.fix(y, a, `Slice with step ${steps[j]} on an axis of size ${d}`);
      }
      if (!ctx.isStored(ctx.input(1)) || !ctx.isStored(ctx.input(2))) {
        // Folded bounds cannot be rewritten by the cut.
        ctx.fix(x, a, 'Slice bounds are computed at run time');
        return ctx.fix(y, a, 'Slice bounds are computed at run time');
      }
      ctx.link(y, a, x, a, { offset: window(starts[j]!, ends[j]!, d)[0] });
    });
  },
  cut: (ctx) => {
    const x = ctx.node.inputs[0]!;
    const shape = ctx.oldShape(x)!;
    const [starts, ends] = [ctx.constant(1), ctx.constant(2)];
    if (!starts || !ends) return;
    const s = Array.from(starts.data as BigInt64Array | Int32Array, Number);
    const e = Array.from(ends.data as BigInt64Array | Int32Array, Number);
    const axes = ctx.constant(3) ? Array.from(ctx.constant(3)!.data as BigInt64Array | Int32Array, Number) : s.map((_, i) => i);
    let changed = false;
    axes.forEach((axis, j) => {
      const a = axisIn(axis, shape.length);
      const kept = ctx.kept(x, a);
      if (!kept) return;
      const [lo] = window(s[j]!, e[j]!, shape[a] as number);
      s[j] = kept.filter((k) => k < lo).length;
      e[j] = s[j]! + ctx.newSize(ctx.node.outputs[0]!, a)!;
      changed = true;
    });
    if (!changed) return;
    const as = (t: typeof starts, v: number[]): typeof starts => ({ ...t, data: t.dtype === 'int64' ? BigInt64Array.from(v, BigInt) : Int32Array.from(v) });
    ctx.setConstant(1, as(starts, s));
    ctx.setConstant(2, as(ends, e));
  },
};

/** Offset channel rules by op type. */
export const concatRules: Record<string, ChannelRule> = {
  Concat: concat,
  Split: split,
  Slice: slice,
};
