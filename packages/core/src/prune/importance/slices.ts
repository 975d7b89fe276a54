/**
 * The one place that reads parameter slices for the criteria: it checks a slice against its
 * initializer, decodes float values, and reduces "channel k of a slice" (index `indices[k]` along
 * `axis`, every other axis summed) for any per-element term. Criteria only choose the slices and
 * the term.
 */
import { InvalidParameterError, ShapeMismatchError } from '../../errors.js';
import type { Graph } from '../../graph/graph.js';
import { float16ToFloat32, numel } from '../../graph/tensor.js';
import type { ChannelGroup, ParamSlice } from '../types.js';
import type { ScoreContext } from './types.js';

/** Float element values of a parameter. */
export type FloatValues = Float32Array | Float64Array;

/**
 * A float initializer's values (float16 decoded), or undefined for non-float initializers, which
 * carry no magnitude (integer slices such as shape constants are rewritten by the cut, not scored).
 * @throws InvalidParameterError when `param` is not an initializer of the graph
 */
export function paramValues(graph: Graph, param: string): FloatValues | undefined {
  const t = graph.initializer(param);
  if (!t) throw new InvalidParameterError(`Parameter slice '${param}' is not an initializer of graph '${graph.name}'`);
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return t.data;
  if (t.dtype === 'float16') return Float32Array.from(t.data as Uint16Array, float16ToFloat32);
  return undefined;
}

/** Checks a slice against its initializer and the group; returns the initializer's dims. */
function checkSlice(graph: Graph, group: ChannelGroup, slice: ParamSlice): readonly number[] {
  const t = graph.initializer(slice.param);
  if (!t) throw new InvalidParameterError(`Group ${group.id}: parameter slice '${slice.param}' is not an initializer of graph '${graph.name}'`);
  const { dims } = t;
  if (!Number.isInteger(slice.axis) || slice.axis < 0 || slice.axis >= dims.length) {
    throw new InvalidParameterError(`Group ${group.id}: slice of '${slice.param}' [${dims.join(', ')}] has axis ${slice.axis}, outside [0, ${dims.length - 1}]`);
  }
  if (slice.indices.length !== group.size) {
    throw new InvalidParameterError(`Group ${group.id}: slice of '${slice.param}' lists ${slice.indices.length} indices for a group of ${group.size} channels`);
  }
  const n = dims[slice.axis]!;
  for (const j of slice.indices) {
    if (j < 0 || j >= n) throw new InvalidParameterError(`Group ${group.id}: slice of '${slice.param}' [${dims.join(', ')}] has index ${j} outside [0, ${n - 1}] on axis ${slice.axis}`);
  }
  return dims;
}

/**
 * Per-channel sums of `term(i)` over the elements `i` of each channel of a slice (flat indices in
 * the initializer's row-major order).
 * @returns one sum per group channel
 * @throws InvalidParameterError when the slice does not fit its initializer or the group
 */
export function channelSums(graph: Graph, group: ChannelGroup, slice: ParamSlice, term: (i: number) => number): Float64Array {
  const dims = checkSlice(graph, group, slice);
  const n = dims[slice.axis]!;
  const outer = numel(dims.slice(0, slice.axis));
  const inner = numel(dims.slice(slice.axis + 1));
  const perIndex = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      let s = 0;
      for (let i = 0; i < inner; i++) s += term(base + i);
      perIndex[j]! += s;
    }
  }
  return Float64Array.from(slice.indices, (j) => perIndex[j]!);
}

/**
 * The group's slices with duplicates dropped: an initializer shared by several nodes may be listed
 * once per node, but it is one tensor and must count once.
 */
export function distinctSlices(group: ChannelGroup): ParamSlice[] {
  const seen = new Set<string>();
  return group.params.filter((s) => {
    const key = `${s.param}\u0000${s.axis}\u0000${s.indices.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** True when the slice is the scale (gamma, input 1) of an ai.onnx BatchNormalization node. */
export function isBatchNormScale(graph: Graph, slice: ParamSlice): boolean {
  if (slice.role !== 'affine' || slice.opType !== 'BatchNormalization') return false;
  return graph.uses(slice.param).some((u) => u.index === 1 && u.node.opType === 'BatchNormalization' && !u.node.domain);
}

/**
 * The magnitude slices of a group: the weights that make or read its channels (producer and
 * consumer roles) and BatchNorm scales, as Torch-Pruning's group magnitude importance takes them
 * (biases, BN shifts and running statistics are left out: their size says nothing about use).
 */
export function magnitudeSlices(graph: Graph, group: ChannelGroup): ParamSlice[] {
  return distinctSlices(group).filter((s) => s.role !== 'affine' || isBatchNormScale(graph, s));
}

/**
 * Sums `term(w, i)` per channel over the given slices of float parameters.
 * @returns per-channel sums, and how many slices contributed
 */
export function sumOverSlices(
  graph: Graph,
  group: ChannelGroup,
  slices: readonly ParamSlice[],
  term: (w: FloatValues, i: number, slice: ParamSlice) => number,
): { sums: Float64Array; used: number } {
  const sums = new Float64Array(group.size);
  let used = 0;
  for (const slice of slices) {
    const w = paramValues(graph, slice.param);
    if (!w) continue;
    const part = channelSums(graph, group, slice, (i) => term(w, i, slice));
    for (let k = 0; k < sums.length; k++) sums[k]! += part[k]!;
    used++;
  }
  return { sums, used };
}

/**
 * A gradient statistic of a parameter, checked against the parameter's size.
 * @returns the array, or undefined when the statistics do not cover the parameter
 * @throws ShapeMismatchError when the array's length differs from the parameter's element count
 */
export function statOf(ctx: ScoreContext, which: 'grad' | 'sqGrad', param: string): Float32Array | undefined {
  const a = ctx.gradients?.[which].get(param);
  if (!a) return undefined;
  const n = numel(ctx.graph.initializer(param)?.dims ?? []);
  if (a.length !== n) throw new ShapeMismatchError(`gradients.${which}: '${param}' has ${a.length} values but the parameter has ${n}; collect the statistics on this graph`);
  return a;
}

/**
 * Sums `term(w, s, i)` per channel, with `s` the parameter's gradient statistic, over every
 * distinct slice whose parameter the statistics cover.
 * @throws InvalidParameterError naming the criterion and group when no parameter is covered
 */
export function sumWithStat(
  ctx: ScoreContext,
  group: ChannelGroup,
  which: 'grad' | 'sqGrad',
  criterion: string,
  term: (w: FloatValues, s: Float32Array, i: number) => number,
): Float64Array {
  const sums = new Float64Array(group.size);
  let used = 0;
  for (const slice of distinctSlices(group)) {
    const s = statOf(ctx, which, slice.param);
    const w = s && paramValues(ctx.graph, slice.param);
    if (!s || !w) continue;
    const part = channelSums(ctx.graph, group, slice, (i) => term(w, s, i));
    for (let k = 0; k < sums.length; k++) sums[k]! += part[k]!;
    used++;
  }
  if (used === 0) {
    const params = [...new Set(group.params.map((p) => p.param))].join(', ');
    throw new InvalidParameterError(`${criterion}: the gradient statistics cover none of group ${group.id}'s parameters (${params}); collect them on this graph`);
  }
  return sums;
}
