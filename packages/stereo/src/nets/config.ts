/**
 * Network configurations: the student and teacher presets, the width multiplier, and the input
 * resolution presets. Every channel count of every layer comes from here (times the width
 * multiplier), so that pruning can later shrink any of them without touching the builders.
 */
import { InvalidParameterError, is } from '@stereo-sdk/core';

/** How the correlation cost volume is computed; all give the same values (see cost-volume.ts). */
export type CostVolumeMethod = 'matmul' | 'shift' | 'slice';

/** Cost-volume formulations, fastest first. */
export const COST_VOLUME_METHODS: readonly CostVolumeMethod[] = ['matmul', 'shift', 'slice'];

/** How the 1/4-resolution disparity is brought to full resolution (see upsample.ts). */
export type UpsamplingMethod = 'convex' | 'subpixel';

/** Upsampling methods. */
export const UPSAMPLING_METHODS: readonly UpsamplingMethod[] = ['convex', 'subpixel'];

/** Shared feature extractor (left and right in one batch). Channel counts are before the width multiplier. */
export interface FeatureConfig {
  /**
   * Stride of the first stage: 2 (a 3×3 stride-2 conv, the default) or 4 (a 4×4 stride-4
   * "patchify" conv, as ConvNeXt's stem). 4 skips the half-resolution stage, whose convs are the
   * largest fixed cost at KITTI size once the rest is pruned.
   */
  readonly stemStride: 2 | 4;
  /** Channels of the stages at 1/s, 1/2s, 1/4s, ... (s the stem stride), down to at least 1/4. */
  readonly channels: readonly number[];
  /** Residual blocks per stage (same length as `channels`). */
  readonly blocks: readonly number[];
  /** Channels of the 1/4-resolution features that are correlated. */
  readonly matchChannels: number;
  /** Channels of the left context features that guide aggregation and upsampling. */
  readonly contextChannels: number;
}

/** 2D hourglass over the cost volume (disparity as channels). */
export interface AggregationConfig {
  /** Channels per level, the first at the volume's resolution, each next one at half of it. */
  readonly channels: readonly number[];
  /** Extra 3×3 Conv-BN-ReLU layers per encoder and decoder level (≥ 0). */
  readonly blocks: number;
}

/** Optional 3D hourglass over the group-wise volume [N, G, D, H, W] (teacher only). */
export interface Aggregation3dConfig {
  /** Channels per level, the first at half the volume's resolution in D, H and W. */
  readonly channels: readonly number[];
  /** Channels of the 3D output, folded into the 2D channels as `outChannels × D/4`. */
  readonly outChannels: number;
}

/** Everything that defines a network of the family. */
export interface StereoNetConfig {
  /** Multiplies every width below (not disparities, groups or the upsampling mask); > 0. */
  readonly widthMultiplier: number;
  /** Largest disparity in full-resolution pixels; a multiple of the volume scale. The logits have maxDisparity/4 hypotheses. */
  readonly maxDisparity: number;
  /** Correlation groups G: the volume has G·maxDisparity/volumeScale channels. Must divide the match channels. */
  readonly groups: number;
  readonly costVolume: CostVolumeMethod;
  /**
   * Resolution of the cost volume and of the hourglass: 4 (1/4, default) or 8 (1/8, maxDisparity/8
   * hypotheses, about 4× cheaper; a head brings the aggregated features back to 1/4 for the logits).
   */
  readonly volumeScale: 4 | 8;
  /**
   * Resolution of the logits, the soft-argmin and the start of the learned upsampling: 4 (1/4,
   * default, maxDisparity/4 hypotheses) or 8 (1/8, only with volumeScale 8). 8 drops every layer
   * that runs at 1/4 except the stem: at KITTI size those are the latency floor that pruning
   * cannot cut, since the logits' channels are fixed.
   */
  readonly headScale: 4 | 8;
  readonly feature: FeatureConfig;
  readonly aggregation: AggregationConfig;
  readonly aggregation3d?: Aggregation3dConfig;
  /** Learned upsampling to full resolution: RAFT's convex mask, or a cheaper sub-pixel residual. */
  readonly upsampling: UpsamplingMethod;
  /** Hidden channels of the upsampling head. */
  readonly upsampleChannels: number;
  /** Scaled widths are rounded to a multiple of this (default 8, the pruner's default multiple). */
  readonly channelMultiple: number;
}

