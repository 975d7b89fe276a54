/**
 * Step 1 of the pipeline, "prepare": turn whatever the caller passed (a path, encoded bytes, raw
 * pixels) into validated {@link RawImage} pixels. Decoding goes through sharp (PNG, JPEG, WebP, TIFF,
 * GIF) or the PGM/PPM reader; 16-bit files stay 16-bit.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { FileFormatError, FileNotFoundError, is } from '@stereo-sdk/common';
import { decodePnm, isPnm } from './pnm.js';
import type { RawImage, StereoImageInput } from './types.js';

/** Largest sample value of an image's data type: 65535 for 16-bit, 255 otherwise. */
export const maxSampleValue = (img: RawImage): number => (img.data instanceof Uint16Array ? 65535 : 255);

function checkRaw(img: Record<string, unknown>, label: string): RawImage {
  const { data, width, height, channels } = img;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Uint16Array)) {
    throw is.invalidParameterError(`${label}.data`, 'a Uint8Array, Uint8ClampedArray, Buffer or Uint16Array', data);
  }
  if (!is.integer(width) || width < 1) throw is.invalidParameterError(`${label}.width`, 'a positive integer', width);
  if (!is.integer(height) || height < 1) throw is.invalidParameterError(`${label}.height`, 'a positive integer', height);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw is.invalidParameterError(`${label}.channels`, 'one of 1, 2, 3, 4', channels);
  }
  const need = width * height * channels;
  if (data.length !== need) throw is.invalidParameterError(`${label}.data`, `${need} samples (${width}×${height}×${channels})`, data);
  return { data, width, height, channels };
}

/** Sharp's message for bytes it does not recognise at all. */
const UNSUPPORTED = /unsupported image format|bad seek|Input buffer is empty/i;

async function decodeEncoded(bytes: Uint8Array, name: string): Promise<RawImage> {
  if (bytes.length === 0) throw new FileFormatError(name, 'empty file, not an image');
  if (isPnm(bytes)) return decodePnm(bytes, name);
  try {
    const img = sharp(bytes);
    const meta = await img.metadata();
    const wide = meta.depth === 'ushort';
    const pipeline = wide ? img.toColourspace((meta.channels ?? 3) <= 2 ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }) : img.raw();
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    const channels = info.channels as RawImage['channels'];
    if (!wide) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels };
    // A Uint16Array view needs 2-byte alignment; copy in the rare case sharp's buffer is not aligned.
    const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
    return { data: new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2), width: info.width, height: info.height, channels };
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    if (UNSUPPORTED.test(msg)) {
      throw new FileFormatError(name, 'not an image in a supported format (PNG, JPEG, WebP, TIFF, GIF, PGM/PPM)', { cause: err });
    }
    throw new FileFormatError(name, `corrupt or truncated image (${msg.split('\n')[0]})`, { cause: err });
  }
}

/**
 * Decodes or validates one view of a stereo pair.
 * @param input - a file path, an encoded image (`Uint8Array`/`Buffer`), or raw `{ data, width, height, channels }`.
 * @param label - names the input in errors; default `'image'` (the matcher passes `'left'`/`'right'`).
 * @returns interleaved 8-bit or 16-bit pixels.
 * @throws FileNotFoundError when a path does not exist.
 * @throws FileFormatError for an empty, truncated or non-image file/buffer.
 * @throws InvalidParameterError for a malformed raw image or an unsupported input type.
 * @example
 * const img = await loadImage('left.png');
 * console.log(img.width, img.height, img.channels);
 */
export async function loadImage(input: StereoImageInput, label = 'image'): Promise<RawImage> {
  if (typeof input === 'string') {
    if (input.length === 0) throw is.invalidParameterError(label, 'a non-empty path', input);
    let bytes: Buffer;
    try {
      bytes = await readFile(input);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new FileNotFoundError(input, `${label} image`);
      throw new FileFormatError(input, `cannot read ${label} image (${code ?? (err as Error).message})`, { cause: err });
    }
    return decodeEncoded(bytes, input);
  }
  if (input instanceof Uint8Array) return decodeEncoded(input, `<${label} buffer>`);
  if (is.plainObject(input) || (typeof input === 'object' && input !== null && 'data' in input)) {
    return checkRaw(input as unknown as Record<string, unknown>, label);
  }
  throw is.invalidParameterError(label, 'a file path, an encoded image (Uint8Array/Buffer) or { data, width, height, channels }', input);
}
