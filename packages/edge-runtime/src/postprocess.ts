/**
 * Step 4 of the pipeline, "postprocess": crop the stride padding, bring disparity (and confidence)
 * back to the input resolution, scale disparity values by the same factor, and mark invalid pixels.
 */
import type { TensorData } from './backend.js';
import { INVALID_DISPARITY } from './defaults.js';
import { InferenceError } from './errors.js';
import type { RunPlan } from './preprocess.js';
import type { BufferPool } from './preprocess.js';
import { resamplePlane } from './resample.js';

/**
 * The disparity map at the input resolution, in input pixels. Negative, non-finite, and (when
 * given) above-`maxDisparity` values become {@link INVALID_DISPARITY}. When the output needs neither
 * crop nor resize it is invalidated in place and returned (the backend hands over fresh buffers);
 * otherwise the result is a new array.
 *
 * Measured at KITTI size (crop 1248×384 → 1242×375 of a fresh output buffer, medians of five runs
 * of interleaved calls on a loaded 2-core machine): 1.7–1.9 ms against 2.9–3.2 ms for the per-pixel
 * strided copy and separate clamp it replaces; most of what remains is first-touching the new array.
 * @throws InferenceError when the output is not [N,1,H,W] or [N,H,W] at the tensor size.
 */
export function extractDisparity(out: TensorData, plan: RunPlan, maxDisparity: number | undefined, name: string): Float32Array {
  const { dims } = out;
  const h = dims[dims.length - 2];
  const w = dims[dims.length - 1];
  const rankOk = dims.length === 3 || (dims.length === 4 && dims[1] === 1);
  if (!rankOk || h !== plan.tensorHeight || w !== plan.tensorWidth || dims[0] !== 1) {
    throw new InferenceError(
      `disparity output '${name}' has shape [${dims.join(',')}], expected [1,1,${plan.tensorHeight},${plan.tensorWidth}] (the input tensor size)`,
    );
  }
  const sameSize = plan.runWidth === plan.width && plan.runHeight === plan.height;
  let result: Float32Array;
  if (sameSize && w === plan.width && h === plan.height && ownsWholeBuffer(out.data)) {
    // Nothing to crop (the input was already a multiple of the stride): the output is the result.
    result = out.data;
  } else {
    result = new Float32Array(plan.width * plan.height);
    if (sameSize) {
      // Only the stride padding to crop: one memcpy per row.
      for (let y = 0; y < plan.height; y++) result.set(out.data.subarray(y * w, y * w + plan.width), y * plan.width);
    } else {
      resamplePlane(
        { data: out.data, width: plan.runWidth, height: plan.runHeight, offset: 0, pixelStride: 1, rowStride: w },
        {
          data: result, width: plan.width, height: plan.height, offset: 0, rowStride: plan.width,
          scaleX: plan.runWidth / plan.width, scaleY: plan.runHeight / plan.height, mul: plan.width / plan.runWidth,
        },
      );
    }
  }
  invalidate(result, maxDisparity ?? Number.MAX_VALUE);
  return result;
}

/** Whether `a` spans its whole buffer, so handing it to the caller exposes no other bytes. */
const ownsWholeBuffer = (a: Float32Array): boolean => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;

/**
 * Marks negative, non-finite and above-`limit` disparities invalid, in place. A valid positive pixel
 * costs two compares and no store; the rare rest is sorted out inside the branch, so it is almost
 * always predicted. Zeros are written back as +0, as the value-mapping copy this replaced did, so a
 * model's -0 never reaches the caller.
 */
function invalidate(d: Float32Array, limit: number): void {
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // `!(v > 0)` also catches NaN; `v === 0` is true for -0 too.
    if (!(v > 0) || v > limit) d[i] = v === 0 ? 0 : INVALID_DISPARITY;
  }
}

/** 2^-k for k = 0..63: the integer part of {@link expNonPositive}. */
const POW2_NEG = Float64Array.from({ length: 64 }, (_, k) => 2 ** -k);

/**
 * e^x for x ≤ 0, to a relative error below 1e-5: about twice as fast as Math.exp, which dominates
 * the confidence computation (one exp per logit). Terms below e^-17 (4e-8) are dropped: the sum they
 * join is at least 1, so even 256 of them change a confidence by under 1e-5, and peaked distributions
 * (the common case) then skip most of the work.
 */
function expNonPositive(x: number): number {
  if (x < -17) return 0;
  const t = x * Math.LOG2E;
  const k = Math.floor(t);
  const f = t - k;
  // 2^f on [0, 1): Taylor series of e^(f·ln2) to degree 6.
  const p = 1 + f * (0.6931471805599453 + f * (0.2402265069591007 + f * (0.05550410866482158 +
    f * (0.009618129107628477 + f * (0.0013333558146428443 + f * 0.00015403530393381606)))));
  return p * POW2_NEG[-k];
}

