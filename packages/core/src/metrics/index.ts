/** Disparity accuracy metrics. */
export { evaluateDisparity } from './disparity-metrics.js';
export type { DisparityMetrics, DisparityEvaluation, EvaluateOptions } from './disparity-metrics.js';
export { summarizeScenes } from './summary.js';
export type { SceneResult, DatasetSummary } from './summary.js';
