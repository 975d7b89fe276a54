/**
 * Synthetic stereo pairs for timing: a seeded random texture and the same texture shifted, so the
 * pair is a valid rectified pair (constant disparity `shift`) of any size. Latency does not depend
 * on image content for a fixed-size network, so this is all a latency benchmark needs, and it keeps
 * the harness free of image files on the robot.
 */
import { is } from '@stereo-sdk/common';
import type { RawImage } from '../types.js';

/** mulberry32: small, fast, deterministic; quality is ample for texture. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Options of {@link syntheticPair}. */
export interface SyntheticPairOptions {
  /** Channels per view, 1 or 3. Default 3. */
  channels?: 1 | 3;
  /** Disparity of every pixel, integer in [0, width). Default min(8, width - 1). */
  shift?: number;
  /** Texture seed, integer in [0, 2^32). Default 1. */
  seed?: number;
}

/**
 * A random-texture stereo pair with constant disparity: `right(x) = left(x + shift)`, and fresh
 * texture where `x + shift` leaves the image.
 * @param width - integer in [1, 16384].
 * @param height - integer in [1, 16384].
 * @param options - channels (default 3), shift (default min(8, width − 1)), seed (default 1).
 * @returns 8-bit raw views ready for `matcher.disparity()`.
 * @throws InvalidParameterError for an out-of-range size or option.
 * @example
 * const { left, right } = syntheticPair(1242, 375);
 * const result = await matcher.disparity(left, right);
 */
export function syntheticPair(width: number, height: number, options: SyntheticPairOptions = {}): { left: RawImage; right: RawImage } {
  is.assertInteger('width', width, 1, 16384);
  is.assertInteger('height', height, 1, 16384);
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw is.invalidParameterError('channels', '1 or 3', channels);
  const shift = options.shift ?? Math.min(8, width - 1);
  is.assertInteger('shift', shift, 0, width - 1);
  const seed = options.seed ?? 1;
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  const next = rng(seed);
  const row = width * channels;
  const left = new Uint8Array(row * height);
  const right = new Uint8Array(row * height);
  for (let i = 0; i < left.length; i += 4) {
    const r = next();
    // Four samples per draw: the low bytes are as random as the high ones for mulberry32.
    for (let k = 0; k < 4 && i + k < left.length; k++) left[i + k] = (r >>> (8 * k)) & 0xff;
  }
  const keep = (width - shift) * channels;
  for (let y = 0; y < height; y++) {
    const o = y * row;
    right.set(left.subarray(o + shift * channels, o + row), o);
    for (let i = keep; i < row; i++) right[o + i] = next() & 0xff;
  }
  return {
    left: { data: left, width, height, channels },
    right: { data: right, width, height, channels },
  };
}
