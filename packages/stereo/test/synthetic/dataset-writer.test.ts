import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError, InvalidParameterError, readImage, readMask, readPfm } from '@stereo-sdk/core';
import { generateSyntheticPair, openDataset, sampleSeed, writeSyntheticDataset } from '@stereo-sdk/stereo';

const OPTS = { count: 3, width: 96, height: 48, maxDisparity: 16, seed: 5 };
const FILES = ['left/000000.png', 'right/000000.png', 'disparity/000000.pfm', 'occlusion/000000.png'];

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'synth-writer-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** Every file of a tree (relative path → bytes). */
async function snapshot(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const dir of ['left', 'right', 'disparity', 'occlusion']) {
    for (const f of (await fsp.readdir(path.join(root, dir))).sort()) out.set(`${dir}/${f}`, await fsp.readFile(path.join(root, dir, f)));
  }
  out.set('meta.json', await fsp.readFile(path.join(root, 'meta.json')));
  return out;
}

describe('writeSyntheticDataset', () => {
  it('writes the agreed tree, and its files decode to the in-memory pair', async () => {
    const root = path.join(tmp, 'a');
    const progress: number[] = [];
    const res = await writeSyntheticDataset(root, { ...OPTS, onProgress: (done, total) => progress.push(done, total) });
    expect(res).toMatchObject({ count: 3, written: 3, skipped: 0 });
    expect(progress).toEqual([1, 3, 2, 3, 3, 3]);
    expect(JSON.parse(await fsp.readFile(path.join(root, 'meta.json'), 'utf8'))).toEqual({
      generator: 'stereo-sdk-synth',
      version: 1,
      count: 3,
      width: 96,
      height: 48,
      maxDisparity: 16,
      seed: 5,
    });
    for (const dir of ['left', 'right', 'occlusion']) expect((await fsp.readdir(path.join(root, dir))).sort()).toEqual(['000000.png', '000001.png', '000002.png']);
    expect((await fsp.readdir(path.join(root, 'disparity'))).sort()).toEqual(['000000.pfm', '000001.pfm', '000002.pfm']);

    const pair = generateSyntheticPair({ width: 96, height: 48, maxDisparity: 16 }, sampleSeed(5, 2));
    const left = await readImage(path.join(root, 'left/000002.png'));
    expect(left).toMatchObject({ width: 96, height: 48, channels: 3, bitDepth: 8 });
    expect(Buffer.from(left.data).equals(Buffer.from(pair.left.data))).toBe(true);
    const right = await readImage(path.join(root, 'right/000002.png'));
    expect(Buffer.from(right.data).equals(Buffer.from(pair.right.data))).toBe(true);
    const disp = await readPfm(path.join(root, 'disparity/000002.pfm'));
    expect(disp).toMatchObject({ width: 96, height: 48, channels: 1 });
    expect(Buffer.from(disp.data.buffer).equals(Buffer.from(pair.disparity.data.buffer))).toBe(true);
    const occ = await readMask(path.join(root, 'occlusion/000002.png'));
    expect(Buffer.from(occ.data).equals(Buffer.from(pair.occlusion.data))).toBe(true);
  });

  it('is read back by the synthetic: dataset spec', async () => {
    const root = path.join(tmp, 'a');
    const ds = await openDataset(`synthetic:${root}`);
    expect(ds.length).toBe(3);
    const s = await ds.get(1);
    const pair = generateSyntheticPair({ width: 96, height: 48, maxDisparity: 16 }, sampleSeed(5, 1));
    expect(Buffer.from(s.disparity!.data.buffer).equals(Buffer.from(pair.disparity.data.buffer))).toBe(true);
    expect(s.occlusion && Buffer.from(s.occlusion.data).equals(Buffer.from(pair.occlusion.data))).toBe(true);
  });

  it('same seed gives byte-identical files; another seed gives different ones', async () => {
    await writeSyntheticDataset(path.join(tmp, 'b'), OPTS);
    await writeSyntheticDataset(path.join(tmp, 'c'), { ...OPTS, seed: 6 });
    const a = await snapshot(path.join(tmp, 'a'));
    const b = await snapshot(path.join(tmp, 'b'));
    const c = await snapshot(path.join(tmp, 'c'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
    for (const f of FILES) expect(a.get(f)!.equals(c.get(f)!), f).toBe(false);
  });

  it('resumes: completes missing samples, skips complete ones, clears stale temp files', async () => {
    const root = path.join(tmp, 'b');
    const before = await snapshot(root);
    await fsp.rm(path.join(root, 'right/000001.png'));
    await fsp.rm(path.join(root, 'disparity/000002.pfm'));
    await fsp.rm(path.join(root, 'meta.json'));
    await fsp.writeFile(path.join(root, 'left/.000001.png.tmp-1-abcd'), 'partial');
    const res = await writeSyntheticDataset(root, OPTS);
    expect(res).toMatchObject({ written: 2, skipped: 1 });
    const after = await snapshot(root);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(v.equals(after.get(k)!), k).toBe(true);
    const again = await writeSyntheticDataset(root, OPTS);
    expect(again).toMatchObject({ written: 0, skipped: 3 });
  });

  it('extends a tree to a larger count', async () => {
    const root = path.join(tmp, 'b');
    const res = await writeSyntheticDataset(root, { ...OPTS, count: 4 });
    expect(res).toMatchObject({ written: 1, skipped: 3 });
    expect(JSON.parse(await fsp.readFile(path.join(root, 'meta.json'), 'utf8')).count).toBe(4);
  });

  it('refuses to mix settings in one tree', async () => {
    const root = path.join(tmp, 'a');
    await expect(writeSyntheticDataset(root, { ...OPTS, seed: 6 })).rejects.toThrow(/meta\.json: existing dataset has seed 5 but this run asks for 6/);
    await expect(writeSyntheticDataset(root, { ...OPTS, width: 128 })).rejects.toThrow(DatasetError);
    await expect(writeSyntheticDataset(root, { ...OPTS, count: 2 })).rejects.toThrow(/holds 3 samples/);
    // Without meta.json (an interrupted first run) the first complete sample is regenerated and compared.
    await fsp.rm(path.join(root, 'meta.json'));
    await expect(writeSyntheticDataset(root, { ...OPTS, seed: 6 })).rejects.toThrow(/000000\.pfm: existing sample differs/);
    await expect(writeSyntheticDataset(root, { ...OPTS, count: 2 })).rejects.toThrow(/holds sample '000002'/);
  });

  it('rejects bad options', async () => {
    const root = path.join(tmp, 'bad');
    await expect(writeSyntheticDataset(root, { count: 0 })).rejects.toThrow(InvalidParameterError);
    await expect(writeSyntheticDataset(root, { count: 2, seed: -3 })).rejects.toThrow(/seed/);
    await expect(writeSyntheticDataset(root, { count: 2, width: 40, maxDisparity: 96 })).rejects.toThrow(/maxDisparity/);
    await expect(writeSyntheticDataset('', { count: 2 })).rejects.toThrow(/root/);
  });
});
