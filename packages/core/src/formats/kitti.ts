/**
 * KITTI 2012/2015 disparity: 16-bit gray PNG, disparity = raw / 256, raw 0 = no ground truth.
 * DrivingStereo uses the same encoding.
 */
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString } from '../is.js';
import type { DisparityMap } from '../types.js';
import { assertDisparity } from './check.js';
import { encodeImage, readImage } from './image.js';
import { disparityFromRaster, quantizeDisparity } from './scaled.js';

/** Raw units per pixel of disparity in KITTI PNGs. */
export const KITTI_DISPARITY_SCALE = 256;

/**
 * Reads a KITTI 16-bit disparity PNG.
 * @param path - a 16-bit gray PNG.
 * @returns disparity in pixels (raw / 256); invalid pixels (raw 0) are `Infinity`.
 * @throws FileNotFoundError when the file is missing.
 * @throws FileFormatError when it is not a decodable image, not gray, or not 16-bit.
 * @example
 * const gt = await readKittiDisparity('disp_occ_0/000005_10.png');
 */
export async function readKittiDisparity(path: string): Promise<DisparityMap> {
  assertString('path', path);
  const img = await readImage(path);
  if (img.bitDepth !== 16) throw new FileFormatError(path, `KITTI disparity must be a 16-bit PNG, found ${img.bitDepth}-bit`);
  return disparityFromRaster(img, KITTI_DISPARITY_SCALE, path);
}

/**
 * Writes disparity as a KITTI 16-bit PNG, atomically: raw = round(d * 256), invalid (non-finite) = 0.
 * Valid values are clamped to raw [1, 65535] (disparity 1/256 … 255.996) so they stay valid;
 * values already on the 1/256 grid round-trip exactly.
 * @param path - destination `.png`.
 * @param disp - disparity in pixels.
 * @throws InvalidParameterError when `disp` is malformed.
 * @example
 * await writeKittiDisparity('000005_10.png', prediction);
 */
export async function writeKittiDisparity(path: string, disp: DisparityMap): Promise<void> {
  assertString('path', path);
  assertDisparity('disp', disp);
  const data = quantizeDisparity(disp, KITTI_DISPARITY_SCALE, new Uint16Array(disp.data.length));
  const bytes = await encodeImage({ data, width: disp.width, height: disp.height, channels: 1, bitDepth: 16 }, '.png', path);
  await writeFileAtomic(path, bytes);
}
