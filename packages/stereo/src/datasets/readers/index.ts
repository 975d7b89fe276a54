/** The dataset readers, keyed by spec scheme. */
import type { DatasetReader } from '../entry.js';
import { eth3dReader } from './eth3d.js';
import { kitti2012Reader } from './kitti2012.js';
import { kitti2015Reader } from './kitti2015.js';
import { manifestReader } from './manifest.js';
import { middleburyReader } from './middlebury.js';
import { pairsReader } from './pairs.js';
import { sceneFlowReader } from './sceneflow.js';
import { syntheticReader } from './synthetic.js';

export const READERS = {
  sceneflow: sceneFlowReader,
  kitti2012: kitti2012Reader,
  kitti2015: kitti2015Reader,
  middlebury: middleburyReader,
  eth3d: eth3dReader,
  manifest: manifestReader,
  pairs: pairsReader,
  synthetic: syntheticReader,
} as const satisfies Record<string, DatasetReader>;

export type DatasetScheme = keyof typeof READERS;
