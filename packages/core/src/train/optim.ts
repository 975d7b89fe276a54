/**
 * Optimizers as graph nodes: the update of every parameter (and its moments) runs inside the same
 * session.run as forward and backward. The learning rate and step count are scalar graph inputs, so
 * schedules change nothing in the graph. The update formulas follow PyTorch 1.13's single-tensor
 * AdamW and SGD step for step, so a resumed or replayed run matches PyTorch's arithmetic.
 */
import * as is from '../is.js';
import { attr } from '../graph/attributes.js';
import { dtypeToOnnx } from '../graph/tensor.js';
import type { Graph } from '../graph/graph.js';
import { Emitter } from './emit.js';
import type { OptimizerConfig } from './types.js';

/** A parameter and its gradient value in the graph. */
export interface ParamGrad {
  readonly param: string;
  readonly grad: string;
  /** Whether weight decay applies to it. */
  readonly decay: boolean;
}

/**
 * Names of the optimizer's per-step scalar inputs (float64, rank 0). Like PyTorch's Python
 * scalars, the learning rate and the bias corrections are computed in double precision and rounded
 * to float32 only where they meet a tensor.
 */
export interface OptimizerScalars {
  /** The learning rate of this step. */
  readonly lr: string;
  /** The 1-based step number t. */
  readonly step: string;
}

/** A value fed back each step: graph input `name`, its updated value `next`. */
export interface StateSlot {
  readonly name: string;
  readonly next: string;
}

/** What `emitOptimizer` added. */
export interface OptimizerGraph {
  /** Updated value of each parameter, in `ParamGrad` order. */
  readonly params: readonly StateSlot[];
  /** Optimizer moments: new graph inputs (start at zeros of the parameter's shape) and their updates. */
  readonly moments: readonly (StateSlot & { readonly param: string; readonly role: string })[];
}

/** Optimizer settings with defaults filled in. */
export type ResolvedOptimizer =
  | { type: 'adamw'; lr: number; betas: [number, number]; eps: number; weightDecay: number }
  | { type: 'sgd'; lr: number; momentum: number; nesterov: boolean; weightDecay: number };

/** Optimizer defaults (PyTorch's, except the lr, which PyTorch's SGD has none of). */
const DEFAULTS = {
  optimizer: { type: 'adamw', lr: 1e-3 } as OptimizerConfig,
  adamw: { betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0.01 },
  sgd: { momentum: 0, nesterov: false, weightDecay: 0 },
};

/**
 * Checks an optimizer config and fills its defaults.
 * @throws InvalidParameterError naming the bad field
 */
export function resolveOptimizer(cfg: OptimizerConfig | undefined): ResolvedOptimizer {
  const c = cfg ?? DEFAULTS.optimizer;
  if (!is.plainObject(c)) throw is.invalidParameterError('optimizer', 'an object like { type: "adamw", lr: 1e-3 }', c);
  is.assertOneOf('optimizer.type', c.type, ['adamw', 'sgd']);
  is.assertNumber('optimizer.lr', c.lr, Number.MIN_VALUE);
  const weightDecay = c.weightDecay ?? DEFAULTS[c.type].weightDecay;
  is.assertNumber('optimizer.weightDecay', weightDecay, 0);
  if (c.type === 'adamw') {
    const betas = c.betas ?? DEFAULTS.adamw.betas;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => is.number(b) && b >= 0 && b < 1)) {
      throw is.invalidParameterError('optimizer.betas', 'two numbers in [0, 1)', betas);
    }
    const eps = c.eps ?? DEFAULTS.adamw.eps;
    is.assertNumber('optimizer.eps', eps, 0);
    return { type: 'adamw', lr: c.lr, betas: [betas[0], betas[1]], eps, weightDecay };
  }
  const momentum = c.momentum ?? DEFAULTS.sgd.momentum;
  is.assertNumber('optimizer.momentum', momentum, 0, 1);
  const nesterov = c.nesterov ?? DEFAULTS.sgd.nesterov;
  if (!is.bool(nesterov)) throw is.invalidParameterError('optimizer.nesterov', 'a boolean', nesterov);
  if (nesterov && momentum === 0) throw is.invalidParameterError('optimizer.momentum', 'a momentum > 0 with nesterov', momentum);
  return { type: 'sgd', lr: c.lr, momentum, nesterov, weightDecay };
}

/** Name of the updated value of a state input. */
export const nextName = (name: string): string => `next/${name}`;

