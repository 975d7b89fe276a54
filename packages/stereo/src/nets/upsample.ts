/**
 * Disparity upsampling to full resolution, guided by image-derived features:
 * - convex (RAFT): a head predicts for each of the f×f sub-pixels a softmax over the 3×3 coarse
 *   neighbours; the full-resolution disparity is that convex combination of the neighbours'
 *   disparities (times f), so edges stay where the image puts them;
 * - sub-pixel residual: bilinear plus a learned per-sub-pixel correction, ~10× cheaper.
 * A plain bilinear version serves multi-scale losses.
 */
import { attr, is, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';
import { convBnRelu } from './layers.js';

/** Largest int64 Slice bound: "to the end". */
const END = 2 ** 53 - 1;

/**
 * The mask head: Conv-BN-ReLU 3×3 then a 1×1 conv to 9·f² channels, scaled by 1/4 (as RAFT, to
 * keep the initial softmax soft).
 * @param b - the builder.
 * @param features - guidance features [N, C, h, w] (context and aggregated features).
 * @param hidden - hidden channels (≥ 1).
 * @param factor - upsampling factor f (≥ 2).
 * @returns mask logits [N, 9·f², h, w].
 * @example const mask = upsampleMask(b, b.concat([agg, context], 1), 32, 4);
 */
export function upsampleMask(b: GraphBuilder, features: TensorRef, hidden: number, factor: number): TensorRef {
  is.assertInteger('factor', factor, 2, 16);
  return b.scope('upsample', () => {
    const h = convBnRelu(b, features, hidden, { name: 'conv' });
    const m = b.conv(h, 9 * factor * factor, { kernel: 1, name: 'mask' });
    return b.mul(m, 0.25);
  });
}

/**
 * Convex upsampling of a coarse disparity by `factor`.
 * @param b - the builder.
 * @param disparity - [N, 1, h, w] in coarse pixels.
 * @param mask - [N, 9·f², h, w] mask logits (see `upsampleMask`); channel k·f² + i·f + j weighs
 *   neighbour k (row-major 3×3) for sub-pixel (i, j).
 * @param factor - f (≥ 2).
 * @returns disparity [N, 1, f·h, f·w] in full-resolution pixels.
 * @throws InvalidParameterError when the mask does not have 9·f² channels.
 * @example const full = convexUpsample(b, d4, mask, 4);
 */
export function convexUpsample(b: GraphBuilder, disparity: TensorRef, mask: TensorRef, factor: number): TensorRef {
  is.assertInteger('factor', factor, 2, 16);
  const f2 = factor * factor;
  if (mask.shape[1] !== 9 * f2) throw is.invalidParameterError('mask channels', `${9 * f2} (9 × factor²)`, mask.shape[1]);
  return b.scope('convex', () => {
    const scaledDisparity = b.mul(disparity, factor);
    // The 3×3 neighbourhood as 9 channels: zero-pad once (as RAFT's unfold; the mask learns to
    // ignore the border zeros), then 9 relative slices.
    const padded = b.pad(scaledDisparity, [0, 0, 1, 1, 0, 0, 1, 1]);
    const neighbours: TensorRef[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) neighbours.push(b.slice(padded, { starts: [i, j], ends: [i === 2 ? END : i - 2, j === 2 ? END : j - 2], axes: [2, 3] }));
    }
    const unfolded = b.unsqueeze(b.concat(neighbours, 1), [2]); // N 9 1 h w
    // softmax over the 9 neighbours written out (ONNX Softmax on a non-last axis is slow in
    // onnxruntime), normalizing after the weighted sum so the division runs on f² channels.
    const logits = b.reshape(b.unsqueeze(mask, [1]), [0, 9, f2, 0, 0]); // N 9 f² h w
    const e = b.exp(b.sub(logits, b.reduceMax(logits, [1])));
    const sub = b.div(b.reduceSum(b.mul(e, unfolded), [1], false), b.reduceSum(e, [1], false)); // N f² h w
    return pixelShuffle(b, sub, factor);
  });
}

/**
 * Learned sub-pixel upsampling (ESPCN-style residual): the bilinear upsampling of the coarse
 * disparity plus a residual that a head predicts at the coarse resolution for each of the f×f
 * sub-pixels from the guidance features, rearranged to full resolution. About ten times cheaper
 * than convex upsampling (f² channels at the coarse resolution instead of 9·f²), for the student.
 * @param b - the builder.
 * @param disparity - [N, 1, h, w] in coarse pixels.
 * @param features - guidance features [N, C, h, w].
 * @param hidden - hidden channels of the head (≥ 1).
 * @param factor - f (≥ 2).
 * @returns disparity [N, 1, f·h, f·w] in full-resolution pixels, ≥ 0.
 * @example const full = subpixelUpsample(b, d4, b.concat([agg, context], 1), 16, 4);
 */
export function subpixelUpsample(b: GraphBuilder, disparity: TensorRef, features: TensorRef, hidden: number, factor: number): TensorRef {
  is.assertInteger('factor', factor, 2, 16);
  is.assertInteger('hidden', hidden, 1);
  const base = bilinearUpsampleDisparity(b, disparity, factor);
  return b.scope('upsample', () => {
    const h = convBnRelu(b, features, hidden, { name: 'conv' });
    const residual = pixelShuffle(b, b.conv(h, factor * factor, { kernel: 1, name: 'residual' }), factor);
    return b.relu(b.add(base, residual));
  });
}

/**
 * [N, f², h, w] → [N, 1, f·h, f·w], channel i·f + j to sub-pixel (i, j): a ConvTranspose with a
 * constant one-hot kernel and stride f (one 2D op, any size, differentiable by the core rules).
 */
function pixelShuffle(b: GraphBuilder, x: TensorRef, factor: number): TensorRef {
  const f2 = factor * factor;
  const kernel = new Float32Array(f2 * f2);
  for (let c = 0; c < f2; c++) kernel[c * f2 + c] = 1;
  const w = b.constant(kernel, [f2, 1, factor, factor]);
  const [y] = b.op('ConvTranspose', [x, w], { kernel_shape: attr.ints([factor, factor]), strides: attr.ints([factor, factor]) });
  return y!;
}

/**
 * Bilinear upsampling of a coarse disparity by `factor`, values scaled to full-resolution pixels.
 * @param b - the builder.
 * @param disparity - [N, 1, h, w] in coarse pixels.
 * @param factor - f (≥ 1).
 * @returns [N, 1, f·h, f·w].
 * @example const coarse = bilinearUpsampleDisparity(b, d4, 4);
 */
export function bilinearUpsampleDisparity(b: GraphBuilder, disparity: TensorRef, factor: number): TensorRef {
  is.assertInteger('factor', factor, 1, 64);
  if (factor === 1) return disparity;
  return b.mul(b.resize(disparity, { scales: [1, 1, factor, factor] }), factor);
}
