/**
 * Module records: what the builder remembers about each parametric layer (its path, node, params),
 * and a structural Conv+BatchNormalization matcher that works on any graph, built or loaded.
 */
import type { Graph } from '../graph.js';
import type { Node } from '../types.js';

/** Kinds of parametric layers the builder emits. */
export type ModuleKind = 'conv' | 'convTranspose' | 'batchNorm' | 'linear';

/** What the builder records for one parametric layer. */
export interface ModuleRecord {
  /** Module path, e.g. `feature.block2.conv1`; parameters are named `<path>.weight` etc. */
  readonly path: string;
  readonly kind: ModuleKind;
  /** Name of the node implementing the layer (Conv, ConvTranspose, BatchNormalization, Gemm). */
  readonly node: string;
  /** Value names of the layer's data input and output. */
  readonly input: string;
  readonly output: string;
  /**
   * Initializer names by role: `weight`, `bias` for conv/linear; `weight` (scale), `bias`,
   * `running_mean`, `running_var` for batchNorm (PyTorch's names).
   */
  readonly params: Readonly<Record<string, string>>;
  /** Layer configuration (channels, kernel, stride, groups, eps, momentum ...). */
  readonly config: Readonly<Record<string, number | readonly number[] | boolean>>;
  /** For batchNorm: path of the conv/linear module whose output it normalizes directly, if any. */
  readonly follows?: string;
}

/** A Conv (or ConvTranspose/Gemm) whose only consumer is a BatchNormalization with constant params. */
export interface ConvBnPair {
  readonly conv: Node;
  readonly bn: Node;
}

const FOLDABLE = new Set(['Conv', 'ConvTranspose', 'Gemm']);

/**
 * Finds Conv→BatchNormalization pairs that can be folded: the conv output feeds only the BN and is
 * not a graph output, and the BN's scale, bias, mean and variance are initializers.
 * @param graph any graph
 * @returns the pairs in node order
 * @example for (const { conv, bn } of findConvBnPairs(graph)) fold(conv, bn);
 */
export function findConvBnPairs(graph: Graph): ConvBnPair[] {
  const pairs: ConvBnPair[] = [];
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.domain) continue;
    if (!bn.inputs.slice(1, 5).every((v) => graph.isInitializer(v))) continue;
    const x = bn.inputs[0]!;
    const conv = graph.producer(x);
    if (!conv || conv.domain || !FOLDABLE.has(conv.opType) || graph.isOutput(x)) continue;
    if (graph.uses(x).length !== 1) continue;
    if (!graph.isInitializer(conv.inputs[1]!)) continue;
    pairs.push({ conv, bn });
  }
  return pairs;
}
