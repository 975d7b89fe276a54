/**
 * Samples to tensors, exactly as the network contract says the edge runtime feeds a model: RGB
 * scaled to [0, 1], normalized with `INPUT_NORMALIZATION`, planar, padded to the stride by
 * replicating the last row and column. Targets come at full and quarter resolution with their
 * validity masks (the multi-scale loss's inputs).
 */
import { is, ShapeMismatchError, toPlanarFloat, type BackendTensor, type RasterImage } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { DEFAULT_HEAD_SCALE, INPUT_NORMALIZATION } from '../nets/config.js';
import { STEREO_NET_IO } from '../nets/network.js';

/** Names of the training graph's data inputs besides the network's `left` and `right`. */
export const TRAINING_INPUTS = Object.freeze({
  /** Ground-truth disparity [N, 1, H, W] in pixels (0 where invalid). */
  target: 'target',
  /** 1 where the target is valid [N, 1, H, W]. */
  valid: 'valid',
  /** Block-averaged ground truth [N, 1, H/4, W/4] in full-resolution pixels. */
  targetQuarter: 'target_quarter',
  /** 1 where a 4×4 block holds at least one valid target. */
  validQuarter: 'valid_quarter',
});

/**
 * Writes one view as a normalized planar [3, height, width] tensor: channel c is
 * `(v / maxValue · scale − mean[c]) / std[c]`, gray images replicated to RGB, and the area right of
 * and below the image filled with its last column and row (the runtime's `replicate` padding).
 * @param img - 8/16-bit or float RGB(A)/gray raster, at most `width × height`
 * @param out - destination of 3·height·width values (written from index 0)
 * @param width - tensor width ≥ img.width
 * @param height - tensor height ≥ img.height
 * @throws InvalidParameterError when the image is larger than the tensor or `out` is too short
 * @example writeNetworkInput(sample.left, data.subarray(0, 3 * 256 * 512), 512, 256);
 */
export function writeNetworkInput(img: RasterImage, out: Float32Array, width: number, height: number): void {
  is.assertInteger('width', width, img.width);
  is.assertInteger('height', height, img.height);
  if (out.length < 3 * width * height) throw is.invalidParameterError('out', `at least ${3 * width * height} values`, out.length);
  const planar = toPlanarFloat(img, { channels: 3 });
  const { scale, mean, std } = INPUT_NORMALIZATION;
  const w = img.width;
  const h = img.height;
  for (let c = 0; c < 3; c++) {
    const src = planar.data.subarray(c * w * h, (c + 1) * w * h);
    const dst = out.subarray(c * width * height, (c + 1) * width * height);
    const mul = scale / std[c]!;
    const add = -mean[c]! / std[c]!;
    for (let y = 0; y < h; y++) {
      const row = y * width;
      for (let x = 0; x < w; x++) dst[row + x] = src[y * w + x]! * mul + add;
      dst.fill(dst[row + w - 1]!, row + w, row + width);
    }
    for (let y = h; y < height; y++) dst.copyWithin(y * width, (h - 1) * width, h * width);
  }
}

/**
 * The supervised target of a sample: ground truth where it is finite, in [0, maxDisparity) and
 * inside the sample's own validity mask; 0 elsewhere, with a 0/1 mask saying which.
 * @param sample - a sample with ground-truth disparity
 * @param maxDisparity - the network's range; larger disparities cannot be regressed and are masked
 * @returns target and mask, row-major, sample-sized
 * @throws ShapeMismatchError when the sample has no disparity
 * @example const { target, valid } = supervisionTarget(sample, 192);
 */
export function supervisionTarget(sample: StereoSample, maxDisparity: number): { target: Float32Array; valid: Float32Array } {
  const gt = sample.disparity;
  if (!gt) throw new ShapeMismatchError(`sample '${sample.name}' has no ground-truth disparity`);
  const mask = sample.valid?.data;
  const n = gt.width * gt.height;
  const target = new Float32Array(n);
  const valid = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = gt.data[i]!;
    if (d >= 0 && d < maxDisparity && (!mask || mask[i])) {
      target[i] = d;
      valid[i] = 1;
    }
  }
  return { target, valid };
}

