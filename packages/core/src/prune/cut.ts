/**
 * The cut: applies a prune plan to a copy of the graph. It slices every initializer the plan's
 * groups name, lets the channel rules rewrite what slicing alone leaves inconsistent (Split sizes,
 * Slice bounds, Reshape/Expand/Resize shape constants, a grouped conv's `group`), re-infers the
 * shapes and validates the result. The input graph is never modified.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import { allocData, Graph, inferShapes, inferTypes, isFloatDType, numel, validateGraph, type Attribute, type Dim, type Tensor } from '../graph/index.js';
import { withInputShapes } from './comb.js';
import { channelRules } from './rules/index.js';
import type { CutContext } from './rules/types.js';
import type { ChannelGroup, DependencyGraph, PrunePlan } from './types.js';

/** Removed indices by name, then axis. */
type Removals = Map<string, Map<number, Set<number>>>;

function describe(group: ChannelGroup): string {
  const p = group.params.find((s) => s.role === 'producer') ?? group.params[0];
  const where = p ? `'${p.param}' axis ${p.axis}` : group.values[0] ? `'${group.values[0].value}' axis ${group.values[0].axis}` : 'no slices';
  return `group ${group.id} (${where}, ${group.size} channels)`;
}

/** Checks one plan entry; returns the kept mask. */
function checkKeep(group: ChannelGroup, keep: unknown): Uint8Array {
  const name = describe(group);
  if (!group.prunable) throw new InvalidParameterError(`Prune plan: ${name} is not prunable: ${group.fixedReason ?? 'fixed'}`);
  if (!(keep instanceof Int32Array)) throw is.invalidParameterError(`prune plan entry of ${name}`, 'an Int32Array of kept channel indices', keep);
  if (keep.length === 0) throw new InvalidParameterError(`Prune plan: ${name} keeps no channel; keep at least one unit of ${group.unit}`);
  const mask = new Uint8Array(group.size);
  keep.forEach((k, i) => {
    if (k < 0 || k >= group.size) throw new InvalidParameterError(`Prune plan: ${name} keeps index ${k}, outside [0, ${group.size - 1}]`);
    if (i > 0 && k <= keep[i - 1]!) throw new InvalidParameterError(`Prune plan: ${name} kept indices must be sorted ascending without repeats (${keep[i - 1]} then ${k})`);
    mask[k] = 1;
  });
  if (keep.length % group.unit !== 0) throw new InvalidParameterError(`Prune plan: ${name} keeps ${keep.length} channels, not a multiple of its unit ${group.unit}`);
  for (let b = 0; b < group.size; b += group.unit) {
    const n = mask.subarray(b, b + group.unit).reduce((s, v) => s + v, 0);
    if (n !== 0 && n !== group.unit) throw new InvalidParameterError(`Prune plan: ${name} must keep or remove whole blocks of ${group.unit} channels; block at ${b} keeps ${n}`);
  }
  return mask;
}

