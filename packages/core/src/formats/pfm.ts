/**
 * PFM (portable float map), the float disparity format of SceneFlow, Middlebury 2014 and ETH3D.
 *
 * Header: `Pf` (1 channel) or `PF` (3 channels), width and height, then a scale whose sign gives
 * the byte order (negative = little-endian). Rows are stored bottom-to-top; we hold them
 * top-to-bottom in memory. The magnitude of the scale is NOT applied: stereo datasets store
 * disparities in pixels and use the scale only for endianness (Middlebury writes 1/255).
 */
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString, bool, invalidParameterError } from '../is.js';
import { assertOptions, MAX_SIDE } from './check.js';
import { BUFFER_NAME, readSource } from './source.js';

/** A decoded PFM: float samples, interleaved, rows top-to-bottom. */
export interface PfmImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** What {@link encodePfm} accepts: a PfmImage, or a DisparityMap (one channel). */
export interface PfmInput {
  data: Float32Array;
  width: number;
  height: number;
  channels?: 1 | 3;
}

const MAX_HEADER = 256;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** Splits the header into its four tokens and finds where the raster starts. */
function headerTokens(bytes: Uint8Array, name: string): { tokens: string[]; offset: number } {
  const tokens: string[] = [];
  let pos = 0;
  const end = Math.min(bytes.length, MAX_HEADER);
  while (tokens.length < 4) {
    while (pos < end && isSpace(bytes[pos])) pos++;
    const start = pos;
    while (pos < end && !isSpace(bytes[pos])) pos++;
    if (start === pos) {
      const missing = ['magic', 'width', 'height', 'scale'][tokens.length];
      throw new FileFormatError(name, `bad PFM header: missing ${missing}${tokens.length === 0 ? ' (not a PFM file)' : ''}`);
    }
    tokens.push(String.fromCharCode(...bytes.subarray(start, Math.min(pos, start + 32))));
    if (tokens.length === 1 && tokens[0] !== 'PF' && tokens[0] !== 'Pf') {
      throw new FileFormatError(name, `bad PFM header: magic '${tokens[0].slice(0, 8)}' (expected 'PF' or 'Pf')`);
    }
  }
  // Exactly one whitespace byte separates the scale from the raster.
  return { tokens, offset: pos + 1 };
}

function dimension(tok: string, what: string, name: string): number {
  const v = /^\d{1,9}$/.test(tok) ? Number(tok) : NaN;
  if (!(v >= 1 && v <= MAX_SIDE)) throw new FileFormatError(name, `bad PFM header: ${what} '${tok}' (expected an integer in [1, ${MAX_SIDE}])`);
  return v;
}

/**
 * Decodes PFM bytes.
 * @param bytes - the whole file.
 * @param name - file name used in error messages; default `<buffer>`.
 * @returns samples as stored (non-finite values, e.g. `inf` for invalid pixels, are kept), rows top-to-bottom.
 * @throws FileFormatError on a wrong magic, bad dimensions, a zero or non-numeric scale, or short data.
 * @example
 * const { data, width, height } = decodePfm(bytes, 'disp0.pfm');
 */
