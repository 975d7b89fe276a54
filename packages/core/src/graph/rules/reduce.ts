/** Shape rules of reductions, softmax, matrix products, Einsum and Resize. */
import { attrInt, attrInts, attrString } from '../attributes.js';
import { broadcastShapes, dimOp, formatShape, UNKNOWN_DIM } from '../dims.js';
import type { InferContext, ShapeRule } from '../rule-registry.js';
import type { Dim } from '../types.js';
import { axisOf, intsFromInputOrAttr, requireSameDtype, sameAs, unknown } from './util.js';

/** Reductions whose axes moved from attribute to input at opset 18 (ReduceSum at 13). */
function reduce(axesInputSince: number): ShapeRule {
  return (ctx) => {
    const x = ctx.shape(0);
    const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
    const axes = intsFromInputOrAttr(ctx, 1, 'axes', axesInputSince) ?? [];
    if (axes.length === 0 && attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return [sameAs(ctx)];
    const set = new Set(axes.length ? axes.map((a) => axisOf(ctx, a, x.length)) : x.map((_, i) => i));
    const shape = keep ? x.map((d, i) => (set.has(i) ? 1 : d)) : x.filter((_, i) => !set.has(i));
    return [{ dtype: ctx.dtype(0), shape }];
  };
}

const argReduce: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const keep = attrInt(ctx.node, 'keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis) }];
};

const softmax: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  axisOf(ctx, attrInt(ctx.node, 'axis', ctx.opset < 13 ? 1 : -1), Math.max(x.length, 1));
  return [sameAs(ctx)];
};

const cumsum: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axis = ctx.ints(1);
  if (axis) axisOf(ctx, axis[0]!, x.length);
  return [sameAs(ctx)];
};

const matmul: ShapeRule = (ctx) => {
  requireSameDtype(ctx, 0, 1);
  const a0 = ctx.shape(0);
  const b0 = ctx.shape(1);
  if (a0.length === 0 || b0.length === 0) ctx.fail('MatMul inputs must have rank >= 1');
  // numpy: a 1-D operand is promoted to a matrix, and the added axis is dropped from the result.
  const a = a0.length === 1 ? [1, a0[0]!] : a0;
  const b = b0.length === 1 ? [b0[0]!, 1] : b0;
  const k1 = a[a.length - 1]!;
  const k2 = b[b.length - 2]!;
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    ctx.fail(`inner dimensions differ: ${formatShape(a0)} x ${formatShape(b0)}`);
  }
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)]);
  if (!batch) ctx.fail(`batch dimensions of ${formatShape(a0)} and ${formatShape(b0)} do not broadcast`);
  const shape = [...batch!];
  if (a0.length > 1) shape.push(a[a.length - 2]!);
  if (b0.length > 1) shape.push(b[b.length - 1]!);
  return [{ dtype: ctx.dtype(0), shape }];
};

const gemm: ShapeRule = (ctx) => {
  requireSameDtype(ctx, 0, 1);
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a.length !== 2 || b.length !== 2) ctx.fail(`A ${formatShape(a)} and B ${formatShape(b)} must be 2-D`);
  const [m, ka] = attrInt(ctx.node, 'transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = attrInt(ctx.node, 'transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    ctx.fail(`inner dimensions differ: op(A) is [${m}, ${ka}], op(B) is [${kb}, ${n}]`);
  }
  if (ctx.has(2)) {
    const c = ctx.shape(2);
    const out = broadcastShapes([c, [m, n]]);
    if (!out || out.length !== 2 || out[0] !== m || out[1] !== n) ctx.fail(`C ${formatShape(c)} does not broadcast to [${m}, ${n}]`);
  }
  return [{ dtype: ctx.dtype(0), shape: [m, n] }];
};

