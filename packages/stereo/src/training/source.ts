/**
 * Where training and validation samples come from: a dataset on disk (any `openDataset` spec), or
 * the synthetic generator run in memory (`synth:` specs), so that training needs no disk tree.
 * Either way a sample is a pure function of its index, which makes data order reproducible.
 */
import { DatasetError, InvalidParameterError, is } from '@stereo-sdk/core';
import { openDataset } from '../datasets/spec.js';
import type { StereoSample } from '../datasets/sample.js';
import { generateSyntheticPair, resolveSyntheticOptions } from '../synthetic/generate.js';
import { sampleSeed } from '../synthetic/rng.js';
import type { SyntheticOptions } from '../synthetic/types.js';

/** Samples addressed by index. */
export interface SampleSource {
  /** The spec it was opened from. */
  readonly spec: string;
  /** Number of samples; `Infinity` for an on-the-fly generator (every index is a new scene). */
  readonly length: number;
  /**
   * Loads (or generates) sample `index`.
   * @throws DatasetError / FileFormatError for unreadable samples
   */
  get(index: number): Promise<StereoSample>;
}

/** Parsed `synth:` spec. */
export interface OnTheFlySpec {
  /** Generator options (size, disparity range, objects, photometric). */
  readonly options: SyntheticOptions;
  /** Scene seed base: sample i is `generateSyntheticPair(options, sampleSeed(seed, i))`. */
  readonly seed?: number;
  /** Number of scenes (a finite set, e.g. for validation); default unbounded for training. */
  readonly count?: number;
}

const SYNTH_KEYS = ['width', 'height', 'maxDisparity', 'minObjects', 'maxObjects', 'photometric', 'seed', 'count'] as const;
const SYNTH_RE = /^(synth|synthetic):(on-the-fly)?(?:\?(.*))?$/s;

/**
 * Whether a spec asks for in-memory synthetic data: `synth:` or `synth:on-the-fly` (also
 * `synthetic:on-the-fly`), optionally followed by `?key=value&…`.
 * @example isOnTheFlySpec('synth:?width=320&height=160') // true
 */
export function isOnTheFlySpec(spec: string): boolean {
  const m = SYNTH_RE.exec(spec);
  return m !== null && (m[1] === 'synth' || m[2] === 'on-the-fly');
}

/**
 * Parses an on-the-fly synthetic spec.
 * @param spec - `synth:[on-the-fly][?key=value&…]` with keys `width`, `height`, `maxDisparity`,
 *   `minObjects`, `maxObjects`, `photometric` (0/1/true/false), `seed`, `count`
 * @throws DatasetError naming the spec for an unknown key, a non-numeric value or a path (a
 *   synthetic tree on disk is `synthetic:<dir>`)
 * @example parseOnTheFlySpec('synth:?width=320&maxDisparity=64&count=16')
 */
export function parseOnTheFlySpec(spec: string): OnTheFlySpec {
  is.assertString('spec', spec);
  const m = SYNTH_RE.exec(spec);
  if (!m || (m[1] === 'synthetic' && m[2] !== 'on-the-fly')) {
    throw new DatasetError(`'${spec}' is not an in-memory synthetic spec; write synth:[?width=W&height=H&maxDisparity=D&count=N&seed=S] (a generated tree on disk is synthetic:<dir>)`);
  }
  const options: Record<string, number | boolean> = {};
  let seed: number | undefined;
  let count: number | undefined;
  for (const pair of (m[3] ?? '').split('&').filter((p) => p !== '')) {
    const [key, value = ''] = pair.split('=');
    if (!(SYNTH_KEYS as readonly string[]).includes(key!)) {
      throw new DatasetError(`Unknown option '${key}' in synthetic spec '${spec}'; expected one of ${SYNTH_KEYS.join(', ')}`);
    }
    if (key === 'photometric') {
      if (!['0', '1', 'true', 'false'].includes(value)) throw new DatasetError(`Option photometric in '${spec}' must be 0, 1, true or false, not '${value}'`);
      options.photometric = value === '1' || value === 'true';
      continue;
    }
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) throw new DatasetError(`Option ${key} in synthetic spec '${spec}' must be a non-negative integer, not '${value}'`);
    if (key === 'seed') seed = n;
    else if (key === 'count') count = n;
    else options[key!] = n;
  }
  if (count !== undefined && count < 1) throw new DatasetError(`Option count in synthetic spec '${spec}' must be at least 1`);
  return { options: options as SyntheticOptions, ...(seed !== undefined ? { seed } : {}), ...(count !== undefined ? { count } : {}) };
}

