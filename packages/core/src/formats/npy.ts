/**
 * NumPy `.npy` arrays (format versions 1–3), the usual dump format of Python stereo pipelines.
 * We read little-endian float32 (`<f4`) and float64 (`<f8`, converted) in C order, and write `<f4`.
 */
import { FileFormatError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString, invalidParameterError } from '../is.js';
import { BUFFER_NAME, readSource, startsWithAscii } from './source.js';

/** A float32 n-dimensional array in C (row-major) order. */
export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

const MAGIC = '\x93NUMPY';
const MAX_DIMS = 32;

function headerField(header: string, key: string, value: string): string | undefined {
  return new RegExp(`['"]${key}['"]\\s*:\\s*${value}`).exec(header)?.[1];
}

function parseShape(text: string, name: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/L$/, '')).filter((p) => p.length > 0);
  if (parts.length > MAX_DIMS) throw new FileFormatError(name, `bad .npy header: ${parts.length} dimensions`);
  return parts.map((p) => {
    if (!/^\d{1,10}$/.test(p)) throw new FileFormatError(name, `bad .npy header: shape entry '${p.slice(0, 16)}'`);
    return Number(p);
  });
}

/**
 * Decodes `.npy` bytes.
 * @param bytes - the whole file.
 * @param name - file name used in error messages; default `<buffer>`.
 * @returns float32 data (float64 input is converted) and the shape (`[]` for a scalar).
 * @throws FileFormatError when the magic or header is bad, the dtype is not `<f4`/`<f8`, the array is
 *   in Fortran order, or the data is shorter than the shape needs.
 * @example
 * const { data, shape } = decodeNpy(bytes, 'disp.npy'); // shape [H, W]
 */
export function decodeNpy(bytes: Uint8Array, name = BUFFER_NAME): NpyArray {
  if (!(bytes instanceof Uint8Array)) throw invalidParameterError('bytes', 'a Uint8Array', bytes);
  if (bytes.length === 0) throw new FileFormatError(name, 'empty .npy data (0 bytes)');
  if (!startsWithAscii(bytes, MAGIC)) throw new FileFormatError(name, 'not a .npy file (missing \\x93NUMPY magic)');
  if (bytes.length < 10) throw new FileFormatError(name, 'truncated .npy header');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new FileFormatError(name, `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new FileFormatError(name, 'truncated .npy header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLen) throw new FileFormatError(name, `truncated .npy header (${headerLen} bytes announced)`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));

  const descr = headerField(header, 'descr', `['"]([^'"]*)['"]`);
  const fortran = headerField(header, 'fortran_order', '(True|False)');
  const shapeText = headerField(header, 'shape', '\\(([^)]*)\\)');
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new FileFormatError(name, 'bad .npy header: needs descr, fortran_order and shape');
  }
  if (descr !== '<f4' && descr !== '<f8') {
    throw new FileFormatError(name, `unsupported .npy dtype '${descr.slice(0, 16)}' (expected little-endian float32 '<f4' or float64 '<f8')`);
  }
  if (fortran === 'True') {
    throw new FileFormatError(name, 'Fortran-order .npy arrays are not supported (save with numpy.ascontiguousarray)');
  }
  const shape = parseShape(shapeText, name);
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = descr === '<f4' ? 4 : 8;
  const offset = start + headerLen;
  const have = bytes.length - offset;
  if (have < count * itemSize) {
    throw new FileFormatError(name, `truncated .npy data: shape (${shape.join(', ')}) of ${descr} needs ${count * itemSize} bytes, found ${have}`);
  }
  const data = new Float32Array(count);
  if (itemSize === 4) for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, true);
  else for (let i = 0; i < count; i++) data[i] = view.getFloat64(offset + 8 * i, true);
  return { data, shape };
}

/**
 * Reads a `.npy` file; see {@link decodeNpy}.
 * @throws FileNotFoundError when the file does not exist.
 * @throws FileFormatError when it is empty or not a supported `.npy`.
 * @example
 * const { data, shape } = await readNpy('pred.npy');
 */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNpy(await readSource(path, '.npy file'), path);
}

/**
 * Encodes a float32 array as `.npy` (version 1.0, `<f4`, C order).
 * @param array.shape - non-negative integer dimensions whose product is `data.length`.
 * @throws InvalidParameterError when the shape does not match the data.
 * @example
 * const bytes = encodeNpy({ data: disp.data, shape: [disp.height, disp.width] });
 */
export function encodeNpy(array: NpyArray): Uint8Array {
  if (typeof array !== 'object' || array === null) throw invalidParameterError('array', 'an { data, shape } object', array);
  if (!(array.data instanceof Float32Array)) throw invalidParameterError('array.data', 'a Float32Array', array.data);
  const { shape } = array;
  if (!Array.isArray(shape) || shape.length > MAX_DIMS || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalidParameterError('array.shape', 'an array of non-negative integers', shape);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw invalidParameterError('array.data', `a length of ${count} (product of shape)`, array.data);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // The format pads the header with spaces so the data starts on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + count * 4);
  for (let i = 0; i < 6; i++) out[i] = MAGIC.charCodeAt(i);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) view.setFloat32(total + 4 * i, array.data[i], true);
  return out;
}

/**
 * Writes a `.npy` file atomically; see {@link encodeNpy}.
 * @param path - destination file.
 * @example
 * await writeNpy('pred.npy', { data: disp.data, shape: [disp.height, disp.width] });
 */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  assertString('path', path);
  await writeFileAtomic(path, encodeNpy(array));
}
