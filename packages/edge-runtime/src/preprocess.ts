/**
 * Step 2 of the pipeline, "preprocess": plan the run size (downscale, fixed-size models, padding to
 * the model's stride) and write each view into a reused float32 NCHW tensor, converting channels,
 * colour order and value range on the way. Normalization and the optional mirror (for the
 * left-right check) are fused into the one write of each sample: SIMD kernels (simd-planes.ts) or
 * {@link deinterleave} when the view keeps its size (the per-frame case), bilinear
 * {@link resamplePlane} otherwise.
 */
import type { TensorData } from './backend.js';
import { deinterleave } from './deinterleave.js';
import { maxSampleValue } from './prepare.js';
import { resamplePlane, type PlaneView } from './resample.js';
import type { SimdPlanes } from './simd-planes.js';
import type { ModelContract, RawImage } from './types.js';

/** Sizes of one run: the input, the size the model sees, and the padded tensor. */
export interface RunPlan {
  /** Input (and result) size. */
  width: number;
  height: number;
  /** Image size inside the tensor, after downscaling or resizing to a fixed-size model. */
  runWidth: number;
  runHeight: number;
  /** Tensor size: the run size padded to the stride (or the model's fixed size). */
  tensorWidth: number;
  tensorHeight: number;
}

/**
 * Decides the run and tensor sizes for an input.
 * @param downscale - run at 1/downscale of the input (≥ 1); ignored by fixed-size models.
 */
export function planRun(width: number, height: number, contract: ModelContract, downscale: number): RunPlan {
  if (!contract.size.dynamic) {
    const { width: w, height: h } = contract.size;
    return { width, height, runWidth: w, runHeight: h, tensorWidth: w, tensorHeight: h };
  }
  const runWidth = Math.max(1, Math.round(width / downscale));
  const runHeight = Math.max(1, Math.round(height / downscale));
  const s = contract.stride;
  return { width, height, runWidth, runHeight, tensorWidth: Math.ceil(runWidth / s) * s, tensorHeight: Math.ceil(runHeight / s) * s };
}

/** Float32 buffers reused across calls, one slot per purpose; a slot is reallocated only when its size changes. */
export class BufferPool {
  private readonly slots = new Map<string, Float32Array>();

  get(purpose: string, length: number): Float32Array {
    let buf = this.slots.get(purpose);
    if (!buf || buf.length !== length) {
      buf = new Float32Array(length);
      this.slots.set(purpose, buf);
    }
    return buf;
  }

  clear(): void {
    this.slots.clear();
  }
}

/** The two view buffers of a run and the feeds that wrap them (views of one buffer, left first). */
export interface InputTensors {
  left: Float32Array;
  right: Float32Array;
  feeds: Record<string, TensorData>;
}

/**
 * Returns the input tensors for a plan, laid out as the contract says: in the SIMD kernels' memory
 * when `simd` is given and has room (so they can write them), else pooled. Both layouts are the left view's planes
 * then the right view's, so one buffer serves either. Take them afresh for each run.
 */
export function inputTensors(pool: BufferPool, plan: RunPlan, contract: ModelContract, simd?: SimdPlanes): InputTensors {
  const c = contract.channels;
  const h = plan.tensorHeight;
  const w = plan.tensorWidth;
  const n = c * h * w;
  // Staging for the largest 8-bit image the kernels take at this size: RGBA.
  const data = simd?.floats(4 * plan.width * plan.height, 2 * n) ?? pool.get('input', 2 * n);
  const left = data.subarray(0, n);
  const right = data.subarray(n);
  if (contract.inputs.layout === 'stacked') return { left, right, feeds: { [contract.inputs.name]: { data, dims: [1, 2 * c, h, w] } } };
  const dims = [1, c, h, w];
  return { left, right, feeds: { [contract.inputs.left]: { data: left, dims }, [contract.inputs.right]: { data: right, dims } } };
}

/** Luminance (Rec. 601) of an RGB(A) image, for gray models fed color images. */
function luminance(img: RawImage, out: Float32Array): void {
  const { data, channels } = img;
  for (let i = 0, p = 0; i < out.length; i++, p += channels) out[i] = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
}

/** Fills the stride padding right of and below the run area of one channel plane. */
function fillPadding(plane: Float32Array, plan: RunPlan, mode: ModelContract['padding']): void {
  const { runWidth: rw, runHeight: rh, tensorWidth: tw, tensorHeight: th } = plan;
  if (rw < tw) {
    for (let y = 0; y < rh; y++) {
      const row = y * tw;
      plane.fill(mode === 'zero' ? 0 : plane[row + rw - 1], row + rw, row + tw);
    }
  }
  for (let y = rh; y < th; y++) {
    if (mode === 'zero') plane.fill(0, y * tw, (y + 1) * tw);
    else plane.copyWithin(y * tw, (rh - 1) * tw, rh * tw);
  }
}

/**
 * Writes one view into its tensor buffer: channel conversion (gray ↔ RGB, alpha dropped), colour
 * order, value scaling to [0, 1], the contract's normalization, resize to the run size, stride padding.
 * @param flip - mirror horizontally (the left-right check runs the model on the mirrored, swapped pair).
 * @param scratch - pool for the luminance plane of gray models fed color images.
 * @param simd - the SIMD kernels owning `dst`, when {@link inputTensors} got it from them.
 */
export function writeView(
  img: RawImage, dst: Float32Array, plan: RunPlan, contract: ModelContract, flip: boolean, scratch: BufferPool, simd?: SimdPlanes,
): void {
  const { runWidth: rw, runHeight: rh, tensorWidth: tw, tensorHeight: th } = plan;
  const maxValue = maxSampleValue(img);
  const { scale, mean, std } = contract.normalization;
  const mul = std.map((s) => scale / (maxValue * s));
  const add = mean.map((m, c) => -m / std[c]);
  const color = img.channels >= 3;
  const order = [0, 1, 2].map((c) => (!color ? 0 : contract.colorOrder === 'rgb' ? c : 2 - c));
  const planes = Array.from({ length: contract.channels }, (_, c) => dst.subarray(c * tw * th, (c + 1) * tw * th));
  if (rw === img.width && rh === img.height && !(color && contract.channels === 1)) {
    const target = { planes, rowStride: tw, order: order.slice(0, contract.channels), mul, add, flip };
    if (!simd?.write(img, target)) deinterleave(img, target);
  } else {
    let gray: Float32Array | undefined;
    if (contract.channels === 1 && color) {
      gray = scratch.get('luminance', img.width * img.height);
      luminance(img, gray);
    }
    for (let c = 0; c < contract.channels; c++) {
      const src: PlaneView = gray
        ? { data: gray, width: img.width, height: img.height, offset: 0, pixelStride: 1, rowStride: img.width }
        : { data: img.data, width: img.width, height: img.height, offset: order[c], pixelStride: img.channels, rowStride: img.width * img.channels };
      resamplePlane(src, {
        data: planes[c], width: rw, height: rh, offset: 0, rowStride: tw,
        scaleX: img.width / rw, scaleY: img.height / rh, mul: mul[c], add: add[c], flip,
      });
    }
  }
  for (const plane of planes) fillPadding(plane, plan, contract.padding);
}
