/** First-order Taylor importance (Molchanov et al. 2019, as Torch-Pruning's multivariable Taylor). */
import type { ImportanceRule } from './types.js';
import { sumWithStat } from './slices.js';

/**
 * Channel k: |Σ ḡ·w| over channel k of every slice whose parameter has gradient statistics, with
 * ḡ the mean batch gradient. Removing the channel sets those weights to zero, so −Σ ḡ·w is the
 * first-order change of the loss. Parameters without statistics (BN running statistics, constants)
 * are skipped. Near a minimum the mean gradient is small and noisy: average over enough batches.
 * @throws InvalidParameterError when no parameter of the group has gradient statistics
 */
export const taylor: ImportanceRule = {
  description: 'first-order Taylor: |sum of grad·w| over the channel in every coupled parameter',
  needsGradients: true,
  score: (ctx, group) => sumWithStat(ctx, group, 'grad', 'taylor', (w, g, i) => g[i]! * w[i]!).map(Math.abs),
};
