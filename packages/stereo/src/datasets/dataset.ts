/**
 * The lazy dataset every reader returns: an index of file paths built at open; images and ground
 * truth are read, and their sizes cross-checked, on `get()`.
 */
import { DatasetError, readImage, is } from '@stereo-sdk/core';
import type { SampleEntry } from './entry.js';
import type { StereoDataset, StereoSample } from './sample.js';

interface Sized {
  width: number;
  height: number;
}

const size = (s: Sized): string => `${s.width}×${s.height}`;

/** Builds a dataset over `entries` (already sorted and split). */
export function createDataset(name: string, root: string, entries: readonly SampleEntry[]): StereoDataset {
  const names = Object.freeze(entries.map((e) => e.name));
  const dataset: StereoDataset = {
    name,
    root,
    length: entries.length,
    names,
    get: (index: number) => {
      is.assertInteger('index', index, 0, entries.length - 1);
      return loadSample(entries[index]);
    },
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < entries.length; i++) yield await loadSample(entries[i]);
    },
  };
  return Object.freeze(dataset);
}

async function loadSample(entry: SampleEntry): Promise<StereoSample> {
  const [left, right, extras] = await Promise.all([
    readImage(entry.left),
    readImage(entry.right),
    entry.extras ? entry.extras() : Promise.resolve(undefined),
  ]);
  if (left.width !== right.width || left.height !== right.height) {
    throw new DatasetError(
      `${entry.name}: left and right images differ in size: ${entry.left} is ${size(left)}, ${entry.right} is ${size(right)}`,
    );
  }
  const sample: StereoSample = { name: entry.name, left, right, meta: { ...entry.meta, ...extras?.meta } };
  for (const key of ['disparity', 'valid', 'occlusion'] as const) {
    const map = extras?.[key];
    if (map === undefined) continue;
    if (map.width !== left.width || map.height !== left.height) {
      const what = entry.gt !== undefined ? `${key} from ${entry.gt}` : key;
      throw new DatasetError(`${entry.name}: ${what} is ${size(map)} but the left image ${entry.left} is ${size(left)}`);
    }
  }
  if (extras?.disparity) sample.disparity = extras.disparity;
  if (extras?.valid) sample.valid = extras.valid;
  if (extras?.occlusion) sample.occlusion = extras.occlusion;
  return sample;
}
