/**
 * Weight gradient of a convolution: dW[m, c, k] = Σ_{n,o} dY[n, m, o]·X[n, c, o·s + k·d − pb].
 *
 * Formulation (fastest measured on onnxruntime CPU, see tools/bench/conv-grad.mjs): im2col by a
 * depthwise Conv of X with one-hot kernels (one output channel per input channel and kernel tap,
 * so strides, dilations and pads come for free and one op writes the columns), then one batched
 * MatMul with dY per group (onnxruntime fuses the transpose into it), summed over the batch. The
 * columns are T× the size of X, so they are built in chunks (over the batch, then over output
 * rows) of at most `COLS_BUDGET` elements. Measured slower on the bench layer: im2col by Pad +
 * strided Slices + Concat then one Gemm (1.2-2.5×), one Gemm per kernel offset (1-2.5×), the
 * "conv trick" Conv(Xᵀ, dYᵀ) (1.3-3×), and for depthwise layers Mul + ReduceSum per offset or on
 * the columns (1.3-2.5×).
 */
import { attr } from '../../graph/index.js';
import type { GradEmitter } from '../types.js';
import { reshape } from './helpers.js';
import { convWithPads, prod, range, span, type Window } from './conv-window.js';

/**
 * Elements of one im2col chunk (16 MB of float32): within the shared L3 here; splitting smaller
 * (e.g. a stride-2 layer's 0.6 M-element samples one by one) measured slower.
 */
export const COLS_BUDGET = 1 << 22;

/**
 * Depthwise one-hot kernels [C·T, 1, K...] (T = Π K): as a Conv with `group` C, output channel
 * c·T + t copies tap t of channel c (im2col in one op).
 */
export function oneHotKernels(e: GradEmitter, channels: number, kernel: readonly number[], like: string): string {
  const t = prod(kernel);
  const eye = new Array<number>(t * t).fill(0);
  for (let i = 0; i < t; i++) eye[i * t + i] = 1;
  // A T×T constant broadcast to every channel; onnxruntime folds the Expand at load time.
  const one = e.constant(eye, [1, t, ...kernel], e.dtype(like));
  return reshape(e, e.op('Expand', [one, e.ints([channels, t, ...kernel])]), [channels * t, 1, ...kernel]);
}

/** One chunk: samples [n0, n1) and output rows (first spatial axis) [r0, r1). */
interface Chunk {
  n0: number;
  n1: number;
  r0: number;
  r1: number;
}

/** Splits the batch, then the first output axis, so that each chunk's columns fit `budget`. */
function chunks(n: number, rows: number, perRow: number, budget: number): Chunk[] {
  const perSample = rows * perRow;
  if (perSample <= budget) {
    const step = Math.max(1, Math.floor(budget / perSample));
    return range(Math.ceil(n / step)).map((i) => ({ n0: i * step, n1: Math.min(n, (i + 1) * step), r0: 0, r1: rows }));
  }
  const step = Math.max(1, Math.floor(budget / perRow));
  const out: Chunk[] = [];
  for (let s = 0; s < n; s++) for (let r = 0; r < rows; r += step) out.push({ n0: s, n1: s + 1, r0: r, r1: Math.min(rows, r + step) });
  return out;
}

/** `x[n0:n1]` along the batch axis (a no-op for the whole batch). */
function batchSlice(e: GradEmitter, x: string, n0: number, n1: number): string {
  if (n0 === 0 && n1 === e.shape(x)[0]) return x;
  return e.op('Slice', [x, e.ints([n0]), e.ints([n1]), e.ints([0])]);
}

/**
 * The part of dW contributed by one chunk, as [g, C/g·T, M/g]: X's columns (restricted to the
 * input rows the chunk's windows read) times the chunk of dY.
 */
function chunkGrad(e: GradEmitter, x: string, dy: string, kernels: string, win: Window, group: number, c: Chunk): string {
  const [, ch, ...xs] = e.shape(x) as [number, number, ...number[]];
  const [, m, ...o] = e.shape(dy) as [number, number, ...number[]];
  const xc = batchSlice(e, x, c.n0, c.n1);
  let dyc = batchSlice(e, dy, c.n0, c.n1);
  let w = win;
  if (c.r0 > 0 || c.r1 < o[0]!) {
    // Output rows [r0, r1) read input rows [a, b): pads become a crop where they are negative.
    const [s, pb] = [win.strides[0]!, win.padsBegin[0]!];
    const [a, b] = [c.r0 * s - pb, (c.r1 - 1) * s + span(win, 0) - pb];
    const first = (xs0: readonly number[], v: number): number[] => xs0.map((p, i) => (i === 0 ? v : p));
    w = { ...win, padsBegin: first(win.padsBegin, -a), padsEnd: first(win.padsEnd, b - xs[0]!) };
    dyc = e.op('Slice', [dyc, e.ints([c.r0]), e.ints([c.r1]), e.ints([2])]);
  }
  const n = c.n1 - c.n0;
  const t = prod(win.kernel);
  const p = prod(e.shape(dyc).slice(2));
  const cols = reshape(e, convWithPads(e, xc, kernels, w, ch), [n, group, (ch / group) * t, p]);
  const mg = m / group;
  const dyg = reshape(e, dyc, [n, group, mg, p]);
  const dyT = mg === 1 ? reshape(e, dyg, [n, group, p, 1]) : e.op('Transpose', [dyg], { perm: attr.ints([0, 1, 3, 2]) });
  const prodNT = e.op('MatMul', [cols, dyT]);
  return n === 1 ? reshape(e, prodNT, [group, (ch / group) * t, mg]) : e.op('ReduceSum', [prodNT, e.ints([0])], { keepdims: attr.int(0) });
}

/**
 * dW of Y = Conv(X, W) with window `win` and `group` groups.
 * @param x the forward input [N, C, S...]
 * @param dy gradient of the output [N, M, O...]
 * @param wShape shape of W, [M, C/g, K...]
 * @param budget elements of im2col columns per chunk (default `COLS_BUDGET`)
 * @returns a value of shape `wShape`
 */
export function convWeightGrad(e: GradEmitter, x: string, dy: string, wShape: readonly number[], win: Window, group: number, budget = COLS_BUDGET): string {
  const [m, cg, ...k] = wShape as [number, number, ...number[]];
  const [n, ch] = e.shape(x) as [number, number];
  const o = e.shape(dy).slice(2);
  const kernels = oneHotKernels(e, ch, k, x);
  const t = prod(k);
  const parts = chunks(n, o[0]!, ch * t * prod(o.slice(1)), budget).map((c) => chunkGrad(e, x, dy, kernels, win, group, c));
  const sum = parts.length === 1 ? parts[0]! : e.op('Sum', parts);
  // [g, C/g, T, M/g] → [g, M/g, C/g, T] = [M, C/g, K...].
  const mg = m / group;
  const grouped = reshape(e, sum, [group, cg, t, mg]);
  const ordered = mg === 1 ? reshape(e, grouped, [group, mg, cg, t]) : e.op('Transpose', [grouped], { perm: attr.ints([0, 3, 1, 2]) });
  return reshape(e, ordered, [m, cg, ...k]);
}
