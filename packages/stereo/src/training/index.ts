/**
 * Supervised training of the stereo networks: data sources (datasets or in-memory synthetic
 * scenes), deterministic batches, the multi-scale loss graph, validation through the inference
 * graph, and the resumable training run that exports the deployable model.
 */
export type {
  CropSize,
  LossWeights,
  RunEvent,
  SelectionMetric,
  StereoTrainingConfig,
  StereoTrainingEvent,
  StereoTrainingResult,
  StepLogLine,
  TrainingAugmentation,
  TrainingLogLine,
  TrainingSchedule,
  TrainLogLine,
  ValidationResult,
  ValLogLine,
} from './types.js';
export { isOnTheFlySpec, openTrainingSource, parseOnTheFlySpec, type OnTheFlySpec, type SampleSource, type TrainingSourceOptions } from './source.js';
export { assembleBatch, downsampleTarget, supervisionTarget, TRAINING_INPUTS, writeNetworkInput } from './batch.js';
export { createBatchLoader, type BatchLoader, type BatchLoaderOptions } from './loader.js';
export { networkFacts, prepareInitNetwork, type InitSource, type NetworkFacts } from './init.js';
export { DEFAULT_LOSS_WEIGHTS, LOSS_OUTPUTS, resolveLossWeights, supervisedLossGraph } from './loss.js';
export { createValidator, type Validator, type ValidatorOptions } from './validate.js';
export { resolveTrainingConfig, TRAINING_DEFAULTS, type StereoTrainingOptions } from './config.js';
export { RUN_FILES, readRunConfig } from './run-dir.js';
export { defaultRunDir } from './session.js';
export { trainStereo, type TrainingRunOptions } from './train.js';
