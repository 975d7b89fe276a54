/**
 * @stereo-sdk/stereo: stereo datasets and augmentation, the synthetic data generator, and (in later
 * releases) the student/teacher networks and distillation pipelines.
 */
export {};
