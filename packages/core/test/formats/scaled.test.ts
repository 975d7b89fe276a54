import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { InvalidParameterError, readImage, readScaledDisparity, writeScaledDisparity } from '@stereo-sdk/core';
import { ascii, concat, useTmpDir } from './tmp.js';

const tmp = useTmpDir('scaled');

describe('Middlebury-style scaled 8-bit disparity', () => {
  it('reads a hand-built PGM: value / divisor, 0 = invalid', async () => {
    const path = tmp('truedisp.pgm');
    writeFileSync(path, concat(ascii('P5\n3 2\n255\n'), new Uint8Array([0, 16, 32, 255, 8, 0])));
    const disp = await readScaledDisparity(path, 16);
    expect([disp.width, disp.height]).toEqual([3, 2]);
    expect(Array.from(disp.data)).toEqual([Infinity, 1, 2, 255 / 16, 0.5, Infinity].map(Math.fround));
  });

  for (const ext of ['.png', '.pgm']) {
    it(`round-trips values on the 1/divisor grid through ${ext}`, async () => {
      const data = new Float32Array([Infinity, 1 / 3, 2, 85, 10 + 2 / 3, NaN]);
      const path = tmp(`rt${ext}`);
      await writeScaledDisparity(path, { data, width: 2, height: 3 }, 3);
      const img = await readImage(path);
      expect([img.bitDepth, img.channels]).toEqual([8, 1]);
      expect(Array.from(img.data)).toEqual([0, 1, 6, 255, 32, 0]);
      const back = await readScaledDisparity(path, 3);
      expect(Array.from(back.data)).toEqual([Infinity, 1 / 3, 2, 85, 32 / 3, Infinity].map(Math.fround));
    });
  }

  it('clamps valid values into [1, 255] raw', async () => {
    const path = tmp('clamp.png');
    await writeScaledDisparity(path, { data: new Float32Array([0, 1000]), width: 2, height: 1 }, 4);
    expect(Array.from((await readImage(path)).data)).toEqual([1, 255]);
  });

  it('validates the divisor and extension', async () => {
    await expect(readScaledDisparity(tmp('x.png'), 0)).rejects.toThrow(InvalidParameterError);
    await expect(readScaledDisparity(tmp('x.png'), NaN)).rejects.toThrow(/positive number for divisor/);
    const disp = { data: new Float32Array(1), width: 1, height: 1 };
    await expect(writeScaledDisparity(tmp('x.jpg'), disp, 3)).rejects.toThrow(/\.png or \.pgm/);
  });
});
