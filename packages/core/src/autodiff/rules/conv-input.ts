/**
 * Input gradient of a convolution: the adjoint of Conv(X, W), i.e. dY scattered back through the
 * windows. Formulations measured on onnxruntime CPU (see tools/bench/conv-grad.mjs):
 * - stride 1: a Conv of dY with the spatially flipped, per-group transposed weights;
 * - stride > 1 in 2D: ConvTranspose of dY with W itself (its native adjoint);
 * - stride > 1 in 1D/3D: dY with zeros inserted between samples, then the stride-1 form, since
 *   onnxruntime's 3D ConvTranspose is an order of magnitude slower than a Conv.
 */
import { attr } from '../../graph/index.js';
import type { GradEmitter } from '../types.js';
import { reshape } from './helpers.js';
import { convWithPads, range, span, type Window } from './conv-window.js';

/**
 * W [M, C/g, K...] as the weight of the adjoint Conv: [C, M/g, K...] with every kernel flipped.
 * Within a group the two channel axes swap; when either has size 1 that is only a reshape.
 */
export function flippedTransposedWeight(e: GradEmitter, w: string, group: number): string {
  const [m, cg, ...k] = e.shape(w) as [number, number, ...number[]];
  const mg = m / group;
  let t: string;
  if (mg === 1 || cg === 1) t = reshape(e, w, [cg * group, mg, ...k]);
  else if (group === 1) t = e.op('Transpose', [w], { perm: attr.ints([1, 0, ...range(k.length, 2)]) });
  else {
    const g = e.op('Transpose', [reshape(e, w, [group, mg, cg, ...k])], { perm: attr.ints([0, 2, 1, ...range(k.length, 3)]) });
    t = reshape(e, g, [cg * group, mg, ...k]);
  }
  const axes = range(k.length, 2).filter((a) => k[a - 2]! > 1);
  if (axes.length === 0) return t;
  // Step -1 from the last element to before the first flips each kernel axis.
  const before = -Number.MAX_SAFE_INTEGER;
  return e.op('Slice', [t, e.ints(axes.map(() => -1)), e.ints(axes.map(() => before)), e.ints(axes), e.ints(axes.map(() => -1))]);
}

/**
 * dY [N, M, O...] with s−1 zeros after every sample along each strided axis: [N, M, O·s...].
 * One Reshape, Pad, Reshape: the sample axes gain a trailing axis of size 1 that is padded to s.
 */
function insertZeros(e: GradEmitter, dy: string, strides: readonly number[]): string {
  const [n, m, ...o] = e.shape(dy) as [number, number, ...number[]];
  const split = reshape(e, dy, [n, m, ...o.flatMap((d) => [d, 1])]);
  const rank = 2 + 2 * o.length;
  const pads = new Array<number>(2 * rank).fill(0);
  strides.forEach((s, i) => (pads[rank + 3 + 2 * i] = s - 1));
  const padded = e.op('Pad', [split, e.ints(pads)]);
  return reshape(e, padded, [n, m, ...o.map((d, i) => d * strides[i]!)]);
}

/**
 * Adjoint of a stride-1 correlation: dX[i] = Σ_k dYu[i + pb − k·d]·W[k], a correlation of dYu
 * with the flipped kernel, padded by (K−1)·d − pb in front and S − L + pb behind (L = dYu's size).
 */
function flippedConv(e: GradEmitter, dyu: string, w: string, win: Window, xSpatial: readonly number[], group: number): string {
  const lu = e.shape(dyu).slice(2);
  const adj: Window = {
    kernel: win.kernel,
    strides: win.kernel.map(() => 1),
    dilations: win.dilations,
    padsBegin: win.kernel.map((_, i) => span(win, i) - 1 - win.padsBegin[i]!),
    padsEnd: xSpatial.map((s, i) => s - lu[i]! + win.padsBegin[i]!),
  };
  return convWithPads(e, dyu, flippedTransposedWeight(e, w, group), adj, group);
}

/**
 * A 2D strided Conv's input gradient as ConvTranspose(dY, W). output_padding restores the input
 * rows the forward windows never reached (at most stride − 1 of them).
 */
function transposedConv(e: GradEmitter, dy: string, w: string, win: Window, xSpatial: readonly number[], group: number): string {
  const o = e.shape(dy).slice(2);
  const padsEnd: number[] = [];
  const outPad: number[] = [];
  xSpatial.forEach((s, i) => {
    const end = win.strides[i]! * (o[i]! - 1) + span(win, i) - win.padsBegin[i]! - s;
    padsEnd.push(Math.max(0, end));
    outPad.push(Math.max(0, -end));
  });
  return e.op('ConvTranspose', [dy, w], {
    strides: attr.ints(win.strides),
    dilations: attr.ints(win.dilations),
    pads: attr.ints([...win.padsBegin, ...padsEnd]),
    output_padding: attr.ints(outPad),
    group: attr.int(group),
  });
}

/**
 * dX of Y = Conv(X, W) with window `win` and `group` groups.
 * @param dy gradient of Y, [N, M, O...]
 * @param w the forward weight, [M, C/g, K...]
 * @param xSpatial spatial sizes of X (the result is [N, C, ...xSpatial])
 */
export function convInputGrad(e: GradEmitter, dy: string, w: string, win: Window, xSpatial: readonly number[], group: number): string {
  if (win.strides.every((s) => s === 1)) return flippedConv(e, dy, w, win, xSpatial, group);
  // ConvTranspose pads must be non-negative: other windows take the zero-insertion path too.
  if (xSpatial.length === 2 && win.padsBegin.every((p) => p >= 0)) return transposedConv(e, dy, w, win, xSpatial, group);
  return flippedConv(e, insertZeros(e, dy, win.strides), w, win, xSpatial, group);
}

/** dB of a Conv or ConvTranspose: dY summed over batch and space. */
export function biasGrad(e: GradEmitter, dy: string): string {
  const rank = e.shape(dy).length;
  return e.op('ReduceSum', [dy, e.ints([0, ...range(rank - 2, 2)])], { keepdims: attr.int(0) });
}