/**
 * Downsamples a target by `factor`: each output pixel is the mean of the valid targets of its
 * `factor × factor` block (still in full-resolution pixels), valid when the block holds any. The
 * block [f·i, f·i + f) is centred on f·i + (f − 1)/2, the position a half-pixel Resize by f maps
 * coarse pixel i to, so it lines up with the network's quarter-resolution grid.
 * @param target - full-resolution target (see `supervisionTarget`)
 * @param valid - its 0/1 mask
 * @param width - full-resolution width, a multiple of `factor`
 * @param height - full-resolution height, a multiple of `factor`
 * @param factor - ≥ 1; default 4
 * @throws InvalidParameterError when the size is not a multiple of the factor
 * @example const q = downsampleTarget(target, valid, 512, 256); // 128 × 64
 */
export function downsampleTarget(target: Float32Array, valid: Float32Array, width: number, height: number, factor = DEFAULT_HEAD_SCALE): { target: Float32Array; valid: Float32Array } {
  is.assertInteger('factor', factor, 1, 64);
  if (width % factor !== 0 || height % factor !== 0) throw is.invalidParameterError('target size', `multiples of ${factor}`, `${width}x${height}`);
  const w = width / factor;
  const h = height / factor;
  const outTarget = new Float32Array(w * h);
  const outValid = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let count = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * width + x * factor;
        for (let dx = 0; dx < factor; dx++) {
          if (valid[row + dx]) {
            sum += target[row + dx]!;
            count++;
          }
        }
      }
      if (count > 0) {
        outTarget[y * w + x] = sum / count;
        outValid[y * w + x] = 1;
      }
    }
  }
  return { target: outTarget, valid: outValid };
}

const f32 = (dims: number[], data: Float32Array): BackendTensor => ({ type: 'float32', dims, data });

/**
 * Stacks equally sized samples into the training graph's feeds: `left`, `right` (normalized,
 * [N, 3, H, W]) and the full and coarse-resolution targets and masks.
 * @param samples - at least one sample, all of one size (multiples of `scale`), each with ground truth
 * @param maxDisparity - the network's disparity range (larger ground truth is masked out)
 * @param scale - the resolution of the network's logits (its `headScale`); default 4
 * @returns one tensor per data input
 * @throws ShapeMismatchError when the samples differ in size or lack ground truth
 * @example const feeds = assembleBatch([a, b, c, d], 192);
 */
export function assembleBatch(samples: readonly StereoSample[], maxDisparity: number, scale = DEFAULT_HEAD_SCALE): Record<string, BackendTensor> {
  if (!Array.isArray(samples) || samples.length === 0) throw is.invalidParameterError('samples', 'a non-empty array of samples', samples);
  is.assertNumber('maxDisparity', maxDisparity, Number.MIN_VALUE);
  is.assertInteger('scale', scale, 1, 64);
  const { width, height } = samples[0]!.left;
  const n = samples.length;
  const plane = width * height;
  const qPlane = plane / (scale * scale);
  const left = new Float32Array(n * 3 * plane);
  const right = new Float32Array(n * 3 * plane);
  const target = new Float32Array(n * plane);
  const valid = new Float32Array(n * plane);
  const targetQ = new Float32Array(n * qPlane);
  const validQ = new Float32Array(n * qPlane);
  samples.forEach((s, k) => {
    for (const img of [s.left, s.right, s.disparity]) {
      if (img && (img.width !== width || img.height !== height)) {
        throw new ShapeMismatchError(`batch sample '${s.name}' is ${img.width}x${img.height} but the batch is ${width}x${height}`);
      }
    }
    writeNetworkInput(s.left, left.subarray(k * 3 * plane, (k + 1) * 3 * plane), width, height);
    writeNetworkInput(s.right, right.subarray(k * 3 * plane, (k + 1) * 3 * plane), width, height);
    const t = supervisionTarget(s, maxDisparity);
    target.set(t.target, k * plane);
    valid.set(t.valid, k * plane);
    const q = downsampleTarget(t.target, t.valid, width, height, scale);
    targetQ.set(q.target, k * qPlane);
    validQ.set(q.valid, k * qPlane);
  });
  const qDims = [n, 1, height / scale, width / scale];
  return {
    [STEREO_NET_IO.left]: f32([n, 3, height, width], left),
    [STEREO_NET_IO.right]: f32([n, 3, height, width], right),
    [TRAINING_INPUTS.target]: f32([n, 1, height, width], target),
    [TRAINING_INPUTS.valid]: f32([n, 1, height, width], valid),
    [TRAINING_INPUTS.targetQuarter]: f32(qDims, targetQ),
    [TRAINING_INPUTS.validQuarter]: f32(qDims, validQ),
  };
}
