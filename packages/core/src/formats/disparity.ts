/**
 * One entry point for ground-truth and predicted disparity files, whatever their dataset's format:
 * PFM (SceneFlow, Middlebury 2014, ETH3D), 16-bit PNG (KITTI, DrivingStereo), 8-bit PNG/PGM with a
 * divisor (Middlebury 2001–2006), and `.npy` dumps.
 */
import { FileFormatError, InvalidParameterError } from '../errors.js';
import { assertOneOf, assertString } from '../is.js';
import type { DisparityMap } from '../types.js';
import { assertOptions, assertPositive } from './check.js';
import { readImage } from './image.js';
import { KITTI_DISPARITY_SCALE } from './kitti.js';
import { decodeNpy } from './npy.js';
import { decodePfm } from './pfm.js';
import { disparityFromRaster } from './scaled.js';
import { readSource, startsWithAscii } from './source.js';

/** Disparity file encodings {@link readDisparity} understands. */
export const DISPARITY_FORMATS = ['pfm', 'png16', 'png8', 'pgm8', 'npy'] as const;
export type DisparityFormat = (typeof DISPARITY_FORMATS)[number];

/** Options of {@link readDisparity}. */
export interface ReadDisparityOptions {
  /** Encoding; default: detected from the file's content (magic bytes and bit depth). */
  format?: DisparityFormat;
  /** Raw units per pixel for integer images; required for 8-bit, default 256 for 16-bit. */
  divisor?: number;
}

function isPfm(bytes: Uint8Array): boolean {
  return (startsWithAscii(bytes, 'PF') || startsWithAscii(bytes, 'Pf')) && /\s/.test(String.fromCharCode(bytes[2] ?? 0));
}

/** Every non-finite value becomes Infinity, the SDK's single invalid marker. */
function normalizeInvalid(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) data[i] = Infinity;
  return data;
}

function fromPfm(bytes: Uint8Array, path: string): DisparityMap {
  const pfm = decodePfm(bytes, path);
  if (pfm.channels !== 1) throw new FileFormatError(path, 'disparity PFM must have one channel (Pf), found three (PF)');
  return { data: normalizeInvalid(pfm.data), width: pfm.width, height: pfm.height };
}

function fromNpy(bytes: Uint8Array, path: string): DisparityMap {
  const { data, shape } = decodeNpy(bytes, path);
  // Accept [H, W] plus singleton batch/channel axes such as [1, H, W] or [H, W, 1].
  const dims = [...shape];
  while (dims.length > 2 && dims[0] === 1) dims.shift();
  while (dims.length > 2 && dims[dims.length - 1] === 1) dims.pop();
  if (dims.length !== 2 || dims[0] === 0 || dims[1] === 0) {
    throw new FileFormatError(path, `disparity .npy must have shape (H, W), found (${shape.join(', ')})`);
  }
  return { data: normalizeInvalid(data), width: dims[1], height: dims[0] };
}

async function fromIntegerImage(bytes: Uint8Array, path: string, format: DisparityFormat | undefined, divisor: number | undefined): Promise<DisparityMap> {
  const img = await readImage(bytes, { name: path });
  const wantBits = format === 'png16' ? 16 : format === 'png8' || format === 'pgm8' ? 8 : undefined;
  if (wantBits !== undefined && img.bitDepth !== wantBits) {
    throw new FileFormatError(path, `format '${format}' expects a ${wantBits}-bit image, found ${img.bitDepth}-bit`);
  }
  if (img.bitDepth === 16) return disparityFromRaster(img, divisor ?? KITTI_DISPARITY_SCALE, path);
  if (divisor === undefined) {
    throw new InvalidParameterError(
      `${path}: an 8-bit disparity image needs options.divisor (raw units per pixel, e.g. 3 for Middlebury 2006 third size, 16 for tsukuba)`,
    );
  }
  return disparityFromRaster(img, divisor, path);
}

/**
 * Reads a disparity map from any supported file.
 * @param path - a `.pfm`, 16-bit PNG (raw / 256), 8-bit PNG or PGM (raw / divisor), or `.npy` (float32/64, shape (H, W)).
 * @param options.format - force an encoding instead of detecting it from the content.
 * @param options.divisor - raw units per pixel for integer images, > 0; required for 8-bit images, default 256 for 16-bit.
 * @returns disparity in pixels, rows top-to-bottom; every invalid pixel (raw 0, or non-finite) is `Infinity`.
 * @throws FileNotFoundError when the file is missing.
 * @throws FileFormatError when it is empty, corrupt, not of the forced format, or not a single-channel disparity.
 * @throws InvalidParameterError when an option is malformed or an 8-bit image comes without a divisor.
 * @example
 * const gt = await readDisparity('Aloe/disp1.png', { divisor: 3 });
 * const kitti = await readDisparity('disp_occ_0/000005_10.png'); // 16-bit → / 256
 */
export async function readDisparity(path: string, options?: ReadDisparityOptions): Promise<DisparityMap> {
  assertString('path', path);
  assertOptions('options', options);
  const format = options?.format;
  if (format !== undefined) assertOneOf('options.format', format, DISPARITY_FORMATS);
  const divisor = options?.divisor;
  if (divisor !== undefined) assertPositive('options.divisor', divisor);
  const bytes = await readSource(path, 'disparity file');
  const kind = format ?? (isPfm(bytes) ? 'pfm' : startsWithAscii(bytes, '\x93NUMPY') ? 'npy' : undefined);
  if (kind === 'pfm') return fromPfm(bytes, path);
  if (kind === 'npy') return fromNpy(bytes, path);
  return fromIntegerImage(bytes, path, kind, divisor);
}
