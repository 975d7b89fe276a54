/**
 * Gradient statistics for the gradient-based importance criteria. The loss follows the trainer's
 * convention (a scalar float32 value of the graph, `'loss'` by default), or a callback adds one to
 * a copy of the model with the builder. The autodiff builds one graph computing the loss and every
 * parameter's gradient; one onnxruntime session runs it once per batch, and the gradients are
 * averaged, with their squares, over the batches. BatchNormalization stays in inference form (its
 * gradient rule treats the running statistics as given), which is how the pruned model runs.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import { grad } from '../autodiff/grad.js';
import { createGraphSession } from '../backend/graph-session.js';
import type { BackendTensor } from '../backend/types.js';
import { GraphBuilder } from '../graph/builder/layers.js';
import type { TensorRef } from '../graph/builder/core.js';
import { formatShape } from '../graph/dims.js';
import { Graph } from '../graph/graph.js';
import { numel } from '../graph/tensor.js';
import { selectParams } from '../train/params.js';
import type { Feeds } from '../train/types.js';
import type { GradientStats } from './importance/types.js';

/**
 * The loss: the name of a scalar float32 value of the graph (the trainer's convention), or a
 * callback that adds one to a copy of the graph. The callback gets a builder extending that copy
 * and the graph's outputs by name; it declares any extra inputs it needs (targets, masks) with
 * `b.input`, and those are then fed with each batch.
 */
export type LossSpec = string | ((b: GraphBuilder, outputs: Readonly<Record<string, TensorRef>>) => TensorRef);

/** Options of `collectGradientStats`. */
export interface GradientStatsOptions {
  /** The batches: one tensor per input the loss needs. Iterable or async iterable. */
  batches: Iterable<Feeds> | AsyncIterable<Feeds>;
  /** The loss; default `'loss'`, as `createTrainer`. */
  loss?: LossSpec;
  /**
   * Parameters to differentiate (float32 initializers). Default: `selectParams(graph)`, every
   * float32 initializer of rank >= 1 except BN running statistics and builder constants.
   */
  params?: readonly string[];
  /** Stop after this many batches (>= 1); default: all of `batches`. */
  maxBatches?: number;
  /** Intra-op threads, [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Execution providers tried in order; default `['cpu']`. */
  providers?: readonly string[];
}

const toBackend = (t: Feeds[string]): BackendTensor => ('dtype' in t ? { type: t.dtype, dims: t.dims, data: t.data } : t);

function checkOptions(o: GradientStatsOptions): void {
  if (!is.plainObject(o as unknown)) throw is.invalidParameterError('gradient options', 'an object', o);
  const b = o.batches as Partial<Iterable<Feeds> & AsyncIterable<Feeds>> | undefined;
  if (!b || (typeof b[Symbol.iterator] !== 'function' && typeof b[Symbol.asyncIterator] !== 'function')) {
    throw is.invalidParameterError('batches', 'an iterable or async iterable of feeds', o.batches);
  }
  if (o.loss !== undefined && typeof o.loss !== 'function') is.assertString('loss', o.loss);
  if (o.maxBatches !== undefined) is.assertInteger('maxBatches', o.maxBatches, 1);
}

/** A copy of `graph` with the loss added if needed; returns it and the loss value's name. */
function withLoss(graph: Graph, spec: LossSpec): { g: Graph; loss: string } {
  const g = graph.clone({ shareTensors: true });
  let loss: string;
  if (typeof spec === 'function') {
    const b = new GraphBuilder({ graph: g });
    const outputs: Record<string, TensorRef> = {};
    for (const o of g.outputs) outputs[o] = { name: o, dtype: g.dtype(o)!, shape: [...(g.shape(o) ?? [])] };
    const ref = spec(b, outputs);
    if (!ref || !is.string(ref.name)) throw is.invalidParameterError('loss callback result', 'a TensorRef made with the builder', ref);
    loss = ref.name;
  } else loss = spec;
  if (!g.hasValue(loss)) {
    throw new InvalidParameterError(`Loss '${loss}' is not a value of graph '${g.name}' (outputs: ${g.outputs.join(', ') || 'none'}); pass loss: (b, outputs) => mseLoss(b, outputs.y, b.input('target', ...))`);
  }
  const t = g.type(loss);
  if (!t?.shape || t.dtype !== 'float32' || !t.shape.every((d) => d === 1)) {
    throw new InvalidParameterError(`Loss '${loss}' must be a float32 scalar, got ${t ? `${t.dtype} ${formatShape(t.shape)}` : 'an unknown type'}`);
  }
  return { g, loss };
}

