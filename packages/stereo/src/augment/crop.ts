/**
 * Cropping: one window cut from both views and every per-pixel map, so disparity (a horizontal
 * offset between the views) stays correct without rescaling.
 */
import { is, type DisparityMap, type Mask, type RasterImage } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { randomInt, toRandom, type Random } from './random.js';
import { assertAligned } from './raster.js';

type Plane = RasterImage | DisparityMap | Mask;

function cropPlane<T extends Plane>(p: T, x: number, y: number, width: number, height: number): T {
  const channels = 'channels' in p ? p.channels : 1;
  const Ctor = p.data.constructor as new (n: number) => T['data'];
  const data = new Ctor(width * height * channels);
  const rowLen = width * channels;
  for (let r = 0; r < height; r++) {
    const start = ((y + r) * p.width + x) * channels;
    data.set(p.data.subarray(start, start + rowLen), r * rowLen);
  }
  return { ...p, data, width, height };
}

/**
 * Cuts the window `[x, x + width) × [y, y + height)` from both views, the disparity and the masks;
 * the calibration's principal point moves with the window.
 * @param sample - a sample whose views and maps share one size
 * @param x - left edge, integer in [0, image width - width]
 * @param y - top edge, integer in [0, image height - height]
 * @param width - integer in [1, image width]
 * @param height - integer in [1, image height]
 * @throws InvalidParameterError when the window leaves the image
 * @throws ShapeMismatchError when the sample's views or maps differ in size
 * @example
 * const top = cropSample(sample, 0, 0, sample.left.width, 256);
 */
export function cropSample(sample: StereoSample, x: number, y: number, width: number, height: number): StereoSample {
  assertAligned(sample, 'cropSample');
  const { width: W, height: H } = sample.left;
  is.assertInteger('width', width, 1, W);
  is.assertInteger('height', height, 1, H);
  is.assertInteger('x', x, 0, W - width);
  is.assertInteger('y', y, 0, H - height);
  const out: StereoSample = {
    ...sample,
    left: cropPlane(sample.left, x, y, width, height),
    right: cropPlane(sample.right, x, y, width, height),
    meta: { ...sample.meta },
  };
  if (sample.disparity) out.disparity = cropPlane(sample.disparity, x, y, width, height);
  if (sample.valid) out.valid = cropPlane(sample.valid, x, y, width, height);
  if (sample.occlusion) out.occlusion = cropPlane(sample.occlusion, x, y, width, height);
  const calib = sample.meta.calib;
  if (calib) {
    out.meta.calib = {
      ...calib,
      ...(calib.cx !== undefined ? { cx: calib.cx - x } : {}),
      ...(calib.cy !== undefined ? { cy: calib.cy - y } : {}),
    };
  }
  return out;
}

/**
 * Crops a uniformly placed `width × height` window (the same for both views and the ground truth).
 * @param sample - a sample whose views and maps share one size
 * @param width - integer in [1, image width]
 * @param height - integer in [1, image height]
 * @param random - a generator from `createRandom`, or a seed
 * @throws InvalidParameterError when the crop is larger than the image
 * @throws ShapeMismatchError when the sample's views or maps differ in size
 * @example
 * const patch = randomCrop(sample, 512, 256, createRandom(1));
 */
export function randomCrop(sample: StereoSample, width: number, height: number, random: Random | number): StereoSample {
  const rnd = toRandom(random);
  const { width: W, height: H } = sample.left;
  if (!is.integer(width) || width < 1 || width > W || !is.integer(height) || height < 1 || height > H) {
    throw is.invalidParameterError(`crop size of ${sample.name}`, `integers in [1, ${W}] × [1, ${H}]`, `${width}×${height}`);
  }
  return cropSample(sample, randomInt(rnd, 0, W - width), randomInt(rnd, 0, H - height), width, height);
}
