import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { openDataset } from '@stereo-sdk/stereo';
import { tempRoot, texture, writePair } from './fixtures.js';

describe('pairs reader (unlabeled folders)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('pairs'));
    const p = (...parts: string[]) => path.join(root, ...parts);
    await writePair(p('rig', 'Left', '0001.png'), p('rig', 'Right', '0001.png'), 1);
    await writePair(p('rig', 'Left', '0002.jpg'), p('rig', 'Right', '0002.jpg'), 2);
    await writePair(p('rig', 'Left', 'lonely.png'), p('rig', 'notes', 'x.png'), 3); // no right match: skipped
    await writePair(p('kitti_like', 'image_2', '000000_10.png'), p('kitti_like', 'image_3', '000000_10.png'), 4);
    await writePair(p('suffix', 'scene_left.png'), p('suffix', 'scene_right.png'), 5);
    await writePair(p('suffix', 'drive-7-left.webp'), p('suffix', 'drive-7-right.webp'), 6);
    await writePair(p('LR', 'cam_L.ppm'), p('LR', 'cam_R.ppm'), 7);
    await writePair(p('scenes', 'desk', 'im0.png'), p('scenes', 'desk', 'im1.png'), 8);
    await writePair(p('prefix', 'left003.png'), p('prefix', 'right003.png'), 9);
    await writePair(p('prefix', 'left_004.png'), p('prefix', 'right_004.png'), 10);
  });
  afterAll(() => cleanup());

  it('recognises every naming pattern, with no disparity', async () => {
    const ds = await openDataset(`pairs:${root}`);
    expect(ds.names).toEqual([
      'pairs/LR/cam',
      'pairs/kitti_like/000000_10',
      'pairs/prefix/003',
      'pairs/prefix/004',
      'pairs/rig/0001',
      'pairs/rig/0002',
      'pairs/scenes/desk',
      'pairs/suffix/drive-7',
      'pairs/suffix/scene',
    ]);
    for await (const s of ds) {
      expect(s.disparity).toBeUndefined();
      expect(s.valid).toBeUndefined();
      expect(s.meta.dataset).toBe('pairs');
    }
    const lr = await ds.get(0);
    expect(Array.from(lr.left.data)).toEqual(Array.from(texture(7).data));
  });

  it('opens a single pattern folder', async () => {
    expect((await openDataset(`pairs:${path.join(root, 'rig')}`)).names).toEqual(['pairs/0001', 'pairs/0002']);
    expect((await openDataset(`pairs:${path.join(root, 'scenes', 'desk')}`)).names).toEqual(['pairs/desk']);
  });
});
