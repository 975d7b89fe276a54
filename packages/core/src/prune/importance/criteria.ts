/**
 * The one table of importance criteria, keyed by criterion name. Each criterion lives in its own
 * file and only reduces the parameter slices the comb hands it (see `slices.ts`).
 */
import { bnScale } from './bn-scale.js';
import { hessian } from './hessian.js';
import { l1 } from './l1.js';
import { l2 } from './l2.js';
import { taylor } from './taylor.js';
import type { ImportanceCriterion, ImportanceRule } from './types.js';

/**
 * Importance criteria by name:
 * - `l1`, `l2`: group norms (Σ|w|, Σw²) over the coupled weights and BN scales (DepGraph);
 * - `bn-scale`: Σ|γ| of the coupled BN scales (L2 where the group has no BN);
 * - `taylor`: |Σ grad·w| (first-order Taylor, Molchanov), needs gradient statistics;
 * - `hessian`: ½·Σ H_ii·w² with the empirical-Fisher diagonal (OBD), needs gradient statistics.
 * @example
 * importanceCriteria['taylor'].needsGradients; // true
 */
export const importanceCriteria: Readonly<Record<ImportanceCriterion, ImportanceRule>> = {
  l1,
  l2,
  'bn-scale': bnScale,
  taylor,
  hessian,
};
