/**
 * Photometric jitter of the two views. Real stereo rigs never expose both cameras identically, so
 * each view draws its own brightness, contrast and gamma (asymmetric jitter) to teach the network
 * to match despite the difference; ground truth is untouched.
 */
import { is, type RasterImage } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { toRandom, uniform, type Random } from './random.js';
import { colorChannels, emptyLike, maxValue } from './raster.js';

/** Ranges of the jitter. Each factor is drawn uniformly in [1 - r, 1 + r]. */
export interface ColorJitterOptions {
  /** Brightness range r, in [0, 1]: pixel × factor. Default 0.4. */
  brightness?: number;
  /** Contrast range r, in [0, 1]: blend with the image's mean gray. Default 0.4. */
  contrast?: number;
  /** Gamma range r, in [0, 1): pixel^factor on [0, 1] values. Default 0.2. */
  gamma?: number;
  /**
   * Probability, in [0, 1], that the right view draws its own factors; otherwise both views share
   * the left's. Default 1 (always per-view); RAFT-Stereo uses 0.2.
   */
  asymmetricProbability?: number;
}

const DEFAULTS: Required<ColorJitterOptions> = { brightness: 0.4, contrast: 0.4, gamma: 0.2, asymmetricProbability: 1 };

/** One view's draw of the jitter factors. */
export interface ColorFactors {
  brightness: number;
  contrast: number;
  gamma: number;
}

function resolve(options: ColorJitterOptions): Required<ColorJitterOptions> {
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('options', 'an object', options);
  const o = { ...DEFAULTS, ...options };
  is.assertNumber('options.brightness', o.brightness, 0, 1);
  is.assertNumber('options.contrast', o.contrast, 0, 1);
  is.assertNumber('options.gamma', o.gamma, 0, 0.99);
  is.assertNumber('options.asymmetricProbability', o.asymmetricProbability, 0, 1);
  return o;
}

const draw = (rnd: Random, o: Required<ColorJitterOptions>): ColorFactors => ({
  brightness: uniform(rnd, 1 - o.brightness, 1 + o.brightness),
  contrast: uniform(rnd, 1 - o.contrast, 1 + o.contrast),
  gamma: uniform(rnd, 1 - o.gamma, 1 + o.gamma),
});

/** Mean over colour channels and pixels, on [0, 1] values. */
function meanGray(img: RasterImage, cc: number, scale: number): number {
  let sum = 0;
  for (let i = 0; i < img.data.length; i += img.channels) for (let c = 0; c < cc; c++) sum += img.data[i + c];
  return sum / (scale * cc * img.width * img.height);
}

/**
 * Applies brightness, then contrast, then gamma to one image, clamped to its range.
 * @param img - 8/16-bit or float ([0, 1]) image; alpha is kept
 * @param f - the factors, each > 0
 * @returns a new image of the same type
 */
export function adjustColor(img: RasterImage, f: ColorFactors): RasterImage {
  const out = emptyLike(img);
  const scale = maxValue(img);
  const cc = colorChannels(img);
  const mean = meanGray(img, cc, scale) * f.brightness;
  const round = img.bitDepth !== 32;
  for (let i = 0; i < img.data.length; i += img.channels) {
    for (let c = 0; c < img.channels; c++) {
      if (c >= cc) {
        out.data[i + c] = img.data[i + c];
        continue;
      }
      let v = (img.data[i + c] / scale) * f.brightness;
      v = Math.min(1, Math.max(0, mean + (v - mean) * f.contrast));
      v = Math.pow(v, f.gamma) * scale;
      out.data[i + c] = round ? Math.round(v) : v;
    }
  }
  return out;
}

/**
 * Jitters brightness, contrast and gamma of the two views, independently per view with
 * probability `asymmetricProbability`.
 * @param sample - a stereo sample; disparity and masks pass through unchanged
 * @param options - jitter ranges, see `ColorJitterOptions` (`{}` for the defaults)
 * @param random - a generator from `createRandom`, or a seed
 * @throws InvalidParameterError for an out-of-range option
 * @example
 * const jittered = colorJitter(sample, { brightness: 0.3 }, createRandom(3));
 */
export function colorJitter(sample: StereoSample, options: ColorJitterOptions, random: Random | number): StereoSample {
  const o = resolve(options);
  const rnd = toRandom(random);
  const fl = draw(rnd, o);
  const fr = rnd() < o.asymmetricProbability ? draw(rnd, o) : fl;
  return { ...sample, left: adjustColor(sample.left, fl), right: adjustColor(sample.right, fr) };
}
