/**
 * Binary netpbm (PGM `P5`, PPM `P6`) codec. The sharp build shipped here has no PPM loader, and
 * Middlebury 2001 (tsukuba) ships its images and ground truth in these formats.
 *
 * Samples are returned as stored: maxval is not applied, so a disparity PGM keeps its raw values.
 * A maxval above 255 means two bytes per sample, big-endian (the netpbm specification).
 */
import { FileFormatError } from '../errors.js';
import type { RasterImage } from '../types.js';
import { MAX_SIDE } from './check.js';
import { BUFFER_NAME } from './source.js';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
const HASH = 0x23;
const MAX_TOKEN = 32;

/** True when `bytes` starts like a binary PGM or PPM. */
export function isNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 /* P */ && (bytes[1] === 0x35 || bytes[1] === 0x36);
}

/** Reads header tokens one at a time, skipping whitespace and `#` comments. */
class HeaderReader {
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly name: string,
  ) {}

  token(what: string): string {
    const b = this.bytes;
    for (;;) {
      while (this.pos < b.length && WHITESPACE.has(b[this.pos])) this.pos++;
      if (this.pos < b.length && b[this.pos] === HASH) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    while (this.pos < b.length && !WHITESPACE.has(b[this.pos]) && b[this.pos] !== HASH) this.pos++;
    if (start === this.pos) throw new FileFormatError(this.name, `truncated netpbm header: missing ${what}`);
    // Header tokens are short; a long run means binary junk, and must not reach fromCharCode(...).
    return String.fromCharCode(...b.subarray(start, Math.min(this.pos, start + MAX_TOKEN)));
  }

  integer(what: string, lo: number, hi: number): number {
    const tok = this.token(what);
    const v = /^\d{1,9}$/.test(tok) ? Number(tok) : NaN;
    if (!(v >= lo && v <= hi)) throw new FileFormatError(this.name, `bad netpbm ${what} '${tok}' (expected an integer in [${lo}, ${hi}])`);
    return v;
  }
}

/**
 * Decodes a binary PGM (P5, gray) or PPM (P6, RGB), 8-bit (maxval ≤ 255) or 16-bit (maxval > 255).
 * @param bytes - the whole file.
 * @param name - file name used in error messages; default `<buffer>`.
 * @throws FileFormatError on an unsupported magic, a bad header or truncated pixel data.
 */
export function decodeNetpbm(bytes: Uint8Array, name = BUFFER_NAME): RasterImage {
  const header = new HeaderReader(bytes, name);
  const magic = header.token('magic number');
  if (magic !== 'P5' && magic !== 'P6') {
    throw new FileFormatError(name, `unsupported netpbm type '${magic.slice(0, 8)}' (only binary P5 and P6 are read)`);
  }
  const channels = magic === 'P5' ? 1 : 3;
  const width = header.integer('width', 1, MAX_SIDE);
  const height = header.integer('height', 1, MAX_SIDE);
  const maxval = header.integer('maxval', 1, 65535);
  // Exactly one whitespace byte separates maxval from the raster.
  if (header.pos >= bytes.length || !WHITESPACE.has(bytes[header.pos])) {
    throw new FileFormatError(name, 'truncated netpbm header: no whitespace after maxval');
  }
  const offset = header.pos + 1;
  const wide = maxval > 255;
  const count = width * height * channels;
  const need = count * (wide ? 2 : 1);
  const have = bytes.length - offset;
  if (have < need) {
    throw new FileFormatError(name, `truncated netpbm pixel data: ${width}x${height}x${channels} needs ${need} bytes, found ${have}`);
  }
  if (!wide) {
    return { data: bytes.slice(offset, offset + need), width, height, channels, bitDepth: 8 };
  }
  const data = new Uint16Array(count);
  for (let i = 0, p = offset; i < count; i++, p += 2) data[i] = (bytes[p] << 8) | bytes[p + 1];
  return { data, width, height, channels, bitDepth: 16 };
}

/**
 * Encodes a 1-channel image as PGM (P5) or a 3-channel image as PPM (P6); maxval 255 for 8-bit
 * data and 65535 (big-endian samples) for 16-bit data. The caller validates the image.
 * @throws FileFormatError when the image has 2 or 4 channels or float samples.
 */
export function encodeNetpbm(img: RasterImage, name = BUFFER_NAME): Uint8Array {
  if (img.channels !== 1 && img.channels !== 3) {
    throw new FileFormatError(name, `PGM/PPM hold 1 or 3 channels, image has ${img.channels}`);
  }
  if (img.bitDepth === 32) throw new FileFormatError(name, 'PGM/PPM hold 8 or 16-bit samples, image is float (write a PFM)');
  const wide = img.bitDepth === 16;
  const head = new TextEncoder().encode(`${img.channels === 1 ? 'P5' : 'P6'}\n${img.width} ${img.height}\n${wide ? 65535 : 255}\n`);
  const n = img.data.length;
  const out = new Uint8Array(head.length + n * (wide ? 2 : 1));
  out.set(head, 0);
  if (!wide) {
    out.set(img.data as Uint8Array, head.length);
  } else {
    const src = img.data as Uint16Array;
    for (let i = 0, p = head.length; i < n; i++, p += 2) {
      out[p] = src[i] >> 8;
      out[p + 1] = src[i] & 0xff;
    }
  }
  return out;
}