/** A partial config: any field may be overridden, nested objects field by field. */
export type StereoNetConfigInit = Partial<Omit<StereoNetConfig, 'feature' | 'aggregation' | 'aggregation3d'>> & {
  feature?: Partial<FeatureConfig>;
  aggregation?: Partial<AggregationConfig>;
  /** `null` removes the 3D stage. */
  aggregation3d?: Partial<Aggregation3dConfig> | null;
};

/** The student: all-2D, light (after DTPnet, MobileStereoNet-2D, LightStereo). */
export const STUDENT_CONFIG: StereoNetConfig = Object.freeze({
  widthMultiplier: 1,
  maxDisparity: 192,
  groups: 1,
  costVolume: 'matmul',
  volumeScale: 4,
  headScale: 4,
  feature: Object.freeze({ stemStride: 2, channels: Object.freeze([16, 24, 32, 48]), blocks: Object.freeze([0, 1, 1, 1]), matchChannels: 32, contextChannels: 16 }),
  aggregation: Object.freeze({ channels: Object.freeze([32, 48, 64]), blocks: 1 }),
  upsampling: 'subpixel',
  upsampleChannels: 16,
  channelMultiple: 8,
}) as StereoNetConfig;

/** The teacher: the same family, wider and deeper, group-wise correlation and a light 3D stage. */
export const TEACHER_CONFIG: StereoNetConfig = Object.freeze({
  widthMultiplier: 1,
  maxDisparity: 192,
  groups: 8,
  costVolume: 'matmul',
  volumeScale: 4,
  headScale: 4,
  feature: Object.freeze({ stemStride: 2, channels: Object.freeze([32, 48, 64, 96, 128]), blocks: Object.freeze([0, 1, 1, 2, 2]), matchChannels: 96, contextChannels: 48 }),
  aggregation: Object.freeze({ channels: Object.freeze([64, 96, 160, 256]), blocks: 1 }),
  aggregation3d: Object.freeze({ channels: Object.freeze([16, 32]), outChannels: 4 }),
  upsampling: 'convex',
  upsampleChannels: 64,
  channelMultiple: 8,
}) as StereoNetConfig;

/**
 * Named overrides of the student preset, for `stereo-sdk train --net NAME`:
 * - `fast`: the KITTI-speed member. Volume, aggregation and head at 1/8, a stride-4 patchify stem,
 *   and no block at 1/4. At KITTI size only the stem runs above 1/8. Its floor (every width at 8,
 *   i.e. what pruning can reach) measured 0.17–0.19× the default student's latency, and 0.5× at
 *   full width (`npm run bench:nets`), so a 30 ms budget leaves room for width. That room is what
 *   pruning trades for accuracy.
 */
export const STUDENT_VARIANTS: Readonly<Record<string, StereoNetConfigInit>> = Object.freeze({
  fast: Object.freeze({
    volumeScale: 8,
    headScale: 8,
    upsampleChannels: 32,
    feature: Object.freeze({ stemStride: 4, channels: Object.freeze([24, 48, 64]), blocks: Object.freeze([0, 1, 1]) }),
  }) as StereoNetConfigInit,
});

/** Input sizes of the reference datasets (width × height, before padding to the stride). */
export const INPUT_PRESETS = Object.freeze({
  kitti: Object.freeze({ width: 1242, height: 375 }),
  sceneflow: Object.freeze({ width: 960, height: 540 }),
});

/** Name of an input-size preset. */
export type InputPreset = keyof typeof INPUT_PRESETS;

/**
 * Normalization the networks expect (ImageNet statistics on RGB in [0, 1]); the exported contract
 * carries it so the edge runtime feeds the model the same way the trainer does.
 */
export const INPUT_NORMALIZATION = Object.freeze({ scale: 1, mean: Object.freeze([0.485, 0.456, 0.406]), std: Object.freeze([0.229, 0.224, 0.225]) });

