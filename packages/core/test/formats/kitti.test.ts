import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { FileFormatError, readImage, readKittiDisparity, writeImage, writeKittiDisparity } from '@stereo-sdk/core';
import { rng, useTmpDir } from './tmp.js';

const tmp = useTmpDir('kitti');

describe('KITTI 16-bit disparity PNG', () => {
  it('round-trips random uint16 values exactly (0 = invalid)', async () => {
    const r = rng(2015);
    const width = 61;
    const height = 23;
    const raw = new Uint16Array(width * height).map(() => Math.floor(r() * 65536));
    raw[0] = 0;
    raw[1] = 1;
    raw[2] = 65535;
    const disp = new Float32Array(raw.length).map((_, i) => (raw[i] === 0 ? Infinity : raw[i] / 256));

    const path = tmp('rt.png');
    await writeKittiDisparity(path, { data: disp, width, height });

    // The file itself holds exactly the raw values (checked with an independent decoder).
    const png = PNG.sync.read(readFileSync(path), { skipRescale: true });
    expect([png.width, png.height, png.depth]).toEqual([width, height, 16]);
    const stored = Array.from({ length: raw.length }, (_, i) => (png.data as unknown as Uint16Array)[i * 4]);
    expect(stored).toEqual(Array.from(raw));

    const back = await readKittiDisparity(path);
    expect([back.width, back.height]).toEqual([width, height]);
    expect(Array.from(back.data)).toEqual(Array.from(disp));
    expect(back.data[0]).toBe(Infinity);
    expect(back.data[1]).toBe(1 / 256);
  });

  it('writes non-finite as 0 and clamps valid values into [1, 65535] raw', async () => {
    const path = tmp('clamp.png');
    await writeKittiDisparity(path, { data: new Float32Array([NaN, -Infinity, 0, -3, 1000, 1.001]), width: 6, height: 1 });
    const img = await readImage(path);
    expect(Array.from(img.data)).toEqual([0, 0, 1, 1, 65535, 256]);
  });

  it('refuses an 8-bit PNG', async () => {
    const path = tmp('eight.png');
    await writeImage(path, { data: new Uint8Array(4), width: 2, height: 2, channels: 1, bitDepth: 8 });
    await expect(readKittiDisparity(path)).rejects.toThrow(FileFormatError);
    await expect(readKittiDisparity(path)).rejects.toThrow(/16-bit PNG, found 8-bit/);
  });

  it('refuses a 16-bit RGB PNG', async () => {
    const path = tmp('rgb16.png');
    await writeImage(path, { data: new Uint16Array(12), width: 2, height: 2, channels: 3, bitDepth: 16 });
    await expect(readKittiDisparity(path)).rejects.toThrow(/must be gray \(1 channel\), found 3/);
  });
});