/**
 * Adds the optimizer update of every parameter to `graph`.
 * @param graph the graph holding forward and backward (parameters are graph inputs)
 * @param cfg resolved optimizer settings
 * @param items parameters with their (clipped) gradients
 * @param scalars names of the lr and step graph inputs
 * @returns the updated-value names and the moment inputs it added (`optim/<param>/<role>`)
 */
export function emitOptimizer(graph: Graph, cfg: ResolvedOptimizer, items: readonly ParamGrad[], scalars: OptimizerScalars): OptimizerGraph {
  const e = new Emitter(graph, `train/${cfg.type}`);
  const params: StateSlot[] = [];
  const moments: (StateSlot & { param: string; role: string })[] = [];
  const moment = (param: string, role: string): string => {
    const name = `optim/${param}/${role}`;
    graph.addInput(name, { dtype: 'float32', shape: graph.staticShape(param) });
    moments.push({ name, next: nextName(name), param, role });
    return name;
  };
  const one = e.scalar(1, 'float64');
  const toFloat = (x: string): string => e.op('Cast', [x], { to: attr.int(dtypeToOnnx('float32')) });
  if (cfg.type === 'adamw') {
    const [b1, b2] = cfg.betas;
    const correction = (beta: number): string => e.sub(one, e.op('Pow', [e.scalar(beta, 'float64'), scalars.step]));
    const stepSize = toFloat(e.div(scalars.lr, correction(b1)));
    const correction2Sqrt = toFloat(e.sqrt(correction(b2)));
    const shrink = cfg.weightDecay > 0 ? toFloat(e.sub(one, e.mul(scalars.lr, e.scalar(cfg.weightDecay, 'float64')))) : undefined;
    for (const { param, grad, decay } of items) {
      const m = moment(param, 'exp_avg');
      const v = moment(param, 'exp_avg_sq');
      const decayed = shrink && decay ? e.mul(param, shrink) : param;
      const m2 = e.op('Add', [e.mul(m, e.scalar(b1)), e.mul(grad, e.scalar(1 - b1))], {}, nextName(m));
      const v2 = e.op('Add', [e.mul(v, e.scalar(b2)), e.mul(e.mul(grad, grad), e.scalar(1 - b2))], {}, nextName(v));
      const denom = e.add(e.div(e.sqrt(v2), correction2Sqrt), e.scalar(cfg.eps));
      const p2 = e.op('Sub', [decayed, e.mul(e.div(m2, denom), stepSize)], {}, nextName(param));
      params.push({ name: param, next: p2 });
    }
  } else {
    const lr = toFloat(scalars.lr);
    for (const { param, grad, decay } of items) {
      let d = cfg.weightDecay > 0 && decay ? e.add(grad, e.mul(param, e.scalar(cfg.weightDecay))) : grad;
      if (cfg.momentum > 0) {
        // A zero-initialized buffer makes the first step's buf = d exactly, as PyTorch's clone.
        const buf = moment(param, 'momentum_buffer');
        const buf2 = e.op('Add', [e.mul(buf, e.scalar(cfg.momentum)), d], {}, nextName(buf));
        d = cfg.nesterov ? e.add(d, e.mul(buf2, e.scalar(cfg.momentum))) : buf2;
      }
      const p2 = e.op('Sub', [param, e.mul(d, lr)], {}, nextName(param));
      params.push({ name: param, next: p2 });
    }
  }
  return { params, moments };
}

/**
 * Adds the global L2 norm of `grads` (√Σ‖g‖²) as a scalar value.
 * @returns its name
 */
export function emitGlobalNorm(graph: Graph, grads: readonly string[]): string {
  const e = new Emitter(graph, 'train/grad_norm');
  const squares = grads.map((g) => e.sumSquares(g));
  return e.sqrt(squares.length === 1 ? squares[0]! : e.op('Sum', squares));
}

/**
 * Scales every gradient by min(1, maxNorm / (norm + 1e-6)), as `torch.nn.utils.clip_grad_norm_`.
 * @param norm the global norm value (from `emitGlobalNorm`)
 * @returns the clipped gradient names, in order
 */
export function emitClipByNorm(graph: Graph, grads: readonly string[], norm: string, maxNorm: number): string[] {
  const e = new Emitter(graph, 'train/clip');
  const coef = e.op('Min', [e.div(e.scalar(maxNorm), e.add(norm, e.scalar(1e-6))), e.scalar(1)]);
  return grads.map((g) => e.mul(g, coef));
}
