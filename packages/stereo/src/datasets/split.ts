/**
 * Deterministic train/validation split. Each sample is assigned by a seeded hash of its name
 * alone, so adding or removing other files never moves a sample between parts.
 */
import { is, mix32 } from '@stereo-sdk/core';
import type { DatasetSplit } from './sample.js';

/** 32-bit FNV-1a over the UTF-16 code units, then murmur3's finaliser for avalanche. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/**
 * Which part a sample belongs to.
 * @param name - sample name (unique within its dataset)
 * @param valFraction - fraction of names in the validation part, in [0, 1]. Default 0.1.
 * @param seed - non-negative integer; another seed gives another, equally stable split. Default 0.
 * @returns `'val'` for about `valFraction` of all names, `'train'` for the rest
 * @throws InvalidParameterError for an out-of-range fraction or seed
 * @example
 * splitOf('kitti2015/000005_10', 0.2, 7); // 'train' or 'val', always the same
 */
export function splitOf(name: string, valFraction = 0.1, seed = 0): 'train' | 'val' {
  is.assertNumber('valFraction', valFraction, 0, 1);
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  return hash32(name, seed) / 2 ** 32 < valFraction ? 'val' : 'train';
}

/**
 * Keeps the names of one split part, in their original order.
 * @param names - all sample names
 * @param split - `'train'`, `'val'` or `'all'` (no filtering)
 * @param valFraction - see `splitOf`. Default 0.1.
 * @param seed - see `splitOf`. Default 0.
 * @throws InvalidParameterError for an unknown split or out-of-range fraction or seed
 * @example
 * const val = selectSplit(dataset.names, 'val', 0.1, 0);
 */
export function selectSplit(names: readonly string[], split: DatasetSplit, valFraction = 0.1, seed = 0): string[] {
  is.assertOneOf('split', split, ['train', 'val', 'all'] as const);
  is.assertNumber('valFraction', valFraction, 0, 1);
  is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
  if (split === 'all') return [...names];
  return names.filter((n) => splitOf(n, valFraction, seed) === split);
}
