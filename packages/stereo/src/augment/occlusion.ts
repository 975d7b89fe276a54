/**
 * Occlusion patches ("eraser" augmentation of HSMNet / RAFT-Stereo): rectangles of the right view
 * are filled with its mean colour, so the network must fill in disparity where the match is
 * hidden, as it must at real occlusions. The left view and the disparity are unchanged.
 */
import { is, type Mask } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { randomInt, toRandom, type Random } from './random.js';
import { assertAligned } from './raster.js';

/** Options of `occlusionPatches`. */
export interface OcclusionPatchOptions {
  /** Probability, in [0, 1], that any patch is drawn. Default 0.5. */
  probability?: number;
  /** Number of patches, drawn uniformly in [1, maxPatches]; integer ≥ 1. Default 2. */
  maxPatches?: number;
  /** Patch side range in pixels (each side drawn in [minSize, maxSize]), integers ≥ 1. Default 50 and 100. */
  minSize?: number;
  maxSize?: number;
}

/** A filled rectangle of the right view, `[x, x + width) × [y, y + height)`. */
export interface Patch {
  x: number;
  y: number;
  width: number;
  height: number;
}

const DEFAULTS: Required<OcclusionPatchOptions> = { probability: 0.5, maxPatches: 2, minSize: 50, maxSize: 100 };

function resolve(options: OcclusionPatchOptions): Required<OcclusionPatchOptions> {
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('options', 'an object', options);
  const o = { ...DEFAULTS, ...options };
  is.assertNumber('options.probability', o.probability, 0, 1);
  is.assertInteger('options.maxPatches', o.maxPatches, 1);
  is.assertInteger('options.minSize', o.minSize, 1);
  is.assertInteger('options.maxSize', o.maxSize, o.minSize);
  return o;
}

/**
 * Fills `patches` of the right view with its mean colour (computed before filling). When the
 * sample has disparity and an occlusion mask, left pixels whose match lands in a patch are marked
 * occluded, keeping the mask true to the new right view.
 * @param sample - a sample whose views and maps share one size
 * @param patches - rectangles, clipped to the image
 * @returns a new sample; inputs are not modified
 * @throws ShapeMismatchError when the sample's views or maps differ in size
 * @example
 * const erased = fillPatches(sample, [{ x: 10, y: 10, width: 40, height: 30 }]);
 */
export function fillPatches(sample: StereoSample, patches: readonly Patch[]): StereoSample {
  assertAligned(sample, 'fillPatches');
  const src = sample.right;
  const { width: W, height: H, channels: C } = src;
  const mean = new Float64Array(C);
  for (let i = 0; i < src.data.length; i += C) for (let c = 0; c < C; c++) mean[c] += src.data[i + c];
  const round = src.bitDepth !== 32;
  for (let c = 0; c < C; c++) mean[c] = round ? Math.round(mean[c] / (W * H)) : mean[c] / (W * H);
  const right = { ...src, data: src.data.slice() };
  const clipped = patches.map((p) => clip(p, W, H)).filter((p) => p.width > 0 && p.height > 0);
  for (const p of clipped) {
    for (let y = p.y; y < p.y + p.height; y++) {
      for (let x = p.x; x < p.x + p.width; x++) for (let c = 0; c < C; c++) right.data[(y * W + x) * C + c] = mean[c];
    }
  }
  const out: StereoSample = { ...sample, right };
  if (sample.disparity && sample.occlusion && clipped.length > 0) {
    out.occlusion = markHidden(sample.occlusion, sample.disparity.data, clipped);
  }
  return out;
}

function clip(p: Patch, W: number, H: number): Patch {
  const x = Math.max(0, Math.floor(p.x));
  const y = Math.max(0, Math.floor(p.y));
  return { x, y, width: Math.min(W, Math.floor(p.x + p.width)) - x, height: Math.min(H, Math.floor(p.y + p.height)) - y };
}

function markHidden(occ: Mask, disp: Float32Array, patches: readonly Patch[]): Mask {
  const data = occ.data.slice();
  for (const p of patches) {
    for (let y = p.y; y < p.y + p.height; y++) {
      for (let x = 0; x < occ.width; x++) {
        const d = disp[y * occ.width + x];
        if (!Number.isFinite(d)) continue;
        const xr = Math.round(x - d);
        if (xr >= p.x && xr < p.x + p.width) data[y * occ.width + x] = 1;
      }
    }
  }
  return { ...occ, data };
}

/**
 * With probability `probability`, fills 1…`maxPatches` random rectangles of the right view with
 * its mean colour (see `fillPatches`).
 * @param sample - a sample whose views and maps share one size
 * @param options - see `OcclusionPatchOptions` (`{}` for the defaults)
 * @param random - a generator from `createRandom`, or a seed
 * @throws InvalidParameterError for an out-of-range option
 * @example
 * const s = occlusionPatches(sample, { probability: 1 }, createRandom(5));
 */
export function occlusionPatches(sample: StereoSample, options: OcclusionPatchOptions, random: Random | number): StereoSample {
  const o = resolve(options);
  const rnd = toRandom(random);
  if (rnd() >= o.probability) return sample;
  const { width: W, height: H } = sample.left;
  const patches: Patch[] = [];
  const n = randomInt(rnd, 1, o.maxPatches);
  for (let i = 0; i < n; i++) {
    patches.push({
      x: randomInt(rnd, 0, W - 1),
      y: randomInt(rnd, 0, H - 1),
      width: randomInt(rnd, o.minSize, o.maxSize),
      height: randomInt(rnd, o.minSize, o.maxSize),
    });
  }
  return fillPatches(sample, patches);
}
