/** Procedural synthetic stereo data with exact disparity and occlusion ground truth. */
export { generateSyntheticPair, resolveSyntheticOptions, SYNTHETIC_DEFAULTS } from './generate.js';
export {
  writeSyntheticDataset,
  syntheticSampleName,
  SYNTHETIC_GENERATOR,
  SYNTHETIC_FORMAT_VERSION,
  MAX_SYNTHETIC_COUNT,
} from './dataset-writer.js';
export type { SyntheticDatasetOptions, SyntheticDatasetResult, SyntheticMeta } from './dataset-writer.js';
export { sampleSeed } from './rng.js';
export { TEXTURE_KINDS, SHAPE_KINDS } from './types.js';
export type { SyntheticOptions, SyntheticPair, TextureKind, ShapeKind } from './types.js';
