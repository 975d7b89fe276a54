/** Seeded pseudo-random numbers, so an augmentation run can be replayed exactly. */
import { createRng, is } from '@stereo-sdk/core';

/** A generator of uniform numbers in [0, 1); each call advances its state. */
export type Random = () => number;

/**
 * Creates a seeded generator (mulberry32: 32-bit state, fast, good enough for augmentation).
 * @param seed - integer in [0, 2^32 - 1]; the same seed yields the same sequence
 * @throws InvalidParameterError for a non-integer or out-of-range seed
 * @example
 * const random = createRandom(42);
 * random(); // 0.6011037519201636, on every machine
 */
export function createRandom(seed: number): Random {
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  return createRng(seed);
}

/** Uniform in [lo, hi). */
export const uniform = (random: Random, lo: number, hi: number): number => lo + (hi - lo) * random();

/** Uniform integer in [lo, hi] (inclusive). */
export const randomInt = (random: Random, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

/** Accepts a generator or a seed. */
export function toRandom(random: Random | number, name = 'random'): Random {
  if (typeof random === 'function') return random;
  if (typeof random === 'number') return createRandom(random);
  throw is.invalidParameterError(name, 'a seed or a function returning numbers in [0, 1)', random);
}
