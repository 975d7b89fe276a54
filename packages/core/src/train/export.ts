/**
 * From a training source graph (model + loss, inference-form BN) to a deployable inference graph:
 * keep the requested outputs, drop what only the loss needed (targets, masks, loss nodes, optimizer
 * state, training metadata), and fold BN into the convolutions.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import type { Graph } from '../graph/graph.js';
import { validateGraph } from '../graph/validate.js';
import { foldBatchNorm } from './fold.js';

/** Metadata keys (and initializer prefix) the trainer adds to checkpoints. */
export const TRAIN_METADATA_PREFIX = 'stereo_sdk.train.';
export const OPTIM_PREFIX = 'optim/';

/** Options of `toInferenceGraph`. */
export interface InferenceExportOptions {
  /** Outputs to keep, in order; default every graph output except `loss` and `exclude`. */
  outputs?: readonly string[];
  /** The loss output to drop when `outputs` is not given; default `'loss'`. */
  loss?: string;
  /** Further outputs to drop when `outputs` is not given (e.g. metrics). */
  exclude?: readonly string[];
  /** Fold BatchNormalization into the preceding Conv/ConvTranspose/Gemm; default true. */
  foldBatchNorm?: boolean;
}

/**
 * Makes an inference graph from a model graph (not modified).
 * @param graph model graph with current weights, BN in inference form (e.g. `trainer.modelGraph()`)
 * @param opts see `InferenceExportOptions`
 * @returns a new validated graph whose inputs are only those the kept outputs need
 * @throws InvalidParameterError when a requested output does not exist or none is left
 * @throws GraphValidationError when the result fails validation
 * @example await writeOnnx('student.onnx', toInferenceGraph(trainer.modelGraph(), { outputs: ['disparity'] }));
 */
export function toInferenceGraph(graph: Graph, opts: InferenceExportOptions = {}): Graph {
  const loss = opts.loss ?? 'loss';
  let outputs: string[];
  if (opts.outputs !== undefined) {
    if (!Array.isArray(opts.outputs) || !opts.outputs.every(is.string)) throw is.invalidParameterError('outputs', 'an array of output names', opts.outputs);
    for (const o of opts.outputs) if (!graph.hasValue(o)) throw new InvalidParameterError(`outputs: '${o}' is not a value of graph '${graph.name}'`);
    outputs = [...opts.outputs];
  } else {
    const drop = new Set([loss, ...(opts.exclude ?? [])]);
    outputs = graph.outputs.filter((o) => !drop.has(o));
  }
  if (outputs.length === 0) throw new InvalidParameterError(`Graph '${graph.name}' has no outputs left to export (only '${loss}'); pass outputs`);
  const g = graph.clone();
  g.setOutputs(outputs);
  g.removeDeadCode();
  for (const name of [...g.initializers.keys()]) if (name.startsWith(OPTIM_PREFIX)) g.removeInitializer(name);
  for (const name of [...g.inputs]) if (g.uses(name).length === 0 && !g.isOutput(name)) g.removeInput(name);
  for (const key of [...g.metadata.keys()]) if (key.startsWith(TRAIN_METADATA_PREFIX)) g.metadata.delete(key);
  if (opts.foldBatchNorm ?? true) foldBatchNorm(g);
  validateGraph(g);
  return g;
}
