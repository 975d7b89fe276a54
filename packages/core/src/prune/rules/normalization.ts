/**
 * Normalization ops. Their per-channel parameters and statistics are `affine` slices of the
 * channel they normalize: BatchNormalization and InstanceNormalization on axis 1,
 * LayerNormalization on the normalized trailing axes. Ops that mix channels in groups or windows
 * (GroupNormalization, LRN) keep their channels.
 */
import { attrInt } from '../../graph/index.js';
import { axisIn, broadcastLink, passAll } from './helpers.js';
import type { ChannelRule } from './types.js';

/** x passes through; inputs 1.. are [C] parameters; training outputs 1.. are [C] statistics. */
const perChannel: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    passAll(ctx, x, y);
    for (let i = 1; i < ctx.node.inputs.length; i++) if (ctx.input(i)) ctx.link(ctx.input(i), 0, y, 1, { role: 'affine' });
    for (let i = 1; i < ctx.node.outputs.length; i++) if (ctx.output(i)) ctx.link(ctx.output(i), 0, y, 1);
  },
};

/** Scale and bias broadcast over the normalized axes [axis, rank); Mean/InvStdDev keep the others. */
const layerNorm: ChannelRule = {
  comb: (ctx) => {
    const [x, y] = [ctx.input(0), ctx.output(0)];
    const r = ctx.rank(x);
    const axis = axisIn(attrInt(ctx.node, 'axis', -1), r);
    passAll(ctx, x, y);
    broadcastLink(ctx, [ctx.input(1), ctx.input(2)], y, 'affine');
    for (const o of [ctx.output(1), ctx.output(2)]) {
      if (!o) continue;
      for (let a = 0; a < r; a++) {
        if (a < axis) ctx.link(x, a, o, a);
        else ctx.free(o, a);
      }
    }
  },
};

/** Everything passes but the channel axis, which the op mixes. */
function mixesChannels(why: string): ChannelRule {
  return {
    comb: (ctx) => {
      passAll(ctx, ctx.input(0), ctx.output(0));
      ctx.fix(ctx.input(0), 1, why);
    },
  };
}

/** Normalization channel rules by op type. */
export const normalizationRules: Record<string, ChannelRule> = {
  BatchNormalization: perChannel,
  InstanceNormalization: perChannel,
  LayerNormalization: layerNorm,
  GroupNormalization: mixesChannels('GroupNormalization normalizes over groups of channels'),
  LRN: mixesChannels('LRN mixes neighbouring channels'),
};
