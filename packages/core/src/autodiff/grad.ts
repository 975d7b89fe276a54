/**
 * The reverse-mode walker. It alone does the bookkeeping: it finds the nodes between the
 * parameters and the loss, visits them in reverse topological order, asks `gradRules[op]` for the
 * input gradients, sums gradients of values used several times and reduces broadcast gradients
 * back to each input's shape. Rules only do the math of one op.
 */
import { formatShape, Graph, GraphValidationError, inferShapes, isFloatDType, numel, validateGraph, type Node } from '../graph/index.js';
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import { createEmitter, type ScopedEmitter } from './emitter.js';
import { gradRules } from './rules/index.js';

/** Options of `grad`. */
export interface GradOptions {
  /**
   * Name of a value holding dL/dloss, with the loss's shape and dtype (e.g. a graph input).
   * Default: ones, i.e. the gradient of the loss (of its sum when the loss is not a scalar).
   */
  seed?: string;
  /** Add each gradient as a graph output (default true). */
  addOutputs?: boolean;
  /**
   * What a `wrt` value that the loss does not depend on gets: `'zeros'` (default), a zero gradient
   * of its shape, as PyTorch's `materialize_grads`; or `'error'`, a GraphValidationError naming it.
   */
  unused?: 'zeros' | 'error';
  /** Run `validateGraph` on the result (default true). */
  validate?: boolean;
}

/** Result of `grad`. */
export interface GradResult {
  /** A copy of the input graph extended with the backward nodes (initializer data is shared). */
  graph: Graph;
  /** Gradient value name (`grad/<name>`) for each `wrt` name. */
  gradients: Record<string, string>;
}

/** `grad/<name>`, without the leading '/' of PyTorch-style names (`/mlp/Tanh` → `grad/mlp/Tanh`). */
const gradName = (name: string): string => `grad/${name.replace(/^\/+/, '')}`;

const DEFAULTS = { addOutputs: true, unused: 'zeros' as const, validate: true };

function describeInputs(g: Graph, node: Node): string {
  return node.inputs.map((v) => (v ? `${v} ${formatShape(g.shape(v))} ${g.dtype(v) ?? '?'}` : "''")).join(', ');
}

function nodeError(g: Graph, node: Node, message: string, cause?: unknown): GraphValidationError {
  return new GraphValidationError(
    `Node '${node.name}' (${node.opType}) with inputs ${describeInputs(g, node)}: ${message}`,
    { node: node.name, opType: node.opType },
    cause === undefined ? undefined : { cause },
  );
}

function checkArguments(g: Graph, loss: string, wrt: readonly string[], opts: GradOptions): void {
  is.assertString('loss', loss);
  if (!g.hasValue(loss)) throw new InvalidParameterError(`Loss '${loss}' is not a value of graph '${g.name}'`);
  const lossType = g.type(loss);
  if (!lossType || !isFloatDType(lossType.dtype)) throw new InvalidParameterError(`Loss '${loss}' must be a float tensor, got ${lossType?.dtype ?? 'an unknown type'}`);
  if (!Array.isArray(wrt) || wrt.length === 0 || !wrt.every(is.string)) throw is.invalidParameterError('wrt', 'a non-empty array of value names', wrt);
  if (new Set(wrt).size !== wrt.length) throw is.invalidParameterError('wrt', 'distinct value names', wrt);
  for (const w of wrt) {
    if (!g.hasValue(w)) throw new InvalidParameterError(`wrt '${w}' is not a value of graph '${g.name}'`);
    const d = g.dtype(w);
    if (!d || !isFloatDType(d)) throw new InvalidParameterError(`wrt '${w}' must be a float tensor to have a gradient, got ${d ?? 'an unknown type'}`);
    g.staticShape(w);
  }
  if (opts.seed !== undefined) {
    is.assertString('seed', opts.seed);
    if (!g.hasValue(opts.seed)) throw new InvalidParameterError(`Seed '${opts.seed}' is not a value of graph '${g.name}'`);
    if (formatShape(g.shape(opts.seed)) !== formatShape(g.shape(loss)) || g.dtype(opts.seed) !== lossType.dtype) {
      throw new InvalidParameterError(`Seed '${opts.seed}' must have the loss's type ${formatShape(lossType.shape)} ${lossType.dtype}`);
    }
  }
  if (opts.unused !== undefined) is.assertOneOf('unused', opts.unused, ['zeros', 'error']);
}

