/**
 * Raster image I/O: PNG, JPEG and WebP through sharp, binary PGM/PPM through our netpbm codec.
 *
 * Samples come back exactly as stored: 16-bit PNGs stay 16-bit (`Uint16Array`), gray stays one
 * channel, and neither embedded ICC profiles nor EXIF orientation are applied (stereo data wants
 * the recorded values on the rectified pixel grid).
 */
import sharp from 'sharp';
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertInteger, assertString, invalidParameterError } from '../is.js';
import type { RasterImage } from '../types.js';
import { assertOptions, assertRaster } from './check.js';
import { decodeNetpbm, encodeNetpbm, isNetpbm } from './netpbm.js';
import { BUFFER_NAME, extensionOf, libraryProblem, readSource, startsWithAscii } from './source.js';

type SharpFormat = 'PNG' | 'JPEG' | 'WebP';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_QUALITY = 95;
const SUPPORTED = 'PNG, JPEG, WebP, PPM (P6) or PGM (P5)';

/** Which decoder a file's first bytes call for, or `undefined` when none does. */
function sniff(bytes: Uint8Array): SharpFormat | 'netpbm' | undefined {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'PNG';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'JPEG';
  if (startsWithAscii(bytes, 'RIFF') && startsWithAscii(bytes.subarray(8), 'WEBP')) return 'WebP';
  if (isNetpbm(bytes)) return 'netpbm';
  return undefined;
}

function unsupported(bytes: Uint8Array, name: string): FileFormatError {
  if (startsWithAscii(bytes, 'PF') || startsWithAscii(bytes, 'Pf')) {
    return new FileFormatError(name, 'is a PFM (float) file, not an image: read it with readPfm or readDisparity');
  }
  if (/^P[1-7]\s/.test(String.fromCharCode(...bytes.subarray(0, 3)))) return decodeNetpbmError(bytes, name);
  return new FileFormatError(name, `not a supported image (expected ${SUPPORTED})`);
}

function decodeNetpbmError(bytes: Uint8Array, name: string): FileFormatError {
  try {
    decodeNetpbm(bytes, name);
  } catch (err) {
    if (err instanceof FileFormatError) return err;
  }
  return new FileFormatError(name, `not a supported image (expected ${SUPPORTED})`);
}

/** Copies sharp's byte output into a correctly aligned typed array of the requested depth. */
function samplesOf(buf: Buffer, sixteen: boolean): Uint8Array | Uint16Array {
  // A view is enough when the Buffer owns its whole ArrayBuffer; otherwise copy so that
  // `data.buffer` never exposes unrelated bytes.
  const owned = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length;
  if (!sixteen && owned) return new Uint8Array(buf.buffer, 0, buf.length);
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  // sharp emits host-endian ushort samples, which is what Uint16Array reads.
  return sixteen ? new Uint16Array(copy.buffer, 0, buf.length >> 1) : copy;
}

/** Picks channels `keep` out of interleaved `from`-channel 8-bit samples. */
function keepChannels(src: Uint8Array, from: number, keep: readonly number[]): Uint8Array {
  const n = src.length / from;
  const out = new Uint8Array(n * keep.length);
  for (let i = 0; i < n; i++) for (let k = 0; k < keep.length; k++) out[i * keep.length + k] = src[i * from + keep[k]];
  return out;
}

async function decodeWithSharp(bytes: Uint8Array, name: string, format: SharpFormat): Promise<RasterImage> {
  try {
    const meta = await sharp(bytes, { ignoreIcc: true }).metadata();
    const sixteen = meta.depth === 'ushort';
    if (!sixteen && meta.depth !== 'uchar') throw new FileFormatError(name, `unsupported ${format} sample type '${meta.depth}'`);
    const gray = meta.space === 'b-w' || meta.space === 'grey16';
    const alpha = meta.hasAlpha === true;
    // libvips' 8-bit 'b-w' output drops alpha, so 8-bit gray + alpha is decoded as RGBA and
    // reduced below (gray → sRGB replicates the sample, so this is exact).
    const grayAlpha8 = gray && alpha && !sixteen;
    const colourspace = gray && !grayAlpha8 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
    const { data, info } = await sharp(bytes, { ignoreIcc: true })
      .toColourspace(colourspace)
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const expected = (grayAlpha8 ? 4 : gray ? 1 : 3) + (alpha && !grayAlpha8 ? 1 : 0);
    if (info.channels !== expected) throw new FileFormatError(name, `${format} decoded to ${info.channels} channels, expected ${expected}`);
    const samples = samplesOf(data, sixteen);
    const bitDepth = sixteen ? 16 : 8;
    if (grayAlpha8) return { data: keepChannels(samples as Uint8Array, 4, [0, 3]), width: info.width, height: info.height, channels: 2, bitDepth };
    return { data: samples, width: info.width, height: info.height, channels: expected as RasterImage['channels'], bitDepth };
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError(name, `corrupt or truncated ${format}: ${libraryProblem(err)}`);
  }
}

/**
 * Decodes an image file or its bytes into an interleaved raster, keeping its bit depth and channels.
 * @param source - a file path, or the encoded bytes of a PNG, JPEG, WebP, PPM (P6) or PGM (P5).
 * @param options.name - name used in error messages when `source` is bytes; default `<buffer>`.
 * @returns `Uint8Array` samples for 8-bit sources, `Uint16Array` for 16-bit PNG and netpbm
 *   (maxval > 255); 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels. JPEG and WebP are 8-bit.
 * @throws FileNotFoundError when the path does not exist.
 * @throws FileFormatError when the file is empty, not one of the formats above, truncated or corrupt.
 * @example
 * const img = await readImage('left.png');
 * const planar = toPlanarFloat(img); // CHW float in [0, 1] for a network
 */
