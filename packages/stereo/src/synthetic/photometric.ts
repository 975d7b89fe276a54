/**
 * Per-view photometric differences between the two cameras: exposure gain and colour balance,
 * black-level bias, gamma, vignetting and sensor noise. Real stereo rigs never match exactly, and
 * a network trained on identical views learns to rely on it.
 */
import { Rng } from './rng.js';

/** The camera response of one view. */
export interface ViewPhotometry {
  /** Per-channel gain (exposure × white balance). */
  gain: [number, number, number];
  /** Added after gain, in [0, 1] units. */
  bias: number;
  /** Response exponent: out = (gain·v + bias)^gamma. */
  gamma: number;
  /** Standard deviation of additive noise, in 8-bit levels. */
  noise: number;
  /** Relative brightness loss at the image corners (radial, quadratic). */
  vignette: number;
}

/** Draws the two views' responses: a shared camera model plus small per-view differences. */
export function randomPhotometry(rng: Rng): [ViewPhotometry, ViewPhotometry] {
  const gain = rng.uniform(0.8, 1.2);
  const gamma = rng.uniform(0.8, 1.25);
  const noise = rng.chance(0.2) ? 0 : rng.uniform(0.3, 3.5);
  const view = (): ViewPhotometry => {
    const g = gain * rng.uniform(0.9, 1.1);
    return {
      gain: [g * rng.uniform(0.96, 1.04), g * rng.uniform(0.96, 1.04), g * rng.uniform(0.96, 1.04)],
      bias: rng.uniform(-0.04, 0.04),
      gamma: gamma * rng.uniform(0.92, 1.08),
      noise: noise * rng.uniform(0.8, 1.2),
      vignette: rng.chance(0.3) ? 0 : rng.uniform(0, 0.25),
    };
  };
  return [view(), view()];
}

const NOISE_TABLE_SIZE = 1 << 10;
let noiseTable: Float32Array | undefined;

/**
 * 1024 standard-normal samples from a fixed seed: per-pixel noise indexes this table with random
 * bits instead of calling log/cos per sample, which would dominate the frame time. The table is
 * small enough to stay in L1 cache, and one 32-bit draw indexes it three times.
 */
function gaussianTable(): Float32Array {
  if (!noiseTable) {
    const rng = new Rng(0x6e6f6973);
    noiseTable = new Float32Array(NOISE_TABLE_SIZE);
    for (let i = 0; i < NOISE_TABLE_SIZE; i++) noiseTable[i] = rng.normal();
  }
  return noiseTable;
}

const LUT_SIZE = 4096;

/** 255·v^gamma for v = i / LUT_SIZE. */
function gammaLut(gamma: number): Float32Array {
  const lut = new Float32Array(LUT_SIZE + 1);
  for (let i = 0; i <= LUT_SIZE; i++) lut[i] = 255 * Math.pow(i / LUT_SIZE, gamma);
  return lut;
}

/** Per-channel response 255·clamp(gain·v + bias)^gamma for v = i / LUT_SIZE, read off the shared gamma table. */
function responseLut(gamma: Float32Array, gain: number, bias: number): Float32Array {
  const lut = new Float32Array(LUT_SIZE + 1);
  for (let i = 0; i <= LUT_SIZE; i++) {
    const v = ((gain * i) / LUT_SIZE + bias) * LUT_SIZE;
    const j = v <= 0 ? 0 : v >= LUT_SIZE - 1 ? LUT_SIZE - 1 : v | 0;
    const f = Math.min(1, Math.max(0, v - j));
    lut[i] = gamma[j]! + (gamma[j + 1]! - gamma[j]!) * f;
  }
  return lut;
}

/**
 * Converts a clean render (interleaved RGB in [0, 1]) to 8-bit, through `p` when given:
 * out = 255·clamp(gain·v + bias)^gamma · vignette(x, y) + noise, rounded.
 * @param color - clean render, length w·h·3, values in [0, 1].
 * @param p - camera response, or null for plain quantization (round(255·v)).
 * @param rng - seeds the noise; untouched when `p` is null.
 */
export function toUint8(color: Float32Array, w: number, h: number, p: ViewPhotometry | null, rng: Rng): Uint8Array {
  const n = w * h;
  const out = new Uint8Array(n * 3);
  if (!p) {
    for (let i = 0; i < n * 3; i++) {
      const v = color[i]! * 255 + 0.5;
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return out;
  }
  // pow() per sample would be slow: one gamma table per view, then a response table per channel.
  const g = gammaLut(p.gamma);
  const l0 = responseLut(g, p.gain[0], p.bias);
  const l1 = responseLut(g, p.gain[1], p.bias);
  const l2 = responseLut(g, p.gain[2], p.bias);
  const table = gaussianTable();
  const sigma = p.noise;
  // Inline xorshift32 for per-pixel noise indices: a method call per sample costs more than the rest.
  let s = rng.u32() | 1;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const k = p.vignette / (cx * cx + cy * cy || 1);
  for (let y = 0; y < h; y++) {
    const dy2 = (y - cy) * (y - cy);
    for (let x = 0; x < w; x++) {
      const vig = 1 - k * ((x - cx) * (x - cx) + dy2);
      const o = (y * w + x) * 3;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const n0 = sigma * table[s & 0x3ff]!;
      const n1 = sigma * table[(s >>> 10) & 0x3ff]!;
      const n2 = sigma * table[(s >>> 20) & 0x3ff]!;
      const q0 = l0[(color[o]! * LUT_SIZE + 0.5) | 0]! * vig + n0 + 0.5;
      const q1 = l1[(color[o + 1]! * LUT_SIZE + 0.5) | 0]! * vig + n1 + 0.5;
      const q2 = l2[(color[o + 2]! * LUT_SIZE + 0.5) | 0]! * vig + n2 + 0.5;
      out[o] = q0 < 0 ? 0 : q0 > 255 ? 255 : q0;
      out[o + 1] = q1 < 0 ? 0 : q1 > 255 ? 255 : q1;
      out[o + 2] = q2 < 0 ? 0 : q2 > 255 ? 255 : q2;
    }
  }
  return out;
}
