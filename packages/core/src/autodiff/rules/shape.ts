/**
 * Gradient rules of ops that move elements without arithmetic: Reshape-like ops, Transpose,
 * Expand, Tile, Concat, Split, Slice and Pad. Slice's gradient scatters with Pad (and, for steps
 * other than 1, a zero-interleaving Reshape/Pad); Pad's gradient is a Slice.
 */
import { attr, attrInts, attrString, GraphValidationError, normalizeAxis, type Node } from '../../graph/index.js';
import type { GradEmitter, GradRule } from '../types.js';
import { axisAttr, constInput, optionalConstInput, reshape, zeros } from './helpers.js';

/** Reshape, Flatten, Squeeze, Unsqueeze: the gradient is reshaped back. */
const reshapeBack: GradRule = (e, n, [dy]) => [reshape(e, dy!, e.shape(n.inputs[0]!)), null];

const transpose: GradRule = (e, n, [dy]) => {
  const rank = e.shape(n.inputs[0]!).length;
  const perm = attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [e.op('Transpose', [dy!], { perm: attr.ints(inverse) })];
};

/** Tile: fold each axis into [repeats, size] and sum over the repeats. */
const tile: GradRule = (e, n, [dy]) => {
  const x = e.shape(n.inputs[0]!);
  const reps = constInput(e, n, 1);
  const folded = reshape(e, dy!, x.flatMap((d, i) => [reps[i]!, d]));
  const axes = x.map((_, i) => 2 * i);
  return [e.op('ReduceSum', [folded, e.ints(axes)], { keepdims: attr.int(0) }), null];
};

const concat: GradRule = (e, n, [dy]) => {
  const axis = axisAttr(e, n, 0);
  if (n.inputs.length === 1) return [dy!];
  return e.opN('Split', [dy!, e.ints(n.inputs.map((v) => e.shape(v)[axis]!))], n.inputs.length, { axis: attr.int(axis) });
};

/** Split: concatenate the output gradients, zeros for outputs that do not reach the loss. */
const split: GradRule = (e, n, dy) => {
  const axis = axisAttr(e, n, 0);
  const parts = n.outputs.map((o, i) => dy[i] ?? zeros(e, e.shape(o), e.dtype(o)));
  return [parts.length === 1 ? parts[0]! : e.op('Concat', parts, { axis: attr.int(axis) }), null];
};

/** First index and length of a Slice along one axis, by the spec's clamping rules. */
function sliceRange(dim: number, start: number, end: number, step: number): { first: number; length: number } {
  let s = start < 0 ? start + dim : start;
  let t = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    t = Math.min(Math.max(t, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    t = Math.min(Math.max(t, -1), dim - 1);
  }
  return { first: s, length: Math.max(0, Math.ceil((t - s) / step)) };
}

/**
 * Spreads `g` along `axis` so element j lands at j·k (zeros between), cropped to `room`:
 * Reshape [.., m, 1, ..] → Pad to [.., m, k, ..] → Reshape [.., m·k, ..] → Slice.
 */
function interleaveZeros(e: GradEmitter, g: string, axis: number, k: number, room: number): string {
  const s = e.shape(g);
  const m = s[axis]!;
  const col = reshape(e, g, [...s.slice(0, axis + 1), 1, ...s.slice(axis + 1)]);
  const pads = new Array<number>(2 * (s.length + 1)).fill(0);
  pads[s.length + 1 + axis + 1] = k - 1;
  const spread = reshape(e, e.op('Pad', [col, e.ints(pads)]), s.map((d, i) => (i === axis ? m * k : d)));
  const len = Math.min(m * k, room);
  return len === m * k ? spread : e.op('Slice', [spread, e.ints([0]), e.ints([len]), e.ints([axis])]);
}

/** Slice (any steps, negative too): place the gradient back with zeros elsewhere. */
const slice: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const shape = e.shape(x);
  const rank = shape.length;
  const starts = constInput(e, n, 1);
  const ends = constInput(e, n, 2);
  const axes = optionalConstInput(e, n, 3) ?? starts.map((_, i) => i);
  const steps = optionalConstInput(e, n, 4) ?? starts.map(() => 1);
  const pads = new Array<number>(2 * rank).fill(0);
  const ranges = axes.map((a, i) => sliceRange(shape[normalizeAxis(a, rank)]!, starts[i]!, ends[i]!, steps[i]!));
  if (ranges.some((r) => r.length === 0)) return [zeros(e, shape, e.dtype(x)), null, null, null, null];
  let g = dy!;
  for (let i = 0; i < axes.length; i++) {
    const a = normalizeAxis(axes[i]!, rank);
    const dim = shape[a]!;
    const step = steps[i]!;
    const { first, length } = ranges[i]!;
    let low = first;
    if (step < 0) {
      // A negative-step slice is the reverse of a positive-step one starting at its last element.
      low = first + (length - 1) * step;
      g = e.op('Slice', [g, e.ints([-1]), e.ints([-(length + 1)]), e.ints([a]), e.ints([-1])]);
    }
    if (Math.abs(step) > 1) g = interleaveZeros(e, g, a, Math.abs(step), dim - low);
    pads[a] = low;
    pads[a + rank] = dim - low - e.shape(g)[a]!;
  }
  return [pads.some((p) => p !== 0) ? e.op('Pad', [g, e.ints(pads)]) : g, null, null, null, null];
};

/** Constant-mode Pad: Slice the padding off (and Pad back what negative pads cropped). */
const pad: GradRule = (e, n: Node, [dy]) => {
  const mode = attrString(n, 'mode', 'constant');
  if (mode !== 'constant') {
    throw new GraphValidationError(`Node '${n.name}' (Pad): mode '${mode}' has no gradient rule (only 'constant')`, { node: n.name, opType: n.opType });
  }
  const shape = e.shape(n.inputs[0]!);
  const rank = shape.length;
  const pads = constInput(e, n, 1);
  const axes = (optionalConstInput(e, n, 3) ?? attrInts(n, 'axes') ?? shape.map((_, i) => i)).map((a) => normalizeAxis(a, rank));
  const dyShape = e.shape(dy!);
  const starts: number[] = [];
  const ends: number[] = [];
  const inner = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const [begin, end] = [pads[i]!, pads[i + axes.length]!];
    starts.push(Math.max(begin, 0));
    ends.push(dyShape[a]! - Math.max(end, 0));
    inner[a] = Math.max(-begin, 0);
    inner[a + rank] = Math.max(-end, 0);
  });
  const sliced = e.op('Slice', [dy!, e.ints(starts), e.ints(ends), e.ints(axes)]);
  const dx = inner.some((p) => p !== 0) ? e.op('Pad', [sliced, e.ints(inner)]) : sliced;
  const keep0 = { keepdims: attr.int(0) };
  const dvalue = n.inputs[2] ? e.op('Sub', [e.op('ReduceSum', [dy!], keep0), e.op('ReduceSum', [sliced], keep0)]) : null;
  return [dx, null, dvalue, null];
};

/** Shape-moving rules by op type. Shape, axes, pads and index inputs get no gradient. */
export const shapeRules: Record<string, GradRule> = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Expand: (_e, _n, [dy]) => [dy!, null],
  Tile: tile,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
};
