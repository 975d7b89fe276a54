/** Reverse-mode autodiff in standard ONNX ops: the walker, the emitter and the rule table. */
export type { GradEmitter, GradRule } from './types.js';
export { grad, type GradOptions, type GradResult } from './grad.js';
export { createEmitter, type ScopedEmitter } from './emitter.js';
export { gradRules } from './rules/index.js';
