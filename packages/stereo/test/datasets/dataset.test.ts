import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { DatasetError, InvalidParameterError } from '@stereo-sdk/core';
import { openDataset } from '@stereo-sdk/stereo';
import { disparity, tempRoot, texture, writeImage, writePair, writePfm } from './fixtures.js';

describe('StereoDataset behaviour', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('dataset'));
    await writePair(path.join(root, 'ok', 'left', 'a.png'), path.join(root, 'ok', 'right', 'a.png'), 1);
    await writePair(path.join(root, 'ok', 'left', 'b.png'), path.join(root, 'ok', 'right', 'b.png'), 2);
    await writeImage(path.join(root, 'sizes', 'left', 'a.png'), texture(3, 16, 8));
    await writeImage(path.join(root, 'sizes', 'right', 'a.png'), texture(4, 15, 8));
    await writePair(path.join(root, 'gt', 'scene', 'im0.png'), path.join(root, 'gt', 'scene', 'im1.png'), 5);
    await writePfm(path.join(root, 'gt', 'scene', 'disp0GT.pfm'), disparity(() => 1, 12, 8));
  });
  afterAll(() => cleanup());

  it('iterates in name order and checks the index of get()', async () => {
    const ds = await openDataset(`pairs:${path.join(root, 'ok')}`);
    const seen: string[] = [];
    for await (const s of ds) seen.push(s.name);
    expect(seen).toEqual(['pairs/a', 'pairs/b']);
    expect(Object.isFrozen(ds.names)).toBe(true);
    expect(() => ds.get(2)).toThrow(InvalidParameterError);
    expect(() => ds.get(0.5)).toThrow(/Expected an integer in \[0, 1\] for index/);
  });

  it('reports a left/right size mismatch on get(), naming both files', async () => {
    const ds = await openDataset(`pairs:${path.join(root, 'sizes')}`);
    const err = await ds.get(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toContain(path.join(root, 'sizes', 'left', 'a.png'));
    expect((err as Error).message).toContain(path.join(root, 'sizes', 'right', 'a.png'));
    expect((err as Error).message).toMatch(/left and right images differ in size: .* is 16×8, .* is 15×8/);
  });

  it('reports ground truth of another size than the images, naming the file', async () => {
    const ds = await openDataset(`middlebury:${path.join(root, 'gt')}`);
    await expect(ds.get(0)).rejects.toThrow(DatasetError);
    await expect(ds.get(0)).rejects.toThrow(/disparity from .*disp0GT\.pfm is 12×8 but the left image .*im0\.png is 16×8/);
  });
});
