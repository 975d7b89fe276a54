/** Trainer: one-run training steps in onnxruntime, optimizers, schedules, losses, checkpoints, export. */
export type { AdamWConfig, Feeds, OptimizerConfig, ScheduleConfig, SgdConfig, StepResult, TrainerOptions, TrainEvent } from './types.js';
export { createTrainer, resumeTrainer, Trainer } from './trainer.js';
export type { BatchSource, FitOptions, FitResult } from './fit.js';
export { TrainingDivergedError } from './errors.js';
export { learningRateAt } from './schedule.js';
export { l1Loss, mean, mseLoss, smoothL1Loss, type LossOptions } from './losses.js';
export { selectParams, type NamePattern } from './params.js';
export { toTrainingBatchNorm, type TrainingBatchNorm } from './batchnorm.js';
export { foldBatchNorm } from './fold.js';
export { toInferenceGraph, type InferenceExportOptions } from './export.js';
export { CHECKPOINT_KEYS, splitCheckpoint, type StoredTrainConfig } from './checkpoint.js';
