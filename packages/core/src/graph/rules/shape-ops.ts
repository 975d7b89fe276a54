/** Shape rules of ops that only rearrange or create shapes: Reshape, Transpose, Squeeze, Shape, Constant... */
import { attrFloat, attrFloats, attrInt, attrInts, attrTensor } from '../attributes.js';
import { broadcastShapes, dimOp, dimProduct, formatShape, isStaticShape, UNKNOWN_DIM } from '../dims.js';
import type { InferContext, ShapeRule } from '../rule-registry.js';
import { makeTensor, numel } from '../tensor.js';
import type { Dim, Tensor } from '../types.js';
import { axisOf, constantOutput, fold, intsFromInputOrAttr, unknown } from './util.js';

const reshape: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const target = ctx.ints(1);
  if (!target) {
    const len = ctx.shape(1)[0];
    if (typeof len !== 'number') return unknown('Reshape shape');
    return [{ dtype: ctx.dtype(0), shape: new Array<Dim>(len).fill(UNKNOWN_DIM) }];
  }
  const allowZero = attrInt(ctx.node, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (x[i] ?? ctx.fail(`shape entry ${i} is 0 but X has rank ${x.length}`)) : d));
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) ctx.fail(`shape [${target.join(', ')}] has more than one -1`);
  if (out.some((d) => typeof d === 'number' && d < -1)) ctx.fail(`shape [${target.join(', ')}] has a negative entry`);
  const total = dimProduct(x);
  const known = dimProduct(out.filter((d) => d !== -1));
  if (minus === 1) {
    const i = out.indexOf(-1);
    out[i] = typeof total === 'number' && typeof known === 'number' ? (known === 0 ? 0 : total / known) : UNKNOWN_DIM;
    if (typeof out[i] === 'number' && !Number.isInteger(out[i])) ctx.fail(`cannot reshape ${formatShape(x)} (${total} elements) to [${target.join(', ')}]`);
  } else if (typeof total === 'number' && typeof known === 'number' && total !== known) {
    ctx.fail(`cannot reshape ${formatShape(x)} (${total} elements) to [${target.join(', ')}] (${known} elements)`);
  }
  const value = ctx.value(0) && fold(ctx, ctx.dtype(0), out, (v) => v[0]!);
  return [{ dtype: ctx.dtype(0), shape: out, value }];
};

const transpose: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const perm = attrInts(ctx.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${x.length} axes`);
  }
  return [{ dtype: ctx.dtype(0), shape: perm.map((p) => x[p]!) }];
};

const flatten: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const raw = attrInt(ctx.node, 'axis', 1);
  const axis = raw < 0 ? raw + x.length : raw;
  if (axis < 0 || axis > x.length) ctx.fail(`axis ${raw} out of range for rank ${x.length}`);
  return [{ dtype: ctx.dtype(0), shape: [dimProduct(x.slice(0, axis)), dimProduct(x.slice(axis))] }];
};

const squeeze: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axes = intsFromInputOrAttr(ctx, 1, 'axes', 13);
  let drop: Set<number>;
  if (axes) {
    drop = new Set(axes.map((a) => axisOf(ctx, a, x.length)));
    for (const a of drop) if (typeof x[a] === 'number' && x[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x[a]}`);
  } else {
    if (!isStaticShape(x)) return unknown('Squeeze of symbolic shape');
    drop = new Set(x.flatMap((d, i) => (d === 1 ? [i] : [])));
  }
  const shape = x.filter((_, i) => !drop.has(i));
  const value = ctx.value(0) && fold(ctx, ctx.dtype(0), shape, (v) => v[0]!);
  return [{ dtype: ctx.dtype(0), shape, value }];
};

