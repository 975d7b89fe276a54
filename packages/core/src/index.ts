/**
 * @stereo-sdk/core: ONNX graph IR, autodiff, training and pruning engine, image and disparity
 * formats, and stereo metrics. Everything public is exported from here and only here.
 */
export * from './errors.js';
export * as is from './is.js';
export { writeFileAtomic } from './fs/atomic.js';
export { createRng, mix32, type Rng } from './random.js';
export type { RasterImage, PlanarImage, DisparityMap, Mask } from './types.js';
export * from './formats/index.js';
export * from './metrics/index.js';
export * from './graph/index.js';
export * from './backend/index.js';
export * from './flops/index.js';
export * from './autodiff/index.js';
export * from './train/index.js';
export * from './prune/index.js';
