import { describe, it, expect } from 'vitest';
import { InvalidParameterError, TURBO_LUT, colorizeDisparity, readImage, writeColorizedDisparity } from '@stereo-sdk/core';
import { useTmpDir } from './tmp.js';

const tmp = useTmpDir('colormap');
const rgbAt = (lut: ArrayLike<number>, i: number): [number, number, number] => [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];

describe('turbo LUT', () => {
  it('runs blue → green → red, and no entry is black', () => {
    expect(TURBO_LUT.length).toBe(256 * 3);
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = rgbAt(TURBO_LUT, i);
      expect(r + g + b).toBeGreaterThan(60);
    }
    for (const i of [16, 32, 48]) {
      const [r, , b] = rgbAt(TURBO_LUT, i);
      expect(b).toBeGreaterThan(r + 100);
    }
    for (const i of [208, 224, 240, 255]) {
      const [r, , b] = rgbAt(TURBO_LUT, i);
      expect(r).toBeGreaterThan(b + 100);
    }
    const [r, g, b] = rgbAt(TURBO_LUT, 110);
    expect(g).toBeGreaterThan(Math.max(r, b));
    // Red rises over the first three quarters (monotone-ish), blue falls over the last half.
    for (let i = 80; i < 190; i += 10) expect(TURBO_LUT[(i + 10) * 3]).toBeGreaterThanOrEqual(TURBO_LUT[i * 3]);
    for (let i = 128; i <= 245; i += 10) expect(TURBO_LUT[(i + 10) * 3 + 2]).toBeLessThanOrEqual(TURBO_LUT[i * 3 + 2]);
  });
});

describe('colorizeDisparity', () => {
  const disp = { data: new Float32Array([Infinity, 10, 20, NaN, 15, -Infinity]), width: 3, height: 2 };

  it('paints invalid pixels black and maps min/max to the LUT ends', () => {
    const img = colorizeDisparity(disp);
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([3, 2, 3, 8]);
    for (const p of [0, 3, 5]) expect(rgbAt(img.data, p)).toEqual([0, 0, 0]);
    expect(rgbAt(img.data, 1)).toEqual(rgbAt(TURBO_LUT, 0));
    expect(rgbAt(img.data, 2)).toEqual(rgbAt(TURBO_LUT, 255));
    expect(rgbAt(img.data, 4)).toEqual(rgbAt(TURBO_LUT, 128));
  });

  it('honours an explicit range and clamps outside it', () => {
    const img = colorizeDisparity(disp, { min: 12, max: 14 });
    expect(rgbAt(img.data, 1)).toEqual(rgbAt(TURBO_LUT, 0));
    expect(rgbAt(img.data, 2)).toEqual(rgbAt(TURBO_LUT, 255));
    const flat = colorizeDisparity({ data: new Float32Array([5, 5]), width: 2, height: 1 });
    expect(rgbAt(flat.data, 1)).toEqual(rgbAt(TURBO_LUT, 0));
  });

  it('validates options', () => {
    expect(() => colorizeDisparity(disp, { min: 5, max: 1 })).toThrow(InvalidParameterError);
    expect(() => colorizeDisparity(disp, { max: Infinity })).toThrow(/finite number for options.max/);
  });

  it('writes a PNG that reads back identical', async () => {
    const path = tmp('vis.png');
    await writeColorizedDisparity(path, disp, { min: 0, max: 40 });
    const back = await readImage(path);
    expect(back).toEqual(colorizeDisparity(disp, { min: 0, max: 40 }));
  });
});
