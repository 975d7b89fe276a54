/**
 * Validation: the network's deployable inference graph (BN folded, any input size) runs in
 * onnxruntime through core's backend on whole validation images, fed and padded exactly as the
 * edge runtime feeds it, and each prediction is scored with `evaluateDisparity` against the ground
 * truth. Scores are means over scenes, as `stereo-sdk eval` reports them.
 */
import {
  createGraphSession,
  evaluateDisparity,
  is,
  summarizeScenes,
  type DisparityMap,
  type Graph,
  type SceneResult,
  type Session,
} from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';
import { readNetMetadata, toInferenceModel } from '../nets/export.js';
import { STEREO_NET_IO } from '../nets/network.js';
import { writeNetworkInput } from './batch.js';
import { supervisedSample, type SampleSource } from './source.js';
import type { ValidationResult } from './types.js';

/** Options of `createValidator`. */
export interface ValidatorOptions {
  /** Score at most this many samples (the first ones); default all (an unbounded generator needs it). */
  limit?: number;
  /** onnxruntime intra-op threads, [0, 64]; default 0 = one per core. */
  threads?: number;
}

/** A validation set loaded once and scored many times. */
export interface Validator {
  /** Number of samples scored per pass. */
  readonly length: number;
  /**
   * Scores a network.
   * @param network - a network graph with its current weights (e.g. `trainer.modelGraph()`)
   * @param opts.predictions - also return the predictions (non-finite or negative values invalid,
   *   as the edge runtime marks them)
   */
  run(network: Graph, opts?: { predictions?: boolean }): Promise<ValidationResult & { predictions?: DisparityMap[] }>;
}

/** Pads a pair to the stride, runs it, crops the disparity back and marks invalid values. */
async function predictDisparity(session: Session, sample: StereoSample, stride: number): Promise<DisparityMap> {
  const { width, height } = sample.left;
  const w = Math.ceil(width / stride) * stride;
  const h = Math.ceil(height / stride) * stride;
  const left = new Float32Array(3 * w * h);
  const right = new Float32Array(3 * w * h);
  writeNetworkInput(sample.left, left, w, h);
  writeNetworkInput(sample.right, right, w, h);
  const dims = [1, 3, h, w];
  const out = await session.run({ [STEREO_NET_IO.left]: { type: 'float32', dims, data: left }, [STEREO_NET_IO.right]: { type: 'float32', dims, data: right } }, [STEREO_NET_IO.disparity]);
  const full = out[STEREO_NET_IO.disparity]!.data as Float32Array;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = full[y * w + x]!;
      // `!(d >= 0)` also catches NaN; the runtime returns such pixels as invalid.
      data[y * width + x] = d >= 0 && Number.isFinite(d) ? d : Infinity;
    }
  }
  return { data, width, height };
}

/**
 * Loads a validation set (each sample must have ground truth) for repeated scoring.
 * @param source - validation samples; a finite source, or an on-the-fly generator with `limit`
 * @param opts - sample limit and threads
 * @returns the validator
 * @throws InvalidParameterError for an unbounded source without `limit`
 * @throws DatasetError when a sample has no ground truth
 * @example
 * const validator = await createValidator(await openTrainingSource('manifest:real/manifest.json'));
 * const { epe, bad2 } = await validator.run(trainer.modelGraph());
 */
export async function createValidator(source: SampleSource, opts: ValidatorOptions = {}): Promise<Validator> {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('validator options', 'an object', opts);
  const threads = opts.threads ?? 0;
  is.assertInteger('threads', threads, 0, 64);
  if (opts.limit !== undefined) is.assertInteger('limit', opts.limit, 1);
  const length = Math.min(source.length, opts.limit ?? Infinity);
  if (!Number.isFinite(length)) throw is.invalidParameterError('limit', `a sample count for the unbounded source '${source.spec}'`, opts.limit);
  const samples: StereoSample[] = [];
  for (let i = 0; i < length; i++) samples.push(await supervisedSample(source, i));
  return {
    length,
    async run(network, runOpts = {}) {
      const t0 = performance.now();
      const model = toInferenceModel(network, { logits: false });
      const { stride } = readNetMetadata(network);
      const session = await createGraphSession(model, { threads });
      const scenes: SceneResult[] = [];
      const predictions: DisparityMap[] = [];
      try {
        for (const s of samples) {
          const pred = await predictDisparity(session, s, stride);
          if (runOpts.predictions) predictions.push(pred);
          scenes.push({ name: s.name, metrics: evaluateDisparity(pred, s.disparity!, s.valid ? { valid: s.valid } : {}).all });
        }
      } finally {
        await session.release();
      }
      const { mean } = summarizeScenes(scenes);
      const result: ValidationResult = {
        epe: mean.epe,
        bad1: mean.bad1,
        bad2: mean.bad2,
        bad3: mean.bad3,
        d1: mean.d1,
        scenes: scenes.filter((s) => s.metrics.count > 0).length,
        ms: performance.now() - t0,
        perScene: scenes.map((s) => ({ name: s.name, epe: s.metrics.epe, bad2: s.metrics.bad2, pixels: s.metrics.count })),
      };
      return runOpts.predictions ? { ...result, predictions } : result;
    },
  };
}
