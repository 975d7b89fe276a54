import { describe, it, expect } from 'vitest';
import { InvalidParameterError } from '@stereo-sdk/core';
import { selectSplit, splitOf } from '@stereo-sdk/stereo';

const names = Array.from({ length: 2000 }, (_, i) => `kitti2015/${String(i).padStart(6, '0')}_10`);

describe('train/validation split', () => {
  it('sends about valFraction of the names to val', () => {
    for (const fraction of [0.1, 0.3]) {
      const val = selectSplit(names, 'val', fraction, 0).length;
      // Binomial(2000, p): 5 standard deviations.
      const sd = Math.sqrt(2000 * fraction * (1 - fraction));
      expect(Math.abs(val - 2000 * fraction)).toBeLessThan(5 * sd);
    }
  });

  it('partitions the names: train and val are disjoint and cover everything', () => {
    const train = selectSplit(names, 'train', 0.2, 3);
    const val = selectSplit(names, 'val', 0.2, 3);
    expect(train.length + val.length).toBe(names.length);
    const t = new Set(train);
    expect(val.some((n) => t.has(n))).toBe(false);
    expect(selectSplit(names, 'all', 0.2, 3)).toEqual(names);
  });

  it('is stable when files are added or removed', () => {
    const first = new Set(names.slice(0, 500));
    const before = selectSplit(names.slice(0, 500), 'val', 0.2, 1);
    const after = selectSplit([...names, 'extra/a', 'extra/b'], 'val', 0.2, 1);
    expect(before.length).toBeGreaterThan(0);
    expect(after.filter((n) => first.has(n))).toEqual(before);
  });

  it('depends on the seed, deterministically', () => {
    const a = selectSplit(names, 'val', 0.2, 1);
    expect(selectSplit(names, 'val', 0.2, 1)).toEqual(a);
    expect(selectSplit(names, 'val', 0.2, 2)).not.toEqual(a);
  });

  it('puts everything in train at 0 and in val at 1', () => {
    expect(names.every((n) => splitOf(n, 0, 5) === 'train')).toBe(true);
    expect(names.every((n) => splitOf(n, 1, 5) === 'val')).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(() => splitOf('a', 1.5)).toThrow(InvalidParameterError);
    expect(() => splitOf('a', 0.1, -1)).toThrow(InvalidParameterError);
    expect(() => selectSplit(names, 'test' as 'val')).toThrow(/one of train, val, all/);
  });
});
