/**
 * Latency-targeted pruning of stereo models: the step loop (`pruneToLatency`), latency measured
 * through the edge runtime, the per-device latency table (`profileLatency`), and the run folder.
 */
export type { PruneEvent, PruneRunResult, PruneStepRecord, PruneStopReason, PruneToLatencyOptions, TargetResolution } from './types.js';
export { pruneToLatency } from './prune-to-latency.js';
export { defaultPruneRunDir, PRUNE_DEFAULTS } from './config.js';
export { LATENCY_DEFAULTS, measureLatency, type LatencyMeasurement, type LatencyOptions } from './latency.js';
export { loadAccuracySet, type AccuracyScore, type AccuracySet } from './accuracy.js';
export {
  fitMsPerChannel,
  groupKey,
  latencyLookup,
  parseLatencyTable,
  readLatencyTable,
  writeLatencyTable,
  type LatencyDevice,
  type LatencyLookup,
  type LatencyPoint,
  type LatencyTable,
  type LatencyTableGroup,
} from './lut.js';
export { profileLatency, PROFILE_DEFAULTS, type ProfileOptions } from './profile.js';
export { allocateByLatency, macsLatencyModel, searchStepRatio, stepGoalMs, type AllocateOptions, type MeasuredPoint } from './plan.js';
export { PRUNE_RUN_FILES, readPruneConfig, readPruneState, type PruneRunConfig, type PruneRunState } from './run-dir.js';
