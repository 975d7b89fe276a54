/** Seeded random numbers and PyTorch's default parameter initializations. */
import { assertInteger } from '../../is.js';

/** A seeded generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Mulberry32: small, fast and good enough for weight initialization; the same seed gives the same
 * weights on every platform.
 * @param seed any 32-bit integer
 * @example const rng = createRng(42); const u = rng();
 */
export function createRng(seed: number): Rng {
  assertInteger('seed', seed, -(2 ** 31), 2 ** 32 - 1);
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` samples of U(-bound, bound). */
export function uniform(n: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng() - 1) * bound;
  return out;
}

/**
 * Bound of PyTorch's `kaiming_uniform_(w, a)` with fan-in mode and leaky_relu gain:
 * gain = √(2 / (1 + a²)), bound = gain · √(3 / fanIn). With a = √5 (the Conv/Linear default) this is
 * 1/√fanIn.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2 / (1 + a * a));
  return gain * Math.sqrt(3 / fanIn);
}