/** Feeds for the session's inputs, checked against the graph's types. */
function batchFeeds(g: Graph, inputs: readonly string[], feeds: Feeds, k: number): Record<string, BackendTensor> {
  if (!is.plainObject(feeds as unknown)) throw is.invalidParameterError(`batches[${k}]`, 'an object of tensors by input name', feeds);
  const out: Record<string, BackendTensor> = {};
  for (const name of inputs) {
    const f = feeds[name];
    if (!f) throw new InvalidParameterError(`batches[${k}]: missing input '${name}' (the loss needs ${inputs.join(', ')})`);
    const t = toBackend(f);
    if (t.type !== g.dtype(name)) throw new InvalidParameterError(`batches[${k}]: input '${name}' must be ${g.dtype(name)}, got ${t.type}`);
    const want = g.shape(name) ?? [];
    if (t.dims.length !== want.length || t.dims.some((d, i) => typeof want[i] === 'number' && d !== want[i])) {
      throw new InvalidParameterError(`batches[${k}]: input '${name}' has shape [${t.dims.join(', ')}] but the graph needs ${formatShape(want)}`);
    }
    out[name] = t;
  }
  return out;
}

/**
 * Averages the gradient of a loss, and its element-wise square, over batches: the statistics the
 * 'taylor' and 'hessian' importance criteria read.
 * @param graph the model (static shapes; not modified), with the loss as a value or added by `options.loss`
 * @param options batches (required), loss (default `'loss'`), params (default `selectParams`),
 *   maxBatches (>= 1, default all), threads ([0, 64], default 0), providers (default `['cpu']`)
 * @returns mean gradient and mean squared gradient per parameter (zeros for parameters the loss
 *   does not reach), and the number of batches
 * @throws InvalidParameterError on bad options, a loss that is not a float32 scalar, a batch
 *   missing an input or of the wrong type or shape, a non-finite loss, or no batch at all
 * @throws GraphValidationError naming the node when an op on the loss path has no gradient rule
 * @throws BackendError when onnxruntime cannot load or run the gradient graph
 * @example
 * const stats = await collectGradientStats(model, {
 *   loss: (b, out) => mseLoss(b, out['y']!, b.input('target', 'float32', [8, 1])),
 *   batches: [{ x, target }],
 * });
 * const scores = scoreGroups(model, dep, 'taylor', { gradients: stats });
 */
export async function collectGradientStats(graph: Graph, options: GradientStatsOptions): Promise<GradientStats> {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  checkOptions(options);
  const { g, loss } = withLoss(graph, options.loss ?? 'loss');
  const params = selectParams(g, options.params === undefined ? {} : { params: options.params });
  const { graph: t, gradients } = grad(g, loss, params, { addOutputs: false, validate: false });
  const fetch = params.map((p) => gradients[p]!);
  t.setOutputs([...new Set([loss, ...fetch])]);
  t.removeDeadCode();
  for (const name of [...t.inputs]) if (t.uses(name).length === 0 && !t.isOutput(name)) t.removeInput(name);

  const sums = params.map((p) => new Float64Array(numel(g.initializer(p)!.dims)));
  const squares = sums.map((s) => new Float64Array(s.length));
  const session = await createGraphSession(t, { threads: options.threads, providers: options.providers });
  let batches = 0;
  try {
    for await (const feeds of options.batches) {
      const out = await session.run(batchFeeds(t, session.inputNames, feeds, batches), [loss, ...fetch]);
      const value = Number(out[loss]!.data[0]);
      if (!Number.isFinite(value)) throw new InvalidParameterError(`batches[${batches}]: the loss is ${value}; gradients of a non-finite loss rank nothing`);
      fetch.forEach((name, j) => {
        const gr = out[name]!.data as Float32Array;
        const s = sums[j]!;
        const q = squares[j]!;
        for (let i = 0; i < gr.length; i++) {
          s[i]! += gr[i]!;
          q[i]! += gr[i]! * gr[i]!;
        }
      });
      batches++;
      if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
    }
  } finally {
    await session.release();
  }
  if (batches === 0) throw new InvalidParameterError('batches: no batch was given; gradient statistics need at least one');
  const mean = (a: Float64Array): Float32Array => Float32Array.from(a, (v) => v / batches);
  return {
    grad: new Map(params.map((p, j) => [p, mean(sums[j]!)])),
    sqGrad: new Map(params.map((p, j) => [p, mean(squares[j]!)])),
    batches,
  };
}
