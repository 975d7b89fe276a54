import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { DatasetError, FileFormatError } from '@stereo-sdk/core';
import { openDataset } from '@stereo-sdk/stereo';
import { disparity, H, tempRoot, W, writeImage, writePair, writePfm, writeText } from './fixtures.js';

const meta = (count: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ generator: 'stereo-sdk-synth', version: 1, count, width: W, height: H, maxDisparity: 24, seed: 7, ...extra });

async function synthTree(root: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const key = String(i).padStart(6, '0');
    await writePair(path.join(root, 'left', `${key}.png`), path.join(root, 'right', `${key}.png`), i + 1);
    await writePfm(path.join(root, 'disparity', `${key}.pfm`), disparity((x) => i + x / 8));
    const occ = Uint8Array.from({ length: W * H }, (_, j) => (j % W < 2 ? 255 : 0));
    await writeImage(path.join(root, 'occlusion', `${key}.png`), { data: occ, width: W, height: H, channels: 1, bitDepth: 8 });
  }
}

describe('synthetic reader', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('synth'));
    await synthTree(path.join(root, 'ok'), 3);
    await writeText(path.join(root, 'ok', 'meta.json'), meta(3));
  });
  afterAll(() => cleanup());

  it('reads images, dense disparity and occlusion', async () => {
    const ds = await openDataset(`synthetic:${path.join(root, 'ok')}`);
    expect(ds.name).toBe('synthetic');
    expect(ds.names).toEqual(['synthetic/000000', 'synthetic/000001', 'synthetic/000002']);
    const s = await ds.get(2);
    expect(s.disparity?.data[W + 4]).toBe(2.5);
    expect(s.valid?.data.every((v) => v === 1)).toBe(true);
    expect(Array.from(s.occlusion!.data.slice(0, 3))).toEqual([1, 1, 0]);
    expect(s.meta).toMatchObject({ dataset: 'synthetic', ndisp: 24 });
  });

  it('rejects a folder that is not a synthetic tree, naming it', async () => {
    const other = path.join(root, 'other');
    await synthTree(other, 1);
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(`${other}: not a synthetic dataset (meta.json not found)`);
    await writeText(path.join(other, 'meta.json'), meta(1, { generator: 'someone-else' }));
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(FileFormatError);
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(/meta\.json: expected "generator": "stereo-sdk-synth"/);
    await writeText(path.join(other, 'meta.json'), meta(1, { version: 2 }));
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(/unsupported version 2/);
    await writeText(path.join(other, 'meta.json'), meta(5));
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(DatasetError);
    await expect(openDataset(`synthetic:${other}`)).rejects.toThrow(/meta\.json says count 5 but left\/ holds 1 images/);
  });
});
