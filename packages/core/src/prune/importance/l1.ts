/** L1 group norm (DepGraph / Torch-Pruning `GroupMagnitudeImportance(p=1)`). */
import type { ImportanceRule } from './types.js';
import { magnitudeSlices, sumOverSlices } from './slices.js';

/** Channel k: Σ |w| over channel k of every magnitude slice (producer/consumer weights, BN scales). */
export const l1: ImportanceRule = {
  description: 'L1 group norm: sum of |w| over the channel in every coupled weight and BN scale',
  needsGradients: false,
  score: (ctx, group) => sumOverSlices(ctx.graph, group, magnitudeSlices(ctx.graph, group), (w, i) => Math.abs(w[i]!)).sums,
};
