/**
 * Assembles the one-run training step: model + loss → training-mode BN → parameters and running
 * statistics as graph inputs → backward (`grad`) → gradient norm and clipping → optimizer update.
 * Everything fed back each step (parameters, BN statistics, optimizer moments) is a `StateSlot`:
 * a graph input and the graph output holding its next value.
 */
import { InvalidParameterError } from '../errors.js';
import { grad } from '../autodiff/grad.js';
import type { Graph } from '../graph/graph.js';
import { numel } from '../graph/tensor.js';
import { validateGraph } from '../graph/validate.js';
import { toTrainingBatchNorm } from './batchnorm.js';
import { emitClipByNorm, emitGlobalNorm, emitOptimizer, type ResolvedOptimizer, type StateSlot } from './optim.js';

/** Names of the scalar inputs and outputs every training graph has. */
export const STEP_NAMES = { lr: 'train/lr', step: 'train/step', gradNorm: 'train/grad_norm' } as const;

/** What the training graph needs to be built. */
export interface StepGraphConfig {
  /** Scalar loss output of the source graph. */
  readonly loss: string;
  /** Trainable parameter names (float32 initializers of the source graph). */
  readonly params: readonly string[];
  /** Parameters exempt from weight decay. */
  readonly noDecay: ReadonlySet<string>;
  readonly optimizer: ResolvedOptimizer;
  readonly clipGradNorm?: number;
  /** Extra scalar outputs to report. */
  readonly metrics: readonly string[];
}

/** The assembled step graph. */
export interface StepGraph {
  readonly graph: Graph;
  /** Parameters that actually receive a gradient (a subset of `config.params`, same order). */
  readonly params: readonly string[];
  /** Every value fed back: parameters, BN running statistics, then optimizer moments. */
  readonly state: readonly StateSlot[];
  /** Optimizer moment slots (`optim/<param>/<role>`), which start at zeros. */
  readonly moments: readonly StateSlot[];
  /** Graph inputs the caller feeds each step (the data: images, targets, masks...). */
  readonly dataInputs: readonly string[];
}

