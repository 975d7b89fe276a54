/**
 * Shape and dtype inference. One walker visits nodes in order and asks the rule registered for the
 * node's op type (`shapeRules`, one small function per op) for its output types. Rules may also
 * return a small constant value (Shape, Gather, Concat on int64...) so that shape-computing
 * subgraphs in exported models (Shape → Gather → Concat → Reshape) resolve to static shapes.
 */
import { GraphValidationError } from './errors.js';
import { formatShape, UNKNOWN_DIM } from './dims.js';
import type { Graph } from './graph.js';
import { tensorToNumbers } from './tensor.js';
import type { Node, NodeSpec, Tensor, TensorType } from './types.js';
import { shapeRules, UnknownShapeSignal, type InferContext, type InferredOutput } from './rule-registry.js';
import { attrTensor } from './attributes.js';
// Side effect: fills `shapeRules`.
import './rules/index.js';

export { shapeRules, UnknownShapeSignal, type InferContext, type InferredOutput, type ShapeRule } from './rule-registry.js';

/** Result of a whole-graph inference pass. */
export interface InferenceResult {
  /** Type of every node output that could be inferred (merged with what the graph recorded). */
  types: Map<string, TensorType>;
  /** Constant values known at inference time (initializers included). */
  values: Map<string, Tensor>;
  /** Nodes whose outputs stay unknown (no rule, or an input of unknown shape). */
  unresolved: Node[];
}

const ruleKey = (node: Node): string => (node.domain ? `${node.domain}:${node.opType}` : node.opType);

/** Formats a node with its input shapes for error messages. */
export function describeNode(node: Node, typeOf: (v: string) => TensorType | undefined): string {
  const ins = node.inputs.map((v) => {
    if (!v) return "''";
    const t = typeOf(v);
    return `${v} ${t ? `${formatShape(t.shape)} ${t.dtype}` : '(unknown)'}`;
  });
  return `Node '${node.name}' (${node.opType}) with inputs ${ins.join(', ') || '(none)'}`;
}

function makeContext(node: Node, opset: number, typeOf: (v: string) => TensorType | undefined, valueOf: (v: string) => Tensor | undefined): InferContext {
  const fail = (message: string): never => {
    throw new GraphValidationError(`${describeNode(node, typeOf)}: ${message}`, { node: node.name, opType: node.opType });
  };
  const typeAt = (i: number): TensorType => {
    const v = node.inputs[i];
    if (!v) return fail(`input ${i} is required`);
    const t = typeOf(v);
    if (!t) throw new UnknownShapeSignal(v);
    return t;
  };
  const value = (i: number): Tensor | undefined => {
    const v = node.inputs[i];
    return v ? valueOf(v) : undefined;
  };
  return {
    node,
    opset,
    inputCount: node.inputs.length,
    has: (i) => !!node.inputs[i],
    dtype: (i) => typeAt(i).dtype,
    shape: (i) => {
      const s = typeAt(i).shape;
      if (!s) throw new UnknownShapeSignal(node.inputs[i]);
      return s;
    },
    value,
    ints: (i) => {
      const t = value(i);
      return t ? tensorToNumbers(t) : undefined;
    },
    fail,
  };
}

/**
 * Merges an inferred type with a recorded one: static dims win over symbolic ones, named symbols
 * over `'?'`.
 * @returns the merged type and, when both are static and differ, a description of the conflict
 */
export function mergeTypes(inferred: TensorType, recorded: TensorType | undefined): { type: TensorType; conflict?: string } {
  if (!recorded || !recorded.shape) return { type: inferred };
  if (!inferred.shape) return { type: { dtype: inferred.dtype, shape: recorded.shape } };
  const a = inferred.shape;
  const b = recorded.shape;
  const conflict =
    recorded.dtype !== inferred.dtype
      ? `dtype ${inferred.dtype} but ${recorded.dtype} was recorded`
      : a.length !== b.length
        ? `rank ${a.length} ${formatShape(a)} but ${formatShape(b)} was recorded`
        : undefined;
  if (a.length !== b.length) return { type: inferred, conflict };
  let shapeConflict: string | undefined;
  const shape = a.map((d, i) => {
    const r = b[i]!;
    if (typeof d === 'number') {
      if (typeof r === 'number' && r !== d) shapeConflict = `shape ${formatShape(a)} but ${formatShape(b)} was recorded`;
      return d;
    }
    return typeof r === 'number' || d === UNKNOWN_DIM ? r : d;
  });
  return { type: { dtype: inferred.dtype, shape }, conflict: conflict ?? shapeConflict };
}

/** Constant value of a Constant node output, without running its rule. */
function constantNodeValue(graph: Graph, name: string): Tensor | undefined {
  const p = graph.producer(name);
  return p && p.opType === 'Constant' && !p.domain ? attrTensor(p, 'value') : undefined;
}

/**
 * Infers the output types of one node from the graph's recorded input types.
 * @param consts extra constant values (besides initializers and Constant nodes)
 * @returns one entry per listed output, or undefined when an input shape is unknown or no rule exists
 * @throws GraphValidationError when the inputs do not fit the op
 */
