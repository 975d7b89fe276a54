/**
 * Ops that move axes around: Reshape, Flatten, Squeeze and Unsqueeze keep an axis only where the
 * comb can prove it holds the same elements before and after (same size, same product of the dims
 * before it); every folded or split axis stays fixed. Transpose permutes, Expand and Tile copy,
 * Gather picks. The cut rewrites stored shape constants on pruned axes.
 */
import { attrInt, attrInts } from '../../graph/index.js';
import { axisIn, controlInts, freeFrom, reshapeLink } from './helpers.js';
import type { ChannelRule, CutContext } from './types.js';

/** Replaces input `i`'s int64 constant with `f(values)` when the result differs. */
function rewriteInts(ctx: CutContext, i: number, f: (values: number[]) => number[]): void {
  const t = ctx.constant(i);
  if (!t) return;
  const before = Array.from(t.data as BigInt64Array, Number);
  const after = f([...before]);
  if (after.some((v, j) => v !== before[j])) ctx.setConstant(i, { dtype: 'int64', dims: t.dims, data: BigInt64Array.from(after, BigInt) });
}

/**
 * A stored shape is rewritten by the cut, so kept, split and merged axes all link. A shape computed
 * at run time links a kept axis only where its entry follows the data: -1, or a copy of some
 * value's dim (`Shape(v)[i]`, or 0 copying the input's), which is then coupled too.
 */
const reshape: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const why = 'Reshape folds or splits this axis';
    freeFrom(ctx, 1);
    if (ctx.isStored(ctx.input(1))) return reshapeLink(ctx, x, y, why);
    const sources = ctx.dimSources(ctx.input(1));
    const copies = attrInt(ctx.node, 'allowzero', 0) === 0;
    reshapeLink(ctx, x, y, 'Reshape shape is computed at run time', {
      blocks: false,
      accept: (b) => {
        const src = sources?.[b];
        if (!src) return false;
        if ('value' in src) ctx.link(src.value, src.axis, y, b);
        else if (src.literal === 0 && copies) ctx.link(x, b, y, b);
        else if (src.literal !== -1) return false;
        return true;
      },
    });
  },
  cut: (ctx) => {
    const [x, y] = [ctx.node.inputs[0]!, ctx.node.outputs[0]!];
    const copies = attrInt(ctx.node, 'allowzero', 0) === 0;
    const xr = ctx.oldShape(x)!.length;
    rewriteInts(ctx, 1, (s) =>
      s.map((v, b) => {
        if (v === -1) return v;
        // A 0 copies the input dim at the same position, which may not be the one that maps here.
        if (v === 0 && copies) return ctx.kept(y, b) || (b < xr && ctx.kept(x, b)) ? ctx.newSize(y, b)! : v;
        return ctx.kept(y, b) ? ctx.newSize(y, b)! : v;
      }),
    );
  },
};

/** Flatten, Squeeze, Unsqueeze: the output shape follows from the input, nothing to rewrite. */
const reshapeLike: ChannelRule = {
  comb: (ctx) => {
    freeFrom(ctx, 1);
    reshapeLink(ctx, ctx.input(0), ctx.output(0), `${ctx.node.opType} folds this axis`);
  },
};

const transpose: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const r = ctx.rank(x);
    const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    perm.forEach((p, i) => ctx.link(x, p, y, i));
  },
};

/** Expand(x, shape): equal axes are linked; the shape entry of a linked axis must be 1 or rewritable. */
const expand: ChannelRule = {
  comb: (ctx) => {
    const [x, shape, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
    const xs = ctx.shape(x)!;
    const ys = ctx.shape(y)!;
    const values = controlInts(ctx, shape);
    const stored = ctx.isStored(shape);
    ctx.free(shape);
    xs.forEach((d, a) => {
      const b = a + ys.length - xs.length;
      const entry = values?.[b - (ys.length - (values?.length ?? 0))];
      if (d === ys[b] && d !== '?' && (stored || entry === 1 || (values && entry === undefined))) ctx.link(x, a, y, b);
      else if (d === 1) ctx.free(x, a);
      else ctx.fix(x, a, 'Expand shape is computed at run time');
    });
  },
  cut: (ctx) => {
    const y = ctx.node.outputs[0]!;
    const yr = ctx.oldShape(y)!.length;
    rewriteInts(ctx, 1, (s) => s.map((v, j) => (v !== 1 && ctx.kept(y, j + yr - s.length) ? ctx.newSize(y, j + yr - s.length)! : v)));
  },
};

/** Tile(x, repeats): an axis repeated once is linked, a repeated one fixed. */
const tile: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const repeats = controlInts(ctx, ctx.input(1));
    freeFrom(ctx, 1);
    for (let a = 0; a < ctx.rank(x); a++) {
      if (repeats?.[a] === 1) ctx.link(x, a, y, a);
      else {
        ctx.fix(x, a, 'Tile repeats this axis');
        ctx.fix(y, a, 'Tile repeats this axis');
      }
    }
  },
};

/** Gather(data, indices): data axes other than `axis` pass; the indices' axes take its place. */
const gather: ChannelRule = {
  comb: (ctx) => {
    const [data, indices, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
    const rd = ctx.rank(data);
    const ri = ctx.rank(indices);
    const axis = axisIn(attrInt(ctx.node, 'axis', 0), rd);
    for (let a = 0; a < rd; a++) {
      if (a < axis) ctx.link(data, a, y, a);
      else if (a > axis) ctx.link(data, a, y, a + ri - 1, { role: 'producer' });
      else ctx.fix(data, a, 'Gather picks indices along this axis');
    }
    for (let j = 0; j < ri; j++) ctx.link(indices, j, y, axis + j);
  },
};

/** Shape and Size read only the dims: every axis is free. */
const dimsOnly: ChannelRule = {
  comb: (ctx) => {
    ctx.free(ctx.input(0));
    if (ctx.output(0)) ctx.free(ctx.output(0));
  },
};

/** Shape-moving channel rules by op type. */
export const shapeRules: Record<string, ChannelRule> = {
  Reshape: reshape,
  Flatten: reshapeLike,
  Squeeze: reshapeLike,
  Unsqueeze: reshapeLike,
  Transpose: transpose,
  Expand: expand,
  Tile: tile,
  Gather: gather,
  Shape: dimsOnly,
  Size: dimsOnly,
};
