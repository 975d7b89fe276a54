/**
 * Knowledge distillation of a stereo student from any ONNX stereo teacher: opening the teacher
 * (its contract or I/O), the on-disk cache of its outputs, the distillation losses built into the
 * student's training graph, the distillation batches, and the resumable `distillStereo` run (also
 * the fine-tuning step of pruning).
 */
export type { DistillLogLine, DistillRunLogLine, StereoDistillConfig, StereoDistillEvent, StereoDistillResult, TeacherStats, TemperatureSchedule } from './types.js';
export { openTeacher, type OpenTeacherOptions, type Teacher, type TeacherGrid, type TeacherOutput, type TeacherRequest } from './teacher.js';
export { resolveTeacherContract, type TeacherContract } from './teacher-contract.js';
export { createTeacherCache, sampleCacheKey, type TeacherCache } from './cache.js';
export {
  binResampleMatrix,
  DEFAULT_STUDENT_FEATURE,
  DISTILL_INPUTS,
  DISTILL_OUTPUTS,
  distillLossGraph,
  KD_LOSSES,
  resolveKdWeights,
  softened,
  type BinLayout,
  type DistillLossSpec,
  type KdLoss,
  type KdWeights,
} from './losses.js';
export { createDistillLoader, cropTeacherOutput, teacherReferenceSource, type DistillLoader, type DistillLoaderOptions } from './targets.js';
export { DISTILL_DEFAULTS, parseKd, resolveDistillConfig, resolveTemperature, temperatureAt, type StereoDistillOptions } from './config.js';
export { distillStereo, type DistillRunOptions } from './train.js';
