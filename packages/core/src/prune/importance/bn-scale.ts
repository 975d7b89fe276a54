/** Batch-norm scale importance (Network Slimming, Liu et al. 2017). */
import type { ImportanceRule } from './types.js';
import { distinctSlices, isBatchNormScale, sumOverSlices } from './slices.js';
import { l2 } from './l2.js';

/**
 * Channel k: Σ |γ_k| over the BatchNormalization scales in the group (several when BN layers are
 * coupled, e.g. both branches of a residual Add). A group without a BN scale falls back to the L2
 * group norm, with a note: scoring it 0 would make a global threshold remove it first, and a local
 * plan would cut it at random.
 */
export const bnScale: ImportanceRule = {
  description: 'BN scale: sum of |gamma| of the coupled BatchNormalization layers (L2 group norm where there is none)',
  needsGradients: false,
  score: (ctx, group) => {
    const scales = distinctSlices(group).filter((s) => isBatchNormScale(ctx.graph, s));
    const { sums, used } = sumOverSlices(ctx.graph, group, scales, (w, i) => Math.abs(w[i]!));
    if (used > 0) return sums;
    ctx.note('no BatchNormalization scale in the group: scored by the L2 group norm instead');
    return l2.score(ctx, group);
  },
};
