/** Parameter and multiply-accumulate counts of any graph at a given input size. */
import * as is from '../is.js';
import { attrInt, attrString } from '../graph/attributes.js';
import { isStaticShape } from '../graph/dims.js';
import { GraphValidationError } from '../graph/errors.js';
import type { Graph } from '../graph/graph.js';
import { inferShapes } from '../graph/infer.js';
import { isFloatDType, numel } from '../graph/tensor.js';
import type { Node } from '../graph/types.js';

/** Cost of one node. */
export interface NodeCost {
  readonly node: string;
  readonly opType: string;
  /** Multiply-accumulates of Conv, ConvTranspose, Gemm, MatMul and Einsum. */
  readonly macs: number;
  /** Output elements of other compute ops (activations, arithmetic, norms, pools, resize...). */
  readonly elementwise: number;
}

/** Totals for a graph. */
export interface GraphCost {
  /** Elements of float initializers, BatchNormalization running statistics excluded (as PyTorch counts parameters). */
  readonly params: number;
  readonly macs: number;
  readonly elementwise: number;
  readonly nodes: readonly NodeCost[];
}

/** Ops that only move or describe data: no arithmetic counted. */
const MOVEMENT = new Set([
  'Reshape', 'Transpose', 'Flatten', 'Squeeze', 'Unsqueeze', 'Concat', 'Split', 'Slice', 'Pad', 'Gather', 'Expand', 'Identity',
  'Shape', 'Size', 'Constant', 'ConstantOfShape', 'Cast', 'CastLike', 'Tile', 'Range', 'DepthToSpace', 'SpaceToDepth', 'Dropout',
]);

type Dims = readonly number[];
const staticOf = (graph: Graph, v: string | undefined): Dims | undefined => {
  const s = v ? graph.shape(v) : undefined;
  return isStaticShape(s) ? s : undefined;
};

/** MAC rules by op type: inputs' and first output's static shapes to a count. */
const macRules: Record<string, (node: Node, shape: (i: number | 'out') => Dims) => number> = {
  Conv: (_n, s) => numel(s('out')) * numel(s(1).slice(1)),
  ConvTranspose: (_n, s) => numel(s(0)) * numel(s(1).slice(1)),
  Gemm: (n, s) => {
    const a = s(0);
    return numel(s('out')) * (attrInt(n, 'transA', 0) ? a[0]! : a[1]!);
  },
  MatMul: (_n, s) => numel(s('out')) * s(0)[s(0).length - 1]!,
  Einsum: (n, s) => {
    const terms = attrString(n, 'equation', '').replace(/\s+/g, '').split('->')[0]!.split(',');
    const sizes = new Map<string, number>();
    terms.forEach((t, i) => [...t].forEach((c, k) => sizes.set(c, Math.max(sizes.get(c) ?? 1, s(i)[k] ?? 1))));
    return [...sizes.values()].reduce((a, b) => a * b, 1);
  },
};

/**
 * Counts parameters and MACs.
 * @param graph any graph (not modified)
 * @param opts.inputShapes static shapes for graph inputs, by name, overriding symbolic dims
 * @returns totals and a per-node breakdown
 * @throws GraphValidationError when a Conv/Gemm/MatMul shape stays unknown (give `inputShapes`)
 * @example const { params, macs } = countCost(graph, { inputShapes: { left: [1, 3, 256, 512] } });
 */
export function countCost(graph: Graph, opts: { inputShapes?: Readonly<Record<string, readonly number[]>> } = {}): GraphCost {
  let g = graph;
  if (opts.inputShapes) {
    g = graph.clone({ shareTensors: true });
    for (const [name, shape] of Object.entries(opts.inputShapes)) {
      if (!g.isInput(name)) throw is.invalidParameterError(`inputShapes.${name}`, `a graph input (${g.inputs.join(', ')})`, name);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw is.invalidParameterError(`inputShapes.${name}`, 'an array of non-negative integers', shape);
      g.setType(name, { dtype: g.dtype(name) ?? 'float32', shape });
    }
    for (const n of g.nodes) for (const o of n.outputs) if (o) g.clearType(o);
    inferShapes(g, { strict: true });
  }
  const runningStats = new Set(g.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => n.inputs.slice(3, 5)));
  let params = 0;
  for (const [name, t] of g.initializers) if (isFloatDType(t.dtype) && !runningStats.has(name)) params += t.data.length;
  const nodes: NodeCost[] = [];
  let macs = 0;
  let elementwise = 0;
  for (const node of g.nodes) {
    const rule = node.domain ? undefined : macRules[node.opType];
    let m = 0;
    let e = 0;
    if (rule) {
      m = rule(node, (i) => {
        const s = staticOf(g, i === 'out' ? node.outputs[0] : node.inputs[i]);
        if (!s) throw new GraphValidationError(`Node '${node.name}' (${node.opType}): shapes are not static; pass inputShapes to count its MACs`, { node: node.name, opType: node.opType });
        return s;
      });
    } else if (!MOVEMENT.has(node.opType)) {
      const s = staticOf(g, node.outputs[0]);
      e = s ? numel(s) : 0;
    }
    macs += m;
    elementwise += e;
    nodes.push({ node: node.name, opType: node.opType, macs: m, elementwise: e });
  }
  return { params, macs, elementwise, nodes };
}
