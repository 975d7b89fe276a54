import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDisparity, readImage, readKittiDisparity, readPfm, readScaledDisparity, toPlanarFloat, type DisparityMap } from '@stereo-sdk/core';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const real = resolve(repoRoot, '../shared/datasets/real');

interface Scene {
  family: string;
  scene: string;
  dir: string;
  left: string;
  gt: string;
  gtFormat: 'png8' | 'pgm8' | 'png16' | 'pfm';
  gtDivisor: number;
  invalid: 'zero' | 'inf' | 'none';
}

function validFraction(d: DisparityMap): number {
  let n = 0;
  for (const v of d.data) if (Number.isFinite(v)) n++;
  return n / d.data.length;
}

describe.skipIf(!existsSync(real))('real dataset files', () => {
  it('tsukuba: P6 PPM image and P5 PGM ground truth (/16, invalid border)', async () => {
    const dir = join(real, 'middlebury2001/tsukuba');
    const img = await readImage(join(dir, 'scene1.row3.col3.ppm'));
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([384, 288, 3, 8]);
    const gt = await readScaledDisparity(join(dir, 'truedisp.row3.col3.pgm'), 16);
    expect([gt.width, gt.height]).toEqual([384, 288]);
    expect(gt.data[0]).toBe(Infinity);
    const centre = gt.data[144 * 384 + 192];
    expect(centre).toBeGreaterThan(0);
    expect(centre).toBeLessThan(16);
  });

  it('KITTI 2015: 16-bit PNG ground truth (/256, sparse)', async () => {
    const dir = join(real, 'kitti2015/000005_10');
    const raw = await readImage(join(dir, 'gt_disparity.png'));
    expect([raw.width, raw.height, raw.channels, raw.bitDepth]).toEqual([1242, 375, 1, 16]);
    const gt = await readKittiDisparity(join(dir, 'gt_disparity.png'));
    expect([gt.width, gt.height]).toEqual([1242, 375]);
    const frac = validFraction(gt);
    expect(frac).toBeGreaterThan(0.1);
    expect(frac).toBeLessThan(0.5);
    // Some raw value above 255 proves the 16-bit samples were not squeezed to 8 bits.
    let maxRaw = 0;
    for (const v of raw.data) maxRaw = Math.max(maxRaw, v);
    expect(maxRaw).toBeGreaterThan(255);
    const left = toPlanarFloat(await readImage(join(dir, 'stereo_left.png')));
    expect([left.channels, left.width, left.height]).toEqual([3, 1242, 375]);
  });

  it('ETH3D: little-endian Pf PFM with inf for invalid', async () => {
    const dir = join(real, 'eth3d/playground');
    const pfm = await readPfm(join(dir, 'disp0.pfm'));
    expect([pfm.width, pfm.height, pfm.channels]).toEqual([941, 490, 1]);
    const gt = await readDisparity(join(dir, 'disp0.pfm'));
    const frac = validFraction(gt);
    expect(frac).toBeGreaterThan(0.3);
    expect(frac).toBeLessThan(1);
    let implausible = 0;
    for (const v of gt.data) if (Number.isFinite(v) && !(v > 0 && v < 300)) implausible++;
    expect(implausible).toBe(0);
  });

  const manifestPath = join(real, 'manifest.json');
  const scenes: Scene[] = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : [];

  it.each(scenes.map((s) => [`${s.family}/${s.scene}`, s] as const))('%s: left image and ground truth agree in size', async (_name, s) => {
    const left = await readImage(join(real, s.dir, s.left));
    const gt = await readDisparity(join(real, s.dir, s.gt), { divisor: s.gtDivisor });
    expect([gt.width, gt.height]).toEqual([left.width, left.height]);
    const frac = validFraction(gt);
    expect(frac).toBeGreaterThan(s.invalid === 'none' ? 0.999 : 0.05);
  });
});
