/**
 * Per-pixel masks (validity, occlusion) stored as images: nonzero = set.
 */
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString, invalidParameterError } from '../is.js';
import type { Mask } from '../types.js';
import { assertMask } from './check.js';
import { encodeImage, readImage, type EncodeOptions } from './image.js';
import { extensionOf } from './source.js';

/**
 * Reads a mask from any 8 or 16-bit gray or RGB(A) image: a pixel is set (1) when any colour
 * channel is nonzero; alpha is ignored.
 * @param path - an image readable by {@link readImage}.
 * @returns a Mask with values 0 or 1.
 * @throws FileNotFoundError / FileFormatError when the file is missing or not a readable image.
 * @example
 * const occ = await readMask('occlusion/left/A-0032-0006.png');
 */
export async function readMask(path: string): Promise<Mask> {
  assertString('path', path);
  const img = await readImage(path);
  if (img.bitDepth === 32) throw new FileFormatError(path, 'float image where a mask was expected');
  const colour = img.channels >= 3 ? 3 : 1;
  const n = img.width * img.height;
  const data = new Uint8Array(n);
  const src = img.data;
  for (let i = 0, p = 0; i < n; i++, p += img.channels) {
    let set = src[p] !== 0;
    for (let c = 1; c < colour && !set; c++) set = src[p + c] !== 0;
    data[i] = set ? 1 : 0;
  }
  return { data, width: img.width, height: img.height };
}

/**
 * Writes a mask as an 8-bit gray image, nonzero → 255, zero → 0, atomically.
 * @param path - destination `.png` (or `.pgm`); lossy formats are refused.
 * @param mask - the mask; any nonzero value counts as set.
 * @param options - PNG encoder settings.
 * @throws InvalidParameterError when `mask` is malformed or the extension is not .png/.pgm.
 * @example
 * await writeMask('valid.png', { data, width, height });
 */
export async function writeMask(path: string, mask: Mask, options: EncodeOptions = {}): Promise<void> {
  assertString('path', path);
  assertMask('mask', mask);
  const ext = extensionOf(path);
  if (ext !== '.png' && ext !== '.pgm') throw invalidParameterError('path', 'a .png or .pgm file', path);
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] !== 0 ? 255 : 0;
  const bytes = await encodeImage({ data, width: mask.width, height: mask.height, channels: 1, bitDepth: 8 }, ext, path, options);
  await writeFileAtomic(path, bytes);
}
