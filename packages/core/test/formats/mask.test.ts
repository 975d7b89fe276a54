import { describe, it, expect } from 'vitest';
import { readImage, readMask, writeImage, writeMask } from '@stereo-sdk/core';
import { useTmpDir } from './tmp.js';

const tmp = useTmpDir('mask');

describe('masks', () => {
  it('writes 0/255 8-bit gray and reads back 0/1', async () => {
    const path = tmp('m.png');
    await writeMask(path, { data: new Uint8Array([0, 1, 7, 0, 255, 1]), width: 3, height: 2 });
    const img = await readImage(path);
    expect([img.bitDepth, img.channels]).toEqual([8, 1]);
    expect(Array.from(img.data)).toEqual([0, 255, 255, 0, 255, 255]);
    expect(await readMask(path)).toEqual({ data: new Uint8Array([0, 1, 1, 0, 1, 1]), width: 3, height: 2 });
  });

  it('reads RGBA (any colour channel set, alpha ignored) and 16-bit gray', async () => {
    const rgba = tmp('rgba.png');
    // pixels: black opaque, blue only, transparent black, red transparent
    await writeImage(rgba, { data: new Uint8Array([0, 0, 0, 255, 0, 0, 9, 255, 0, 0, 0, 0, 5, 0, 0, 0]), width: 4, height: 1, channels: 4, bitDepth: 8 });
    expect(Array.from((await readMask(rgba)).data)).toEqual([0, 1, 0, 1]);
    const g16 = tmp('g16.png');
    await writeImage(g16, { data: new Uint16Array([0, 1, 256, 0]), width: 2, height: 2, channels: 1, bitDepth: 16 });
    expect(Array.from((await readMask(g16)).data)).toEqual([0, 1, 1, 0]);
  });

  it('refuses lossy formats and malformed masks', async () => {
    await expect(writeMask(tmp('m.jpg'), { data: new Uint8Array(1), width: 1, height: 1 })).rejects.toThrow(/\.png or \.pgm/);
    await expect(writeMask(tmp('m.png'), { data: new Uint8Array(2), width: 1, height: 1 })).rejects.toThrow(/length of 1/);
  });
});
