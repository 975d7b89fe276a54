import { describe, it, expect } from 'vitest';
import { InvalidParameterError } from '@stereo-sdk/core';
import { createRandom } from '@stereo-sdk/stereo';

describe('createRandom', () => {
  it('replays the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c())).not.toEqual(sa);
    expect(sa[0]).toBe(0.6011037519201636);
  });

  it('is uniform on [0, 1)', () => {
    const r = createRandom(7);
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 20000; i++) {
      const v = r();
      if (v < 0 || v >= 1) outside++;
      else bins[Math.floor(v * 10)]++;
    }
    expect(outside).toBe(0);
    // Each bin expects 2000 ± 42 (sd); 6 sd of slack.
    for (const n of bins) expect(Math.abs(n - 2000)).toBeLessThan(255);
  });

  it('rejects bad seeds', () => {
    expect(() => createRandom(-1)).toThrow(InvalidParameterError);
    expect(() => createRandom(1.5)).toThrow(/Expected an integer/);
  });
});
