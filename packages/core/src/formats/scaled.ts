/**
 * Integer disparity images: disparity = raw value / divisor, raw 0 = invalid. Middlebury stores
 * 8-bit PNG/PGM with a per-dataset divisor (2006: 3, 2003 quarter size: 4, tsukuba: 16); KITTI
 * is the 16-bit case with divisor 256 (see kitti.ts).
 */
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString, invalidParameterError } from '../is.js';
import type { DisparityMap, RasterImage } from '../types.js';
import { assertDisparity, assertPositive } from './check.js';
import { encodeImage, readImage } from './image.js';
import { extensionOf } from './source.js';

/**
 * Converts a decoded gray integer image to disparity (value / divisor, 0 → Infinity).
 * @throws FileFormatError naming `name` when the image is not 1-channel 8 or 16-bit.
 */
export function disparityFromRaster(img: RasterImage, divisor: number, name: string): DisparityMap {
  if (img.bitDepth === 32) throw new FileFormatError(name, 'float image where an 8 or 16-bit disparity image was expected');
  if (img.channels !== 1) {
    throw new FileFormatError(name, `disparity image must be gray (1 channel), found ${img.channels} channels`);
  }
  const src = img.data;
  const data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] === 0 ? Infinity : src[i] / divisor;
  return { data, width: img.width, height: img.height };
}

/**
 * Quantizes disparity to integers `round(d * divisor)`; invalid (non-finite) → 0. Valid values
 * are clamped to [1, maxRaw] so that a valid pixel never turns into the invalid code.
 */
export function quantizeDisparity<T extends Uint8Array | Uint16Array>(disp: DisparityMap, divisor: number, out: T): T {
  const maxRaw = out instanceof Uint8Array ? 255 : 65535;
  const src = disp.data;
  for (let i = 0; i < src.length; i++) {
    const d = src[i];
    out[i] = Number.isFinite(d) ? Math.min(maxRaw, Math.max(1, Math.round(d * divisor))) : 0;
  }
  return out;
}

/**
 * Reads an integer-scaled disparity image (Middlebury style): disparity = raw / divisor, 0 = invalid.
 * @param path - an 8-bit (or 16-bit) gray PNG or PGM.
 * @param divisor - raw units per pixel of disparity, > 0 (Middlebury 2006 third size: 3, cones quarter size: 4, tsukuba: 16).
 * @returns disparity in pixels; invalid pixels are `Infinity`.
 * @throws InvalidParameterError when `divisor` is not a positive number.
 * @throws FileNotFoundError / FileFormatError when the file is missing, not an image, or not gray.
 * @example
 * const gt = await readScaledDisparity('Aloe/disp1.png', 3);
 */
export async function readScaledDisparity(path: string, divisor: number): Promise<DisparityMap> {
  assertString('path', path);
  assertPositive('divisor', divisor);
  return disparityFromRaster(await readImage(path), divisor, path);
}

/**
 * Writes disparity as an 8-bit gray PNG or PGM (by extension), raw = round(d * divisor), invalid = 0.
 * Valid values are clamped to [1, 255] raw, so choose `divisor` ≤ 255 / max disparity.
 * @param path - destination, `.png` or `.pgm`; written atomically.
 * @param disp - disparity in pixels; non-finite = invalid.
 * @param divisor - raw units per pixel, > 0.
 * @throws InvalidParameterError when an argument is malformed or the extension is not .png/.pgm.
 * @example
 * await writeScaledDisparity('disp.png', disp, 3);
 */
export async function writeScaledDisparity(path: string, disp: DisparityMap, divisor: number): Promise<void> {
  assertString('path', path);
  assertDisparity('disp', disp);
  assertPositive('divisor', divisor);
  const ext = extensionOf(path);
  if (ext !== '.png' && ext !== '.pgm') throw invalidParameterError('path', 'a .png or .pgm file', path);
  const data = quantizeDisparity(disp, divisor, new Uint8Array(disp.data.length));
  const bytes = await encodeImage({ data, width: disp.width, height: disp.height, channels: 1, bitDepth: 8 }, ext, path);
  await writeFileAtomic(path, bytes);
}
