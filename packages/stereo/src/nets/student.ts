/**
 * The student: the light, all-2D member of the family (after DTPnet, MobileStereoNet-2D and
 * LightStereo), the network that is distilled, pruned and deployed.
 */
import { InvalidParameterError } from '@stereo-sdk/core';
import { resolveNetConfig, STUDENT_CONFIG, type StereoNetConfigInit } from './config.js';
import { buildStereoNetwork, type BuildOptions, type StereoNetwork } from './network.js';

/** Options of `buildStudent`: input size, batch, seed, and config overrides. */
export interface StudentOptions extends BuildOptions {
  /** Overrides of `STUDENT_CONFIG` (width multiplier, max disparity, groups, widths...). */
  config?: StereoNetConfigInit;
}

/**
 * Builds the student network.
 * @param opts - `height`, `width` (multiples of the stride, 16 by default), `batch` (default 1),
 *   `seed` (default 0), `config` overrides of `STUDENT_CONFIG` (e.g. `{ widthMultiplier: 0.5 }`).
 * @returns the network: graph with inputs `left`, `right` [N, 3, H, W] (normalized RGB) and outputs
 *   `disparity` [N, 1, H, W], `logits` [N, maxDisparity/s, H/s, W/s] (s = `headScale`, 4 unless the
 *   config says 8, as `STUDENT_VARIANTS.fast` does), `disparity_coarse` [N, 1, H, W].
 * @throws InvalidParameterError on a bad config, a size that is not a multiple of the stride, or a
 *   3D stage in the config (the student is all-2D).
 * @example
 * const net = buildStudent({ height: 384, width: 1248 });
 * const { params, macs } = countCost(net.graph);
 */
export function buildStudent(opts: StudentOptions): StereoNetwork {
  const cfg = resolveNetConfig(STUDENT_CONFIG, opts?.config ?? {});
  if (cfg.aggregation3d) throw new InvalidParameterError('The student is all-2D: remove aggregation3d from its config (or build a teacher)');
  return buildStereoNetwork('student', cfg, opts);
}
