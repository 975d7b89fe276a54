import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, InvalidParameterError } from '@stereo-sdk/core';
import { DATASET_SCHEMES, openDataset, parseDatasetSpec } from '@stereo-sdk/stereo';
import { tempRoot, writePair, writeText } from './fixtures.js';

describe('parseDatasetSpec', () => {
  it('splits scheme, path and ?key=value options', () => {
    expect(parseDatasetSpec('kitti2015:/data/kitti')).toEqual({ scheme: 'kitti2015', path: '/data/kitti', params: {} });
    expect(parseDatasetSpec('sceneflow:/d/SF?pass=finalpass&part=TEST&valFraction=0.25')).toEqual({
      scheme: 'sceneflow',
      path: '/d/SF',
      params: { pass: 'finalpass', part: 'TEST', valFraction: 0.25 },
    });
    expect(parseDatasetSpec('pairs:C:\\data\\rig').path).toBe('C:\\data\\rig');
    expect(parseDatasetSpec('pairs:/odd?name').path).toBe('/odd?name');
    expect(DATASET_SCHEMES).toEqual(['sceneflow', 'kitti2012', 'kitti2015', 'middlebury', 'eth3d', 'manifest', 'pairs', 'synthetic']);
  });

  it('rejects unknown schemes, missing schemes, empty paths and unknown options', () => {
    expect(() => parseDatasetSpec('kitti2016:/x')).toThrow(DatasetError);
    expect(() => parseDatasetSpec('kitti2016:/x')).toThrow(/Unknown dataset scheme 'kitti2016' in 'kitti2016:\/x'; expected .*kitti2015/);
    expect(() => parseDatasetSpec('/data/kitti')).toThrow(/has no scheme/);
    expect(() => parseDatasetSpec('C:\\data')).toThrow(/has no scheme/);
    expect(() => parseDatasetSpec('eth3d:')).toThrow(/empty path/);
    expect(() => parseDatasetSpec('eth3d:/x?colour=red')).toThrow(/Unknown option 'colour'/);
    expect(() => parseDatasetSpec('' as string)).toThrow(InvalidParameterError);
  });
});

describe('openDataset errors', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ root, cleanup } = await tempRoot('spec'));
    await mkdir(path.join(root, 'empty'));
    await writePair(path.join(root, 'rig', 'left', 'a.png'), path.join(root, 'rig', 'right', 'a.png'), 1);
    await writePair(path.join(root, 'rig', 'left', 'b.png'), path.join(root, 'rig', 'right', 'b.png'), 2);
    await writeText(path.join(root, 'file.txt'), 'x');
  });
  afterAll(() => cleanup());

  it('unknown scheme', async () => {
    await expect(openDataset(`kitti2099:${root}`)).rejects.toThrow(/Unknown dataset scheme 'kitti2099'/);
  });

  it('missing folder, naming the path', async () => {
    const missing = path.join(root, 'nope');
    await expect(openDataset(`kitti2015:${missing}`)).rejects.toThrow(DatasetError);
    await expect(openDataset(`kitti2015:${missing}`)).rejects.toThrow(`${missing}: dataset folder not found`);
    await expect(openDataset(`pairs:${path.join(root, 'file.txt')}`)).rejects.toThrow(/file\.txt: dataset is not a folder/);
    await expect(openDataset(`manifest:${path.join(root, 'm.json')}`)).rejects.toThrow(/m\.json: dataset file not found/);
  });

  it('empty dataset, naming the path and the expected layout', async () => {
    for (const scheme of ['kitti2015', 'kitti2012', 'sceneflow', 'middlebury', 'eth3d', 'pairs']) {
      await expect(openDataset(`${scheme}:${path.join(root, 'empty')}`)).rejects.toThrow(
        new RegExp(`empty: no stereo pairs found for '${scheme}' \\(expected .+\\)`),
      );
    }
  });

  it('bad options, from the spec or the options object', async () => {
    await expect(openDataset(`pairs:${root}/rig?split=test`)).rejects.toThrow(/Expected one of train, val, all for split/);
    await expect(openDataset(`pairs:${root}/rig`, { valFraction: 2 })).rejects.toThrow(InvalidParameterError);
    await expect(openDataset(`middlebury:${root}/rig`, { divisor: 0 })).rejects.toThrow(/positive number for divisor/);
  });

  it('applies the split; options override the spec', async () => {
    const all = await openDataset(`pairs:${root}/rig`);
    expect(all.names).toEqual(['pairs/a', 'pairs/b']);
    const train = await openDataset(`pairs:${root}/rig?split=train&valFraction=1`);
    expect(train.length).toBe(0);
    const overridden = await openDataset(`pairs:${root}/rig?split=train&valFraction=1`, { valFraction: 0 });
    expect(overridden.names).toEqual(['pairs/a', 'pairs/b']);
    const val = await openDataset(`pairs:${root}/rig`, { split: 'val', valFraction: 1 });
    expect(val.names).toEqual(['pairs/a', 'pairs/b']);
  });
});
