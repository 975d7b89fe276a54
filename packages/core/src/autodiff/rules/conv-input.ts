/**
 * Input gradient of a convolution: the adjoint of Conv(X, W), i.e. dY scattered back through the
 * windows. Formulations measured on onnxruntime CPU (see tools/bench/conv-grad.mjs):
 * - stride 1: a Conv of dY with the spatially flipped, per-group transposed weights;
 * - stride > 1 in 2D: ConvTranspose of dY with W itself (its native adjoint), 2-5× faster here
 *   than the polyphase split below;
 * - stride > 1 in 1D/3D: the polyphase split (one stride-1 Conv computing every output phase),
 *   never a 3D ConvTranspose (an order of magnitude slower than a Conv in onnxruntime); it beat
 *   zero insertion 1.2-4× on 3D dense, grouped and depthwise layers;
 * - stride > 1 with dilation outside 2D: zeros inserted into dY, then the stride-1 form.
 */
import { attr } from '../../graph/index.js';
import type { GradEmitter } from '../types.js';
import { reshape } from './helpers.js';
import { convWithPads, cropSpatial, prod, range, span, type Window } from './conv-window.js';

/**
 * W [M, C/g, K...] with the channel axes swapped within each group: [C, M/g, K...], the weight
 * layout of the adjoint Conv. When either channel axis has size 1 this is only a reshape.
 */
function groupTransposedWeight(e: GradEmitter, w: string, group: number): string {
  const [m, cg, ...k] = e.shape(w) as [number, number, ...number[]];
  const mg = m / group;
  if (mg === 1 || cg === 1) return reshape(e, w, [cg * group, mg, ...k]);
  if (group === 1) return e.op('Transpose', [w], { perm: attr.ints([1, 0, ...range(k.length, 2)]) });
  const g = e.op('Transpose', [reshape(e, w, [group, mg, cg, ...k])], { perm: attr.ints([0, 2, 1, ...range(k.length, 3)]) });
  return reshape(e, g, [cg * group, mg, ...k]);
}

/** Reverses `x` along `axes` (Slice with step −1 from the last element to before the first). */
function flip(e: GradEmitter, x: string, axes: readonly number[]): string {
  const shape = e.shape(x);
  const used = axes.filter((a) => shape[a]! > 1);
  if (used.length === 0) return x;
  const before = -Number.MAX_SAFE_INTEGER;
  return e.op('Slice', [x, e.ints(used.map(() => -1)), e.ints(used.map(() => before)), e.ints(used), e.ints(used.map(() => -1))]);
}

/** W [M, C/g, K...] as the stride-1 adjoint Conv's weight: [C, M/g, K...], every kernel flipped. */
export function flippedTransposedWeight(e: GradEmitter, w: string, group: number): string {
  const t = groupTransposedWeight(e, w, group);
  return flip(e, t, range(e.shape(t).length - 2, 2));
}

/**
 * Strided input gradient by polyphase decomposition (the sub-pixel form of ConvTranspose): with
 * i + pb = q·s + r, dX[i] = Σ_j dY[q − j]·W[r + s·j], so each phase r is a stride-1 Conv of dY
 * with the flipped taps r, r + s, ... (J = ⌈K/s⌉ of them). One Conv computes all Πs phases as
 * output channels (c·Πs + r, so groups stay contiguous) and a Reshape/Transpose interleaves them.
 * Needs dilation 1; the work is Conv-sized, unlike zero insertion's Πs-fold waste.
 */
function polyphaseConv(e: GradEmitter, dy: string, w: string, win: Window, xSpatial: readonly number[], group: number): string {
  const [n, , ...o] = e.shape(dy) as [number, number, ...number[]];
  const [, cg, ...k] = e.shape(w) as [number, number, ...number[]];
  const rank = k.length;
  const s = win.strides;
  const c = cg * group;
  const j = k.map((kk, a) => Math.ceil(kk / s[a]!));
  const q = xSpatial.map((x, a) => Math.floor((x - 1 + win.padsBegin[a]!) / s[a]!) + 1);
  // Taps padded to J·s, split k = j·s + r, j flipped, then [C, s..., M/g, J...] → [C·Πs, M/g, J...].
  const t = groupTransposedWeight(e, w, group);
  const mg = e.shape(t)[1]!;
  const padded = e.op('Pad', [t, e.ints([...new Array<number>(rank + 2).fill(0), 0, 0, ...k.map((kk, a) => j[a]! * s[a]! - kk)])]);
  const split = flip(e, reshape(e, padded, [c, mg, ...j.flatMap((jj, a) => [jj, s[a]!])]), range(rank, 0).map((a) => 2 + 2 * a));
  const perm = [0, ...range(rank).map((a) => 3 + 2 * a), 1, ...range(rank).map((a) => 2 + 2 * a)];
  const phases = reshape(e, e.op('Transpose', [split], { perm: attr.ints(perm) }), [c * prod(s), mg, ...j]);
  const adj: Window = {
    kernel: j,
    strides: j.map(() => 1),
    dilations: j.map(() => 1),
    padsBegin: j.map((jj) => jj - 1),
    padsEnd: q.map((qq, a) => qq - o[a]!),
  };
  const z = convWithPads(e, dy, phases, adj, group);
  // [N, C, s..., Q...] → [N, C, Q1, s1, Q2, s2, ...] → [N, C, Q·s...], then dX[i] = U[i + pb].
  const grid = reshape(e, z, [n, c, ...s, ...q]);
  const inter = e.op('Transpose', [grid], { perm: attr.ints([0, 1, ...range(rank).flatMap((a) => [2 + rank + a, 2 + a])]) });
  const u = reshape(e, inter, [n, c, ...q.map((qq, a) => qq * s[a]!)]);
  return cropSpatial(e, u, win.padsBegin, q.map((qq, a) => qq * s[a]! - win.padsBegin[a]! - xSpatial[a]!));
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
  // ConvTranspose and the phase split need non-negative pads (always so for Conv nodes' windows).
  const plain = win.padsBegin.every((p) => p >= 0);
  if (xSpatial.length === 2 && plain) return transposedConv(e, dy, w, win, xSpatial, group);
  if (win.dilations.every((d) => d === 1) && plain) return polyphaseConv(e, dy, w, win, xSpatial, group);
  return flippedConv(e, insertZeros(e, dy, win.strides), w, win, xSpatial, group);
}

/** dB of a Conv or ConvTranspose: dY summed over batch and space. */
export function biasGrad(e: GradEmitter, dy: string): string {
  const rank = e.shape(dy).length;
  return e.op('ReduceSum', [dy, e.ints([0, ...range(rank - 2, 2)])], { keepdims: attr.int(0) });
}