/** Collects the indices each slice loses. */
function removals(graph: Graph, dep: DependencyGraph, plan: PrunePlan): { params: Removals; values: Removals } {
  const params: Removals = new Map();
  const values: Removals = new Map();
  const add = (map: Removals, name: string, axis: number, index: number): void => {
    let axes = map.get(name);
    if (!axes) map.set(name, (axes = new Map()));
    let set = axes.get(axis);
    if (!set) axes.set(axis, (set = new Set()));
    set.add(index);
  };
  for (const [id, keep] of plan) {
    const group = dep.groups[id];
    if (!Number.isInteger(id) || !group || group.id !== id) throw new InvalidParameterError(`Prune plan: no group ${id} in the dependency graph (${dep.groups.length} groups)`);
    const mask = checkKeep(group, keep);
    if (keep.length === group.size) continue;
    for (const s of [...group.params, ...(group.unitParams ?? [])]) {
      const t = graph.initializer(s.param);
      if (!t || s.axis >= t.dims.length || s.indices.some((i) => i >= t.dims[s.axis]!)) {
        throw new InvalidParameterError(`Prune plan: ${describe(group)} names '${s.param}' axis ${s.axis}, which this graph does not have: was the dependency graph built from another graph?`);
      }
    }
    for (const s of group.params) mask.forEach((kept, k) => kept || add(params, s.param, s.axis, s.indices[k]!));
    for (const s of group.values) mask.forEach((kept, k) => kept || add(values, s.value, s.axis, s.indices[k]!));
    // Per-unit slices lose the units whose channels all go (checkKeep allows only whole units).
    for (let u = 0; u < group.size / group.unit; u++) {
      if (mask[u * group.unit]) continue;
      for (const s of group.unitParams ?? []) add(params, s.param, s.axis, s.indices[u]!);
      for (const s of group.unitValues ?? []) add(values, s.value, s.axis, s.indices[u]!);
    }
  }
  return { params, values };
}

/** Keeps `keep` (ascending) along `axis` of a tensor. */
function sliceTensor(t: Tensor, axis: number, keep: Int32Array): Tensor {
  const dims = [...t.dims];
  const n = dims[axis]!;
  const inner = numel(dims.slice(axis + 1));
  const outer = numel(dims.slice(0, axis));
  dims[axis] = keep.length;
  const data = allocData(t.dtype, numel(dims));
  // All TensorData members share set/subarray; the union type just cannot express it.
  const src = t.data as unknown as Float32Array;
  const dst = data as unknown as Float32Array;
  for (let o = 0; o < outer; o++) {
    keep.forEach((k, j) => dst.set(src.subarray((o * n + k) * inner, (o * n + k + 1) * inner), (o * keep.length + j) * inner));
  }
  return { dtype: t.dtype, dims, data };
}

function keptIndices(size: number, removed: Set<number>): Int32Array {
  const out = new Int32Array(size - removed.size);
  let j = 0;
  for (let k = 0; k < size; k++) if (!removed.has(k)) out[j++] = k;
  return out;
}

/**
 * Applies a prune plan: returns a new graph with the planned channels removed.
 * @param graph the graph the dependency graph was built from (not modified)
 * @param dep its dependency graph (`buildDependencyGraph`)
 * @param plan kept channel indices per group id (sorted ascending, a whole number of `unit`
 *   blocks, at least one block); groups not listed keep everything. An empty plan returns a copy
 *   that computes exactly the same outputs.
 * @returns the pruned graph, validated, with the same inputs and outputs
 * @throws InvalidParameterError naming the group when the plan is invalid (unknown id, group not
 *   prunable, indices unsorted or out of range, empty keep, count not a multiple of `unit`, partial blocks)
 * @throws GraphValidationError when the pruned graph does not validate (a bug in a channel rule)
 * @example
 * const dep = buildDependencyGraph(graph);
 * const pruned = applyPrunePlan(graph, dep, new Map([[0, Int32Array.from([0, 2, 3, 5])]]));
 */
