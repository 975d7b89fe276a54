/**
 * Binary PGM (`P5`) / PPM (`P6`) decoding. sharp's prebuilt libvips has no PPM loader, and classic
 * stereo pairs (Middlebury 2001 "tsukuba") ship as PPM, so the runtime reads them itself.
 */
import { FileFormatError } from '@stereo-sdk/common';
import type { RawImage } from './types.js';

/** True when `bytes` starts with a binary PGM/PPM magic number. */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x36);
}

const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/**
 * Decodes a binary PGM or PPM, 8-bit (maxval ≤ 255) or 16-bit big-endian (maxval > 255).
 * Samples are rescaled to the full 8/16-bit range when maxval is smaller (e.g. 12-bit data).
 * @throws FileFormatError naming `name` on a malformed header or truncated pixels.
 */
export function decodePnm(bytes: Uint8Array, name: string): RawImage {
  let pos = 2;
  const header: number[] = [];
  while (header.length < 3) {
    while (pos < bytes.length && isSpace(bytes[pos])) pos++;
    if (bytes[pos] === 0x23) {
      while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
      continue;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39 && pos - start < 9) pos++;
    if (pos === start) throw new FileFormatError(name, 'malformed PGM/PPM header');
    header.push(Number(String.fromCharCode(...bytes.subarray(start, pos))));
  }
  const [width, height, maxval] = header;
  if (width < 1 || height < 1 || maxval < 1 || maxval > 65535 || !isSpace(bytes[pos] ?? 0)) {
    throw new FileFormatError(name, `malformed PGM/PPM header (width ${width}, height ${height}, maxval ${maxval})`);
  }
  pos += 1; // exactly one whitespace byte before the raster
  const channels = bytes[1] === 0x35 ? 1 : 3;
  const count = width * height * channels;
  const wide = maxval > 255;
  if (bytes.length - pos < count * (wide ? 2 : 1)) {
    throw new FileFormatError(name, `truncated PGM/PPM: ${count} samples expected, file ends early`);
  }
  if (!wide) {
    const data = bytes.slice(pos, pos + count);
    if (maxval < 255) for (let i = 0; i < count; i++) data[i] = Math.min(255, Math.round((data[i] * 255) / maxval));
    return { data, width, height, channels };
  }
  const data = new Uint16Array(count);
  const k = 65535 / maxval;
  for (let i = 0, p = pos; i < count; i++, p += 2) data[i] = Math.min(65535, Math.round(((bytes[p] << 8) | bytes[p + 1]) * k));
  return { data, width, height, channels };
}
