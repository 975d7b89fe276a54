/** Small helpers shared by the shape rules. */
import { attrInts } from '../attributes.js';
import { normalizeAxis } from '../dims.js';
import { UnknownShapeSignal, type InferContext, type InferredOutput } from '../rule-registry.js';
import { makeTensor, numel, tensorToNumbers } from '../tensor.js';
import type { Dim, DType, Tensor } from '../types.js';

/** Constants larger than this are not folded at inference time. */
export const FOLD_LIMIT = 64;

/** True when a dtype is an integer type whose values are worth folding (shape arithmetic). */
export const isIndexType = (d: DType): boolean => d === 'int64' || d === 'int32';

/** Output with the type of input `i`. */
export function sameAs(ctx: InferContext, i = 0): InferredOutput {
  return { dtype: ctx.dtype(i), shape: [...ctx.shape(i)] };
}

/** Fails unless input `i` is a float tensor. */
export function requireFloat(ctx: InferContext, i = 0): void {
  const d = ctx.dtype(i);
  if (d !== 'float32' && d !== 'float16' && d !== 'float64') ctx.fail(`input ${i} must be a float tensor, got ${d}`);
}

/** Fails unless inputs `i` and `j` have the same dtype. */
export function requireSameDtype(ctx: InferContext, i: number, j: number): void {
  if (ctx.has(j) && ctx.dtype(i) !== ctx.dtype(j)) ctx.fail(`inputs ${i} and ${j} must have the same dtype (${ctx.dtype(i)} vs ${ctx.dtype(j)})`);
}

/** Normalizes an axis against `rank` or fails naming it. */
export function axisOf(ctx: InferContext, axis: number, rank: number, what = 'axis'): number {
  const a = normalizeAxis(axis, rank);
  if (a < 0) ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * Integer list given by input `index` (opset >= `sinceOpset`) or attribute `name` (older opsets).
 * @returns undefined when absent; aborts inference when given as a non-constant input
 */
export function intsFromInputOrAttr(ctx: InferContext, index: number, name: string, sinceOpset: number): number[] | undefined {
  const fromAttr = attrInts(ctx.node, name);
  if (fromAttr && ctx.opset < sinceOpset) return [...fromAttr];
  if (fromAttr && !ctx.has(index)) return [...fromAttr];
  if (!ctx.has(index)) return undefined;
  const v = ctx.ints(index);
  if (v === undefined) unknown(ctx.node.inputs[index]!);
  return v;
}

/** Gives up on this node without an error (its outputs stay unknown). */
export function unknown(what: string): never {
  throw new UnknownShapeSignal(what);
}

/** A folded constant output when all `inputs` are small constants, computed by `f`; else undefined. */
export function fold(ctx: InferContext, dtype: DType, shape: readonly Dim[], f: (vals: number[][]) => number[]): Tensor | undefined {
  if (!isIndexType(dtype) || !shape.every((d) => typeof d === 'number') || numel(shape as number[]) > FOLD_LIMIT) return undefined;
  const vals: number[][] = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    if (!ctx.has(i)) {
      vals.push([]);
      continue;
    }
    const t = ctx.value(i);
    if (!t || t.data.length > FOLD_LIMIT) return undefined;
    vals.push(tensorToNumbers(t));
  }
  return makeTensor(dtype, shape as number[], f(vals).map((v) => Math.trunc(v)));
}

/** Maps an output flat index to the flat index of an input broadcast to `out` (both static). */
export function broadcastIndex(out: readonly number[], input: readonly number[]): (flat: number) => number {
  const rank = out.length;
  const off = rank - input.length;
  return (flat) => {
    let idx = 0;
    let stride = 1;
    let rest = flat;
    const coords = new Array<number>(rank);
    for (let k = rank - 1; k >= 0; k--) {
      coords[k] = rest % out[k]!;
      rest = Math.floor(rest / out[k]!);
    }
    for (let k = input.length - 1; k >= 0; k--) {
      const c = input[k] === 1 ? 0 : coords[k + off]!;
      idx += c * stride;
      stride *= input[k]!;
    }
    return idx;
  };
}

/** Output tensor value of a constant: value plus its type. */
export function constantOutput(t: Tensor): InferredOutput {
  return { dtype: t.dtype, shape: [...t.dims], value: t };
}
