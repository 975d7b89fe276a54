/**
 * Aggregation hourglasses. The 2D one treats the disparity axis as channels (MobileStereoNet-2D,
 * LightStereo): an encoder of strided 3×3 convs, a decoder of ×2 upsampling + conv whose output
 * is added to the encoder's skip. The 3D one (teacher only) filters the group-wise volume over
 * (D, H, W) the same way; it upsamples with trilinear Resize + Conv3d, never ConvTranspose3d
 * (very slow on CPU).
 */
import { is, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';
import { convBnRelu, upsample2x } from './layers.js';

/** Options of the hourglasses: widths per level (already scaled) and extra convs per level. */
export interface HourglassOptions {
  /** Output channels per level, the first at the input resolution, each next at half of it. */
  channels: readonly number[];
  /** Extra 3×3 Conv-BN-ReLU layers per encoder and decoder level; default 1. */
  blocks?: number;
  /** Module scope; default `aggregation`. */
  scope?: string;
}

function checkOptions(opts: HourglassOptions): number {
  if (!Array.isArray(opts.channels) || opts.channels.length === 0 || !opts.channels.every((c) => Number.isInteger(c) && c >= 1)) {
    throw is.invalidParameterError('hourglass channels', 'a non-empty array of integers >= 1', opts.channels);
  }
  const blocks = opts.blocks ?? 1;
  is.assertInteger('hourglass blocks', blocks, 0, 16);
  return blocks;
}

/** Encoder-decoder with skip adds, for 4-D (2D convs) or 5-D (3D convs) input. */
function hourglass(b: GraphBuilder, x: TensorRef, opts: HourglassOptions, project: boolean): TensorRef {
  const blocks = checkOptions(opts);
  const { channels } = opts;
  const convs = (y: TensorRef, c: number, prefix: string): TensorRef => {
    let out = y;
    for (let k = 0; k < blocks; k++) out = convBnRelu(b, out, c, { name: `${prefix}${k}` });
    return out;
  };
  return b.scope(opts.scope ?? 'aggregation', () => {
    // A 1×1 projection first: the volume (+ context) can have hundreds of channels.
    let y = project ? convBnRelu(b, x, channels[0]!, { kernel: 1, name: 'proj' }) : x;
    const skips = [b.scope('level0', () => convs(y, channels[0]!, 'conv'))];
    for (let i = 1; i < channels.length; i++) {
      y = b.scope(`level${i}`, () => convs(convBnRelu(b, skips[i - 1]!, channels[i]!, { stride: 2, name: 'down' }), channels[i]!, 'conv'));
      skips.push(y);
    }
    for (let i = channels.length - 2; i >= 0; i--) {
      y = b.scope(`up${i}`, () => {
        const up = convBnRelu(b, upsample2x(b, y), channels[i]!, { name: 'up' });
        return convs(b.add(up, skips[i]!), channels[i]!, 'conv');
      });
    }
    return y;
  });
}

/**
 * 2D hourglass over a cost volume whose disparity axis is channels.
 * @param b - the builder.
 * @param x - [N, C, H, W] (volume, optionally concatenated with context); H, W divisible by 2^(levels−1).
 * @param opts - widths per level and extra convs per level.
 * @returns features [N, channels[0], H, W].
 * @example const agg = hourglass2d(b, b.concat([cost, context], 1), { channels: [48, 64, 96], blocks: 1 });
 */
export function hourglass2d(b: GraphBuilder, x: TensorRef, opts: HourglassOptions): TensorRef {
  if (x.shape.length !== 4) throw is.invalidParameterError('hourglass2d input', 'a tensor [N, C, H, W]', x.shape);
  return hourglass(b, x, opts, true);
}

/**
 * 3D hourglass over a group-wise volume [N, G, D, H, W]: a strided Conv3d to half resolution in
 * D, H and W, the hourglass there, a Conv3d to `outChannels` and a trilinear ×2 back.
 * @param b - the builder.
 * @param volume - [N, G, D, H, W]; D, H, W divisible by 2^levels.
 * @param opts - widths per level (the first at half resolution) and extra convs per level.
 * @param outChannels - channels of the output volume (≥ 1).
 * @returns [N, outChannels, D, H, W].
 * @example const v = hourglass3d(b, volume, { channels: [16, 32], scope: 'aggregation3d' }, 4);
 */
export function hourglass3d(b: GraphBuilder, volume: TensorRef, opts: HourglassOptions, outChannels: number): TensorRef {
  if (volume.shape.length !== 5) throw is.invalidParameterError('hourglass3d input', 'a tensor [N, G, D, H, W]', volume.shape);
  is.assertInteger('outChannels', outChannels, 1);
  const scope = opts.scope ?? 'aggregation3d';
  const first = b.scope(scope, () => convBnRelu(b, volume, opts.channels[0]!, { stride: 2, name: 'stem' }));
  const mid = hourglass(b, first, { ...opts, scope: `${scope}_hourglass` }, false);
  return b.scope(`${scope}_out`, () => upsample2x(b, convBnRelu(b, mid, outChannels, { name: 'conv' })));
}
