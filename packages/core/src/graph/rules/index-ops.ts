/** Shape rules of ops that select or join parts of tensors: Concat, Split, Slice, Pad, Gather, Scatter. */
import { attrInt, attrInts } from '../attributes.js';
import { dimOp, formatShape, UNKNOWN_DIM } from '../dims.js';
import type { ShapeRule } from '../rule-registry.js';
import type { Dim } from '../types.js';
import { axisOf, fold, intsFromInputOrAttr, requireSameDtype, sameAs, unknown } from './util.js';

const concat: ShapeRule = (ctx) => {
  const first = ctx.shape(0);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', 0), first.length);
  let total: Dim = 0;
  for (let i = 0; i < ctx.inputCount; i++) {
    if (!ctx.has(i)) continue;
    requireSameDtype(ctx, 0, i);
    const s = ctx.shape(i);
    if (s.length !== first.length) ctx.fail(`input ${i} ${formatShape(s)} has another rank than ${formatShape(first)}`);
    s.forEach((d, k) => {
      if (k !== axis && typeof d === 'number' && typeof first[k] === 'number' && d !== first[k]) {
        ctx.fail(`input ${i} ${formatShape(s)} differs from ${formatShape(first)} off the concat axis ${axis}`);
      }
    });
    total = dimOp(total, s[axis]!, (a, b) => a + b);
  }
  const shape = first.map((d, k) => (k === axis ? total : d));
  const value = fold(ctx, ctx.dtype(0), shape, (vals) => vals.flat());
  // Folding by flat() is only right along axis 0 of 1-D inputs, the shape-arithmetic case.
  return [{ dtype: ctx.dtype(0), shape, value: first.length === 1 ? value : undefined }];
};

const split: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const n = ctx.node.outputs.length;
  const dim = x[axis]!;
  let sizes: Dim[];
  const given = intsFromInputOrAttr(ctx, 1, 'split', 13);
  if (given) {
    if (given.length !== n) ctx.fail(`split [${given.join(', ')}] must have one entry per output (${n})`);
    const sum = given.reduce((a, b) => a + b, 0);
    if (typeof dim === 'number' && sum !== dim) ctx.fail(`split [${given.join(', ')}] sums to ${sum}, not axis size ${dim}`);
    sizes = given;
  } else {
    const parts = attrInt(ctx.node, 'num_outputs', n);
    if (typeof dim !== 'number') sizes = new Array<Dim>(n).fill(UNKNOWN_DIM);
    else {
      const chunk = Math.ceil(dim / parts);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - chunk * i)));
      if (sizes.some((s) => s === 0) && dim > 0) ctx.fail(`num_outputs ${parts} leaves an empty chunk of axis size ${dim}`);
      if (!attrInt(ctx.node, 'num_outputs') && dim % n !== 0) ctx.fail(`axis size ${dim} does not split evenly into ${n} outputs`);
    }
  }
  return sizes.map((s) => ({ dtype: ctx.dtype(0), shape: x.map((d, k) => (k === axis ? s : d)) }));
};

/** Output length of one sliced axis, by the clamping rules of the ONNX Slice spec. */
export function sliceLength(dim: number, start: number, end: number, step: number): number {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return Math.max(0, Math.ceil((e - s) / step));
}

const slice: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const legacy = ctx.opset < 10;
  const starts = legacy ? attrInts(ctx.node, 'starts') : ctx.ints(1);
  const ends = legacy ? attrInts(ctx.node, 'ends') : ctx.ints(2);
  if (!starts || !ends) return unknown('Slice bounds');
  const axes = legacy ? (attrInts(ctx.node, 'axes') ?? starts.map((_, i) => i)) : ctx.has(3) ? ctx.ints(3) : starts.map((_, i) => i);
  const steps = !legacy && ctx.has(4) ? ctx.ints(4) : starts.map(() => 1);
  if (!axes || !steps) return unknown('Slice axes/steps');
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.fail('starts, ends, axes and steps must have the same length');
  }
  const shape: Dim[] = [...x];
  axes.forEach((a, i) => {
    const ax = axisOf(ctx, a, x.length);
    if (steps[i] === 0) ctx.fail('steps must not be 0');
    const d = x[ax]!;
    shape[ax] = typeof d === 'number' ? sliceLength(d, starts[i]!, ends[i]!, steps[i]!) : UNKNOWN_DIM;
  });
  let value;
  if (x.length === 1 && typeof x[0] === 'number' && ctx.value(0)) {
    const [s, e, st] = [starts[0]!, ends[0]!, steps[0]!];
    const d = x[0];
    let i0 = s < 0 ? s + d : s;
    i0 = st > 0 ? Math.min(Math.max(i0, 0), d) : Math.min(Math.max(i0, 0), d - 1);
    value = fold(ctx, ctx.dtype(0), shape, (v) => Array.from({ length: shape[0] as number }, (_, k) => v[0]![i0 + k * st]!));
  }
  return [{ dtype: ctx.dtype(0), shape, value }];
};

const pad: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const pads = intsFromInputOrAttr(ctx, 1, 'pads', 11);
  if (!pads) return ctx.fail('pads are required');
  const axes = ctx.has(3) ? ctx.ints(3) : x.map((_, i) => i);
  if (!axes) return unknown('Pad axes');
  if (pads.length !== 2 * axes.length) ctx.fail(`pads [${pads.join(', ')}] must have ${2 * axes.length} entries`);
  const shape: Dim[] = [...x];
  axes.forEach((a, i) => {
    const ax = axisOf(ctx, a, x.length);
    const out = dimOp(x[ax]!, 0, (d) => d + pads[i]! + pads[i + axes.length]!);
    if (typeof out === 'number' && out < 0) ctx.fail(`pads [${pads.join(', ')}] crop axis ${ax} below zero`);
    shape[ax] = out;
  });
  return [{ dtype: ctx.dtype(0), shape }];
};

const gather: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const shape = [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)];
  const dim = x[axis];
  const value =
    x.length === 1 && typeof dim === 'number'
      ? fold(ctx, ctx.dtype(0), shape, ([data, ids]) => ids!.map((i) => data![i < 0 ? i + dim : i]!))
      : undefined;
  return [{ dtype: ctx.dtype(0), shape, value }];
};

const gatherElements: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (idx.length !== x.length) ctx.fail(`indices ${formatShape(idx)} must have the rank of data ${formatShape(x)}`);
  axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  return [{ dtype: ctx.dtype(0), shape: [...idx] }];
};

const scatterElements: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  const upd = ctx.shape(2);
  if (idx.length !== x.length || upd.length !== idx.length) ctx.fail('data, indices and updates must have the same rank');
  if (idx.some((d, i) => typeof d === 'number' && typeof upd[i] === 'number' && d !== upd[i])) {
    ctx.fail(`indices ${formatShape(idx)} and updates ${formatShape(upd)} must have the same shape`);
  }
  requireSameDtype(ctx, 0, 2);
  axisOf(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  return [sameAs(ctx)];
};

const topK: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axis = axisOf(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const k = ctx.opset < 10 ? attrInt(ctx.node, 'k') : ctx.ints(1)?.[0];
  const shape = x.map((d, i) => (i === axis ? (k ?? UNKNOWN_DIM) : d));
  return [{ dtype: ctx.dtype(0), shape }, { dtype: 'int64', shape: [...shape] }];
};

/** Selection and joining rules by op type. */
export const indexOpRules: Record<string, ShapeRule> = {
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  Gather: gather,
  GatherElements: gatherElements,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: (ctx) => [sameAs(ctx)],
  TopK: topK,
};
