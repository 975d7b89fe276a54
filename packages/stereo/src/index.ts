/**
 * @stereo-sdk/stereo: stereo datasets and augmentation, the synthetic data generator, the
 * student/teacher networks, supervised training and distillation.
 */
export * from './datasets/index.js';
export * from './augment/index.js';
export * from './synthetic/index.js';
export * from './nets/index.js';
export * from './training/index.js';
export * from './distill/index.js';
export * from './pruning/index.js';
