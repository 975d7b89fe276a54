import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { openDataset } from '@stereo-sdk/stereo';
import { disparity, H, shifted, tempRoot, texture, W, writePair, writePfm } from './fixtures.js';

/** Writes one SceneFlow frame: both passes of the images, and the left disparity (value = seed). */
async function frame(framesParent: string, dispRoot: string, rel: string, key: string, seed: number, prefix = ''): Promise<void> {
  for (const [pass, offset] of [['cleanpass', 0], ['finalpass', 1000]] as const) {
    const seq = path.join(framesParent, `${prefix}frames_${pass}`, ...(prefix ? [`frames_${pass}`] : []), rel);
    await writePair(path.join(seq, 'left', `${key}.png`), path.join(seq, 'right', `${key}.png`), seed + offset);
  }
  await writePfm(path.join(dispRoot, rel, 'left', `${key}.pfm`), disparity((x) => seed + x / 4));
}

describe('sceneflow reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('sceneflow'));
    const ft = path.join(root, 'FlyingThings3D');
    await frame(ft, path.join(ft, 'disparity'), 'TRAIN/A/0000', '0006', 1);
    await frame(ft, path.join(ft, 'disparity'), 'TRAIN/A/0000', '0007', 2);
    await frame(ft, path.join(ft, 'disparity'), 'TEST/B/0150', '0010', 3);
    const dr = path.join(root, 'Driving');
    await frame(dr, path.join(dr, 'disparity'), '15mm_focallength/scene_forwards/fast', '0001', 4);
    await frame(dr, path.join(dr, 'disparity'), '35mm_focallength/scene_backwards/slow', '0002', 5);
    // Monkaa as extracted from the archives: monkaa__frames_cleanpass/frames_cleanpass, monkaa__disparity/disparity.
    await frame(root, path.join(root, 'monkaa__disparity', 'disparity'), 'a_rain_of_stones_x2', '0000', 6, 'monkaa__');
  });
  afterAll(() => cleanup());

  it('indexes FlyingThings3D TRAIN + Driving + Monkaa by default', async () => {
    const ds = await openDataset(`sceneflow:${root}`);
    expect(ds.name).toBe('sceneflow');
    expect(ds.root).toBe(root);
    expect(ds.names).toEqual([
      'driving/15mm_focallength/scene_forwards/fast/0001',
      'driving/35mm_focallength/scene_backwards/slow/0002',
      'flyingthings3d/TRAIN/A/0000/0006',
      'flyingthings3d/TRAIN/A/0000/0007',
      'monkaa/a_rain_of_stones_x2/0000',
    ]);
  });

  it('selects FlyingThings3D TEST, or everything', async () => {
    expect((await openDataset(`sceneflow:${root}?part=TEST`)).names).toEqual(['flyingthings3d/TEST/B/0150/0010']);
    expect((await openDataset(`sceneflow:${root}`, { part: 'all' })).length).toBe(6);
  });

  it('reads images, dense PFM disparity and the rendering calibration', async () => {
    const ds = await openDataset(`sceneflow:${root}`, { part: 'all' });
    for await (const s of ds) {
      const seed = { 'driving/15mm_focallength/scene_forwards/fast/0001': 4, 'monkaa/a_rain_of_stones_x2/0000': 6 }[s.name];
      expect(s.left.width).toBe(W);
      expect(s.right.height).toBe(H);
      expect(s.disparity?.width).toBe(W);
      expect(s.valid?.data.every((v) => v === 1)).toBe(true);
      expect(s.meta.dataset).toBe('sceneflow');
      expect(s.meta.pass).toBe('cleanpass');
      if (seed !== undefined) expect(s.disparity?.data[3]).toBeCloseTo(seed + 0.75, 6);
    }
    const driving15 = await ds.get(0);
    expect(driving15.meta.family).toBe('driving');
    expect(driving15.meta.calib?.focal).toBe(450);
    expect((await ds.get(1)).meta.calib?.focal).toBe(1050);
    const ft = await ds.get(2);
    expect(ft.name).toBe('flyingthings3d/TEST/B/0150/0010');
    expect(ft.disparity?.data[W * H - 1]).toBeCloseTo(3 + (W - 1) / 4, 6);
  });

  it('switches between cleanpass and finalpass', async () => {
    const clean = await (await openDataset(`sceneflow:${root}`)).get(0);
    const final = await (await openDataset(`sceneflow:${root}`, { pass: 'finalpass' })).get(0);
    expect(final.name).toBe(clean.name);
    expect(Array.from(clean.left.data)).toEqual(Array.from(texture(4).data));
    expect(Array.from(clean.right.data)).toEqual(Array.from(shifted(texture(4), 2).data));
    expect(Array.from(final.left.data)).toEqual(Array.from(texture(1004).data));
    expect(Buffer.compare(Buffer.from(final.left.data), Buffer.from(clean.left.data))).not.toBe(0);
    expect(final.meta.pass).toBe('finalpass');
    expect(Array.from(final.disparity!.data)).toEqual(Array.from(clean.disparity!.data));
  });

  it('reads the WebP edition (frames_cleanpass_webp)', async () => {
    const { root: r2, cleanup: c2 } = await tempRoot('sceneflow-webp');
    try {
      const seq = path.join(r2, 'FlyingThings3D', 'frames_cleanpass_webp', 'TRAIN', 'A', '0001');
      await writePair(path.join(seq, 'left', '0006.webp'), path.join(seq, 'right', '0006.webp'), 9);
      await writePfm(path.join(r2, 'FlyingThings3D', 'disparity', 'TRAIN', 'A', '0001', 'left', '0006.pfm'), disparity(() => 7));
      const ds = await openDataset(`sceneflow:${r2}`);
      expect(ds.names).toEqual(['flyingthings3d/TRAIN/A/0001/0006']);
      expect((await ds.get(0)).disparity?.data[5]).toBe(7);
    } finally {
      await c2();
    }
  });
});
