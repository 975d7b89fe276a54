import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { openDataset, type StereoSample } from '@stereo-sdk/stereo';
import { disparity, KITTI_CAM_TO_CAM, KITTI_P0123, tempRoot, texture, W, writeKittiDisparity, writePair, writeText } from './fixtures.js';

// disp_occ: valid except column 0; disp_noc additionally invalid on columns 1-2 (occluded).
const occ = disparity((x, y) => (x === 0 ? Infinity : 1 + x + y / 256));
const noc = disparity((x, y) => (x <= 2 ? Infinity : 1 + x + y / 256));

async function kittiTree(root: string, images: [string, string], dispDirs: [string, string], calibDir: string, calibText: string): Promise<void> {
  const t = path.join(root, 'training');
  for (const [i, key] of ['000000', '000001'].entries()) {
    for (const frame of ['10', '11']) {
      await writePair(path.join(t, images[0], `${key}_${frame}.png`), path.join(t, images[1], `${key}_${frame}.png`), 10 * i + Number(frame));
    }
    await writeKittiDisparity(path.join(t, dispDirs[0], `${key}_10.png`), occ);
    await writeKittiDisparity(path.join(t, dispDirs[1], `${key}_10.png`), noc);
    if (calibDir !== '') await writeText(path.join(t, calibDir, `${key}.txt`), calibText);
  }
}

function checkGroundTruth(s: StereoSample): void {
  const d = s.disparity!;
  expect(d.width).toBe(W);
  expect(d.data[0]).toBe(Infinity);
  expect(d.data[W + 5]).toBe(1 + 5 + 1 / 256);
  expect(Array.from(s.valid!.data.slice(0, 4))).toEqual([0, 1, 1, 1]);
  expect(Array.from(s.occlusion!.data.slice(W, W + 4))).toEqual([0, 1, 1, 0]);
  const validCount = s.valid!.data.reduce((a, v) => a + v, 0);
  expect(validCount).toBe(occ.data.filter(Number.isFinite).length);
}

describe('kitti2015 reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('kitti2015'));
    await kittiTree(root, ['image_2', 'image_3'], ['disp_occ_0', 'disp_noc_0'], 'calib_cam_to_cam', KITTI_CAM_TO_CAM);
  });
  afterAll(() => cleanup());

  it('indexes the *_10 frames of training/image_2 + image_3', async () => {
    const ds = await openDataset(`kitti2015:${root}`);
    expect(ds.names).toEqual(['kitti2015/000000_10', 'kitti2015/000001_10']);
    // The root may also be the training folder itself.
    expect((await openDataset(`kitti2015:${path.join(root, 'training')}`)).names).toEqual(ds.names);
  });

  it('reads images, disp_occ_0 disparity, valid and occlusion masks, calibration', async () => {
    const s = await (await openDataset(`kitti2015:${root}`)).get(1);
    expect(Array.from(s.left.data)).toEqual(Array.from(texture(20).data));
    checkGroundTruth(s);
    expect(s.meta.dataset).toBe('kitti2015');
    expect(s.meta.calib?.focal).toBeCloseTo(721.5377, 6);
    expect(s.meta.calib?.baseline).toBeCloseTo(0.5327, 4);
    expect(s.meta.calib?.units).toBe('m');
  });

  it('accepts one Calib.txt with P2/P3 lines instead of calib_cam_to_cam/', async () => {
    const { root: r2, cleanup: c2 } = await tempRoot('kitti2015-single');
    try {
      await kittiTree(r2, ['image_2', 'image_3'], ['disp_occ_0', 'disp_noc_0'], '', '');
      await writeText(path.join(r2, 'Calib.txt'), KITTI_P0123);
      const s = await (await openDataset(`kitti2015:${r2}`)).get(0);
      expect(s.meta.calib?.focal).toBeCloseTo(707.0912, 6);
      expect(s.meta.calib?.baseline).toBeCloseTo((46.88783 + 333.4597) / 707.0912, 9);
    } finally {
      await c2();
    }
  });
});

describe('kitti2012 reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('kitti2012'));
    await kittiTree(root, ['colored_0', 'colored_1'], ['disp_occ', 'disp_noc'], 'calib', KITTI_P0123);
  });
  afterAll(() => cleanup());

  it('indexes colored_0 + colored_1 and reads disp_occ / disp_noc and calib/', async () => {
    const ds = await openDataset(`kitti2012:${root}`);
    expect(ds.names).toEqual(['kitti2012/000000_10', 'kitti2012/000001_10']);
    const s = await ds.get(0);
    expect(Array.from(s.right.data.slice(0, 6))).not.toEqual(Array.from(s.left.data.slice(0, 6)));
    checkGroundTruth(s);
    expect(s.meta.calib?.baseline).toBeCloseTo((46.88783 + 333.4597) / 707.0912, 9);
  });

  it('is lazy: files are read on get(), so a file removed after open fails there, naming it', async () => {
    const ds = await openDataset(`kitti2012:${root}`);
    const { rm } = await import('node:fs/promises');
    const gone = path.join(root, 'training', 'disp_occ', '000001_10.png');
    await rm(gone);
    await expect(ds.get(1)).rejects.toThrow(gone);
    await expect(ds.get(0)).resolves.toBeDefined();
  });
});
