/**
 * The one table of channel rules, keyed by ONNX op type (ai.onnx domain). Each rule file exports
 * a fragment; this module only merges them. An op missing here is unknown to the comb, which then
 * fixes every axis its node touches.
 */
import { concatRules } from './concat.js';
import { convRules } from './conv.js';
import { elementwiseRules } from './elementwise.js';
import { matmulRules } from './matmul.js';
import { normalizationRules } from './normalization.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';
import { spatialRules } from './spatial.js';
import type { ChannelRule } from './types.js';

export type { ChannelRule, CombContext, CutContext, LinkOptions } from './types.js';

/**
 * Channel rules by op type: `comb` couples the node's axes, `cut` rewrites what slicing the
 * initializers leaves inconsistent.
 * @example
 * channelRules['Relu'].comb(ctx); // links every axis of the input to the same axis of the output
 */
export const channelRules: Record<string, ChannelRule> = {
  ...elementwiseRules,
  ...convRules,
  ...normalizationRules,
  ...spatialRules,
  ...concatRules,
  ...matmulRules,
  ...shapeRules,
  ...reduceRules,
};
