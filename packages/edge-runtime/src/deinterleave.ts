/**
 * The per-frame hot loop of preprocess: interleaved pixels (HWC) to normalized float planes (CHW),
 * `plane[c] = sample · mul[c] + add[c]`, optionally mirrored, for a view that is not resized.
 *
 * 8-bit views whose bytes start 4-byte aligned are read four bytes at a time through a Uint32 view:
 * four RGB pixels are three words, an RGBA pixel or four gray pixels one word. Measured at KITTI
 * size (1242×375 RGB, both views, x64 Node 20, medians of five runs of interleaved calls on a loaded
 * 2-core machine): 4.5–5.0 ms against 7.9–8.7 ms for one byte load per sample. The arithmetic is the
 * same as the byte-wise loop (in double precision, rounded to float32 once on store), so the output
 * is bit-identical. Per-channel 256-entry float32 lookup tables were tried and are slower than even
 * the byte loop (+40 %): V8 cannot vectorize the table gather, and the dependent load costs more than
 * a multiply-add. Other sample types and unaligned 8-bit buffers take the byte-wise loop.
 *
 * These loops are the reference and the fallback: 8-bit views normally go through the faster
 * WebAssembly SIMD kernels of simd-planes.ts, which produce the same floats.
 */
import type { RawImage } from './types.js';

/** Where the planes go and how values are mapped. */
export interface PlaneTarget {
  /** One buffer per output plane (1 for gray models, 3 for color), each `rowStride` × (≥ height). */
  planes: readonly Float32Array[];
  /** Distance between rows in each plane (the padded tensor width). */
  rowStride: number;
  /** Source channel of each plane (e.g. `[2, 1, 0]` for BGR; `[0, 0, 0]` to replicate gray). */
  order: readonly number[];
  /** Per-plane affine value map, applied to the raw sample. */
  mul: readonly number[];
  add: readonly number[];
  /** Write each row right to left (the mirrored pair of the left-right check). */
  flip: boolean;
}

/** Word loads assume little-endian byte order (every platform onnxruntime-node ships for). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The sample buffer as 32-bit words, when the fast paths can read it that way. */
function words(img: RawImage): Uint32Array | undefined {
  const { data } = img;
  if (!LITTLE_ENDIAN || data instanceof Uint16Array || data.byteOffset % 4 !== 0) return undefined;
  return new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
}

/**
 * Writes `img` (not resized) into the planes of `t`. Only the `img.width` × `img.height` area of each
 * plane is written; padding is the caller's.
 * @example
 * deinterleave(rgb, { planes: [r, g, b], rowStride: 1248, order: [0, 1, 2], mul, add, flip: false });
 */
export function deinterleave(img: RawImage, t: PlaneTarget): void {
  const w = words(img);
  if (img.channels >= 3 && t.planes.length === 3 && new Set(t.order).size === 3) {
    if (w && img.channels === 3) rgbWords(img, w, t);
    else if (w && img.channels === 4) rgbaWords(img, w, t);
    else colorSamples(img, t);
  } else if (w && img.channels === 1) {
    for (let c = 0; c < t.planes.length; c++) grayWords(img, w, t, c);
  } else {
    for (let c = 0; c < t.planes.length; c++) planeSamples(img, t, c);
  }
}

/** Plane, multiplier and offset of each source channel 0..2 (the inverse of `order`). */
export function bySource(t: PlaneTarget): { d: Float32Array[]; m: number[]; a: number[] } {
  const d: Float32Array[] = [];
  const m: number[] = [];
  const a: number[] = [];
  t.order.forEach((src, c) => {
    d[src] = t.planes[c];
    m[src] = t.mul[c];
    a[src] = t.add[c];
  });
  return { d, m, a };
}

/** Index of pixel (0, y) in a plane (its row's last column when mirrored). */
function rowStart(t: PlaneTarget, y: number, width: number): number {
  return t.flip ? y * t.rowStride + width - 1 : y * t.rowStride;
}

/**
 * RGB: pixel p's samples are bytes 3p..3p+2, so the four pixels 4k..4k+3 are exactly words 3k..3k+2.
 * Rows are not word-aligned (3·width bytes), so each row runs over the whole-image pixel index: up to
 * three single pixels until it is a multiple of 4, then groups of four, then the row's last pixels.
 */
