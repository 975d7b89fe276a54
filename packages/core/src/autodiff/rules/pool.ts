/**
 * Gradient rules of the pools. AveragePool's dX is dY divided by each window's divisor, summed
 * back over the windows (the adjoint of a depthwise all-ones Conv). MaxPool's dX gives each
 * window's dY to the elements equal to its max (im2col, compare, Col2Im); the global pools are
 * broadcasts.
 */
import { attr, attrInts, GraphValidationError, type DType, type Node } from '../../graph/index.js';
import type { GradEmitter, GradRule } from '../types.js';
import { convInputGrad } from './conv-input.js';
import { convWithPads, cropSpatial, nodeWindow, prod, range, span, type Window } from './conv-window.js';
import { castTo, reshape, scalar } from './helpers.js';
import { oneHotKernels } from './conv-weight.js';

function poolWindow(e: GradEmitter, n: Node): Window {
  const kernel = attrInts(n, 'kernel_shape');
  if (!kernel) throw new GraphValidationError(`Node '${n.name}' (${n.opType}): kernel_shape is required`, { node: n.name, opType: n.opType });
  return nodeWindow(n, e.shape(n.inputs[0]!).slice(2), kernel);
}

/**
 * 1 / (the divisor of each output window), [1, 1, O...]: AveragePool of ones gives
 * (in-bounds count)/(divisor), whatever count_include_pad and ceil_mode make the divisor, so
 * dividing by the in-bounds count (known here) matches onnxruntime exactly. Constant-folded at load.
 */
function reciprocalDivisors(e: GradEmitter, n: Node, win: Window, like: string): string {
  const spatial = e.shape(n.inputs[0]!).slice(2);
  const out = e.shape(n.outputs[0]!).slice(2);
  const dtype = e.dtype(like);
  const ones = e.op('Expand', [scalar(e, 1, like), e.ints([1, 1, ...spatial])]);
  const averaged = e.op('AveragePool', [ones], n.attributes);
  const inBounds = out.map((o, a) => {
    const counts = range(o).map((j) => {
      const first = j * win.strides[a]! - win.padsBegin[a]!;
      const c = range(win.kernel[a]!).filter((k) => first + k * win.dilations[a]! >= 0 && first + k * win.dilations[a]! < spatial[a]!).length;
      return Math.max(1, c);
    });
    return e.constant(counts, [1, 1, ...out.map((d, b) => (b === a ? d : 1))], dtype);
  });
  return e.op('Div', [averaged, inBounds.reduce((a, b) => e.op('Mul', [a, b]))]);
}

/**
 * Σ over windows of `g` [N, C, O...] back onto the input [N, C, ...xSpatial]: the adjoint of a
 * depthwise all-ones Conv (in 2D a depthwise ConvTranspose; measured >10× faster than a nearest
 * upsampling by Expand, even for windows that tile the input).
 */
function windowSumAdjoint(e: GradEmitter, g: string, win: Window, xSpatial: readonly number[]): string {
  const c = e.shape(g)[1]!;
  const ones = e.op('Expand', [scalar(e, 1, g), e.ints([c, 1, ...win.kernel])]);
  return convInputGrad(e, g, ones, win, xSpatial, c);
}

/** The lowest finite value of a float type: padding that never ties with a window's max. */
const LOWEST: Partial<Record<DType, number>> = { float32: -3.4028234663852886e38, float64: -Number.MAX_VALUE, float16: -65504 };

/** dY split evenly over the positions where `eq` (0/1 of X's dtype) is set, per window along `axes`. */
function splitOverTies(e: GradEmitter, eq: string, dy: string, axes: readonly number[]): string {
  const count = e.op('ReduceSum', [eq, e.ints(axes)], { keepdims: attr.int(1) });
  return e.op('Mul', [eq, e.op('Div', [dy, count])]);
}

/** Y = AveragePool(X). */
const averagePool: GradRule = (e, n, [dy]) => {
  const win = poolWindow(e, n);
  const scaled = e.op('Mul', [dy!, reciprocalDivisors(e, n, win, dy!)]);
  return [windowSumAdjoint(e, scaled, win, e.shape(n.inputs[0]!).slice(2))];
};

/**
 * Y = MaxPool(X): dY goes to the window elements equal to the window's max, split evenly between
 * ties (the convention of the Max rule). The one-hot im2col Conv lays out every window of X,
 * padded with the lowest float so padding never ties, and Col2Im (im2col's adjoint) adds each
 * window's shares back in place. MaxPool's Indices output is not used: onnxruntime's MaxPool with
 * indices runs ~15× slower than without, and a ScatterElements of dY slower still.
 */
const maxPool: GradRule = (e, n, [dy]) => {
  if (!dy) return [null];
  const [x, y] = [n.inputs[0]!, n.outputs[0]!];
  const win = poolWindow(e, n);
  const [b, c, ...xs] = e.shape(x) as [number, number, ...number[]];
  const o = e.shape(y).slice(2);
  // End pads that make the last window fit exactly (ceil_mode windows overhang; floor mode may leave rows unread).
  const end = o.map((d, a) => (d - 1) * win.strides[a]! + span(win, a) - xs[a]! - win.padsBegin[a]!);
  const unread = end.map((v) => Math.max(0, -v));
  const read = cropSpatial(e, x, xs.map(() => 0), unread);
  const pads = [0, 0, ...win.padsBegin, 0, 0, ...end.map((v) => Math.max(0, v))];
  const padded = e.op('Pad', [read, e.ints(pads), scalar(e, LOWEST[e.dtype(x)] ?? -Infinity, x)]);
  const t = prod(win.kernel);
  const noPad: Window = { ...win, padsBegin: xs.map(() => 0), padsEnd: xs.map(() => 0) };
  const cols = reshape(e, convWithPads(e, padded, oneHotKernels(e, c, win.kernel, x), noPad, c), [b, c, t, ...o]);
  const eq = castTo(e, e.op('Equal', [cols, e.op('Unsqueeze', [y, e.ints([2])])]), e.dtype(x));
  const shares = reshape(e, splitOverTies(e, eq, e.op('Unsqueeze', [dy, e.ints([2])]), [2]), [b, c * t, prod(o)]);
  const image = xs.map((d, a) => d - unread[a]!);
  const dx = e.op('Col2Im', [shares, e.ints(image), e.ints(win.kernel)], {
    strides: attr.ints(win.strides),
    dilations: attr.ints(win.dilations),
    pads: attr.ints(pads.filter((_, i) => i % (xs.length + 2) >= 2)),
  });
  if (unread.every((v) => v === 0)) return [dx];
  return [e.op('Pad', [dx, e.ints([0, 0, ...xs.map(() => 0), 0, 0, ...unread])])];
};

/** Y = GlobalMaxPool(X): dY split evenly over the elements equal to the max. */
const globalMaxPool: GradRule = (e, n, [dy]) => {
  const [x, y] = [n.inputs[0]!, n.outputs[0]!];
  const eq = castTo(e, e.op('Equal', [x, y]), e.dtype(x));
  return [splitOverTies(e, eq, dy!, range(e.shape(x).length - 2, 2))];
};

/** Y = GlobalAveragePool(X): dY / (spatial size), broadcast over space. */
const globalAveragePool: GradRule = (e, n, [dy]) => {
  const x = e.shape(n.inputs[0]!);
  return [e.op('Expand', [e.op('Mul', [dy!, scalar(e, 1 / prod(x.slice(2)), dy!)]), e.ints(x)])];
};

/** Pooling rules by op type. */
export const poolRules: Record<string, GradRule> = {
  AveragePool: averagePool,
  MaxPool: maxPool,
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
};
