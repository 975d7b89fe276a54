/** Public surface of the augmentation layer. */
export { createRandom, type Random } from './random.js';
export { cropSample, randomCrop } from './crop.js';
export { colorJitter, type ColorJitterOptions } from './color.js';
export { occlusionPatches, fillPatches, type OcclusionPatchOptions, type Patch } from './occlusion.js';
export { augmentSample, type AugmentOptions } from './augment.js';
