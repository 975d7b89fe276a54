/**
 * Conv and ConvTranspose. A plain conv breaks the chain: its weight consumes the input channels
 * and produces the output channels, so input and output fall in different groups. A group conv
 * with as many output as input channels (depthwise included) couples them instead: channel k in
 * is channel k out, and whole groups are removed (unit = channels per group, 1 when depthwise),
 * with `group` rewritten by the cut. Other group convs (depthwise multipliers, in != out) keep all
 * their channels: removing a channel there would change how the groups split.
 */
import { attr, attrInt } from '../../graph/index.js';
import type { ChannelRule, CombContext, CutContext } from './types.js';

/** Couples a conv-like node; `inAxis`/`outAxis` are the weight axes of input/output channels. */
function combConv(ctx: CombContext, inAxis: number, outAxis: number): void {
  const [x, w, b, y] = [ctx.input(0), ctx.input(1), ctx.input(2), ctx.output(0)];
  const group = attrInt(ctx.node, 'group', 1);
  const cin = ctx.shape(x)![1];
  const cout = ctx.shape(y)![1];
  ctx.link(x, 0, y, 0);
  if (b) ctx.link(b, 0, y, 1, { role: 'affine' });
  if (group === 1) {
    ctx.link(x, 1, w, inAxis, { role: 'consumer' });
    ctx.link(w, outAxis, y, 1, { role: 'producer' });
  } else if (typeof cin === 'number' && cin === cout) {
    // Both layouts hold every channel on weight axis 0 ([M, C/g] or [C, M/g]); axis 1 is per group.
    ctx.link(x, 1, y, 1);
    ctx.link(w, 0, y, 1, { role: 'producer' });
    ctx.free(w, 1);
    if (cin / group > 1) ctx.unit(y, 1, cin / group);
  } else {
    const why = `group ${group} with ${cin} input and ${cout} output channels: groups would not split evenly`;
    ctx.link(w, 0, y, 1, { role: 'producer' });
    ctx.fix(x, 1, why);
    ctx.fix(y, 1, why);
  }
}

/** Rewrites `group` of a grouped conv whose channels were cut (whole groups were removed). */
function cutGroup(ctx: CutContext): void {
  const group = attrInt(ctx.node, 'group', 1);
  const x = ctx.node.inputs[0]!;
  const after = ctx.kept(x, 1)?.length;
  const before = ctx.oldShape(x)?.[1];
  if (group === 1 || after === undefined || typeof before !== 'number') return;
  ctx.setAttribute('group', attr.int(after / (before / group)));
}

/** Conv: weight [M, C/group, k...]. */
const conv: ChannelRule = {
  comb: (ctx) => combConv(ctx, 1, 0),
  cut: cutGroup,
};

/** ConvTranspose: weight [C, M/group, k...]; output_shape and pads only name spatial axes. */
const convTranspose: ChannelRule = {
  comb: (ctx) => combConv(ctx, 0, 1),
  cut: cutGroup,
};

/** Conv channel rules by op type. */
export const convRules: Record<string, ChannelRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
};
