/**
 * The batch loader: batch `step` is a pure function of (seed, step). Sample choice walks a seeded
 * permutation of the dataset per epoch (every sample once per epoch); augmentation draws from a
 * generator seeded by (seed, step, slot). A resumed run therefore sees exactly the batches the
 * interrupted one would have, with no loader state to save.
 */
import { createRng, is, mix32, type BackendTensor } from '@stereo-sdk/core';
import { augmentSample } from '../augment/augment.js';
import { createRandom } from '../augment/random.js';
import type { StereoSample } from '../datasets/sample.js';
import { assembleBatch } from './batch.js';
import { supervisedSample, type SampleSource } from './source.js';
import type { CropSize, TrainingAugmentation } from './types.js';

/** Options of `createBatchLoader`. */
export interface BatchLoaderOptions {
  /** Samples per batch, ≥ 1. */
  batch: number;
  /** Random crop (same window for both views and the ground truth). */
  crop: CropSize;
  /** The network's disparity range (larger ground truth is masked out). */
  maxDisparity: number;
  /** Resolution of the network's logits (its `headScale`), where the coarse targets are made; default 4. */
  headScale?: number;
  /** Seed of data order and augmentation, integer in [0, 2^32 − 1]. */
  seed: number;
  /** Default: colour jitter and occlusion patches on. */
  augment?: TrainingAugmentation;
}

/** Deterministic batches by step. */
export interface BatchLoader {
  /** Sample indices of batch `step` (the samples the batch is made of). */
  indices(step: number): number[];
  /** The augmented samples of batch `step`. */
  samples(step: number): Promise<StereoSample[]>;
  /** The feeds of batch `step` (see `assembleBatch`). */
  batch(step: number): Promise<Record<string, BackendTensor>>;
}

/** Seeded Fisher–Yates permutation of [0, n). */
function permutation(n: number, seed: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Mixes several integers into one 32-bit seed. */
export const seedOf = (...parts: number[]): number => parts.reduce((h, v) => mix32((h ^ mix32(v >>> 0)) + 0x9e3779b9), 0x243f6a88);

/**
 * The sample index at each position of a run's sample stream: a seeded permutation of the dataset
 * per epoch (every sample once per epoch), or the position itself for an unbounded generator.
 * @param source - the training samples
 * @param seed - the run's seed
 * @returns position (step · batch + slot) → sample index
 */
export function createSampleOrder(source: Pick<SampleSource, 'length'>, seed: number): (position: number) => number {
  let cached: { epoch: number; order: Uint32Array } | undefined;
  return (k) => {
    if (!Number.isFinite(source.length)) return k;
    const n = source.length;
    const epoch = Math.floor(k / n);
    if (cached?.epoch !== epoch) cached = { epoch, order: permutation(n, seedOf(seed, epoch)) };
    return cached.order[k % n]!;
  };
}

/** Occlusion patch sizes scaled to the crop: the defaults (50–100 px) are meant for crops of about 256 × 512. */
export function occlusionForCrop(crop: CropSize): { minSize: number; maxSize: number } {
  const side = Math.min(crop.height, crop.width);
  return { minSize: Math.max(1, Math.round(side / 5)), maxSize: Math.max(1, Math.round(side / 2.5)) };
}

/**
 * Creates the loader of a training source.
 * @param source - training samples (finite dataset or on-the-fly generator)
 * @param opts - batch size, crop, disparity range, seed, augmentation
 * @returns the loader
 * @throws InvalidParameterError on bad options
 * @example
 * const loader = createBatchLoader(source, { batch: 4, crop: { height: 256, width: 512 }, maxDisparity: 192, seed: 0 });
 * await trainer.trainStep(await loader.batch(trainer.step));
 */
export function createBatchLoader(source: SampleSource, opts: BatchLoaderOptions): BatchLoader {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('loader options', 'an object', opts);
  is.assertInteger('batch', opts.batch, 1, 1024);
  is.assertInteger('crop.height', opts.crop?.height, 1);
  is.assertInteger('crop.width', opts.crop?.width, 1);
  is.assertNumber('maxDisparity', opts.maxDisparity, Number.MIN_VALUE);
  is.assertInteger('seed', opts.seed, 0, 2 ** 32 - 1);
  const augment = opts.augment ?? { color: true, occlusion: true };
  const { crop, batch } = opts;
  const occlusion = augment.occlusion ? occlusionForCrop(crop) : false;
  const indexAt = createSampleOrder(source, opts.seed);
  const indices = (step: number): number[] => {
    is.assertInteger('step', step, 0);
    return Array.from({ length: batch }, (_, slot) => indexAt(step * batch + slot));
  };
  const samples = async (step: number): Promise<StereoSample[]> => {
    const ids = indices(step);
    const raw = await Promise.all(ids.map((i) => supervisedSample(source, i)));
    return raw.map((s, slot) => augmentSample(s, { crop, color: augment.color, occlusion }, createRandom(seedOf(opts.seed, step, slot, 1))));
  };
  return {
    indices,
    samples,
    batch: async (step) => assembleBatch(await samples(step), opts.maxDisparity, opts.headScale),
  };
}