const positiveInts = (name: string, v: unknown, minLength: number, min = 1): readonly number[] => {
  if (!Array.isArray(v) || v.length < minLength || !v.every((x) => Number.isInteger(x) && x >= min)) {
    throw is.invalidParameterError(name, `an array of at least ${minLength} integers >= ${min}`, v);
  }
  return Object.freeze([...(v as number[])]);
};

/**
 * Fills a partial config from a preset and validates it.
 * @param base - the preset to start from (`STUDENT_CONFIG` or `TEACHER_CONFIG`).
 * @param init - overrides; nested objects are merged field by field, `aggregation3d: null` removes the 3D stage.
 * @returns a frozen, complete config.
 * @throws InvalidParameterError naming the first bad field (e.g. maxDisparity not a multiple of 4,
 *   groups not dividing the scaled match channels).
 * @example const cfg = resolveNetConfig(STUDENT_CONFIG, { widthMultiplier: 0.5, maxDisparity: 96 });
 */
export function resolveNetConfig(base: StereoNetConfig, init: StereoNetConfigInit = {}): StereoNetConfig {
  if (!is.plainObject(init as unknown)) throw is.invalidParameterError('network config', 'an object', init);
  const a3 = init.aggregation3d === null ? undefined : base.aggregation3d || init.aggregation3d ? { ...base.aggregation3d, ...init.aggregation3d } : undefined;
  const cfg = {
    ...base,
    ...init,
    feature: { ...base.feature, ...init.feature },
    aggregation: { ...base.aggregation, ...init.aggregation },
    aggregation3d: a3,
  };
  is.assertNumber('widthMultiplier', cfg.widthMultiplier, 1 / 64, 64);
  if (cfg.widthMultiplier <= 0) throw is.invalidParameterError('widthMultiplier', 'a number > 0', cfg.widthMultiplier);
  is.assertInteger('maxDisparity', cfg.maxDisparity, 4, 1024);
  if (cfg.maxDisparity % 4 !== 0) throw is.invalidParameterError('maxDisparity', 'a multiple of 4 in [4, 1024]', cfg.maxDisparity);
  is.assertInteger('groups', cfg.groups, 1, 64);
  is.assertOneOf('costVolume', cfg.costVolume, COST_VOLUME_METHODS);
  if (cfg.volumeScale !== 4 && cfg.volumeScale !== 8) throw is.invalidParameterError('volumeScale', '4 or 8', cfg.volumeScale);
  if (cfg.headScale !== 4 && cfg.headScale !== 8) throw is.invalidParameterError('headScale', '4 or 8', cfg.headScale);
  if (cfg.headScale > cfg.volumeScale) throw is.invalidParameterError('headScale', `at most volumeScale ${cfg.volumeScale}`, cfg.headScale);
  if (cfg.maxDisparity % cfg.volumeScale !== 0) throw is.invalidParameterError('maxDisparity', `a multiple of volumeScale ${cfg.volumeScale}`, cfg.maxDisparity);
  is.assertInteger('channelMultiple', cfg.channelMultiple, 1, 64);
  is.assertOneOf('upsampling', cfg.upsampling, UPSAMPLING_METHODS);
  is.assertInteger('upsampleChannels', cfg.upsampleChannels, 1);
  const f = cfg.feature;
  const channels = positiveInts('feature.channels', f.channels, 2);
  const blocks = positiveInts('feature.blocks', f.blocks, channels.length, 0);
  if (blocks.length !== channels.length) throw is.invalidParameterError('feature.blocks', `${channels.length} entries (one per stage)`, f.blocks);
  if (f.stemStride !== 2 && f.stemStride !== 4) throw is.invalidParameterError('feature.stemStride', '2 or 4', f.stemStride);
  const needed = Math.log2(cfg.volumeScale / f.stemStride) + 1;
  if (channels.length < needed) throw is.invalidParameterError('feature.channels', `at least ${needed} stages for volumeScale ${cfg.volumeScale} after a stride-${f.stemStride} stem`, f.channels);
  is.assertInteger('feature.matchChannels', f.matchChannels, 1);
  is.assertInteger('feature.contextChannels', f.contextChannels, 1);
  const agg = { channels: positiveInts('aggregation.channels', cfg.aggregation.channels, 1), blocks: cfg.aggregation.blocks };
  is.assertInteger('aggregation.blocks', agg.blocks, 0, 16);
  let agg3: Aggregation3dConfig | undefined;
  if (a3) {
    agg3 = { channels: positiveInts('aggregation3d.channels', a3.channels, 1), outChannels: a3.outChannels as number };
    is.assertInteger('aggregation3d.outChannels', agg3.outChannels, 1);
  }
  const resolved: StereoNetConfig = Object.freeze({
    widthMultiplier: cfg.widthMultiplier,
    maxDisparity: cfg.maxDisparity,
    groups: cfg.groups,
    costVolume: cfg.costVolume,
    volumeScale: cfg.volumeScale,
    headScale: cfg.headScale,
    feature: Object.freeze({ stemStride: f.stemStride, channels, blocks, matchChannels: f.matchChannels, contextChannels: f.contextChannels }),
    aggregation: Object.freeze(agg),
    ...(agg3 ? { aggregation3d: Object.freeze(agg3) } : {}),
    upsampling: cfg.upsampling,
    upsampleChannels: cfg.upsampleChannels,
    channelMultiple: cfg.channelMultiple,
  });
  const match = scaledMatchChannels(resolved);
  if (match % resolved.groups !== 0) {
    throw new InvalidParameterError(`groups ${resolved.groups} must divide the scaled match channels ${match} (feature.matchChannels ${f.matchChannels} × widthMultiplier ${resolved.widthMultiplier})`);
  }
  return resolved;
}

