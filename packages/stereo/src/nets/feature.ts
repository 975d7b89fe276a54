/**
 * The shared feature extractor. Left and right go through ONE conv stack as one batch (concat on
 * N, split at the end), so the weights are shared by construction and the convs see twice the
 * batch. A strided encoder (a 3×3 stride-2 or a 4×4 stride-4 stem, then stride-2 stages) and a
 * top-down path (upsample, concat the skip, conv) back to 1/4, or only to 1/8 when the head runs
 * there, give the matching features a large receptive field.
 */
import { attr, type GraphBuilder, type TensorRef } from '@stereo-sdk/core';
import { scaled, scaledMatchChannels, type StereoNetConfig } from './config.js';
import { convBnRelu, residualBlock, upsample2x } from './layers.js';

/** Outputs of the feature extractor. s is the volume scale (4 or 8). */
export interface StereoFeatures {
  /** Left matching features [N, Cm, H/s, W/s]. */
  readonly left: TensorRef;
  /** Right matching features [N, Cm, H/s, W/s]. */
  readonly right: TensorRef;
  /** Left context features [N, Cc, H/4, W/4] that guide the logits head and upsampling (absent when the head runs at 1/8). */
  readonly context?: TensorRef;
  /** Left context features at the volume's resolution [N, Cc, H/s, W/s], for the aggregation (= `context` when s = 4). */
  readonly volumeContext: TensorRef;
}

/**
 * Splits a tensor into two equal halves along `axis`, without naming the size (so the exported
 * graph keeps a symbolic batch).
 * @param b - the builder.
 * @param x - the tensor; its size along `axis` must be even.
 * @param axis - default 0.
 * @example const [fl, fr] = splitHalves(b, features); // the left and right halves of the batch
 */
export function splitHalves(b: GraphBuilder, x: TensorRef, axis = 0): [TensorRef, TensorRef] {
  const [a, c] = b.op('Split', [x], { axis: attr.int(axis), num_outputs: attr.int(2) }, { outputs: 2 });
  return [a!, c!];
}

/**
 * Builds the feature extractor in scope `feature`.
 * @param b - the builder.
 * @param left - left image [N, 3, H, W], H and W multiples of the network stride.
 * @param right - right image, same shape.
 * @param cfg - a resolved config (`feature` section and width multiplier).
 * @returns left/right matching features at the volume scale, left context features at 1/4 and at the volume scale.
 * @example const { left: fl, right: fr, context } = featureExtractor(b, left, right, cfg);
 */
export function featureExtractor(b: GraphBuilder, left: TensorRef, right: TensorRef, cfg: StereoNetConfig): StereoFeatures {
  return b.scope('feature', () => {
    const { channels, blocks, stemStride } = cfg.feature;
    let x = b.concat([left, right], 0);
    const stages: TensorRef[] = [];
    channels.forEach((c, i) => {
      b.scope(`stage${i}`, () => {
        const down = i === 0 && stemStride === 4 ? { kernel: 4, stride: 4, padding: 0 } : { stride: 2 };
        x = convBnRelu(b, x, scaled(cfg, c), { ...down, name: 'down' });
        for (let k = 0; k < blocks[i]!; k++) x = residualBlock(b, x, `block${k}`);
      });
      stages.push(x);
    });
    // Top-down back to 1/4 (to the volume's 1/8 when the head is at 1/8 too): upsample, concat
    // the encoder skip, fuse with a 3×3 conv.
    const quarter = stemStride === 4 ? 0 : 1;
    const level = quarter + Math.log2(cfg.volumeScale / 4);
    const lowest = cfg.headScale === 8 ? level : quarter;
    const fused: TensorRef[] = [...stages];
    for (let i = stages.length - 2; i >= lowest; i--) {
      fused[i] = b.scope(`up${i}`, () => convBnRelu(b, b.concat([upsample2x(b, fused[i + 1]!), stages[i]!], 1), scaled(cfg, channels[i]!), { name: 'fuse' }));
    }
    const match = b.scope('match', () => convBnRelu(b, fused[level]!, scaledMatchChannels(cfg), { relu: false, name: 'conv' }));
    const [fl, fr] = splitHalves(b, match);
    const contextAt = (i: number, scope: string): TensorRef =>
      b.scope(scope, () => convBnRelu(b, splitHalves(b, fused[i]!)[0], scaled(cfg, cfg.feature.contextChannels), { name: 'conv' }));
    const context = cfg.headScale === 4 ? contextAt(quarter, 'context') : undefined;
    const volumeContext = context && level === quarter ? context : contextAt(level, 'volume_context');
    return { left: fl, right: fr, context, volumeContext };
  });
}