/** Values the loss is computed from (by structure, through any op). */
function ancestors(graph: Graph, value: string): Set<string> {
  const seen = new Set([value]);
  const stack = [value];
  while (stack.length) {
    const node = graph.producer(stack.pop()!);
    if (!node) continue;
    for (const v of node.inputs) {
      if (v && !seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
    }
  }
  return seen;
}

/** True when `value` is an Expand of an all-zero constant (the walker's gradient for an unused value). */
function isZeroFill(graph: Graph, value: string): boolean {
  const node = graph.producer(value);
  const fill = node?.opType === 'Expand' ? graph.initializer(node.inputs[0]!) : undefined;
  return !!fill && Array.from(fill.data as ArrayLike<number>).every((v) => Number(v) === 0);
}

/** Turns an initializer into a graph input of the same type (its value is then fed each step). */
function liftToInput(graph: Graph, name: string): void {
  const t = graph.initializer(name)!;
  graph.removeInitializer(name);
  graph.addInput(name, { dtype: t.dtype, shape: t.dims });
}

/** Checks that the loss is a float32 scalar output of the graph. */
function checkLoss(source: Graph, loss: string): void {
  if (!source.hasValue(loss)) {
    throw new InvalidParameterError(`Loss '${loss}' is not a value of graph '${source.name}' (outputs: ${source.outputs.join(', ') || 'none'}); build one with e.g. l1Loss and b.output(l, '${loss}')`);
  }
  const t = source.type(loss);
  if (!t?.shape || t.dtype !== 'float32' || !t.shape.every((d) => d === 1)) {
    throw new InvalidParameterError(`Loss '${loss}' must be a float32 scalar, got ${t ? `${t.dtype} [${t.shape?.join(', ') ?? '?'}]` : 'an unknown type'}`);
  }
}

/**
 * Builds the training-step graph from a source graph (model + scalar loss, BN in inference form).
 * @param source the source graph (not modified)
 * @param cfg loss, parameters, optimizer, clipping and metrics
 * @returns the step graph and its state layout
 * @throws InvalidParameterError when the loss or a metric is not a float32 scalar, or no parameter
 *   reaches the loss
 * @throws GraphValidationError naming the node when a shape is not static or an op has no gradient rule
 */
export function buildStepGraph(source: Graph, cfg: StepGraphConfig): StepGraph {
  checkLoss(source, cfg.loss);
  for (const m of cfg.metrics) {
    const t = source.type(m);
    if (!source.hasValue(m) || !t?.shape || numel(t.shape as number[]) !== 1) throw new InvalidParameterError(`Metric '${m}' must be a scalar value of graph '${source.name}'`);
  }
  const g = source.clone({ shareTensors: true });
  const batchNorms = toTrainingBatchNorm(g);
  const reached = ancestors(g, cfg.loss);
  const params = cfg.params.filter((p) => reached.has(p));
  if (params.length === 0) throw new InvalidParameterError(`Loss '${cfg.loss}' depends on none of the ${cfg.params.length} trainable parameters`);

  const stats: StateSlot[] = [];
  const seen = new Set<string>();
  for (const bn of batchNorms) {
    for (const [name, next] of [[bn.runningMean, bn.nextMean], [bn.runningVar, bn.nextVar]] as const) {
      if (!g.isInitializer(name)) throw new InvalidParameterError(`BatchNormalization '${bn.node}': running statistic '${name}' must be an initializer to be updated`);
      if (seen.has(name)) throw new InvalidParameterError(`BatchNormalization '${bn.node}': running statistic '${name}' is shared with another BN node`);
      seen.add(name);
      stats.push({ name, next });
    }
  }
  // Differentiate while the parameters are still initializers: rules that need a constant input
  // (Resize scales, Reshape shapes) see one, and give it no gradient.
  const { graph: t, gradients } = grad(g, cfg.loss, params, { addOutputs: false, validate: false });
  // A parameter whose gradient is the walker's zero fill reaches the loss only through
  // non-differentiable inputs: it stays a constant.
  const trained = params.filter((p) => !isZeroFill(t, gradients[p]!));
  if (trained.length === 0) throw new InvalidParameterError(`No trainable parameter receives a gradient from loss '${cfg.loss}'`);
  for (const p of trained) liftToInput(t, p);
  for (const s of stats) liftToInput(t, s.name);
  t.addInput(STEP_NAMES.lr, { dtype: 'float64', shape: [] });
  t.addInput(STEP_NAMES.step, { dtype: 'float64', shape: [] });

  const grads = trained.map((p) => gradients[p]!);
  const norm = emitGlobalNorm(t, grads);
  const clipped = cfg.clipGradNorm ? emitClipByNorm(t, grads, norm, cfg.clipGradNorm) : grads;
  const update = emitOptimizer(
    t,
    cfg.optimizer,
    trained.map((param, i) => ({ param, grad: clipped[i]!, decay: !cfg.noDecay.has(param) })),
    STEP_NAMES,
  );
  t.addNode({ opType: 'Identity', inputs: [norm], outputs: [STEP_NAMES.gradNorm], name: STEP_NAMES.gradNorm });
  t.setType(STEP_NAMES.gradNorm, { dtype: 'float32', shape: [] });

  const state = [...update.params, ...stats, ...update.moments];
  t.setOutputs([...new Set([cfg.loss, STEP_NAMES.gradNorm, ...cfg.metrics, ...state.map((s) => s.next)])]);
  t.removeDeadCode();
  for (const name of [...t.inputs]) if (t.uses(name).length === 0 && !t.isOutput(name)) t.removeInput(name);
  validateGraph(t);
  return {
    graph: t,
    params: trained,
    state,
    moments: update.moments,
    dataInputs: t.inputs.filter((v) => source.isInput(v)),
  };
}
