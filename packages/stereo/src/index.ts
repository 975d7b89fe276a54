/**
 * @stereo-sdk/stereo: stereo datasets and augmentation, the synthetic data generator, and (in later
 * releases) the student/teacher networks and distillation pipelines.
 */
export * from './datasets/index.js';
export * from './augment/index.js';
export * from './synthetic/index.js';
