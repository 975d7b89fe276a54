/**
 * The one table of gradient rules, keyed by ONNX op type (ai.onnx domain). Each rule file exports
 * a fragment; this module only merges them, so knowledge about an op lives in exactly one place.
 */
import type { GradRule } from '../types.js';
import { activationRules } from './activation.js';
import { batchNormRules } from './batchnorm.js';
import { convRules } from './conv.js';
import { einsumRules } from './einsum.js';
import { elementwiseRules } from './elementwise.js';
import { poolRules } from './pool.js';
import { gatherRules } from './gather.js';
import { matmulRules } from './matmul.js';
import { reduceRules } from './reduce.js';
import { resizeRules } from './resize.js';
import { shapeRules } from './shape.js';
import { softmaxRules } from './softmax.js';

/**
 * Gradient rules by op type. A rule gets the forward node and its output gradients and returns
 * one gradient per input (or null); the walker in `grad` does accumulation and un-broadcasting.
 * Adding an op means adding one entry (tests may also swap an entry temporarily).
 * @example
 * gradRules['Neg'](emitter, node, ['grad/y']); // → [name of Neg(grad/y)]
 */
export const gradRules: Record<string, GradRule> = {
  ...activationRules,
  ...elementwiseRules,
  ...reduceRules,
  ...shapeRules,
  ...softmaxRules,
  ...matmulRules,
  ...resizeRules,
  ...gatherRules,
  ...einsumRules,
  ...convRules,
  ...poolRules,
  ...batchNormRules,
};
