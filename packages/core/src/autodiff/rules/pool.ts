/**
 * Gradient rules of the pools. AveragePool's dX is dY divided by each window's count, summed back
 * over the windows (the adjoint of a depthwise all-ones Conv, or an Expand when the windows tile
 * the input). MaxPool's dX scatter-adds dY at the argmax positions given by MaxPool's own Indices
 * output (recomputed when the forward node does not expose it).
 */
import { attr, attrInt, attrInts, GraphValidationError, type Node } from '../../graph/index.js';
import type { GradEmitter, GradRule } from '../types.js';
import { convInputGrad } from './conv-input.js';
import { cropSpatial, nodeWindow, prod, range, type Window } from './conv-window.js';
import { reshape, scalar, zeros } from './helpers.js';

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
 * Σ over windows of `g` [N, C, O...] back onto the input [N, C, ...xSpatial]. When the windows tile
 * the input (kernel = stride, no dilation) every input element belongs to one window and this is
 * an Expand (nearest upsampling) plus a crop; otherwise the adjoint of a depthwise all-ones Conv.
 */
function windowSumAdjoint(e: GradEmitter, g: string, win: Window, xSpatial: readonly number[]): string {
  const [n, c, ...o] = e.shape(g) as [number, number, ...number[]];
  const tiles = win.kernel.every((k, i) => k === win.strides[i] && win.dilations[i] === 1 && win.padsBegin[i]! >= 0);
  if (!tiles) {
    const ones = e.op('Expand', [scalar(e, 1, g), e.ints([c, 1, ...win.kernel])]);
    return convInputGrad(e, g, ones, win, xSpatial, c);
  }
  const split = reshape(e, g, [n, c, ...o.flatMap((d) => [d, 1])]);
  const up = e.op('Expand', [split, e.ints([n, c, ...o.flatMap((d, i) => [d, win.strides[i]!])])]);
  const full = reshape(e, up, [n, c, ...o.map((d, i) => d * win.strides[i]!)]);
  // Upsampled index u covers input index u − pb: keep [pb, pb + S), zero-fill what windows missed.
  const ends = o.map((d, i) => d * win.strides[i]! - win.padsBegin[i]! - xSpatial[i]!);
  const cropped = cropSpatial(e, full, win.padsBegin, ends.map((v) => Math.max(0, v)));
  if (ends.every((v) => v >= 0)) return cropped;
  const pads = [0, 0, ...ends.map(() => 0), 0, 0, ...ends.map((v) => Math.max(0, -v))];
  return e.op('Pad', [cropped, e.ints(pads)]);
}

/** dX = Σ dY·(argmax one-hot): ScatterElements(add) of dY into zeros at flat MaxPool indices. */
function scatterAtIndices(e: GradEmitter, dy: string, indices: string, xShape: readonly number[]): string {
  const m = prod(e.shape(dy));
  const flat = e.op('ScatterElements', [zeros(e, [prod(xShape)], e.dtype(dy)), reshape(e, indices, [m]), reshape(e, dy, [m])], {
    axis: attr.int(0),
    reduction: attr.string('add'),
  });
  return reshape(e, flat, xShape);
}

/** Y = AveragePool(X). */
const averagePool: GradRule = (e, n, [dy]) => {
  const win = poolWindow(e, n);
  const scaled = e.op('Mul', [dy!, reciprocalDivisors(e, n, win, dy!)]);
  return [windowSumAdjoint(e, scaled, win, e.shape(n.inputs[0]!).slice(2))];
};

/** Y, Indices = MaxPool(X): row-major indices (storage_order 0) from the node or a twin of it. */
const maxPool: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const own = n.outputs[1] && attrInt(n, 'storage_order', 0) === 0 ? n.outputs[1] : undefined;
  const indices = own ?? e.opN('MaxPool', [x], 2, { ...n.attributes, storage_order: attr.int(0) })[1]!;
  return [dy ? scatterAtIndices(e, dy, indices, e.shape(x)) : null];
};

/** Y = GlobalMaxPool(X), as a MaxPool whose window is the whole spatial extent. */
const globalMaxPool: GradRule = (e, n, [dy]) => {
  const x = n.inputs[0]!;
  const indices = e.opN('MaxPool', [x], 2, { kernel_shape: attr.ints(e.shape(x).slice(2)) })[1]!;
  return [scatterAtIndices(e, dy!, indices, e.shape(x))];
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
