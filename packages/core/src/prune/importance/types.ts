/**
 * Public types of the importance scores: the criterion names, the contract each criterion
 * implements, the options of `scoreGroups`, and the gradient statistics that the gradient-based
 * criteria read (made by `collectGradientStats`).
 */
import type { Graph } from '../../graph/graph.js';
import type { ChannelGroup } from '../types.js';

/** The importance criteria, keys of `importanceCriteria`. */
export type ImportanceCriterion = 'l1' | 'l2' | 'bn-scale' | 'taylor' | 'hessian';

/**
 * Per-parameter gradient statistics over a set of batches, keyed by initializer name; each array
 * has the initializer's element count, in its element order.
 */
export interface GradientStats {
  /** Mean over batches of the batch gradient dL/dw. */
  readonly grad: ReadonlyMap<string, Float32Array>;
  /**
   * Mean over batches of the squared batch gradient (dL/dw)², element-wise: the diagonal of the
   * empirical Fisher, used as the Hessian diagonal. It is a batch-level estimate (the per-sample
   * Fisher would need per-sample gradients): batches of one sample give the classic estimate.
   */
  readonly sqGrad: ReadonlyMap<string, Float32Array>;
  /** Number of batches averaged (>= 1). */
  readonly batches: number;
}

/** How `scoreGroups` rescales each group's scores so that a global threshold compares groups. */
export type ScoreNormalization = 'mean' | 'max' | 'sum' | 'none';

/** Options of `scoreGroups`. */
export interface ScoreOptions {
  /** Gradient statistics of the same graph; required by 'taylor' and 'hessian'. */
  gradients?: GradientStats;
  /**
   * Per-group rescaling: `'mean'` (default, Torch-Pruning's default) divides by the group's mean
   * score, `'max'` by its maximum, `'sum'` by its sum; `'none'` keeps raw scores. A group whose
   * scores are all zero stays zero.
   */
  normalize?: ScoreNormalization;
  /**
   * Told when a criterion cannot use its own measure on a group and falls back to another
   * (e.g. 'bn-scale' on a group without BatchNormalization falls back to the L2 norm).
   */
  onNote?: (group: number, message: string) => void;
}

/** What a criterion sees while scoring one group. */
export interface ScoreContext {
  readonly graph: Graph;
  readonly gradients?: GradientStats;
  /** Records a note (such as a fallback) about the group being scored. */
  note(message: string): void;
}

/** One importance criterion: an entry of `importanceCriteria`. */
export interface ImportanceRule {
  /** One line saying what is computed, for reports and CLI help. */
  readonly description: string;
  /** True when the criterion reads `GradientStats`. */
  readonly needsGradients: boolean;
  /**
   * Raw per-channel scores (>= 0, higher = keep) of one group, length `group.size`. The criterion
   * only reduces the group's parameter slices; it never looks at op semantics beyond the slices.
   */
  score(ctx: ScoreContext, group: ChannelGroup): Float64Array;
}
