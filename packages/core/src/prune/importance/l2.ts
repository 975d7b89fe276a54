/** L2 group norm (DepGraph / Torch-Pruning `GroupMagnitudeImportance(p=2)`). */
import type { ImportanceRule } from './types.js';
import { magnitudeSlices, sumOverSlices } from './slices.js';

/**
 * Channel k: Σ w² over channel k of every magnitude slice (producer/consumer weights, BN scales),
 * the squared group norm as DepGraph sums it (squaring does not change the ranking).
 */
export const l2: ImportanceRule = {
  description: 'L2 group norm: sum of w² over the channel in every coupled weight and BN scale',
  needsGradients: false,
  score: (ctx, group) => sumOverSlices(ctx.graph, group, magnitudeSlices(ctx.graph, group), (w, i) => w[i]! * w[i]!).sums,
};
