/**
 * Accuracy of a pruning candidate on a validation set, scored exactly as `stereo-sdk eval` scores
 * a model: the edge runtime computes each disparity (padding, normalization and postprocessing as
 * deployed), `evaluateDisparity` scores it against the ground truth, and the result is the mean
 * over scenes. Samples are loaded once and scored after every pruning step.
 */
import { DatasetError, evaluateDisparity, is, summarizeScenes, type RasterImage, type SceneResult } from '@stereo-sdk/core';
import type { RawImage, StereoMatcher } from '@stereo-sdk/edge-runtime';
import type { StereoSample } from '../datasets/sample.js';
import { supervisedSample, type SampleSource } from '../training/source.js';

/** Mean accuracy over scenes; rates are percentages in [0, 100]. */
export interface AccuracyScore {
  epe: number;
  bad1: number;
  bad2: number;
  bad3: number;
  d1: number;
  /** Scenes with at least one scored pixel. */
  scenes: number;
}

/** A validation set held in memory. */
export interface AccuracySet {
  readonly spec: string;
  readonly length: number;
  /** Scores a loaded model on every sample. */
  score(matcher: StereoMatcher): Promise<AccuracyScore>;
}

function toRaw(img: RasterImage, scene: string, view: string): RawImage {
  if (img.data instanceof Float32Array) throw new DatasetError(`${scene}: ${view} image is a float image; stereo input must be 8 or 16-bit`);
  return { data: img.data, width: img.width, height: img.height, channels: img.channels };
}

/**
 * Loads validation samples (each must have ground truth) for repeated scoring.
 * @param source - samples, e.g. `openTrainingSource('manifest:real/manifest.json')`; an unbounded
 *   generator needs `limit`.
 * @param limit - score only the first `limit` samples, integer ≥ 1; default all.
 * @throws InvalidParameterError for an unbounded source without a limit.
 * @throws DatasetError when a sample has no ground truth.
 * @example const val = await loadAccuracySet(await openTrainingSource('synth:?count=8'), 8);
 */
export async function loadAccuracySet(source: SampleSource, limit?: number): Promise<AccuracySet> {
  if (limit !== undefined) is.assertInteger('limit', limit, 1);
  const length = Math.min(source.length, limit ?? Infinity);
  if (!Number.isFinite(length)) throw is.invalidParameterError('val limit', `a sample count for the unbounded source '${source.spec}'`, limit);
  const samples: StereoSample[] = [];
  for (let i = 0; i < length; i++) samples.push(await supervisedSample(source, i));
  return {
    spec: source.spec,
    length,
    async score(matcher) {
      const scenes: SceneResult[] = [];
      for (const s of samples) {
        const r = await matcher.disparity(toRaw(s.left, s.name, 'left'), toRaw(s.right, s.name, 'right'), { confidence: false });
        const pred = { data: r.disparity, width: r.width, height: r.height };
        scenes.push({ name: s.name, metrics: evaluateDisparity(pred, s.disparity!, s.valid ? { valid: s.valid } : {}).all });
      }
      const { mean } = summarizeScenes(scenes);
      return { epe: mean.epe, bad1: mean.bad1, bad2: mean.bad2, bad3: mean.bad3, d1: mean.d1, scenes: scenes.filter((s) => s.metrics.count > 0).length };
    },
  };
}
