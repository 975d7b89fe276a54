/** Structured pruning of any ONNX graph: comb (dependency groups), scores, planner and cut. */
export type { ChannelGroup, DependencyGraph, FixedAxis, GroupScores, ParamSlice, PrunePlan, ValueSlice } from './types.js';
export { buildDependencyGraph, type CombOptions, type FixedRequest } from './comb.js';
export { applyPrunePlan, pruneSummary, type PruneSummary } from './cut.js';
export { channelRules, type ChannelRule, type CombContext, type CutContext, type LinkOptions } from './rules/index.js';
export { importanceCriteria, scoreGroups, type GradientStats, type ImportanceCriterion, type ImportanceRule, type ScoreContext, type ScoreNormalization, type ScoreOptions } from './importance/index.js';
export { collectGradientStats, type GradientStatsOptions, type LossSpec } from './gradients.js';
export { planPruning, type PlanOptions } from './planner.js';