export function decodePfm(bytes: Uint8Array, name = BUFFER_NAME): PfmImage {
  if (!(bytes instanceof Uint8Array)) throw invalidParameterError('bytes', 'a Uint8Array', bytes);
  if (bytes.length === 0) throw new FileFormatError(name, 'empty PFM data (0 bytes)');
  const { tokens, offset } = headerTokens(bytes, name);
  const channels = tokens[0] === 'PF' ? 3 : 1;
  const width = dimension(tokens[1], 'width', name);
  const height = dimension(tokens[2], 'height', name);
  const scale = NUMBER.test(tokens[3]) ? Number(tokens[3]) : NaN;
  if (!Number.isFinite(scale) || scale === 0) {
    throw new FileFormatError(name, `bad PFM header: scale '${tokens[3]}' (expected a non-zero number; its sign gives the byte order)`);
  }
  const littleEndian = scale < 0;
  const rowLen = width * channels;
  const need = rowLen * height * 4;
  const have = bytes.length - offset;
  if (have < need) {
    throw new FileFormatError(name, `truncated PFM data: ${width}x${height}x${channels} floats need ${need} bytes, found ${Math.max(have, 0)}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, need);
  const data = new Float32Array(rowLen * height);
  for (let fileRow = 0; fileRow < height; fileRow++) {
    const dst = (height - 1 - fileRow) * rowLen;
    const src = fileRow * rowLen * 4;
    for (let i = 0; i < rowLen; i++) data[dst + i] = view.getFloat32(src + i * 4, littleEndian);
  }
  return { data, width, height, channels };
}

/**
 * Reads a PFM file; see {@link decodePfm}.
 * @throws FileNotFoundError when the file does not exist.
 * @throws FileFormatError when it is empty or not a valid PFM.
 * @example
 * const disp = await readPfm('disparity/left/0006.pfm');
 */
export async function readPfm(path: string): Promise<PfmImage> {
  return decodePfm(await readSource(path, 'PFM file'), path);
}

/**
 * Encodes float samples as PFM, rows bottom-to-top; non-finite values are written as they are.
 * @param img - samples top-to-bottom; `channels` 1 (default, e.g. a DisparityMap) or 3.
 * @param options.littleEndian - byte order; default true (scale -1), false writes big-endian (scale 1).
 * @throws InvalidParameterError when `img` is malformed.
 * @example
 * const bytes = encodePfm({ data, width, height }, { littleEndian: true });
 */
export function encodePfm(img: PfmInput, options?: { littleEndian?: boolean }): Uint8Array {
  assertOptions('options', options);
  if (typeof img !== 'object' || img === null) throw invalidParameterError('img', 'an image object', img);
  const channels = img.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw invalidParameterError('img.channels', '1 or 3', channels);
  if (!(img.data instanceof Float32Array)) throw invalidParameterError('img.data', 'a Float32Array', img.data);
  const { width, height } = img;
  if (!Number.isInteger(width) || width < 1 || width > MAX_SIDE) throw invalidParameterError('img.width', `an integer in [1, ${MAX_SIDE}]`, width);
  if (!Number.isInteger(height) || height < 1 || height > MAX_SIDE) throw invalidParameterError('img.height', `an integer in [1, ${MAX_SIDE}]`, height);
  const rowLen = width * channels;
  if (img.data.length !== rowLen * height) throw invalidParameterError('img.data', `a length of ${rowLen * height}`, img.data);
  const littleEndian = options?.littleEndian ?? true;
  if (!bool(littleEndian)) throw invalidParameterError('options.littleEndian', 'a boolean', littleEndian);
  const head = new TextEncoder().encode(`${channels === 3 ? 'PF' : 'Pf'}\n${width} ${height}\n${littleEndian ? '-1.0' : '1.0'}\n`);
  const out = new Uint8Array(head.length + rowLen * height * 4);
  out.set(head, 0);
  const view = new DataView(out.buffer, head.length);
  for (let fileRow = 0; fileRow < height; fileRow++) {
    const src = (height - 1 - fileRow) * rowLen;
    const dst = fileRow * rowLen * 4;
    for (let i = 0; i < rowLen; i++) view.setFloat32(dst + i * 4, img.data[src + i], littleEndian);
  }
  return out;
}

/**
 * Writes a PFM file atomically; see {@link encodePfm}.
 * @param path - destination file.
 * @throws InvalidParameterError when `img` or `options` are malformed.
 * @example
 * await writePfm('pred.pfm', disparityMap);
 */
export async function writePfm(path: string, img: PfmInput, options?: { littleEndian?: boolean }): Promise<void> {
  assertString('path', path);
  await writeFileAtomic(path, encodePfm(img, options));
}