/**
 * A width after the multiplier, rounded to the config's channel multiple (at least one multiple).
 * @param cfg - a resolved config.
 * @param base - the unscaled width.
 * @example scaled(STUDENT_CONFIG, 24) // 24
 */
export function scaled(cfg: StereoNetConfig, base: number): number {
  const m = cfg.channelMultiple;
  return Math.max(m, Math.round((base * cfg.widthMultiplier) / m) * m);
}

/** Correlated feature channels after scaling (the correlation groups must divide them). */
export function scaledMatchChannels(cfg: StereoNetConfig): number {
  return scaled(cfg, cfg.feature.matchChannels);
}

/** The head scale of the family's presets, and of models recorded before `headScale` existed. */
export const DEFAULT_HEAD_SCALE = 4;

/** The head scale of a recorded config (older records have none: their head ran at 1/4). */
export const headScaleOf = (cfg: Pick<StereoNetConfig, 'headScale'> | { headScale?: number }): number => cfg.headScale ?? DEFAULT_HEAD_SCALE;

/** Disparity hypotheses of the logits (maxDisparity / headScale). */
export const headDisparities = (cfg: StereoNetConfig): number => cfg.maxDisparity / cfg.headScale;

/** Disparity hypotheses of the cost volume (maxDisparity / volumeScale). */
export const volumeDisparities = (cfg: StereoNetConfig): number => cfg.maxDisparity / cfg.volumeScale;

/**
 * The input stride of a network: height and width must be multiples of it (the deepest
 * downsampling of the feature extractor or of the hourglass).
 * @example networkStride(STUDENT_CONFIG) // 16
 */
export function networkStride(cfg: StereoNetConfig): number {
  const feature = cfg.feature.stemStride * 2 ** (cfg.feature.channels.length - 1);
  const hourglass = cfg.volumeScale * 2 ** (cfg.aggregation.channels.length - 1);
  const hourglass3d = cfg.aggregation3d ? cfg.volumeScale * 2 ** cfg.aggregation3d.channels.length : 1;
  return Math.max(feature, hourglass, hourglass3d);
}

/**
 * Rounds an image size up to the stride (the edge runtime pads the same way, on the right and bottom).
 * @param width - image width in pixels (≥ 1).
 * @param height - image height in pixels (≥ 1).
 * @param stride - the network stride (≥ 1).
 * @example paddedSize(1242, 375, 16) // { width: 1248, height: 384 }
 */
export function paddedSize(width: number, height: number, stride: number): { width: number; height: number } {
  is.assertInteger('width', width, 1);
  is.assertInteger('height', height, 1);
  is.assertInteger('stride', stride, 1);
  return { width: Math.ceil(width / stride) * stride, height: Math.ceil(height / stride) * stride };
}