/**
 * The nodes the gradient flows through, in reverse topological order: those that read a value
 * depending on some `wrt` and whose outputs reach the loss. Also returns the values depending on
 * `wrt` (float values only: integer and bool values carry no gradient).
 */
function activeNodes(g: Graph, loss: string, wrt: readonly string[]): { active: Node[]; depends: Set<string> } {
  const depends = new Set(wrt);
  for (const node of g.nodes) {
    if (!node.inputs.some((v) => depends.has(v))) continue;
    for (const o of node.outputs) {
      const d = o ? g.dtype(o) : undefined;
      if (d && isFloatDType(d)) depends.add(o);
    }
  }
  const needed = new Set([loss]);
  const active: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i]!;
    if (!node.outputs.some((o) => needed.has(o)) || !node.inputs.some((v) => depends.has(v))) continue;
    active.push(node);
    for (const v of node.inputs) if (depends.has(v)) needed.add(v);
  }
  return { active, depends };
}

/** Sums a gradient of broadcast shape back to the shape of `input` (the walker's un-broadcast). */
function unbroadcast(e: ScopedEmitter, node: Node, index: number, gradient: string): string {
  const input = node.inputs[index]!;
  const target = e.shape(input);
  if (e.dtype(gradient) !== e.dtype(input)) {
    throw nodeError(e.graph, node, `its rule returned a ${e.dtype(gradient)} gradient for ${e.dtype(input)} input ${index} '${input}'`);
  }
  const same = (s: readonly number[]): boolean => s.length === target.length && s.every((d, i) => d === target[i]);
  let r = gradient;
  const lead = e.shape(r).length - target.length;
  if (lead > 0) r = e.op('ReduceSum', [r, e.ints(Array.from({ length: lead }, (_, i) => i))], { keepdims: { type: 'int', value: 0 } });
  const s = e.shape(r);
  const axes = s.length === target.length ? target.flatMap((d, i) => (d === 1 && s[i] !== 1 ? [i] : [])) : [];
  if (axes.length) r = e.op('ReduceSum', [r, e.ints(axes)], { keepdims: { type: 'int', value: 1 } });
  if (same(e.shape(r))) return r;
  if (numel(e.shape(r)) !== numel(target)) {
    throw nodeError(e.graph, node, `its rule returned a gradient of shape ${formatShape(e.shape(gradient))} that does not reduce to input ${index} '${input}' ${formatShape(target)}`);
  }
  return e.op('Reshape', [r, e.ints(target)]);
}

/** Removes backward nodes (from index `first` on) and new initializers that nothing uses. */
function pruneBackward(g: Graph, first: number, keep: readonly string[], initsBefore: ReadonlySet<string>): void {
  const live = new Set<string>([...g.outputs, ...keep]);
  for (let i = g.nodes.length - 1; i >= first; i--) {
    const node = g.nodes[i]!;
    if (node.outputs.some((o) => live.has(o))) for (const v of node.inputs) live.add(v);
    else g.removeNode(node);
  }
  for (const name of [...g.initializers.keys()]) {
    if (!initsBefore.has(name) && g.uses(name).length === 0 && !live.has(name)) g.removeInitializer(name);
  }
}

/**
 * Builds a graph that also computes the gradients of `loss` with respect to `wrt`, in standard
 * ONNX ops (one rule per op type from `gradRules`).
 * @param graph forward graph with static shapes (not modified)
 * @param loss name of a float value, usually a scalar; a non-scalar loss is differentiated as its
 *   sum unless `opts.seed` gives dL/dloss
 * @param wrt names of float values (parameters, inputs or intermediate values), non-empty, distinct
 * @param opts see `GradOptions`
 * @returns the extended graph and the gradient value name for each `wrt` (`grad/<name>`)
 * @throws InvalidParameterError when `loss`, `wrt` or `seed` is not a float value of the graph
 * @throws GraphValidationError naming the node when an op on the path has no gradient rule, a rule
 *   fails, a `wrt` is unused and `opts.unused` is `'error'`, or the result does not validate
 * @example
 * const { graph: train, gradients } = grad(net, 'loss', ['conv1.weight', 'conv1.bias']);
 * // train outputs 'loss' plus gradients['conv1.weight'] === 'grad/conv1.weight', ...
 */
