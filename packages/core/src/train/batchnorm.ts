/**
 * Training-mode batch normalization from primitive ops. ORT's BatchNormalization(training_mode=1)
 * exposes no saved statistics and has no gradient, so each inference BN node is rewritten as
 * ReduceSum / ReduceSumSquare / Add / Mul / Div / Sqrt over the batch and spatial axes (two-pass,
 * centered variance, as PyTorch computes it), which the autodiff differentiates like any other
 * ops. The updated running statistics become extra values that the trainer feeds back as the next
 * step's inputs (PyTorch's convention: unbiased batch variance for `running_var`, biased variance
 * to normalize).
 */
import { attr, attrFloat } from '../graph/attributes.js';
import { GraphValidationError } from '../graph/errors.js';
import type { Graph } from '../graph/graph.js';
import { numel } from '../graph/tensor.js';
import type { Node } from '../graph/types.js';
import { Emitter } from './emit.js';

/** One BatchNormalization node rewritten into its training form. */
export interface TrainingBatchNorm {
  /** Name of the replaced BatchNormalization node. */
  readonly node: string;
  /** Running statistic values the node read (initializers in a built graph). */
  readonly runningMean: string;
  readonly runningVar: string;
  /** Values holding the updated running statistics after this batch. */
  readonly nextMean: string;
  readonly nextVar: string;
  /** PyTorch-convention momentum: weight of the batch statistic (1 − the ONNX attribute). */
  readonly momentum: number;
  readonly epsilon: number;
}

const fail = (node: Node, problem: string): never => {
  throw new GraphValidationError(`Node '${node.name}' (BatchNormalization): ${problem}`, { node: node.name, opType: node.opType });
};

/** Replaces one BN node; returns what was made. */
function rewrite(graph: Graph, bn: Node): TrainingBatchNorm {
  const [x, scale, bias, runningMean, runningVar] = bn.inputs;
  if (!x || !scale || !bias || !runningMean || !runningVar) return fail(bn, 'needs all five inputs (X, scale, B, input_mean, input_var)');
  const shape = graph.staticShape(x);
  if (shape.length < 2) fail(bn, `input '${x}' has rank ${shape.length}; training mode needs [N, C, ...]`);
  const c = shape[1]!;
  const count = numel(shape) / c;
  if (count < 2) fail(bn, `input '${x}' [${shape.join(', ')}] has ${count} value per channel; batch statistics need at least 2`);
  const epsilon = attrFloat(bn, 'epsilon', 1e-5);
  // The ONNX attribute weighs the running value; PyTorch's momentum weighs the batch statistic.
  const momentum = 1 - attrFloat(bn, 'momentum', 0.9);
  const [y, outMean, outVar] = bn.outputs;
  graph.removeNode(bn);

  // Written for a cheap backward under the generic rules: sums scaled on the per-channel side
  // (ReduceSum's gradient is one Expand, ReduceMean's an Expand and a full-size Mul) and the mean
  // added negated (Sub's gradient negates the full-size tensor before reducing it).
  const e = new Emitter(graph, `${bn.name}/train`);
  const axes = e.ints([0, ...shape.slice(2).map((_, i) => i + 2)]);
  const perChannel = [1, c, ...shape.slice(2).map(() => 1)];
  const keep = { keepdims: attr.int(1) };
  const negMean = e.mul(e.op('ReduceSum', [x, axes], keep), e.scalar(-1 / count));
  const centered = e.add(x, negMean);
  const squares = e.op('ReduceSumSquare', [centered, axes], keep);
  const variance = e.mul(squares, e.scalar(1 / count));
  const gain = e.div(e.reshape(scale, perChannel), e.sqrt(e.add(variance, e.scalar(epsilon))));
  e.op('Add', [e.mul(centered, gain), e.reshape(bias, perChannel)], {}, y);

  const blend = (running: string, batch: string, factor: number, out?: string): string =>
    e.op('Add', [e.mul(running, e.scalar(1 - momentum)), e.mul(e.reshape(batch, [c]), e.scalar(factor))], {}, out || undefined);
  const nextMean = blend(runningMean, negMean, -momentum, outMean);
  // PyTorch's running_var takes the unbiased variance: squares / (count − 1).
  const nextVar = blend(runningVar, squares, momentum / (count - 1), outVar);
  return { node: bn.name, runningMean, runningVar, nextMean, nextVar, momentum, epsilon };
}

/**
 * Rewrites every ai.onnx BatchNormalization node of `graph` (in place) into training form: batch
 * statistics normalize the input, and the updated running statistics are computed as new values
 * (not graph outputs: the caller decides how to return them). Nodes are kept in topological order.
 * @param graph a graph with static shapes at every BN input
 * @returns one record per rewritten node, in node order
 * @throws GraphValidationError naming the node when a BN input has no static shape, a channel
 *   holds fewer than 2 values, or an optional input is missing
 * @example
 * const g = model.clone();
 * for (const bn of toTrainingBatchNorm(g)) g.addOutput(bn.nextMean);
 */
export function toTrainingBatchNorm(graph: Graph): TrainingBatchNorm[] {
  const nodes = graph.nodes.filter((n) => n.opType === 'BatchNormalization' && !n.domain);
  const made = nodes.map((bn) => rewrite(graph, bn));
  if (made.length) graph.sortTopologically();
  return made;
}
