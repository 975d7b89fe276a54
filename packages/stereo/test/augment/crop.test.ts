import { describe, it, expect } from 'vitest';
import { InvalidParameterError, ShapeMismatchError } from '@stereo-sdk/core';
import { createRandom, cropSample, randomCrop } from '@stereo-sdk/stereo';
import { correspondencesHold, shiftedSample } from './helpers.js';

describe('cropSample / randomCrop', () => {
  it('cuts the same window from both views, the disparity and the masks', () => {
    const s = shiftedSample();
    const c = cropSample(s, 5, 4, 16, 10);
    expect([c.left.width, c.left.height, c.right.width, c.disparity!.width, c.valid!.height, c.occlusion!.width]).toEqual([16, 10, 16, 16, 10, 16]);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 16; x++) {
        const src = (y + 4) * 40 + x + 5;
        expect(c.left.data[(y * 16 + x) * 3 + 1]).toBe(s.left.data[src * 3 + 1]);
        expect(c.right.data[(y * 16 + x) * 3 + 2]).toBe(s.right.data[src * 3 + 2]);
        expect(c.disparity!.data[y * 16 + x]).toBe(s.disparity!.data[src]);
        expect(c.valid!.data[y * 16 + x]).toBe(s.valid!.data[src]);
      }
    }
    expect(correspondencesHold(c)).toBe(true);
    expect(c.meta.calib).toEqual({ focal: 100, baseline: 0.1, cx: 15, cy: 8 });
    expect(s.meta.calib?.cx).toBe(20);
  });

  it('places the window uniformly and reproducibly, inside the image', () => {
    // 16-bit gray whose value is the pixel index: a crop's first value is its origin.
    const index = Uint16Array.from({ length: 40 * 24 }, (_, i) => i);
    const img = { data: index, width: 40, height: 24, channels: 1 as const, bitDepth: 16 as const };
    const s = { name: 'coords', left: img, right: img, meta: { dataset: 'test' } };
    const xs = new Set<number>();
    const ys = new Set<number>();
    const r = createRandom(1);
    for (let i = 0; i < 300; i++) {
      const origin = randomCrop(s, 30, 20, r).left.data[0];
      xs.add(origin % 40);
      ys.add(Math.floor(origin / 40));
    }
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...ys].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    const shifted = shiftedSample();
    for (let i = 0; i < 20; i++) expect(correspondencesHold(randomCrop(shifted, 12, 7, r))).toBe(true);
    const a = randomCrop(shifted, 8, 8, 99);
    const b = randomCrop(shifted, 8, 8, 99);
    expect(Array.from(a.left.data)).toEqual(Array.from(b.left.data));
  });

  it('rejects windows larger than the image and misaligned samples', () => {
    const s = shiftedSample();
    expect(() => randomCrop(s, 41, 10, 0)).toThrow(InvalidParameterError);
    expect(() => randomCrop(s, 41, 10, 0)).toThrow(/crop size of test\/shifted/);
    expect(() => cropSample(s, 30, 0, 16, 10)).toThrow(/for x/);
    const bad = { ...s, disparity: { data: new Float32Array(4), width: 2, height: 2 } };
    expect(() => cropSample(bad, 0, 0, 2, 2)).toThrow(ShapeMismatchError);
  });
});
