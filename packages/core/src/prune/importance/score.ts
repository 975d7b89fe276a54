/**
 * `scoreGroups`: runs one importance criterion over every prunable group of a dependency graph and
 * normalizes each group's scores (Torch-Pruning's group normalizer), so that a global threshold
 * compares channels of groups whose raw magnitudes differ by orders of magnitude.
 */
import { InvalidParameterError } from '../../errors.js';
import * as is from '../../is.js';
import { Graph } from '../../graph/graph.js';
import type { DependencyGraph, GroupScores } from '../types.js';
import { importanceCriteria } from './criteria.js';
import type { GradientStats, ImportanceCriterion, ScoreNormalization, ScoreOptions } from './types.js';

const NORMALIZATIONS: readonly ScoreNormalization[] = ['mean', 'max', 'sum', 'none'];
const DEFAULTS = { normalize: 'mean' as ScoreNormalization };

function checkGradients(g: unknown): asserts g is GradientStats {
  const s = g as Partial<GradientStats> | undefined;
  if (!s || !(s.grad instanceof Map) || !(s.sqGrad instanceof Map) || !Number.isInteger(s.batches)) {
    throw is.invalidParameterError('gradients', 'GradientStats { grad: Map, sqGrad: Map, batches } from collectGradientStats', g);
  }
}

/** Divides by the group's mean, max or sum; all-zero groups stay zero. */
function normalize(raw: Float64Array, how: ScoreNormalization): Float32Array {
  if (how === 'none' || raw.length === 0) return Float32Array.from(raw);
  let d = how === 'max' ? 0 : raw.reduce((a, b) => a + b, 0);
  if (how === 'max') for (const v of raw) d = Math.max(d, v);
  if (how === 'mean') d /= raw.length;
  return d > 0 ? Float32Array.from(raw, (v) => v / d) : Float32Array.from(raw);
}

/**
 * Scores every channel of every prunable group with one importance criterion.
 * @param graph the graph the dependency graph was combed from (its initializers are read)
 * @param dep the comb's result; only prunable groups are scored
 * @param criterion `'l1'`, `'l2'`, `'bn-scale'`, `'taylor'` or `'hessian'` (see `importanceCriteria`)
 * @param options gradients (required by 'taylor' and 'hessian'); normalize per group, default
 *   `'mean'`; onNote, told about fallbacks such as 'bn-scale' on a group without BN
 * @returns scores by group id, one per channel, higher = keep (fixed groups are absent)
 * @throws InvalidParameterError on an unknown criterion or normalization, missing gradients for a
 *   gradient criterion, a slice that does not fit its initializer, or a non-finite score
 * @throws ShapeMismatchError when a gradient statistic does not have its parameter's size
 * @example
 * const dep = buildDependencyGraph(graph);
 * const scores = scoreGroups(graph, dep, 'l2');
 * const plan = planPruning(dep, scores, { ratio: 0.3 });
 */
export function scoreGroups(graph: Graph, dep: DependencyGraph, criterion: ImportanceCriterion, options: ScoreOptions = {}): GroupScores {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  if (!dep || !Array.isArray(dep.groups)) throw is.invalidParameterError('dep', 'a DependencyGraph from buildDependencyGraph', dep);
  is.assertOneOf('criterion', criterion, Object.keys(importanceCriteria) as ImportanceCriterion[]);
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('score options', 'an object', options);
  const how = options.normalize ?? DEFAULTS.normalize;
  is.assertOneOf('normalize', how, NORMALIZATIONS);
  if (options.onNote !== undefined && typeof options.onNote !== 'function') throw is.invalidParameterError('onNote', 'a function', options.onNote);
  const rule = importanceCriteria[criterion];
  if (options.gradients !== undefined) checkGradients(options.gradients);
  else if (rule.needsGradients) {
    throw new InvalidParameterError(`Criterion '${criterion}' needs gradient statistics: pass { gradients: await collectGradientStats(graph, { batches }) }`);
  }

  const scores = new Map<number, Float32Array>();
  for (const group of dep.groups) {
    if (!group.prunable) continue;
    const ctx = { graph, gradients: options.gradients, note: (message: string) => options.onNote?.(group.id, message) };
    const raw = rule.score(ctx, group);
    const bad = raw.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InvalidParameterError(`${criterion}: channel ${bad} of group ${group.id} scores ${raw[bad]}; a parameter or gradient is not finite`);
    scores.set(group.id, normalize(raw, how));
  }
  return scores;
}