/** Einsum without ellipsis: output subscripts explicit (`ij,jk->ik`) or implicit (sorted singletons). */
const einsum: ShapeRule = (ctx) => {
  const eq = attrString(ctx.node, 'equation', '').replace(/\s+/g, '');
  if (eq.includes('...')) return unknown('Einsum with ellipsis');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== ctx.inputCount) ctx.fail(`equation '${eq}' has ${terms.length} operands but the node has ${ctx.inputCount} inputs`);
  const sizes = new Map<string, Dim>();
  const counts = new Map<string, number>();
  terms.forEach((t, i) => {
    const s = ctx.shape(i);
    if (t.length !== s.length) ctx.fail(`operand ${i} '${t}' has ${t.length} labels but shape ${formatShape(s)}`);
    [...t].forEach((c, k) => {
      counts.set(c, (counts.get(c) ?? 0) + 1);
      const prev = sizes.get(c);
      const d = s[k]!;
      if (prev === undefined || prev === 1) sizes.set(c, d);
      else if (typeof prev === 'number' && typeof d === 'number' && d !== prev && d !== 1) {
        ctx.fail(`label '${c}' has sizes ${prev} and ${d}`);
      }
    });
  });
  const out = rhs ?? [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join('');
  for (const c of out) if (!sizes.has(c)) ctx.fail(`output label '${c}' is not in any operand`);
  return [{ dtype: ctx.dtype(0), shape: [...out].map((c) => sizes.get(c)!) }];
};

/** Output sizes of Resize from `sizes` (with keep_aspect_ratio_policy) or `scales`. */
function resizeSizes(ctx: InferContext, x: readonly Dim[], axes: number[], sizes?: number[], scales?: number[]): Dim[] {
  const shape: Dim[] = [...x];
  if (sizes) {
    if (sizes.length !== axes.length) ctx.fail(`sizes [${sizes.join(', ')}] must have ${axes.length} entries`);
    const policy = attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') axes.forEach((a, i) => (shape[a] = sizes[i]!));
    else {
      const ratios = axes.map((a, i) => dimOp(sizes[i]!, x[a]!, (s, d) => s / d));
      if (ratios.some((r) => typeof r !== 'number')) return shape.map((d, i) => (axes.includes(i) ? UNKNOWN_DIM : d));
      const r = policy === 'not_larger' ? Math.min(...(ratios as number[])) : Math.max(...(ratios as number[]));
      axes.forEach((a) => (shape[a] = dimOp(x[a]!, 0, (d) => Math.round(d * r))));
    }
    return shape;
  }
  if (!scales || scales.length !== axes.length) return ctx.fail(`scales must have ${axes.length} entries`);
  axes.forEach((a, i) => (shape[a] = dimOp(x[a]!, 0, (d) => Math.floor(d * scales[i]!))));
  return shape;
}

const resize: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axes = (attrInts(ctx.node, 'axes') ?? x.map((_, i) => i)).map((a) => axisOf(ctx, a, x.length));
  const mode = attrString(ctx.node, 'mode', 'nearest');
  if (!['nearest', 'linear', 'cubic'].includes(mode)) ctx.fail(`unknown mode '${mode}'`);
  const scalesAt = ctx.opset < 11 ? 1 : 2;
  const nonEmpty = (i: number): number[] | undefined => {
    if (!ctx.has(i)) return undefined;
    const v = ctx.ints(i);
    if (v === undefined) {
      const len = ctx.shape(i)[0];
      return len === 0 ? undefined : unknown('Resize scales/sizes');
    }
    return v.length ? v : undefined;
  };
  const sizes = ctx.opset < 11 ? undefined : nonEmpty(3);
  const scales = sizes ? undefined : nonEmpty(scalesAt);
  if (!sizes && !scales) ctx.fail('needs scales or sizes');
  return [{ dtype: ctx.dtype(0), shape: resizeSizes(ctx, x, axes, sizes, scales) }];
};

const upsample: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const scales = ctx.has(1) ? ctx.ints(1) : undefined;
  const attr = ctx.node.attributes['scales'];
  const s = scales ?? (attr?.type === 'floats' ? [...attr.value] : undefined);
  if (!s) return unknown('Upsample scales');
  return [{ dtype: ctx.dtype(0), shape: x.map((d, i) => dimOp(d, 0, (v) => Math.floor(v * s[i]!))) }];
};

const REDUCE_18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/** Reduction, product and resampling rules by op type. */
export const reduceRules: Record<string, ShapeRule> = {
  ReduceSum: reduce(13),
  ...Object.fromEntries(REDUCE_18.map((op) => [op, reduce(18)])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  Softmax: softmax,
  LogSoftmax: softmax,
  Hardmax: softmax,
  CumSum: cumsum,
  MatMul: matmul,
  Gemm: gemm,
  Einsum: einsum,
  Resize: resize,
  Upsample: upsample,
};