export function grad(graph: Graph, loss: string, wrt: readonly string[], opts: GradOptions = {}): GradResult {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('grad options', 'an object', opts);
  const g = graph.clone({ shareTensors: true });
  g.sortTopologically();
  const { unresolved } = inferShapes(g);
  if (g.hasValue(loss) && !g.type(loss)?.shape && unresolved.length) {
    throw nodeError(g, unresolved[0]!, `the shapes of its outputs cannot be inferred, so neither can the loss '${loss}' (autodiff needs static shapes)`);
  }
  checkArguments(g, loss, wrt, opts);
  const { active, depends } = activeNodes(g, loss, wrt);
  const first = g.nodes.length;
  const initsBefore = new Set(g.initializers.keys());
  const e = createEmitter(g);

  const contributions = new Map<string, string[]>();
  const accumulated = new Set<string>();
  const total = (value: string): string | null => {
    const list = contributions.get(value);
    if (!list?.length) return null;
    if (list.length > 1) {
      const sum = list.length === 2 ? e.named(gradName(value), 'Add', list) : e.named(gradName(value), 'Sum', list);
      accumulated.add(sum);
      contributions.set(value, [sum]);
    }
    return contributions.get(value)![0]!;
  };

  const lossShape = g.staticShape(loss);
  const lossDtype = g.dtype(loss)!;
  const seed =
    opts.seed ??
    (numel(lossShape) <= 16
      ? e.constant(new Array<number>(numel(lossShape)).fill(1), lossShape, lossDtype)
      : e.named(`${gradName(loss)}/seed`, 'Expand', [e.constant([1], [], lossDtype), e.ints(lossShape)]));
  contributions.set(loss, [seed]);

  for (const node of active) {
    const dy = node.outputs.map((o) => (o ? total(o) : null));
    if (dy.every((d) => d === null)) continue;
    const rule = node.domain ? undefined : gradRules[node.opType];
    if (!rule) {
      throw nodeError(g, node, `no gradient rule for op '${node.domain ? `${node.domain}:` : ''}${node.opType}', but the gradient of '${loss}' must flow through it`);
    }
    e.scope = gradName(node.name);
    let gx: readonly (string | null)[];
    try {
      gx = rule(e, node, dy);
    } catch (err) {
      if (err instanceof GraphValidationError && err.node === node.name) throw err;
      throw nodeError(g, node, `its gradient rule failed: ${(err as Error).message}`, err);
    }
    if (gx.slice(node.inputs.length).some((x) => x)) throw nodeError(g, node, `its rule returned ${gx.length} gradients for ${node.inputs.length} inputs`);
    node.inputs.forEach((v, i) => {
      const gi = gx[i];
      if (!gi || !v || !depends.has(v)) return;
      const list = contributions.get(v) ?? [];
      list.push(unbroadcast(e, node, i, gi));
      contributions.set(v, list);
    });
  }

  const gradients: Record<string, string> = {};
  for (const w of wrt) {
    const t = total(w);
    const shape = g.staticShape(w);
    const dtype = g.dtype(w)!;
    if (t === null && (opts.unused ?? DEFAULTS.unused) === 'error') {
      throw new GraphValidationError(`Loss '${loss}' does not depend on wrt '${w}' ${formatShape(shape)}: it has no gradient`);
    }
    gradients[w] =
      t === null
        ? e.named(gradName(w), 'Expand', [e.constant([0], [], dtype), e.ints(shape)])
        : accumulated.has(t)
          ? t
          : e.named(gradName(w), 'Identity', [t]);
    if (opts.addOutputs ?? DEFAULTS.addOutputs) g.addOutput(gradients[w]!);
  }
  pruneBackward(g, first, Object.values(gradients), initsBefore);
  if (opts.validate ?? DEFAULTS.validate) validateGraph(g);
  return { graph: g, gradients };
}
