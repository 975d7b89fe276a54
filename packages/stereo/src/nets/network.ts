/**
 * Assembly of the network family: shared feature extractor → correlation volume (disparity as
 * channels) at 1/4 (or 1/8) → [3D hourglass, teacher only] → 2D hourglass → logits at 1/4 (or 1/8) →
 * softmax + soft-argmin → learned upsampling to full resolution. The student and teacher differ
 * only by their configs.
 */
import { GraphBuilder, InvalidParameterError, is, type Graph, type ModuleRecord } from '@stereo-sdk/core';
import {
  networkStride,
  paddedSize,
  headDisparities,
  scaled,
  volumeDisparities,
  type StereoNetConfig,
} from './config.js';
import { convBnRelu, upsample2x } from './layers.js';
import { correlationVolume, volumeToChannels } from './cost-volume.js';
import { featureExtractor } from './feature.js';
import { hourglass2d, hourglass3d } from './hourglass.js';
import { softArgmin } from './regression.js';
import { bilinearUpsampleDisparity, convexUpsample, subpixelUpsample, upsampleMask } from './upsample.js';

/** Graph input and output names of every network of the family. */
export const STEREO_NET_IO = Object.freeze({
  left: 'left',
  right: 'right',
  /** Full-resolution disparity [N, 1, H, W] in pixels (learned upsampling). */
  disparity: 'disparity',
  /** Scores at the head's scale s (4 or 8) [N, maxDisparity/s, H/s, W/s], for distillation. */
  logits: 'logits',
  /** The head-resolution soft-argmin disparity upsampled bilinearly to [N, 1, H, W], for multi-scale losses. */
  coarseDisparity: 'disparity_coarse',
  /**
   * Inference export only: the largest softmax probability [N, 1, H/s, W/s] in [0, 1], the edge
   * runtime's per-pixel confidence. Training graphs do not have it.
   */
  confidence: 'confidence',
});

/** Metadata key under which the builder records the network's kind and config (read by the exporter). */
export const NET_METADATA_KEY = 'stereo_sdk.net';

/** Which preset a network was built from. */
export type StereoNetKind = 'student' | 'teacher';

/** A built network. */
export interface StereoNetwork {
  readonly kind: StereoNetKind;
  /** Validated graph with static shapes (BN in inference form), ready for autodiff/training or export. */
  readonly graph: Graph;
  readonly config: StereoNetConfig;
  /** Input H and W must be multiples of this. */
  readonly stride: number;
  /** Input shape [N, 3, H, W] the graph was built at. */
  readonly inputShape: readonly [number, number, number, number];
  /** Parametric layers (conv, BN) in creation order, by module path. */
  readonly modules: readonly ModuleRecord[];
}

/** Size and seed options of the builders. */
export interface BuildOptions {
  /** Input height in pixels, a multiple of the stride. */
  height: number;
  /** Input width in pixels, a multiple of the stride. */
  width: number;
  /** Batch size; default 1. */
  batch?: number;
  /** Parameter initialization seed; default 0. */
  seed?: number;
}

/** What `NET_METADATA_KEY` holds. */
export interface NetMetadata {
  readonly kind: StereoNetKind;
  readonly stride: number;
  readonly config: StereoNetConfig;
}

/**
 * Builds a network of the family from a resolved config.
 * @param kind - recorded in the metadata ('student' or 'teacher').
 * @param cfg - a config from `resolveNetConfig`.
 * @param opts - input size (multiples of the stride), batch, seed.
 * @throws InvalidParameterError when the size is not a multiple of the stride, or the volume's
 *   disparities do not divide by the 3D hourglass's downsampling.
 * @example const net = buildStereoNetwork('student', resolveNetConfig(STUDENT_CONFIG, { groups: 2 }), { height: 256, width: 512 });
 */
export function buildStereoNetwork(kind: StereoNetKind, cfg: StereoNetConfig, opts: BuildOptions): StereoNetwork {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('build options', 'an object', opts);
  const { height, width } = opts;
  const batch = opts.batch ?? 1;
  is.assertInteger('height', height, 1);
  is.assertInteger('width', width, 1);
  is.assertInteger('batch', batch, 1, 1024);
  const stride = networkStride(cfg);
  if (height % stride !== 0 || width % stride !== 0) {
    const p = paddedSize(width, height, stride);
    throw new InvalidParameterError(`Input ${width}x${height} is not a multiple of the network stride ${stride}; pad it to ${p.width}x${p.height}`);
  }
  const dv = volumeDisparities(cfg);
  if (cfg.aggregation3d && dv % 2 ** cfg.aggregation3d.channels.length !== 0) {
    throw new InvalidParameterError(`maxDisparity/${cfg.volumeScale} = ${dv} must be divisible by ${2 ** cfg.aggregation3d.channels.length} for a ${cfg.aggregation3d.channels.length}-level 3D hourglass`);
  }

  const b = new GraphBuilder({ name: kind, seed: opts.seed ?? 0 });
  const left = b.input(STEREO_NET_IO.left, 'float32', [batch, 3, height, width]);
  const right = b.input(STEREO_NET_IO.right, 'float32', [batch, 3, height, width]);
  const features = featureExtractor(b, left, right, cfg);
  const volume = correlationVolume(b, features.left, features.right, {
    disparities: dv,
    groups: cfg.groups,
    method: cfg.costVolume,
    layout: cfg.aggregation3d ? '3d' : '2d',
    // The order is free for the learned layers after it, and descending costs no reversal.
    order: 'descending',
  });
  const parts = [cfg.aggregation3d ? volumeToChannels(b, volume) : volume];
  if (cfg.aggregation3d) {
    const a3 = cfg.aggregation3d;
    const filtered = hourglass3d(b, volume, { channels: a3.channels.map((c) => scaled(cfg, c)), blocks: 1 }, scaled(cfg, a3.outChannels));
    parts.push(volumeToChannels(b, filtered));
  }
  parts.push(features.volumeContext);
  const widths = cfg.aggregation.channels.map((c) => scaled(cfg, c));
  let aggregated = hourglass2d(b, b.concat(parts, 1), { channels: widths, blocks: cfg.aggregation.blocks });
  const s = cfg.headScale;
  if (cfg.volumeScale === 8 && s === 4) {
    // Back to 1/4 for the logits: upsample, add the 1/4 context, fuse.
    aggregated = b.scope('head', () => convBnRelu(b, b.concat([upsample2x(b, aggregated), features.context!], 1), widths[0]!, { name: 'up' }));
  }
  const logits = b.scope('head', () => b.conv(aggregated, headDisparities(cfg), { kernel: 3, padding: 1, name: 'logits' }));
  const coarse = softArgmin(b, logits);
  const guide = b.concat([aggregated, s === 4 ? features.context! : features.volumeContext], 1);
  const hidden = scaled(cfg, cfg.upsampleChannels);
  const full = cfg.upsampling === 'convex' ? convexUpsample(b, coarse, upsampleMask(b, guide, hidden, s), s) : subpixelUpsample(b, coarse, guide, hidden, s);
  b.output(full, STEREO_NET_IO.disparity);
  b.output(logits, STEREO_NET_IO.logits);
  b.output(bilinearUpsampleDisparity(b, coarse, s), STEREO_NET_IO.coarseDisparity);
  const graph = b.build();
  const meta: NetMetadata = { kind, stride, config: cfg };
  graph.metadata.set(NET_METADATA_KEY, JSON.stringify(meta));
  return { kind, graph, config: cfg, stride, inputShape: [batch, 3, height, width], modules: b.modules };
}
