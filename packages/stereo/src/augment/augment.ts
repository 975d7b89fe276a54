/** The training augmentation pipeline: crop, then colour jitter, then occlusion patches. */
import { is } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { colorJitter, type ColorJitterOptions } from './color.js';
import { randomCrop } from './crop.js';
import { occlusionPatches, type OcclusionPatchOptions } from './occlusion.js';
import { toRandom, type Random } from './random.js';

/** Steps of `augmentSample`; an omitted or `false` step is skipped. */
export interface AugmentOptions {
  /** Random crop size (same window for both views and the ground truth). */
  crop?: { width: number; height: number } | false;
  /** Asymmetric colour jitter; `true` uses the defaults. */
  color?: ColorJitterOptions | boolean;
  /** Occlusion patches in the right view; `true` uses the defaults. */
  occlusion?: OcclusionPatchOptions | boolean;
}

/**
 * Augments one training sample. Steps draw from `random` in a fixed order, so one seed replays
 * one run exactly.
 * @param sample - a sample whose views and maps share one size
 * @param options - the steps to apply, see `AugmentOptions`
 * @param random - a generator from `createRandom` (shared across samples for a run), or a seed
 * @returns a new sample; disparity, valid and occlusion stay aligned with the views
 * @throws InvalidParameterError for an invalid option or a crop larger than the image
 * @example
 * const random = createRandom(0);
 * for await (const s of dataset) {
 *   const a = augmentSample(s, { crop: { width: 512, height: 256 }, color: true, occlusion: true }, random);
 * }
 */
export function augmentSample(sample: StereoSample, options: AugmentOptions, random: Random | number): StereoSample {
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('options', 'an object', options);
  const rnd = toRandom(random);
  let s = sample;
  if (options.crop) s = randomCrop(s, options.crop.width, options.crop.height, rnd);
  if (options.color) s = colorJitter(s, options.color === true ? {} : options.color, rnd);
  if (options.occlusion) s = occlusionPatches(s, options.occlusion === true ? {} : options.occlusion, rnd);
  return s;
}
