import { describe, it, expect } from 'vitest';
import { InvalidParameterError } from '@stereo-sdk/core';
import { createRandom, fillPatches, occlusionPatches } from '@stereo-sdk/stereo';
import { shiftedSample } from './helpers.js';

describe('occlusion patches', () => {
  it('fills the patch of the right view with its mean colour and leaves the rest alone', () => {
    const s = shiftedSample(40, 24, 3);
    const meanColor = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let i = c; i < s.right.data.length; i += 3) sum += s.right.data[i];
      return Math.round(sum / (40 * 24));
    });
    const out = fillPatches(s, [{ x: 10, y: 5, width: 8, height: 6 }]);
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 40; x++) {
        const inside = x >= 10 && x < 18 && y >= 5 && y < 11;
        for (let c = 0; c < 3; c++) {
          const i = (y * 40 + x) * 3 + c;
          expect(out.right.data[i]).toBe(inside ? meanColor[c] : s.right.data[i]);
        }
      }
    }
    expect(out.left).toBe(s.left);
    expect(out.disparity).toBe(s.disparity);
    expect(s.right.data[(5 * 40 + 10) * 3]).not.toBe(out.right.data[(5 * 40 + 10) * 3]);
  });

  it('marks left pixels whose match falls in a patch as occluded', () => {
    const s = shiftedSample(40, 24, 3);
    const out = fillPatches(s, [{ x: 10, y: 5, width: 8, height: 6 }]);
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 40; x++) {
        const hidden = y >= 5 && y < 11 && x - 3 >= 10 && x - 3 < 18;
        expect(out.occlusion!.data[y * 40 + x]).toBe(x < 3 || hidden ? 1 : 0);
      }
    }
    expect(s.occlusion!.data[6 * 40 + 14]).toBe(0);
  });

  it('clips patches at the border', () => {
    const s = shiftedSample(40, 24, 3);
    const out = fillPatches(s, [{ x: 35, y: 20, width: 50, height: 50 }]);
    expect(out.right.data.length).toBe(s.right.data.length);
    expect(out.right.data[(23 * 40 + 39) * 3]).not.toBe(s.right.data[(23 * 40 + 39) * 3]);
  });

  it('draws patches with the given probability, reproducibly', () => {
    const s = shiftedSample(64, 48, 3);
    const changed = (o: typeof s): boolean => o.right.data.some((v, i) => v !== s.right.data[i]);
    const r = createRandom(9);
    let n = 0;
    for (let i = 0; i < 200; i++) if (changed(occlusionPatches(s, { probability: 0.5, minSize: 4, maxSize: 8 }, r))) n++;
    expect(n).toBeGreaterThan(70);
    expect(n).toBeLessThan(130);
    expect(changed(occlusionPatches(s, { probability: 0 }, 1))).toBe(false);
    const a = occlusionPatches(s, { probability: 1, minSize: 4, maxSize: 8 }, 21);
    expect(changed(a)).toBe(true);
    expect(Array.from(occlusionPatches(s, { probability: 1, minSize: 4, maxSize: 8 }, 21).right.data)).toEqual(Array.from(a.right.data));
  });

  it('rejects bad options', () => {
    const s = shiftedSample();
    expect(() => occlusionPatches(s, { minSize: 10, maxSize: 5 }, 0)).toThrow(InvalidParameterError);
    expect(() => occlusionPatches(s, { probability: -0.1 }, 0)).toThrow(/options\.probability/);
  });
});
