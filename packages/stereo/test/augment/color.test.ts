import { describe, it, expect } from 'vitest';
import { InvalidParameterError, type RasterImage } from '@stereo-sdk/core';
import { colorJitter, createRandom, type StereoSample } from '@stereo-sdk/stereo';
import { coded, shiftedSample } from './helpers.js';

const mean = (img: RasterImage): number => Array.from(img.data).reduce((a, v) => a + v, 0) / img.data.length;

/** A sample whose two views are the same image, so any difference comes from the jitter. */
function twin(img: RasterImage = coded(32, 16)): StereoSample {
  return { name: 'twin', left: img, right: img, meta: { dataset: 'test' } };
}

describe('colorJitter', () => {
  it('brightness alone scales every value by one factor per view, different for the two views', () => {
    const s = twin();
    const out = colorJitter(s, { brightness: 0.3, contrast: 0, gamma: 0 }, createRandom(4));
    const factor = (img: RasterImage): number[] => {
      const fs: number[] = [];
      for (let i = 0; i < img.data.length; i++) if (s.left.data[i] > 60 && img.data[i] < 255) fs.push(img.data[i] / s.left.data[i]);
      return fs;
    };
    const fl = factor(out.left);
    const fr = factor(out.right);
    // Rounding to integers bounds the spread: |round(v·b)/v - b| ≤ 0.5/60.
    expect(Math.max(...fl) - Math.min(...fl)).toBeLessThan(1 / 60 + 1e-9);
    expect(Math.max(...fr) - Math.min(...fr)).toBeLessThan(1 / 60 + 1e-9);
    for (const f of [fl[0], fr[0]]) expect(f > 0.69 && f < 1.31).toBe(true);
    expect(Math.abs(fl[0] - fr[0])).toBeGreaterThan(0.02);
  });

  it('gamma alone maps v to 255·(v/255)^g', () => {
    const s = twin();
    const out = colorJitter(s, { brightness: 0, contrast: 0, gamma: 0.5 }, createRandom(8));
    const i = s.left.data.findIndex((v) => v === 128);
    const g = Math.log(out.left.data[i] / 255) / Math.log(128 / 255);
    expect(g > 0.5 && g < 1.5).toBe(true);
    for (let k = 0; k < s.left.data.length; k++) {
      expect(Math.abs(out.left.data[k] - 255 * (s.left.data[k] / 255) ** g)).toBeLessThanOrEqual(1);
    }
  });

  it('contrast alone keeps the mean and scales the spread', () => {
    const s = twin();
    const out = colorJitter(s, { brightness: 0, contrast: 0.4, gamma: 0, asymmetricProbability: 0 }, createRandom(2));
    expect(Math.abs(mean(out.left) - mean(s.left))).toBeLessThan(3);
    const sd = (img: RasterImage): number => {
      const m = mean(img);
      return Math.sqrt(Array.from(img.data).reduce((a, v) => a + (v - m) ** 2, 0) / img.data.length);
    };
    const ratio = sd(out.left) / sd(s.left);
    expect(ratio > 0.6 && ratio < 1.4 && Math.abs(ratio - 1) > 0.01).toBe(true);
    expect(Array.from(out.right.data)).toEqual(Array.from(out.left.data));
  });

  it('asymmetricProbability 0 applies the same jitter to both views; 1 (default) draws per view', () => {
    const s = twin();
    const same = colorJitter(s, { asymmetricProbability: 0 }, createRandom(5));
    expect(Array.from(same.right.data)).toEqual(Array.from(same.left.data));
    const per = colorJitter(s, {}, createRandom(5));
    expect(Array.from(per.right.data)).not.toEqual(Array.from(per.left.data));
  });

  it('keeps type, alpha and ground truth; is reproducible per seed', () => {
    const data = Uint16Array.from({ length: 8 * 4 * 4 }, (_, i) => (i * 997) % 65536);
    const rgba: RasterImage = { data, width: 8, height: 4, channels: 4, bitDepth: 16 };
    const out = colorJitter(twin(rgba), {}, 11);
    expect(out.left.data).toBeInstanceOf(Uint16Array);
    for (let i = 3; i < data.length; i += 4) expect(out.left.data[i]).toBe(data[i]);
    expect(Math.max(...out.left.data)).toBeLessThanOrEqual(65535);
    const s = shiftedSample();
    const a = colorJitter(s, {}, 3);
    expect(a.disparity).toBe(s.disparity);
    expect(a.occlusion).toBe(s.occlusion);
    expect(Array.from(colorJitter(s, {}, 3).right.data)).toEqual(Array.from(a.right.data));
    expect(Array.from(colorJitter(s, {}, 4).right.data)).not.toEqual(Array.from(a.right.data));
  });

  it('rejects out-of-range options', () => {
    expect(() => colorJitter(twin(), { brightness: 2 }, 0)).toThrow(InvalidParameterError);
    expect(() => colorJitter(twin(), { gamma: 1 }, 0)).toThrow(/options\.gamma/);
    expect(() => colorJitter(twin(), {}, 'x' as unknown as number)).toThrow(/for random/);
  });
});
