import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { FileFormatError } from '@stereo-sdk/core';
import { openDataset } from '@stereo-sdk/stereo';
import { disparity, H, KITTI_CAM_TO_CAM, MIDDLEBURY_CALIB, tempRoot, W, writeImage, writePair, writePfm, writeText } from './fixtures.js';

const gray = (value: (x: number) => number, bitDepth: 8 | 16) => ({
  data: bitDepth === 8 ? Uint8Array.from({ length: W * H }, (_, i) => value(i % W)) : Uint16Array.from({ length: W * H }, (_, i) => value(i % W)),
  width: W,
  height: H,
  channels: 1 as const,
  bitDepth,
});

const scenes = [
  { family: 'm2006', scene: 'a', dir: 'm2006/a', left: 'view1.png', right: 'view5.png', gt: 'disp1.png', gtFormat: 'png8', gtDivisor: 3, invalid: 'zero' },
  { family: 'm2001', scene: 'b', dir: 'm2001/b', left: 'l.ppm', right: 'r.ppm', gt: 'true.pgm', gtFormat: 'pgm8', gtDivisor: 16, invalid: 'zero' },
  { family: 'kitti', scene: 'c', dir: 'kitti/c', left: 'l.png', right: 'r.png', gt: 'gt.png', gtFormat: 'png16', gtDivisor: 256, invalid: 'zero', calib: 'Calib.txt (KITTI P_rect matrices)' },
  { family: 'eth3d', scene: 'd', dir: 'eth3d/d', left: 'im0.png', right: 'im1.png', gt: 'disp0.pfm', gtFormat: 'pfm', gtDivisor: 1, invalid: 'inf', calib: 'calib.txt (Middlebury-style)' },
  { family: 'sf', scene: 'e', dir: 'sf/e', left: 'L/0.png', right: 'R/0.png', gt: 'D/0.pfm', gtFormat: 'pfm', gtDivisor: 1, invalid: 'none' },
  { family: 'nogt', scene: 'f', dir: 'nogt/f', left: 'l.jpg', right: 'r.jpg' },
];

describe('manifest reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('manifest'));
    for (const [i, s] of scenes.entries()) await writePair(path.join(root, s.dir, s.left), path.join(root, s.dir, s.right), i + 1);
    await writeImage(path.join(root, 'm2006/a/disp1.png'), gray((x) => (x === 0 ? 0 : 3 * x), 8));
    await writeImage(path.join(root, 'm2001/b/true.pgm'), gray((x) => (x < 2 ? 0 : 16 * x + 8), 8));
    await writeImage(path.join(root, 'kitti/c/gt.png'), gray((x) => (x % 2 === 0 ? 0 : 256 * x + 64), 16));
    await writeText(path.join(root, 'kitti/c/Calib.txt'), KITTI_CAM_TO_CAM);
    await writePfm(path.join(root, 'eth3d/d/disp0.pfm'), disparity((x) => (x === 1 ? Infinity : x + 0.5)));
    await writeText(path.join(root, 'eth3d/d/calib.txt'), MIDDLEBURY_CALIB);
    await writePfm(path.join(root, 'sf/e/D/0.pfm'), disparity((x) => x / 2));
    await writeText(path.join(root, 'manifest.json'), JSON.stringify(scenes, null, 1));
  });
  afterAll(() => cleanup());

  it('lists the scenes as <family>/<scene>, from the file or its folder', async () => {
    const ds = await openDataset(`manifest:${path.join(root, 'manifest.json')}`);
    expect(ds.names).toEqual(['eth3d/d', 'kitti/c', 'm2001/b', 'm2006/a', 'nogt/f', 'sf/e']);
    expect((await openDataset(`manifest:${root}`)).names).toEqual(ds.names);
  });

  it('decodes every gtFormat with its divisor and invalid marker', async () => {
    const ds = await openDataset(`manifest:${root}`);
    const byName = async (n: string) => ds.get(ds.names.indexOf(n));
    const m2006 = await byName('m2006/a');
    expect(Array.from(m2006.disparity!.data.slice(0, 3))).toEqual([Infinity, 1, 2]);
    expect(m2006.meta).toMatchObject({ dataset: 'manifest', family: 'm2006', scene: 'a' });
    const m2001 = await byName('m2001/b');
    expect(Array.from(m2001.disparity!.data.slice(0, 3))).toEqual([Infinity, Infinity, 2.5]);
    expect(Array.from(m2001.valid!.data.slice(0, 3))).toEqual([0, 0, 1]);
    const kitti = await byName('kitti/c');
    expect(Array.from(kitti.disparity!.data.slice(0, 4))).toEqual([Infinity, 1.25, Infinity, 3.25]);
    expect(kitti.meta.calib?.focal).toBeCloseTo(721.5377, 6);
    const eth = await byName('eth3d/d');
    expect(Array.from(eth.disparity!.data.slice(0, 3))).toEqual([0.5, Infinity, 2.5]);
    expect(eth.meta.calib?.units).toBe('mm');
    expect(eth.meta.ndisp).toBe(280);
    // Dense: a disparity of 0 is a real value, not "no ground truth".
    const sf = await byName('sf/e');
    expect(sf.disparity!.data[0]).toBe(0);
    expect(sf.valid!.data.every((v) => v === 1)).toBe(true);
    const nogt = await byName('nogt/f');
    expect(nogt.disparity).toBeUndefined();
    expect(nogt.left.width).toBe(W);
  });

  it('names the manifest and the scene on malformed input', async () => {
    const bad = path.join(root, 'bad.json');
    await writeText(bad, '{ not json');
    await expect(openDataset(`manifest:${bad}`)).rejects.toThrow(FileFormatError);
    await expect(openDataset(`manifest:${bad}`)).rejects.toThrow(/bad\.json: not valid JSON/);
    await writeText(bad, JSON.stringify([{ ...scenes[0], gtFormat: 'tiff' }]));
    await expect(openDataset(`manifest:${bad}`)).rejects.toThrow(/bad\.json: scene 0: 'gtFormat' must be one of png8, pgm8, png16, pfm/);
    await writeText(bad, JSON.stringify({ scenes: [{ ...scenes[0], left: 3 }] }));
    await expect(openDataset(`manifest:${bad}`)).rejects.toThrow(/scene 0: 'left' must be a non-empty string/);
    await writeText(bad, JSON.stringify([]));
    await expect(openDataset(`manifest:${bad}`)).rejects.toThrow(/no stereo pairs found for 'manifest'/);
  });
});
