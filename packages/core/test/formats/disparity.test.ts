import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import {
  FileFormatError,
  InvalidParameterError,
  encodeNpy,
  readDisparity,
  writeImage,
  writeKittiDisparity,
  writePfm,
  writeScaledDisparity,
} from '@stereo-sdk/core';
import { ascii, concat, useTmpDir } from './tmp.js';

const tmp = useTmpDir('disparity');
const grid = new Float32Array([Infinity, 0.5, 1.25, 32]);
const disp = { data: grid, width: 2, height: 2 };

describe('readDisparity detects the format from the content', () => {
  it('PFM (non-finite → Infinity), whatever the extension', async () => {
    const path = tmp('gt.data');
    await writePfm(path, { data: new Float32Array([NaN, 0.5, -Infinity, 64]), width: 2, height: 2 }, { littleEndian: false });
    const back = await readDisparity(path);
    expect(Array.from(back.data)).toEqual([Infinity, 0.5, Infinity, 64]);
  });

  it('16-bit PNG as KITTI (/256), or with a custom divisor', async () => {
    const path = tmp('kitti.png');
    await writeKittiDisparity(path, disp);
    expect(await readDisparity(path)).toEqual(disp);
    const halved = await readDisparity(path, { divisor: 512 });
    expect(Array.from(halved.data)).toEqual([Infinity, 0.25, 0.625, 16]);
  });

  it('8-bit PNG and PGM need a divisor', async () => {
    for (const ext of ['.png', '.pgm']) {
      const path = tmp(`mb${ext}`);
      await writeScaledDisparity(path, disp, 4);
      expect(await readDisparity(path, { divisor: 4 })).toEqual(disp);
      const err = await readDisparity(path).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(InvalidParameterError);
      expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')}: an 8-bit disparity image needs options.divisor`));
    }
  });

  it('.npy with shape (H, W) or singleton axes', async () => {
    for (const shape of [[2, 2], [1, 2, 2], [2, 2, 1], [1, 1, 2, 2]]) {
      const path = tmp(`pred-${shape.length}.npy`);
      writeFileSync(path, encodeNpy({ data: new Float32Array([NaN, 0.5, 1.25, 32]), shape }));
      expect(await readDisparity(path)).toEqual(disp);
    }
    const wide = tmp('wide.npy');
    writeFileSync(wide, encodeNpy({ data: new Float32Array(8), shape: [2, 2, 2] }));
    await expect(readDisparity(wide)).rejects.toThrow(/shape \(H, W\), found \(2, 2, 2\)/);
    const column = tmp('column.npy');
    writeFileSync(column, encodeNpy({ data: new Float32Array(3), shape: [3, 1] }));
    expect(await readDisparity(column)).toMatchObject({ width: 1, height: 3 });
  });
});

describe('readDisparity with a forced or wrong format', () => {
  it('refuses a 3-channel PFM', async () => {
    const path = tmp('rgb.pfm');
    writeFileSync(path, concat(ascii('PF\n1 1\n-1\n'), new Uint8Array(12)));
    await expect(readDisparity(path)).rejects.toThrow(/one channel \(Pf\), found three/);
  });

  it('refuses a bit depth that contradicts the forced format', async () => {
    const path = tmp('eight.png');
    await writeScaledDisparity(path, disp, 1);
    await expect(readDisparity(path, { format: 'png16' })).rejects.toThrow(/'png16' expects a 16-bit image, found 8-bit/);
    const sixteen = tmp('sixteen.png');
    await writeKittiDisparity(sixteen, disp);
    await expect(readDisparity(sixteen, { format: 'png8', divisor: 1 })).rejects.toThrow(FileFormatError);
  });

  it('a forced pfm on a PNG reports a bad PFM header', async () => {
    const path = tmp('forced.png');
    await writeKittiDisparity(path, disp);
    await expect(readDisparity(path, { format: 'pfm' })).rejects.toThrow(/bad PFM header/);
  });

  it('refuses an RGB image', async () => {
    const path = tmp('rgb.png');
    await writeImage(path, { data: new Uint8Array(12), width: 2, height: 2, channels: 3, bitDepth: 8 });
    await expect(readDisparity(path, { divisor: 1 })).rejects.toThrow(/must be gray/);
  });

  it('validates options', async () => {
    await expect(readDisparity(tmp('x'), { format: 'exr' as 'pfm' })).rejects.toThrow(/one of pfm, png16, png8, pgm8, npy/);
    await expect(readDisparity(tmp('x'), { divisor: -1 })).rejects.toThrow(InvalidParameterError);
  });
});
