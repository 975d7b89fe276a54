/** Math and bookkeeping helpers shared by the gradient rules (all emit standard ONNX ops). */
import {
  attr,
  attrInts,
  dtypeToOnnx,
  GraphValidationError,
  inferNode,
  normalizeAxis,
  tensorToNumbers,
  type DType,
  type Graph,
  type Node,
  type Tensor,
} from '../../graph/index.js';
import type { GradEmitter } from '../types.js';

/** A rank-0 constant with the element type of `like`. */
export function scalar(e: GradEmitter, value: number, like: string): string {
  return e.constant([value], [], e.dtype(like));
}

/** Zeros of a static shape, as a broadcast scalar (no large initializer). */
export function zeros(e: GradEmitter, shape: readonly number[], dtype: DType): string {
  return e.op('Expand', [e.constant([0], [], dtype), e.ints(shape)]);
}

/** `Reshape(x, shape)`, skipped when the shape already matches. */
export function reshape(e: GradEmitter, x: string, shape: readonly number[]): string {
  const s = e.shape(x);
  if (s.length === shape.length && s.every((d, i) => d === shape[i])) return x;
  // allowzero keeps a 0 in the target literal (empty tensors) instead of copying the input dim.
  return e.op('Reshape', [x, e.ints(shape)], shape.includes(0) ? { allowzero: attr.int(1) } : undefined);
}

/** Swaps the last two axes. */
export function transposeLast2(e: GradEmitter, x: string): string {
  const r = e.shape(x).length;
  const perm = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return e.op('Transpose', [x], { perm: attr.ints(perm) });
}

/** `Cast(x)` to `dtype`, skipped when it already has it. */
export function castTo(e: GradEmitter, x: string, dtype: DType): string {
  return e.dtype(x) === dtype ? x : e.op('Cast', [x], { to: attr.int(dtypeToOnnx(dtype)) });
}

const MAX_FOLD_DEPTH = 16;

/**
 * The constant value of a value when it is known at graph-build time: an initializer, a Constant
 * node, or a small integer computation over constants (Shape → Gather → Concat chains of exported
 * models), folded by the shape rules.
 */
export function constantOf(graph: Graph, name: string, depth = 0): Tensor | undefined {
  if (!name) return undefined;
  const init = graph.initializer(name);
  if (init) return init;
  const p = graph.producer(name);
  if (!p || depth > MAX_FOLD_DEPTH) return undefined;
  const consts = new Map<string, Tensor>();
  for (const v of p.inputs) {
    const t = v ? constantOf(graph, v, depth + 1) : undefined;
    if (t) consts.set(v, t);
  }
  const outs = inferNode(graph, p, consts);
  return outs?.[p.outputs.indexOf(name)]?.value;
}

/**
 * Numbers of a constant input of `node` (axes, pads, starts...).
 * @throws GraphValidationError naming the node when the input is not constant
 */
export function constInput(e: GradEmitter, node: Node, index: number): number[] {
  const t = constantOf(e.graph, node.inputs[index] ?? '');
  if (!t) {
    throw new GraphValidationError(
      `Node '${node.name}' (${node.opType}): input ${index} '${node.inputs[index]}' must be a constant to differentiate through it`,
      { node: node.name, opType: node.opType },
    );
  }
  return tensorToNumbers(t);
}

/** A constant input when listed, else undefined. */
export function optionalConstInput(e: GradEmitter, node: Node, index: number): number[] | undefined {
  return node.inputs[index] ? constInput(e, node, index) : undefined;
}

/**
 * Reduction axes of a Reduce* node (input since opset 13/18, attribute before), normalized;
 * every axis when none are given, none with `noop_with_empty_axes`.
 */
export function reduceAxes(e: GradEmitter, node: Node): number[] {
  const rank = e.shape(node.inputs[0]!).length;
  const given = optionalConstInput(e, node, 1) ?? attrInts(node, 'axes') ?? [];
  if (given.length === 0) {
    const noop = node.attributes['noop_with_empty_axes'];
    return noop?.type === 'int' && noop.value === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  return given.map((a) => normalizeAxis(a, rank));
}

/**
 * The gradient of a reduction's output reshaped to keepdims form and broadcast back to the input
 * shape: the shared first step of every Reduce* rule.
 */
export function expandReduced(e: GradEmitter, node: Node, dy: string): string {
  const x = e.shape(node.inputs[0]!);
  const axes = new Set(reduceAxes(e, node));
  if (axes.size === 0) return dy;
  const kept = reshape(e, dy, x.map((d, i) => (axes.has(i) ? 1 : d)));
  return e.op('Expand', [kept, e.ints(x)]);
}

/** The keepdims form of a reduction output (for Max/Min masks and norms). */
export function keptOutput(e: GradEmitter, node: Node): string {
  const x = e.shape(node.inputs[0]!);
  const axes = new Set(reduceAxes(e, node));
  return reshape(e, node.outputs[0]!, x.map((d, i) => (axes.has(i) ? 1 : d)));
}

/** Normalized `axis` attribute of `node` against the rank of its first input. */
export function axisAttr(e: GradEmitter, node: Node, fallback: number): number {
  const a = node.attributes['axis'];
  const raw = a?.type === 'int' ? a.value : fallback;
  return normalizeAxis(raw, Math.max(e.shape(node.inputs[0]!).length, 1));
}
