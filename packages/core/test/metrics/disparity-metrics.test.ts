import { describe, expect, it } from 'vitest';
import { evaluateDisparity, summarizeScenes, ShapeMismatchError, InvalidParameterError } from '../../src/index.js';
import type { DisparityMap } from '../../src/index.js';

const map = (values: number[], width = values.length): DisparityMap => ({
  data: Float32Array.from(values),
  width,
  height: values.length / width,
});

describe('evaluateDisparity', () => {
  it('computes EPE, bad-N and D1 by hand-checked example', () => {
    // errors: 0, 0.6, 1.5, 2.5, 4 (gt 100 → 4 < 5 % so not D1), 10 (gt 20 → D1)
    const gt = map([10, 10, 10, 10, 100, 20]);
    const pred = map([10, 10.6, 11.5, 7.5, 104, 30]);
    const { all } = evaluateDisparity(pred, gt);
    expect(all.count).toBe(6);
    expect(all.epe).toBeCloseTo((0 + 0.6 + 1.5 + 2.5 + 4 + 10) / 6, 5);
    expect(all.bad05).toBeCloseTo((5 / 6) * 100, 5);
    expect(all.bad1).toBeCloseTo((4 / 6) * 100, 5);
    expect(all.bad2).toBeCloseTo((3 / 6) * 100, 5);
    expect(all.bad3).toBeCloseTo((2 / 6) * 100, 5);
    expect(all.d1).toBeCloseTo((1 / 6) * 100, 5);
  });

  it('skips non-finite ground truth and pixels outside the valid mask', () => {
    const gt = map([5, Infinity, NaN, 5]);
    const pred = map([5, 0, 0, 9]);
    const valid = { data: Uint8Array.from([1, 1, 1, 0]), width: 4, height: 1 };
    expect(evaluateDisparity(pred, gt).all.count).toBe(2);
    const { all } = evaluateDisparity(pred, gt, { valid });
    expect(all.count).toBe(1);
    expect(all.epe).toBe(0);
  });

  it('scores an invalid prediction as disparity 0 (KITTI convention)', () => {
    const { all } = evaluateDisparity(map([NaN, Infinity]), map([4, 6]));
    expect(all.epe).toBe(5);
    expect(all.bad3).toBe(100);
  });

  it('splits occluded and non-occluded pixels', () => {
    const gt = map([1, 2, 3, 4]);
    const pred = map([1, 2, 13, 14]);
    const occlusion = { data: Uint8Array.from([0, 0, 1, 1]), width: 4, height: 1 };
    const r = evaluateDisparity(pred, gt, { occlusion });
    expect(r.noc?.epe).toBe(0);
    expect(r.occ?.epe).toBe(10);
    expect(r.all.epe).toBe(5);
  });

  it('ignores ground truth beyond maxDisparity', () => {
    const r = evaluateDisparity(map([0, 0]), map([10, 300]), { maxDisparity: 192 });
    expect(r.all.count).toBe(1);
    expect(() => evaluateDisparity(map([0]), map([1]), { maxDisparity: -1 })).toThrow(InvalidParameterError);
  });

  it('rejects size mismatches with a typed error', () => {
    expect(() => evaluateDisparity(map([1, 2, 3]), map([1, 2]))).toThrow(ShapeMismatchError);
    expect(() => evaluateDisparity(map([1, 2]), map([1, 2]), { valid: { data: new Uint8Array(3), width: 3, height: 1 } })).toThrow(
      /valid mask is 3x1/,
    );
  });

  it('reports NaN rates when nothing is scored', () => {
    const { all } = evaluateDisparity(map([1]), map([Infinity]));
    expect(all.count).toBe(0);
    expect(all.epe).toBeNaN();
  });
});

describe('summarizeScenes', () => {
  it('averages per scene, unweighted, and skips empty scenes', () => {
    const a = evaluateDisparity(map([1, 1]), map([1, 1])).all; // epe 0, 2 px
    const b = evaluateDisparity(map([0, 0, 0, 0]), map([4, 4, 4, 4])).all; // epe 4, 4 px
    const empty = evaluateDisparity(map([0]), map([NaN])).all;
    const { mean, scenes } = summarizeScenes([
      { name: 'a', metrics: a },
      { name: 'b', metrics: b },
      { name: 'empty', metrics: empty },
    ]);
    expect(scenes).toHaveLength(3);
    expect(mean.epe).toBe(2);
    expect(mean.bad3).toBe(50);
    expect(mean.count).toBe(6);
  });
});
