/**
 * Seeded pseudo-random numbers for the synthetic generator: sfc32 (Chris Doty-Humphrey's small
 * fast chaotic generator, public domain). It is fast in JavaScript because it needs only 32-bit
 * integer ops, and it makes every scene a pure function of its seed.
 */
import { mix32 } from '@stereo-sdk/core';

/**
 * The seed of sample `index` of a dataset generated with `seed`. Each sample depends only on
 * (seed, index), so any sample can be generated (or regenerated on resume) on its own.
 * @param seed - dataset seed, integer in [0, 2^32 - 1].
 * @param index - sample index, integer ≥ 0.
 * @returns a 32-bit unsigned integer seed for `generateSyntheticPair`.
 * @example
 * ```ts
 * // Sample 12 of `stereo-sdk dataset synth --seed 3`, regenerated in memory:
 * const pair = generateSyntheticPair({ width: 512, height: 256, maxDisparity: 96 }, sampleSeed(3, 12));
 * ```
 */
export function sampleSeed(seed: number, index: number): number {
  return mix32((mix32(seed >>> 0) + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

/** A seeded sfc32 stream with the few distributions the generator needs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = mix32(seed >>> 0);
    // Discard the first outputs: sfc32 needs a few rounds to decorrelate from a simple state.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Log-uniform in [lo, hi) (lo > 0): scales spread evenly over octaves. */
  logUniform(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.float());
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Standard normal (Box–Muller). For per-pixel noise use a table instead: this calls log/cos. */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}