/** Options of `openTrainingSource`. */
export interface TrainingSourceOptions {
  /** Split of a disk dataset; default `'all'`. Ignored by on-the-fly specs. */
  split?: 'train' | 'val' | 'all';
  /** Return an empty source instead of throwing when the split is empty; default false. */
  allowEmpty?: boolean;
  /** Defaults for on-the-fly specs (the spec's own values win). */
  synthetic?: SyntheticOptions & { seed?: number; count?: number };
}

/**
 * Opens training or validation data.
 * @param spec - an `openDataset` spec (`kitti2015:/data/kitti`, `synthetic:/data/synth`, ...) or an
 *   in-memory generator spec (`synth:?width=512&height=256`, see `parseOnTheFlySpec`)
 * @param opts - split of a disk dataset; defaults of the generator (size, disparity range, seed, count)
 * @returns samples by index
 * @throws DatasetError for a bad spec, a missing dataset, or an empty split (unless `allowEmpty`)
 * @throws InvalidParameterError for out-of-range generator options
 * @example const train = await openTrainingSource('synth:', { synthetic: { width: 512, height: 256, seed: 1 } });
 */
export async function openTrainingSource(spec: string, opts: TrainingSourceOptions = {}): Promise<SampleSource> {
  is.assertString('spec', spec);
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('source options', 'an object', opts);
  if (isOnTheFlySpec(spec)) {
    const parsed = parseOnTheFlySpec(spec);
    const { seed: defaultSeed, count: defaultCount, ...defaults } = opts.synthetic ?? {};
    const options = resolveOnTheFly(spec, { ...defaults, ...parsed.options });
    const seed = parsed.seed ?? defaultSeed ?? 0;
    is.assertInteger('seed', seed, 0, 2 ** 32 - 1);
    const count = parsed.count ?? defaultCount ?? Infinity;
    return {
      spec,
      length: count,
      get: async (index) => {
        if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw is.invalidParameterError('index', `an integer in [0, ${count})`, index);
        const pair = generateSyntheticPair(options, sampleSeed(seed, index));
        return { name: `synth/${seed}/${index}`, left: pair.left, right: pair.right, disparity: pair.disparity, occlusion: pair.occlusion, meta: { dataset: 'synth' } };
      },
    };
  }
  const dataset = await openDataset(spec, { split: opts.split ?? 'all' });
  if (dataset.length === 0 && !opts.allowEmpty) throw new DatasetError(`${spec}: the '${opts.split}' split is empty (set valFraction in the spec, e.g. ?valFraction=0.2, or give --val)`);
  return { spec, length: dataset.length, get: (index) => dataset.get(index) };
}

/** The generator's own validation, with the spec named in the message. */
function resolveOnTheFly(spec: string, options: SyntheticOptions): SyntheticOptions {
  try {
    return resolveSyntheticOptions(options);
  } catch (e) {
    if (e instanceof InvalidParameterError) throw new InvalidParameterError(`synthetic spec '${spec}': ${e.message}`);
    throw e;
  }
}

/**
 * Checks that a sample has ground truth.
 * @throws DatasetError naming the spec and the sample when it has no ground-truth disparity
 */
export function assertLabeled(spec: string, s: StereoSample): void {
  if (!s.disparity) {
    throw new DatasetError(`${spec}: sample '${s.name}' has no ground-truth disparity; supervised training needs ground truth (distill from a teacher for unlabeled pairs)`);
  }
}

/**
 * Loads sample `index` and checks that supervised training can use it.
 * @throws DatasetError naming the sample when it has no ground-truth disparity
 */
export async function supervisedSample(source: SampleSource, index: number): Promise<StereoSample> {
  const s = await source.get(index);
  assertLabeled(source.spec, s);
  return s;
}
