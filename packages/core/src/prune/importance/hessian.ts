/** Second-order (Optimal Brain Damage) importance with the empirical-Fisher Hessian diagonal. */
import type { ImportanceRule } from './types.js';
import { sumWithStat } from './slices.js';

/**
 * Channel k: ½·Σ H_ii·w_i² over channel k of every slice whose parameter has statistics, with
 * H_ii ≈ mean squared batch gradient (the empirical Fisher diagonal, `GradientStats.sqGrad`):
 * LeCun's OBD saliency, the second-order loss increase of zeroing the channel when the gradient
 * term vanishes. It stands in for Comb-Prune-Distill's second-order score, which needs the exact
 * Hessian diagonal that the autodiff does not build.
 * @throws InvalidParameterError when no parameter of the group has gradient statistics
 */
export const hessian: ImportanceRule = {
  description: 'second-order OBD: ½·sum of H_ii·w² with H_ii the empirical-Fisher diagonal (mean squared gradient)',
  needsGradients: true,
  score: (ctx, group) => sumWithStat(ctx, group, 'sqGrad', 'hessian', (w, h, i) => 0.5 * h[i]! * w[i]! * w[i]!),
};