export function inferNode(graph: Graph, node: Node, consts?: ReadonlyMap<string, Tensor>): InferredOutput[] | undefined {
  const rule = shapeRules.get(ruleKey(node));
  if (!rule) return undefined;
  const ctx = makeContext(
    node,
    graph.opset,
    (v) => graph.type(v),
    (v) => graph.initializer(v) ?? consts?.get(v) ?? constantNodeValue(graph, v),
  );
  try {
    return rule(ctx);
  } catch (e) {
    if (e instanceof UnknownShapeSignal) return undefined;
    throw e;
  }
}

/** Options of `inferTypes` and `inferShapes`. */
export interface InferOptions {
  /**
   * Throw on a rule error or a conflict with a recorded type (default true). When false such
   * nodes are reported in `unresolved` and their outputs keep the recorded types.
   */
  strict?: boolean;
  /**
   * Ignore the types recorded for node outputs and infer from the graph inputs and initializers
   * alone (default false). Use after changing shapes, e.g. when pruning slices initializers.
   */
  reset?: boolean;
}

/**
 * Infers the types of every node output in order without changing the graph.
 * @param opts see `InferOptions`
 * @throws GraphValidationError in strict mode
 */
export function inferTypes(graph: Graph, opts: InferOptions = {}): InferenceResult {
  const strict = opts.strict ?? true;
  const recordedType = (v: string): TensorType | undefined => (opts.reset ? undefined : graph.type(v));
  const types = new Map<string, TensorType>();
  const values = new Map<string, Tensor>(graph.initializers);
  for (const v of graph.inputs) {
    const t = graph.type(v);
    if (t) types.set(v, t);
  }
  const typeOf = (v: string): TensorType | undefined => {
    const t = graph.initializer(v);
    return t ? { dtype: t.dtype, shape: t.dims } : types.get(v);
  };
  const unresolved: Node[] = [];
  for (const node of graph.nodes) {
    const rule = shapeRules.get(ruleKey(node));
    let outs: InferredOutput[] | undefined;
    if (rule) {
      try {
        outs = rule(makeContext(node, graph.opset, typeOf, (v) => values.get(v)));
      } catch (e) {
        if (strict && !(e instanceof UnknownShapeSignal)) throw e;
      }
    }
    if (!outs) unresolved.push(node);
    node.outputs.forEach((o, i) => {
      if (!o) return;
      const out = outs?.[i];
      const recorded = recordedType(o);
      if (!out) {
        if (recorded) types.set(o, recorded);
        return;
      }
      const { type, conflict } = mergeTypes({ dtype: out.dtype, shape: out.shape }, recorded);
      if (conflict && strict) {
        throw new GraphValidationError(`${describeNode(node, typeOf)}: output '${o}' infers ${conflict}`, {
          node: node.name,
          opType: node.opType,
        });
      }
      types.set(o, type);
      if (out.value) values.set(o, out.value);
    });
  }
  return { types, values, unresolved };
}

/**
 * Runs inference and records the inferred types of all node outputs in the graph.
 * @param opts see `InferOptions`; with `reset`, outputs that cannot be inferred lose their type
 * @returns the inference result
 * @throws GraphValidationError in strict mode when a node's inputs do not fit its op
 * @example inferShapes(graph); graph.staticShape('logits');
 */
export function inferShapes(graph: Graph, opts: InferOptions = {}): InferenceResult {
  const result = inferTypes(graph, opts);
  for (const node of graph.nodes) {
    for (const o of node.outputs) {
      if (!o) continue;
      const t = result.types.get(o);
      if (t) graph.setType(o, t);
      else if (opts.reset) graph.clearType(o);
    }
  }
  return result;
}

/**
 * Adds a node and records the inferred types of its outputs; the node is removed again when its
 * inputs do not fit the op. The building block for passes that append nodes (autodiff, rewrites).
 * @param graph graph to extend
 * @param spec the node; its inputs must already have types
 * @param opts.before insert before this node instead of appending
 * @returns the node (its output types are in the graph)
 * @throws GraphValidationError when the inputs do not fit, or the outputs cannot be inferred
 * @example const n = addInferredNode(g, { opType: 'Mul', inputs: ['dy', 'x'], outputs: [g.uniqueName('dx')] });
 */
export function addInferredNode(graph: Graph, spec: NodeSpec, opts: { before?: Node } = {}): Node {
  const node = graph.addNode(spec, opts);
  try {
    const outs = inferNode(graph, node);
    const missing = node.outputs.findIndex((o, i) => o && !outs?.[i]?.shape);
    if (missing >= 0) {
      throw new GraphValidationError(`${describeNode(node, (v) => graph.type(v))}: the shape of output '${node.outputs[missing]}' cannot be inferred (unknown op or non-constant shape input)`, {
        node: node.name,
        opType: node.opType,
      });
    }
    node.outputs.forEach((o, i) => o && graph.setType(o, { dtype: outs![i]!.dtype, shape: outs![i]!.shape }));
  } catch (e) {
    graph.removeNode(node);
    throw e;
  }
  return node;
}
