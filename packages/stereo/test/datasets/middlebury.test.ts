import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { openDataset } from '@stereo-sdk/stereo';
import { disparity, H, MIDDLEBURY_CALIB, tempRoot, W, writeImage, writePair, writePfm, writeText } from './fixtures.js';

// 255 = visible in both views, 128 = occluded (MiddEval3), 0 = no ground truth.
const noccMask = (x: number): number => (x === 0 ? 0 : x < 3 ? 128 : 255);
const gt = disparity((x, y) => (x === 0 ? Infinity : 2 + x / 2 + y / 8));

async function im01Scene(dir: string, seed: number, gtDir = dir, gtName = 'disp0GT.pfm'): Promise<void> {
  await writePair(path.join(dir, 'im0.png'), path.join(dir, 'im1.png'), seed);
  await writePfm(path.join(gtDir, gtName), gt);
  const mask = Uint8Array.from({ length: W * H }, (_, i) => noccMask(i % W));
  await writeImage(path.join(gtDir, 'mask0nocc.png'), { data: mask, width: W, height: H, channels: 1, bitDepth: 8 });
  await writeText(path.join(dir, 'calib.txt'), MIDDLEBURY_CALIB);
}

describe('middlebury reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('middlebury'));
    await im01Scene(path.join(root, 'MiddEval3', 'trainingQ', 'Adirondack'), 1);
    await im01Scene(path.join(root, '2021', 'artroom1'), 2, undefined, 'disp0.pfm');
    // 2006 third size: disp1.png holds 3 × disparity, 0 = unknown.
    const aloe = path.join(root, '2006', 'Aloe');
    await writePair(path.join(aloe, 'view1.png'), path.join(aloe, 'view5.png'), 3);
    const raw = Uint8Array.from({ length: W * H }, (_, i) => (i % W === 0 ? 0 : 30 + (i % W)));
    await writeImage(path.join(aloe, 'disp1.png'), { data: raw, width: W, height: H, channels: 1, bitDepth: 8 });
  });
  afterAll(() => cleanup());

  it('finds 2014/2021 and 2005/2006 scene folders at any depth', async () => {
    const ds = await openDataset(`middlebury:${root}`);
    expect(ds.names).toEqual(['middlebury/2006/Aloe', 'middlebury/2021/artroom1', 'middlebury/MiddEval3/trainingQ/Adirondack']);
    // A scene folder itself is a dataset of one.
    expect((await openDataset(`middlebury:${path.join(root, '2006', 'Aloe')}`)).names).toEqual(['middlebury/Aloe']);
  });

  it('reads PFM ground truth, mask0nocc occlusion and calib.txt', async () => {
    const ds = await openDataset(`middlebury:${root}`);
    for (const i of [1, 2]) {
      const s = await ds.get(i);
      expect(s.disparity?.data[0]).toBe(Infinity);
      expect(s.disparity?.data[W + 4]).toBeCloseTo(2 + 2 + 1 / 8, 6);
      expect(Array.from(s.valid!.data.slice(0, 4))).toEqual([0, 1, 1, 1]);
      expect(Array.from(s.occlusion!.data.slice(0, 4))).toEqual([0, 1, 1, 0]);
      expect(s.meta.calib).toEqual({ focal: 3997.684, baseline: 193.001, doffs: 131.111, cx: 1176.728, cy: 1011.728, units: 'mm' });
      expect(s.meta.ndisp).toBe(280);
    }
  });

  it('divides 2005/2006 ground truth by the divisor (default 3)', async () => {
    const third = await (await openDataset(`middlebury:${root}`)).get(0);
    expect(third.disparity?.data[0]).toBe(Infinity);
    expect(third.disparity?.data[5]).toBeCloseTo(35 / 3, 5);
    expect(third.valid?.data[0]).toBe(0);
    expect(third.occlusion).toBeUndefined();
    const half = await (await openDataset(`middlebury:${root}?divisor=2`)).get(0);
    expect(half.disparity?.data[5]).toBe(17.5);
  });
});

describe('eth3d reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('eth3d'));
    // Published layout: images and calib in two_view_training, GT in two_view_training_gt.
    await im01Scene(path.join(root, 'two_view_training', 'delivery_area_1l'), 4, path.join(root, 'two_view_training_gt', 'delivery_area_1l'));
    await im01Scene(path.join(root, 'two_view_training', 'electro_1s'), 5);
    await writePair(path.join(root, 'two_view_test', 'lakeside_1l', 'im0.png'), path.join(root, 'two_view_test', 'lakeside_1l', 'im1.png'), 6);
  });
  afterAll(() => cleanup());

  it('pairs image folders with their ground truth, beside them or in the *_gt tree', async () => {
    const ds = await openDataset(`eth3d:${root}`);
    expect(ds.names).toEqual([
      'eth3d/two_view_test/lakeside_1l',
      'eth3d/two_view_training/delivery_area_1l',
      'eth3d/two_view_training/electro_1s',
    ]);
    const test = await ds.get(0);
    expect(test.disparity).toBeUndefined();
    for (const i of [1, 2]) {
      const s = await ds.get(i);
      expect(s.meta.dataset).toBe('eth3d');
      expect(s.disparity?.data[W + 4]).toBeCloseTo(4.125, 6);
      expect(Array.from(s.occlusion!.data.slice(0, 4))).toEqual([0, 1, 1, 0]);
      expect(s.meta.calib?.baseline).toBe(193.001);
    }
    const fromTraining = await openDataset(`eth3d:${path.join(root, 'two_view_training')}`);
    expect(fromTraining.names).toEqual(['eth3d/delivery_area_1l', 'eth3d/electro_1s']);
    expect((await fromTraining.get(0)).disparity).toBeDefined();
  });
});