export function applyPrunePlan(graph: Graph, dep: DependencyGraph, plan: PrunePlan): Graph {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  if (!dep || !Array.isArray(dep.groups)) throw is.invalidParameterError('dep', 'a DependencyGraph from buildDependencyGraph', dep);
  if (!(plan instanceof Map)) throw is.invalidParameterError('plan', 'a Map from group id to kept indices', plan);
  const removed = removals(graph, dep, plan);
  // Old sizes as the comb saw them (with its static input shapes when it had some).
  const before = inferTypes(withInputShapes(graph, dep.inputShapes), { strict: false }).types;
  const oldShape = (v: string): readonly Dim[] | undefined => graph.initializer(v)?.dims ?? before.get(v)?.shape ?? graph.shape(v);
  const g = graph.clone();

  for (const [param, axes] of removed.params) {
    let t = g.initializer(param)!;
    for (const [axis, set] of axes) t = sliceTensor(t, axis, keptIndices(t.dims[axis]!, set));
    g.setInitializer(param, t);
  }

  const keptCache = new Map<string, Int32Array | undefined>();
  const kept = (v: string, axis: number): Int32Array | undefined => {
    const shape = oldShape(v);
    const a = shape && axis < 0 ? axis + shape.length : axis;
    const k = `${v}\u0000${a}`;
    if (!keptCache.has(k)) {
      const set = (removed.values.get(v) ?? removed.params.get(v))?.get(a);
      const size = shape?.[a];
      keptCache.set(k, set && typeof size === 'number' ? keptIndices(size, set) : undefined);
    }
    return keptCache.get(k);
  };
  const replaced = new Set<string>();
  for (const node of [...g.nodes]) {
    const rule = node.domain === '' && Object.hasOwn(channelRules, node.opType) ? channelRules[node.opType]!.cut : undefined;
    if (!rule) continue;
    const ctx: CutContext = {
      node,
      graph: g,
      oldShape,
      kept,
      newSize: (v, axis) => {
        const k = kept(v, axis);
        if (k) return k.length;
        const d = oldShape(v)?.at(axis);
        return typeof d === 'number' ? d : undefined;
      },
      constant: (i) => {
        const v = node.inputs[i];
        if (!v) return undefined;
        const p = g.producer(v);
        const a = p?.opType === 'Constant' && p.domain === '' ? p.attributes['value'] : undefined;
        return g.initializer(v) ?? (a?.type === 'tensor' ? a.value : undefined);
      },
      setConstant: (i, tensor) => {
        const old = node.inputs[i];
        const name = g.uniqueName(`${old || node.name}_pruned`);
        g.addInitializer(name, tensor);
        if (old) replaced.add(old);
        if (i < node.inputs.length) g.setNodeInput(node, i, name);
        else g.setNodeInputs(node, [...node.inputs, ...Array<string>(i - node.inputs.length).fill(''), name]);
      },
      setAttribute: (name: string, value: Attribute | undefined) => {
        const attrs = node.attributes as Record<string, Attribute>;
        if (value === undefined) delete attrs[name];
        else attrs[name] = value;
      },
    };
    rule(ctx);
  }
  for (const v of replaced) {
    if (g.uses(v).length > 0 || g.isOutput(v)) continue;
    if (g.isInitializer(v)) g.removeInitializer(v);
    else if (g.producer(v)?.opType === 'Constant') g.removeNode(g.producer(v)!);
  }
  for (const v of removed.values.keys()) if (!g.isInitializer(v) && !g.isInput(v)) g.clearType(v);
  inferShapes(g);
  validateGraph(g);
  return g;
}

/** Parameter counts before and after a cut. */
export interface PruneSummary {
  /** Elements of float initializers in `before`. */
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** paramsAfter / paramsBefore (1 when `before` has none). */
  readonly ratio: number;
}

/**
 * Counts the float parameters a cut removed.
 * @param before the graph given to `applyPrunePlan`
 * @param after its result
 * @throws InvalidParameterError when either is not a Graph
 * @example const { ratio } = pruneSummary(graph, pruned); // 0.6 → 40 % of the weights removed
 */
export function pruneSummary(before: Graph, after: Graph): PruneSummary {
  if (!(before instanceof Graph)) throw is.invalidParameterError('before', 'a Graph', before);
  if (!(after instanceof Graph)) throw is.invalidParameterError('after', 'a Graph', after);
  const count = (g: Graph): number => [...g.initializers.values()].reduce((s, t) => s + (isFloatDType(t.dtype) ? numel(t.dims) : 0), 0);
  const paramsBefore = count(before);
  const paramsAfter = count(after);
  return { paramsBefore, paramsAfter, ratio: paramsBefore > 0 ? paramsAfter / paramsBefore : 1 };
}