/**
 * Confidence at the input resolution: the largest probability of the softmax over the logits'
 * disparity axis, computed on the logits grid and resized. The logits grid covers the padded tensor,
 * its downsampling factor is read from the actual shapes.
 * @throws InferenceError when the logits are not [1,D,h,w].
 */
export function extractConfidence(logits: TensorData, plan: RunPlan, pool: BufferPool, name: string): Float32Array {
  const { dims, data } = logits;
  if (dims.length !== 4 || dims[0] !== 1 || dims[1] < 1) {
    throw new InferenceError(`logits output '${name}' has shape [${dims.join(',')}], expected [1,D,h,w]`);
  }
  const [, depth, lh, lw] = dims;
  const plane = lh * lw;
  const { cw, ch } = coveredGrid(plan, lw, lh);
  const max = pool.get('conf:max', plane);
  const sum = pool.get('conf:sum', plane);
  max.fill(-Infinity);
  sum.fill(0);
  // Planes outermost: the logits are [D, h, w], so this walks memory in order.
  for (let d = 0; d < depth; d++) {
    const base = d * plane;
    for (let y = 0; y < ch; y++) {
      for (let x = 0, i = y * lw; x < cw; x++, i++) if (data[base + i] > max[i]) max[i] = data[base + i];
    }
  }
  for (let d = 0; d < depth; d++) {
    const base = d * plane;
    for (let y = 0; y < ch; y++) {
      for (let x = 0, i = y * lw; x < cw; x++, i++) sum[i] += expNonPositive(data[base + i] - max[i]);
    }
  }
  // max softmax probability = exp(0) / Σ exp(l − max) = 1 / sum
  for (let y = 0; y < ch; y++) for (let x = 0, i = y * lw; x < cw; x++, i++) sum[i] = 1 / sum[i];
  return upsampleGrid(sum, plan, lw, lh);
}

/**
 * Confidence at the input resolution from a model that computes it: its [1,1,h,w] (or [1,h,w])
 * output, which covers the padded tensor at any downsampling factor (read from the shapes), is only
 * resized, so the logits need not be fetched.
 * @throws InferenceError when the output is not a single [h,w] plane.
 */
export function resizeConfidence(out: TensorData, plan: RunPlan, name: string): Float32Array {
  const { dims } = out;
  const rankOk = dims.length === 3 || (dims.length === 4 && dims[1] === 1);
  if (!rankOk || dims[0] !== 1 || dims[dims.length - 2] < 1 || dims[dims.length - 1] < 1) {
    throw new InferenceError(`confidence output '${name}' has shape [${dims.join(',')}], expected [1,1,h,w] or [1,h,w]`);
  }
  return upsampleGrid(out.data, plan, dims[dims.length - 1], dims[dims.length - 2]);
}

/** The part of a `lw`×`lh` grid over the padded tensor that covers the image (not the padding). */
function coveredGrid(plan: RunPlan, lw: number, lh: number): { cw: number; ch: number } {
  return {
    cw: Math.min(lw, Math.ceil((plan.runWidth * lw) / plan.tensorWidth)),
    ch: Math.min(lh, Math.ceil((plan.runHeight * lh) / plan.tensorHeight)),
  };
}

/** Bilinear resize of the covered part of a `lw`×`lh` grid over the padded tensor to the input size. */
function upsampleGrid(grid: ArrayLike<number>, plan: RunPlan, lw: number, lh: number): Float32Array {
  const { cw, ch } = coveredGrid(plan, lw, lh);
  const result = new Float32Array(plan.width * plan.height);
  resamplePlane(
    { data: grid, width: cw, height: ch, offset: 0, pixelStride: 1, rowStride: lw },
    {
      data: result, width: plan.width, height: plan.height, offset: 0, rowStride: plan.width,
      scaleX: (plan.runWidth * lw) / (plan.width * plan.tensorWidth), scaleY: (plan.runHeight * lh) / (plan.height * plan.tensorHeight),
    },
  );
  return result;
}

/** Mirrors each row of a row-major plane in place. */
export function flipRows(data: Float32Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) data.subarray(y * width, (y + 1) * width).reverse();
}

/**
 * Left-right consistency: a left pixel x with disparity dL should land on a right pixel
 * xr = round(x − dL) whose own disparity dR(xr) agrees. Pixels that land outside the right image,
 * on an invalid right disparity, or disagree by more than `threshold` become invalid.
 * @returns the number of pixels invalidated.
 */
export function leftRightCheck(left: Float32Array, right: Float32Array, width: number, height: number, threshold: number): number {
  let count = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const dl = left[row + x];
      if (!Number.isFinite(dl)) continue;
      const xr = Math.round(x - dl);
      const dr = xr >= 0 && xr < width ? right[row + xr] : Number.NaN;
      if (!(Math.abs(dl - dr) <= threshold)) {
        left[row + x] = INVALID_DISPARITY;
        count++;
      }
    }
  }
  return count;
}
