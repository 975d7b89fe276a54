/**
 * Seeded pseudo-random numbers shared by every package, so a seed means the same thing in weight
 * initialization, augmentation, splits and synthetic data, on every platform.
 */
import { assertInteger } from './is.js';

/** A seeded generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * Mulberry32: 32-bit state, fast, and good enough for initialization and augmentation.
 * @param seed - any 32-bit integer, in [-2^31, 2^32 - 1]
 * @throws InvalidParameterError for a non-integer or out-of-range seed
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

/**
 * Murmur3's 32-bit finalizer: mixes a value so that nearby inputs (seeds, indices, hashes) give
 * unrelated outputs.
 * @param h - any number; only its low 32 bits are used
 * @returns an unsigned 32-bit integer
 */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
