/** Importance scores: the criteria table and `scoreGroups`. */
export { importanceCriteria } from './criteria.js';
export { scoreGroups } from './score.js';
export type { GradientStats, ImportanceCriterion, ImportanceRule, ScoreContext, ScoreNormalization, ScoreOptions } from './types.js';
