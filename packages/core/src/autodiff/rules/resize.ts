/**
 * Gradient rule of Resize. Resize is linear in X and separable, one interpolation matrix per
 * resized axis: Y = X ×ₐ Mₐ for each axis a, with Mₐ[out, in] built here from the static shapes
 * by the ONNX coordinate transforms. So dX = dY ×ₐ Mₐᵀ, a MatMul per axis with a constant matrix:
 * exact for any size and any scale (linear, nearest, cubic), standard ops only.
 */
import { attr, attrFloat, attrInt, attrInts, attrString, GraphValidationError, normalizeAxis, type Node } from '../../graph/index.js';
import type { GradEmitter, GradRule } from '../types.js';
import { optionalConstInput } from './helpers.js';

interface AxisSpec {
  readonly inLen: number;
  readonly outLen: number;
  readonly scale: number;
}

/**
 * Original coordinate of output index `x` (ONNX Resize `coordinate_transformation_mode`), in
 * float32 arithmetic step by step as onnxruntime computes it: nearest rounding of an exact .5
 * depends on it.
 */
function sourceCoordinate(mode: string, x: number, { inLen, outLen, scale }: AxisSpec): number {
  const f = Math.fround;
  const s = f(scale);
  switch (mode) {
    case 'half_pixel':
      return f(f(f(x + 0.5) / s) - 0.5);
    case 'half_pixel_symmetric': {
      const adjustment = f(outLen / f(s * inLen));
      return f(f(f(inLen / 2) * f(1 - adjustment)) + f(f(f(x + 0.5) / s) - 0.5));
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : f((x * (inLen - 1)) / (outLen - 1));
    case 'asymmetric':
      return f(x / s);
    default:
      return NaN;
  }
}

const NEAREST: Record<string, (v: number) => number> = {
  round_prefer_floor: (v) => (v === Math.floor(v) + 0.5 ? Math.floor(v) : Math.round(v)),
  round_prefer_ceil: (v) => (v === Math.floor(v) + 0.5 ? Math.ceil(v) : Math.round(v)),
  floor: Math.floor,
  ceil: Math.ceil,
};

/** Keys's cubic convolution weights of the 4 neighbours floor(x)−1 … floor(x)+2. */
function cubicWeights(t: number, a: number): number[] {
  const w = (d: number): number => {
    const x = Math.abs(d);
    return x <= 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : x < 2 ? ((a * x - 5 * a) * x + 8 * a) * x - 4 * a : 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

/** The [out, in] interpolation matrix of one axis, row-major. */
function interpolationMatrix(node: Node, spec: AxisSpec): Float64Array {
  const mode = attrString(node, 'mode', 'nearest');
  const transform = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const { inLen, outLen } = spec;
  const m = new Float64Array(outLen * inLen);
  const clampIndex = (i: number): number => Math.min(Math.max(i, 0), inLen - 1);
  for (let o = 0; o < outLen; o++) {
    const x = sourceCoordinate(transform, o, spec);
    const row = o * inLen;
    if (mode === 'nearest') {
      m[row + clampIndex(NEAREST[attrString(node, 'nearest_mode', 'round_prefer_floor')]!(x))] = 1;
    } else if (mode === 'linear') {
      const c = Math.min(Math.max(x, 0), inLen - 1);
      const i0 = Math.floor(c);
      const t = c - i0;
      m[row + i0] += 1 - t;
      m[row + clampIndex(i0 + 1)] += t;
    } else {
      const i0 = Math.floor(x);
      const weights = cubicWeights(x - i0, attrFloat(node, 'cubic_coeff_a', -0.75));
      const exclude = attrInt(node, 'exclude_outside', 0) === 1;
      const inside = weights.map((_, k) => i0 - 1 + k >= 0 && i0 - 1 + k < inLen);
      const norm = exclude ? weights.reduce((s, w, k) => s + (inside[k] ? w : 0), 0) : 1;
      weights.forEach((w, k) => {
        if (exclude && !inside[k]) return;
        m[row + clampIndex(i0 - 1 + k)] += w / norm;
      });
    }
  }
  return m;
}

function unsupported(node: Node, what: string): never {
  throw new GraphValidationError(`Node '${node.name}' (Resize): ${what} has no gradient rule`, { node: node.name, opType: node.opType });
}

/** Per-axis scale factors, as onnxruntime uses them for the coordinate transforms. */
function axisSpecs(e: GradEmitter, node: Node): Map<number, AxisSpec> {
  const x = e.shape(node.inputs[0]!);
  const y = e.shape(node.outputs[0]!);
  const axes = (attrInts(node, 'axes') ?? x.map((_, i) => i)).map((a) => normalizeAxis(a, x.length));
  const sizes = optionalConstInput(e, node, 3);
  const scales = sizes?.length ? undefined : optionalConstInput(e, node, 2);
  const policy = attrString(node, 'keep_aspect_ratio_policy', 'stretch');
  const ratios = axes.map((a, i) => Math.fround(sizes ? sizes[i]! / x[a]! : scales![i]!));
  const shared = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  const specs = new Map<number, AxisSpec>();
  axes.forEach((a, i) => {
    const scale = sizes && policy !== 'stretch' ? shared : ratios[i]!;
    if (x[a] !== y[a] || scale !== 1) specs.set(a, { inLen: x[a]!, outLen: y[a]!, scale });
  });
  return specs;
}

/** Contracts axis `axis` of `g` (length out) with the constant [out, in] matrix `m`. */
function applyTransposed(e: GradEmitter, g: string, axis: number, m: Float64Array, spec: AxisSpec): string {
  const rank = e.shape(g).length;
  const dtype = e.dtype(g);
  if (axis === rank - 1) return e.op('MatMul', [g, e.constant(m, [spec.outLen, spec.inLen], dtype)]);
  const mt = new Float64Array(m.length);
  for (let o = 0; o < spec.outLen; o++) for (let i = 0; i < spec.inLen; i++) mt[i * spec.outLen + o] = m[o * spec.inLen + i]!;
  const mtName = e.constant(mt, [spec.inLen, spec.outLen], dtype);
  if (axis === rank - 2) return e.op('MatMul', [mtName, g]);
  // Move the axis next to last, contract, move it back.
  const perm = [...Array(rank).keys()].filter((d) => d !== axis && d !== rank - 1).concat([axis, rank - 1]);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  const moved = e.op('Transpose', [g], { perm: attr.ints(perm) });
  return e.op('Transpose', [e.op('MatMul', [mtName, moved])], { perm: attr.ints(inverse) });
}

const resize: GradRule = (e, n, [dy]) => {
  if (attrInt(n, 'antialias', 0) !== 0) unsupported(n, 'antialias');
  const transform = attrString(n, 'coordinate_transformation_mode', 'half_pixel');
  if (Number.isNaN(sourceCoordinate(transform, 0, { inLen: 1, outLen: 1, scale: 1 }))) unsupported(n, `coordinate_transformation_mode '${transform}'`);
  const specs = axisSpecs(e, n);
  let g = dy!;
  // Last axes first: for upsampling each contraction shrinks the tensor.
  for (const axis of [...specs.keys()].sort((a, b) => b - a)) {
    const spec = specs.get(axis)!;
    g = applyTransposed(e, g, axis, interpolationMatrix(n, spec), spec);
  }
  return [g, null, null, null];
};

/** Resampling rules by op type. */
export const resizeRules: Record<string, GradRule> = {
  Resize: resize,
};