export async function readImage(source: string | Uint8Array, options?: { name?: string }): Promise<RasterImage> {
  assertOptions('options', options);
  let bytes: Uint8Array;
  let name: string;
  if (typeof source === 'string') {
    bytes = await readSource(source, 'image file');
    name = options?.name ?? source;
  } else if (source instanceof Uint8Array) {
    name = options?.name ?? BUFFER_NAME;
    if (source.length === 0) throw new FileFormatError(name, 'empty image data (0 bytes)');
    bytes = source;
  } else {
    throw invalidParameterError('source', 'a file path or a Uint8Array', source);
  }
  const kind = sniff(bytes);
  if (kind === undefined) throw unsupported(bytes, name);
  if (kind === 'netpbm') return decodeNetpbm(bytes, name);
  return decodeWithSharp(bytes, name, kind);
}

/** Encoder settings of {@link encodeImage} and {@link writeImage}. */
export interface EncodeOptions {
  /**
   * PNG zlib level, 0–9; default 6. Lower is much faster and only slightly larger, which suits
   * bulk-generated training data.
   */
  compressionLevel?: number;
}

/**
 * Encodes a raster image in memory, in the format an extension names; see {@link writeImage} for
 * what each format holds.
 * @param img - the image; its typed array must match `bitDepth`.
 * @param extension - `.png`, `.jpg`/`.jpeg`, `.webp`, `.ppm` or `.pgm` (case-insensitive).
 * @param name - name used in error messages; default `<buffer>`.
 * @param options - encoder settings, see {@link EncodeOptions}.
 * @throws InvalidParameterError when `img` is malformed or an option is out of range.
 * @throws FileFormatError when the extension is unknown or cannot hold the image (e.g. 16-bit JPEG, alpha in PPM).
 * @example
 * const png = await encodeImage(colorizeDisparity(disp), '.png');
 */
export async function encodeImage(img: RasterImage, extension: string, name = BUFFER_NAME, options: EncodeOptions = {}): Promise<Uint8Array> {
  assertRaster('img', img);
  const compressionLevel = options.compressionLevel ?? 6;
  assertInteger('compressionLevel', compressionLevel, 0, 9);
  const ext = extension.toLowerCase();
  if (ext === '.ppm' || ext === '.pgm') {
    const want = ext === '.ppm' ? 3 : 1;
    if (img.channels !== want) throw new FileFormatError(name, `${ext.slice(1).toUpperCase()} needs ${want} channel(s), image has ${img.channels}`);
    return encodeNetpbm(img, name);
  }
  if (img.bitDepth === 32) throw new FileFormatError(name, 'float images cannot be written as PNG/JPEG/WebP (write a PFM)');
  const eightBitOnly = ext === '.jpg' || ext === '.jpeg' || ext === '.webp';
  if (eightBitOnly && img.bitDepth !== 8) throw new FileFormatError(name, `${ext} holds 8-bit samples only, image is ${img.bitDepth}-bit`);
  if ((ext === '.jpg' || ext === '.jpeg') && (img.channels === 2 || img.channels === 4)) {
    throw new FileFormatError(name, 'JPEG cannot hold an alpha channel');
  }
  const gray = img.channels <= 2;
  const sixteen = img.bitDepth === 16;
  try {
    // sharp takes the sample type from the typed array (Uint16Array → ushort).
    const pipeline = sharp(img.data as Uint8Array | Uint16Array, {
      raw: { width: img.width, height: img.height, channels: img.channels },
    }).toColourspace(gray ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
    let out: Buffer;
    if (ext === '.png') out = await pipeline.png({ compressionLevel }).toBuffer();
    else if (ext === '.jpg' || ext === '.jpeg') out = await pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer();
    else if (ext === '.webp') out = await pipeline.webp({ lossless: true, exact: true }).toBuffer();
    else throw new FileFormatError(name, `unknown image extension '${ext}' (use .png, .jpg, .webp, .ppm or .pgm)`);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError(name, `cannot encode ${ext}: ${libraryProblem(err)}`);
  }
}

/**
 * Writes a raster image atomically, in the format its extension names.
 * @param path - destination; `.png` (8 or 16-bit, 1–4 channels), `.jpg`/`.jpeg` (8-bit, 1 or 3
 *   channels, quality 95), `.webp` (8-bit, lossless), `.ppm` (3 channels) or `.pgm` (1 channel), 8 or 16-bit.
 * @param img - the image; its typed array must match `bitDepth`.
 * @param options - encoder settings, see {@link EncodeOptions}.
 * @throws InvalidParameterError when `img` is malformed or an option is out of range.
 * @throws FileFormatError when the extension is unknown or cannot hold the image.
 * @example
 * await writeImage('depth16.png', { data: new Uint16Array(w * h), width: w, height: h, channels: 1, bitDepth: 16 });
 */
export async function writeImage(path: string, img: RasterImage, options: EncodeOptions = {}): Promise<void> {
  assertString('path', path);
  const bytes = await encodeImage(img, extensionOf(path), path, options);
  await writeFileAtomic(path, bytes);
}