function rgbWords(img: RawImage, words: Uint32Array, t: PlaneTarget): void {
  const { data, width, height } = img;
  const { d: [d0, d1, d2], m: [m0, m1, m2], a: [a0, a1, a2] } = bySource(t);
  const s = t.flip ? -1 : 1;
  for (let y = 0, p = 0; y < height; y++) {
    let o = rowStart(t, y, width);
    let x = 0;
    for (; x < width && (p & 3) !== 0; x++, p++, o += s) {
      d0[o] = data[3 * p] * m0 + a0;
      d1[o] = data[3 * p + 1] * m1 + a1;
      d2[o] = data[3 * p + 2] * m2 + a2;
    }
    for (; x + 4 <= width; x += 4, p += 4, o += 4 * s) {
      const k = (p >> 2) * 3;
      const u = words[k];
      const v = words[k + 1];
      const z = words[k + 2];
      d0[o] = (u & 255) * m0 + a0;
      d1[o] = ((u >>> 8) & 255) * m1 + a1;
      d2[o] = ((u >>> 16) & 255) * m2 + a2;
      d0[o + s] = (u >>> 24) * m0 + a0;
      d1[o + s] = (v & 255) * m1 + a1;
      d2[o + s] = ((v >>> 8) & 255) * m2 + a2;
      d0[o + 2 * s] = ((v >>> 16) & 255) * m0 + a0;
      d1[o + 2 * s] = (v >>> 24) * m1 + a1;
      d2[o + 2 * s] = (z & 255) * m2 + a2;
      d0[o + 3 * s] = ((z >>> 8) & 255) * m0 + a0;
      d1[o + 3 * s] = ((z >>> 16) & 255) * m1 + a1;
      d2[o + 3 * s] = (z >>> 24) * m2 + a2;
    }
    for (; x < width; x++, p++, o += s) {
      d0[o] = data[3 * p] * m0 + a0;
      d1[o] = data[3 * p + 1] * m1 + a1;
      d2[o] = data[3 * p + 2] * m2 + a2;
    }
  }
}

/** RGBA: one word per pixel; the alpha byte is ignored. */
function rgbaWords(img: RawImage, words: Uint32Array, t: PlaneTarget): void {
  const { width, height } = img;
  const { d: [d0, d1, d2], m: [m0, m1, m2], a: [a0, a1, a2] } = bySource(t);
  const s = t.flip ? -1 : 1;
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0, o = rowStart(t, y, width); x < width; x++, p++, o += s) {
      const u = words[p];
      d0[o] = (u & 255) * m0 + a0;
      d1[o] = ((u >>> 8) & 255) * m1 + a1;
      d2[o] = ((u >>> 16) & 255) * m2 + a2;
    }
  }
}

/** Gray, into plane `c`: four pixels per word, with the same row walk as {@link rgbWords}. */
function grayWords(img: RawImage, words: Uint32Array, t: PlaneTarget, c: number): void {
  const { data, width, height } = img;
  const d = t.planes[c];
  const m = t.mul[c];
  const a = t.add[c];
  const s = t.flip ? -1 : 1;
  for (let y = 0, p = 0; y < height; y++) {
    let o = rowStart(t, y, width);
    let x = 0;
    for (; x < width && (p & 3) !== 0; x++, p++, o += s) d[o] = data[p] * m + a;
    for (; x + 4 <= width; x += 4, p += 4, o += 4 * s) {
      const u = words[p >> 2];
      d[o] = (u & 255) * m + a;
      d[o + s] = ((u >>> 8) & 255) * m + a;
      d[o + 2 * s] = ((u >>> 16) & 255) * m + a;
      d[o + 3 * s] = (u >>> 24) * m + a;
    }
    for (; x < width; x++, p++, o += s) d[o] = data[p] * m + a;
  }
}

/**
 * Color of any sample type or alignment, one sample load at a time, all three planes in one pass
 * over the pixels (about a third faster than three strided passes).
 */
function colorSamples(img: RawImage, t: PlaneTarget): void {
  const { data, width, height, channels } = img;
  const { d: [d0, d1, d2], m: [m0, m1, m2], a: [a0, a1, a2] } = bySource(t);
  const s = t.flip ? -1 : 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0, o = rowStart(t, y, width); x < width; x++, o += s, i += channels) {
      d0[o] = data[i] * m0 + a0;
      d1[o] = data[i + 1] * m1 + a1;
      d2[o] = data[i + 2] * m2 + a2;
    }
  }
}

/** Any sample type, channel count and alignment, one sample load at a time, into plane `c`. */
function planeSamples(img: RawImage, t: PlaneTarget, c: number): void {
  const { data, width, height, channels } = img;
  const d = t.planes[c];
  const m = t.mul[c];
  const a = t.add[c];
  const s = t.flip ? -1 : 1;
  for (let y = 0, i = t.order[c]; y < height; y++) {
    for (let x = 0, o = rowStart(t, y, width); x < width; x++, o += s, i += channels) d[o] = data[i] * m + a;
  }
}