const unsqueeze: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const axes = intsFromInputOrAttr(ctx, 1, 'axes', 13);
  if (!axes) return ctx.fail('axes are required');
  const rank = x.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(ctx, a, rank)));
  if (at.size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`);
  const rest = [...x];
  const shape = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
  const value = ctx.value(0) && fold(ctx, ctx.dtype(0), shape, (v) => v[0]!);
  return [{ dtype: ctx.dtype(0), shape, value }];
};

const expand: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const target = ctx.ints(1);
  if (!target) {
    const len = ctx.shape(1)[0];
    if (typeof len !== 'number') return unknown('Expand shape');
    return [{ dtype: ctx.dtype(0), shape: new Array<Dim>(Math.max(len, x.length)).fill(UNKNOWN_DIM) }];
  }
  const shape = broadcastShapes([x, target]);
  if (!shape) ctx.fail(`cannot expand ${formatShape(x)} to [${target.join(', ')}]`);
  return [{ dtype: ctx.dtype(0), shape: shape! }];
};

const shapeOp: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + x.length : a, 0), x.length);
  const start = clampAxis(attrInt(ctx.node, 'start', 0));
  const end = clampAxis(attrInt(ctx.node, 'end', x.length));
  const dims = x.slice(start, Math.max(start, end));
  const value = isStaticShape(dims) ? makeTensor('int64', [dims.length], dims) : undefined;
  return [{ dtype: 'int64', shape: [dims.length], value }];
};

const size: ShapeRule = (ctx) => {
  const n = dimProduct(ctx.shape(0));
  return [{ dtype: 'int64', shape: [], value: typeof n === 'number' ? makeTensor('int64', [], [n]) : undefined }];
};

/** Value of a Constant node from whichever value attribute it carries. */
function constantValue(ctx: InferContext): Tensor {
  const node = ctx.node;
  const t = attrTensor(node, 'value');
  if (t) return t;
  const f = attrFloat(node, 'value_float');
  if (f !== undefined) return makeTensor('float32', [], [f]);
  const fs = attrFloats(node, 'value_floats');
  if (fs) return makeTensor('float32', [fs.length], [...fs]);
  const i = attrInt(node, 'value_int');
  if (i !== undefined) return makeTensor('int64', [], [i]);
  const is = attrInts(node, 'value_ints');
  if (is) return makeTensor('int64', [is.length], [...is]);
  return ctx.fail('needs a value, value_float(s) or value_int(s) attribute (sparse and string constants are not supported)');
}

const constantOfShape: ShapeRule = (ctx) => {
  const dims = ctx.ints(0);
  const fill = attrTensor(ctx.node, 'value') ?? makeTensor('float32', [1], [0]);
  if (!dims) {
    const len = ctx.shape(0)[0];
    if (typeof len !== 'number') return unknown('ConstantOfShape shape');
    return [{ dtype: fill.dtype, shape: new Array<Dim>(len).fill(UNKNOWN_DIM) }];
  }
  if (dims.some((d) => d < 0)) ctx.fail(`shape [${dims.join(', ')}] has a negative entry`);
  const value = fold(ctx, fill.dtype, dims, () => new Array<number>(numel(dims)).fill(Number(fill.data[0] ?? 0)));
  return [{ dtype: fill.dtype, shape: dims, value }];
};

const range: ShapeRule = (ctx) => {
  const [s, l, d] = [ctx.ints(0), ctx.ints(1), ctx.ints(2)];
  if (!s || !l || !d) return [{ dtype: ctx.dtype(0), shape: [UNKNOWN_DIM] }];
  if (d[0] === 0) ctx.fail('delta must not be 0');
  const n = Math.max(Math.ceil((l[0]! - s[0]!) / d[0]!), 0);
  const value = fold(ctx, ctx.dtype(0), [n], () => Array.from({ length: n }, (_, k) => s[0]! + k * d[0]!));
  return [{ dtype: ctx.dtype(0), shape: [n], value }];
};

const tile: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const reps = ctx.ints(1);
  if (!reps) return [{ dtype: ctx.dtype(0), shape: x.map(() => UNKNOWN_DIM) }];
  if (reps.length !== x.length) ctx.fail(`repeats [${reps.join(', ')}] must have one entry per axis of ${formatShape(x)}`);
  return [{ dtype: ctx.dtype(0), shape: x.map((d, i) => dimOp(d, reps[i]!, (a, r) => a * r)) }];
};

function depthSpace(toSpace: boolean): ShapeRule {
  return (ctx) => {
    const x = ctx.shape(0);
    const b = attrInt(ctx.node, 'blocksize', 0);
    if (x.length !== 4 || b < 1) ctx.fail(`needs a 4-D input and blocksize >= 1, got ${formatShape(x)} and ${b}`);
    const [n, c, h, w] = x as [Dim, Dim, Dim, Dim];
    if (toSpace) {
      if (typeof c === 'number' && c % (b * b) !== 0) ctx.fail(`channels ${c} not divisible by blocksize² ${b * b}`);
      return [{ dtype: ctx.dtype(0), shape: [n, dimOp(c, b, (a, k) => a / (k * k)), dimOp(h, b, (a, k) => a * k), dimOp(w, b, (a, k) => a * k)] }];
    }
    if ((typeof h === 'number' && h % b) || (typeof w === 'number' && w % b)) ctx.fail(`spatial size not divisible by blocksize ${b}`);
    return [{ dtype: ctx.dtype(0), shape: [n, dimOp(c, b, (a, k) => a * k * k), dimOp(h, b, (a, k) => a / k), dimOp(w, b, (a, k) => a / k)] }];
  };
}

/** Shape-manipulation rules by op type. */
export const shapeOpRules: Record<string, ShapeRule> = {
  Reshape: reshape,
  Transpose: transpose,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Shape: shapeOp,
  Size: size,
  Constant: (ctx) => [constantOutput(constantValue(ctx))],
  ConstantOfShape: constantOfShape,
  Range: range,
  Tile: tile,
  DepthToSpace: depthSpace(true),
  SpaceToDepth: depthSpace(false),
};
