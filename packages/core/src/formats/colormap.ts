/**
 * Disparity visualisation with the turbo colormap (Mikhailov, Google AI 2019): perceptually
 * smoother than jet, and its darkest entry is not black, so invalid pixels (black) stay visible.
 *
 * The table is built from turbo's published degree-5 polynomial approximation of each channel.
 */
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString, invalidParameterError, number } from '../is.js';
import type { DisparityMap, RasterImage } from '../types.js';
import { assertDisparity, assertOptions } from './check.js';
import { encodeImage } from './image.js';

/** Polynomial coefficients c0…c5 per channel: value(x) = Σ c_k x^k, x ∈ [0, 1]. */
const TURBO_POLY: readonly (readonly number[])[] = [
  [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943],
  [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604],
  [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973],
];

const LUT_SIZE = 256;

function buildTurboLut(): Uint8Array {
  const lut = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = i / (LUT_SIZE - 1);
    for (let c = 0; c < 3; c++) {
      const k = TURBO_POLY[c];
      // Horner's rule; the approximation slightly overshoots [0, 1] at the ends, hence the clamp.
      const v = k[0] + x * (k[1] + x * (k[2] + x * (k[3] + x * (k[4] + x * k[5]))));
      lut[i * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  return lut;
}

/** The turbo colormap as 256 RGB triplets (index 0 = low/far, 255 = high/near). */
export const TURBO_LUT: Readonly<Uint8Array> = buildTurboLut();

/** Options of {@link colorizeDisparity}. */
export interface ColorizeOptions {
  /** Disparity drawn with the first colour; default: the smallest valid value. */
  min?: number;
  /** Disparity drawn with the last colour; default: the largest valid value. */
  max?: number;
}

function validRange(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of data) {
    if (!Number.isFinite(d)) continue;
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * Maps disparity to an 8-bit RGB image with the turbo colormap; invalid (non-finite) pixels are black.
 * @param disp - disparity in pixels.
 * @param options.min - value drawn dark blue; default the smallest finite disparity.
 * @param options.max - value drawn dark red; default the largest finite disparity; values outside
 *   [min, max] are clamped. When min equals max every valid pixel gets the first colour.
 * @throws InvalidParameterError when `disp` is malformed, min/max are not finite, or min > max.
 * @example
 * const rgb = colorizeDisparity(disp, { min: 0, max: 192 });
 */
export function colorizeDisparity(disp: DisparityMap, options?: ColorizeOptions): RasterImage {
  assertDisparity('disp', disp);
  assertOptions('options', options);
  const [autoLo, autoHi] = validRange(disp.data);
  const lo = options?.min ?? autoLo;
  const hi = options?.max ?? autoHi;
  if (!number(lo)) throw invalidParameterError('options.min', 'a finite number', lo);
  if (!number(hi)) throw invalidParameterError('options.max', 'a finite number', hi);
  if (lo > hi) throw invalidParameterError('options.min', `a number ≤ max (${hi})`, lo);
  const scale = hi > lo ? (LUT_SIZE - 1) / (hi - lo) : 0;
  const n = disp.width * disp.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const d = disp.data[i];
    if (!Number.isFinite(d)) continue; // stays black
    const idx = Math.min(LUT_SIZE - 1, Math.max(0, Math.round((d - lo) * scale))) * 3;
    out[i * 3] = TURBO_LUT[idx];
    out[i * 3 + 1] = TURBO_LUT[idx + 1];
    out[i * 3 + 2] = TURBO_LUT[idx + 2];
  }
  return { data: out, width: disp.width, height: disp.height, channels: 3, bitDepth: 8 };
}

/**
 * Colorizes disparity (see {@link colorizeDisparity}) and writes it as an 8-bit RGB PNG, atomically.
 * @param path - destination `.png`.
 * @throws InvalidParameterError when an argument is malformed.
 * @example
 * await writeColorizedDisparity('disp_vis.png', disp, { max: 128 });
 */
export async function writeColorizedDisparity(path: string, disp: DisparityMap, options?: ColorizeOptions): Promise<void> {
  assertString('path', path);
  const bytes = await encodeImage(colorizeDisparity(disp, options), '.png', path);
  await writeFileAtomic(path, bytes);
}
