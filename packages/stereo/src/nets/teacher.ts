/**
 * The teacher: the same family as the student, much wider and deeper, with group-wise correlation
 * and a light 3D hourglass before the 2D one. It exposes the same outputs, logits included, so
 * distillation can match the student's distribution over disparities to its own.
 */
import { resolveNetConfig, TEACHER_CONFIG, type StereoNetConfigInit } from './config.js';
import { buildStereoNetwork, type BuildOptions, type StereoNetwork } from './network.js';

/** Options of `buildTeacher`: input size, batch, seed, and config overrides. */
export interface TeacherOptions extends BuildOptions {
  /** Overrides of `TEACHER_CONFIG`; `aggregation3d: null` gives an all-2D teacher. */
  config?: StereoNetConfigInit;
}

/**
 * Builds the teacher network.
 * @param opts - `height`, `width` (multiples of the stride, 32 by default), `batch` (default 1),
 *   `seed` (default 0), `config` overrides of `TEACHER_CONFIG`.
 * @returns the network, with the student's inputs and outputs (`disparity`, `logits`, `disparity_coarse`).
 * @throws InvalidParameterError on a bad config or a size that is not a multiple of the stride.
 * @example const teacher = buildTeacher({ height: 544, width: 960 });
 */
export function buildTeacher(opts: TeacherOptions): StereoNetwork {
  return buildStereoNetwork('teacher', resolveNetConfig(TEACHER_CONFIG, opts?.config ?? {}), opts);
}
