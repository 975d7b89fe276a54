/** Parameter-free builder ops: activations, arithmetic, shape ops, resampling, reductions. */
import * as is from '../../is.js';
import { attr } from '../attributes.js';
import { dtypeToOnnx } from '../tensor.js';
import type { Attribute, DType } from '../types.js';
import { BuilderCore, type TensorRef } from './core.js';

/** A value or a number (made a scalar constant of the other operand's dtype). */
export type Operand = TensorRef | number;

/** Options of `resize`. */
export interface ResizeOptions {
  /** Per-axis scale factors (one per axis of x), or ... */
  scales?: readonly number[];
  /** ... per-axis output sizes (one per axis of x). */
  sizes?: readonly number[];
  /** Default `'linear'` (bilinear on 4-D input). */
  mode?: 'linear' | 'nearest';
  /** PyTorch `align_corners=True`; default false (half-pixel centers, like F.interpolate). */
  alignCorners?: boolean;
}

/** Parameter-free ops. All take and return `TensorRef`s and check shapes as they go. */
export class TensorOps extends BuilderCore {
  /** `max(x, 0)`. */
  relu(x: TensorRef): TensorRef {
    return this.emit1('Relu', [x]);
  }
  /** `x < 0 ? alpha·x : x`; alpha default 0.01. */
  leakyRelu(x: TensorRef, alpha = 0.01): TensorRef {
    is.assertNumber('alpha', alpha);
    return this.emit1('LeakyRelu', [x], { alpha: attr.float(alpha) });
  }
  sigmoid(x: TensorRef): TensorRef {
    return this.emit1('Sigmoid', [x]);
  }
  tanh(x: TensorRef): TensorRef {
    return this.emit1('Tanh', [x]);
  }
  exp(x: TensorRef): TensorRef {
    return this.emit1('Exp', [x]);
  }
  log(x: TensorRef): TensorRef {
    return this.emit1('Log', [x]);
  }
  sqrt(x: TensorRef): TensorRef {
    return this.emit1('Sqrt', [x]);
  }
  abs(x: TensorRef): TensorRef {
    return this.emit1('Abs', [x]);
  }
  neg(x: TensorRef): TensorRef {
    return this.emit1('Neg', [x]);
  }
  identity(x: TensorRef): TensorRef {
    return this.emit1('Identity', [x]);
  }
  /** Clamps to [min, max]; either bound may be omitted. */
  clip(x: TensorRef, min?: number, max?: number): TensorRef {
    const lo = min === undefined ? null : this.scalar(min, x.dtype);
    const hi = max === undefined ? null : this.scalar(max, x.dtype);
    return this.emit1('Clip', hi ? [x, lo, hi] : [x, lo]);
  }

  private binary(op: string, a: Operand, b: Operand): TensorRef {
    if (typeof a === 'number' && typeof b === 'number') throw is.invalidParameterError(`${op} operands`, 'at least one tensor', a);
    const ta = typeof a === 'number' ? this.scalar(a, (b as TensorRef).dtype) : a;
    const tb = typeof b === 'number' ? this.scalar(b, ta.dtype) : b;
    return this.emit1(op, [ta, tb]);
  }
  /** Broadcasting `a + b`. */
  add(a: Operand, b: Operand): TensorRef {
    return this.binary('Add', a, b);
  }
  /** Broadcasting `a - b`. */
  sub(a: Operand, b: Operand): TensorRef {
    return this.binary('Sub', a, b);
  }
  /** Broadcasting `a · b`. */
  mul(a: Operand, b: Operand): TensorRef {
    return this.binary('Mul', a, b);
  }
  /** Broadcasting `a / b`. */
  div(a: Operand, b: Operand): TensorRef {
    return this.binary('Div', a, b);
  }
  /** Broadcasting `a ^ b`. */
  pow(a: Operand, b: Operand): TensorRef {
    return this.binary('Pow', a, b);
  }
  /** `cond ? a : b`, broadcasting. */
  where(cond: TensorRef, a: TensorRef, b: TensorRef): TensorRef {
    return this.emit1('Where', [cond, a, b]);
  }

  /** Concatenation along `axis` (default 1, channels). */
  concat(xs: readonly TensorRef[], axis = 1): TensorRef {
    if (!Array.isArray(xs) || xs.length === 0) throw is.invalidParameterError('concat inputs', 'a non-empty array', xs);
    return this.emit1('Concat', xs, { axis: attr.int(axis) });
  }
  /** Splits along `axis` into parts of the given sizes. */
  split(x: TensorRef, sizes: readonly number[], axis = 1): TensorRef[] {
    return this.emit('Split', [x, this.ints(sizes)], { axis: attr.int(axis) }, { outputs: sizes.length });
  }
  /**
   * ONNX Slice with constant bounds (negative steps allowed).
   * @param opts.axes default `0..starts.length-1`; opts.steps default all 1
   */
  slice(x: TensorRef, opts: { starts: readonly number[]; ends: readonly number[]; axes?: readonly number[]; steps?: readonly number[] }): TensorRef {
    const inputs = [x, this.ints(opts.starts), this.ints(opts.ends)];
    if (opts.axes || opts.steps) inputs.push(this.ints(opts.axes ?? opts.starts.map((_, i) => i)));
    if (opts.steps) inputs.push(this.ints(opts.steps));
    return this.emit1('Slice', inputs);
  }
  /**
   * ONNX Pad.
   * @param pads ONNX layout: all begins then all ends, one pair per axis of x (negative crops)
   * @param opts.mode default 'constant'; opts.value default 0
   */
  pad(x: TensorRef, pads: readonly number[], opts: { mode?: 'constant' | 'reflect' | 'edge'; value?: number } = {}): TensorRef {
    const inputs: (TensorRef | null)[] = [x, this.ints(pads)];
    if (opts.value !== undefined && opts.value !== 0) inputs.push(this.scalar(opts.value, x.dtype));
    return this.emit1('Pad', inputs, { mode: attr.string(opts.mode ?? 'constant') });
  }
  /** Reshape to a constant shape (0 copies a dim, -1 is inferred). */
  reshape(x: TensorRef, shape: readonly number[]): TensorRef {
    return this.emit1('Reshape', [x, this.ints(shape)]);
  }
  /** Permutes axes (default: reversed). */
  transpose(x: TensorRef, perm?: readonly number[]): TensorRef {
    return this.emit1('Transpose', [x], perm ? { perm: attr.ints(perm) } : {});
  }
  /** Flattens to 2-D at `axis` (default 1). */
  flatten(x: TensorRef, axis = 1): TensorRef {
    return this.emit1('Flatten', [x], { axis: attr.int(axis) });
  }
  squeeze(x: TensorRef, axes: readonly number[]): TensorRef {
    return this.emit1('Squeeze', [x, this.ints(axes)]);
  }
  unsqueeze(x: TensorRef, axes: readonly number[]): TensorRef {
    return this.emit1('Unsqueeze', [x, this.ints(axes)]);
  }
  /** Broadcasts to `shape`. */
  expand(x: TensorRef, shape: readonly number[]): TensorRef {
    return this.emit1('Expand', [x, this.ints(shape)]);
  }
  /** Converts the element type. */
  cast(x: TensorRef, dtype: DType): TensorRef {
    return this.emit1('Cast', [x], { to: attr.int(dtypeToOnnx(dtype)) });
  }

  /**
   * ONNX Resize. Bilinear by default, with PyTorch's `align_corners=False` convention.
   * @throws InvalidParameterError unless exactly one of scales/sizes is given
   * @example b.resize(x, { scales: [1, 1, 2, 2] })
   */
  resize(x: TensorRef, opts: ResizeOptions): TensorRef {
    if (!opts.scales === !opts.sizes) throw is.invalidParameterError('resize options', 'exactly one of scales or sizes', opts);
    const mode = opts.mode ?? 'linear';
    is.assertOneOf('mode', mode, ['linear', 'nearest']);
    const attributes: Record<string, Attribute> = {
      mode: attr.string(mode),
      coordinate_transformation_mode: attr.string(opts.alignCorners ? 'align_corners' : mode === 'nearest' ? 'asymmetric' : 'half_pixel'),
    };
    if (mode === 'nearest') attributes['nearest_mode'] = attr.string('floor');
    const inputs = opts.scales ? [x, null, this.constant(opts.scales)] : [x, null, null, this.ints(opts.sizes!)];
    return this.emit1('Resize', inputs, attributes);
  }

  /** Softmax along `axis` (default -1). */
  softmax(x: TensorRef, axis = -1): TensorRef {
    return this.emit1('Softmax', [x], { axis: attr.int(axis) });
  }
  logSoftmax(x: TensorRef, axis = -1): TensorRef {
    return this.emit1('LogSoftmax', [x], { axis: attr.int(axis) });
  }

  private reduce(op: string, x: TensorRef, axes: readonly number[] | undefined, keepdims: boolean): TensorRef {
    const inputs = axes ? [x, this.ints(axes)] : [x];
    return this.emit1(op, inputs, { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  /** Sum over `axes` (default all), keeping reduced dims unless keepdims is false. */
  reduceSum(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }
  reduceMax(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    return this.reduce('ReduceMax', x, axes, keepdims);
  }

  /** numpy matmul. */
  matmul(a: TensorRef, b: TensorRef): TensorRef {
    return this.emit1('MatMul', [a, b]);
  }
  /** `alpha·op(A)·op(B) + beta·C`. */
  gemm(a: TensorRef, b: TensorRef, c?: TensorRef, opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): TensorRef {
    return this.emit1('Gemm', c ? [a, b, c] : [a, b], {
      transA: attr.int(opts.transA ? 1 : 0),
      transB: attr.int(opts.transB ? 1 : 0),
      alpha: attr.float(opts.alpha ?? 1),
      beta: attr.float(opts.beta ?? 1),
    });
  }

  /** Pooling window options: kernel, stride (default kernel) and symmetric padding (default 0). */
  private poolAttrs(rank: number, kernel: number | readonly number[], stride?: number | readonly number[], padding: number | readonly number[] = 0): Record<string, Attribute> {
    const n = rank - 2;
    const k = typeof kernel === 'number' ? new Array<number>(n).fill(kernel) : [...kernel];
    const s = stride === undefined ? k : typeof stride === 'number' ? new Array<number>(n).fill(stride) : [...stride];
    const p = typeof padding === 'number' ? new Array<number>(n).fill(padding) : [...padding];
    return { kernel_shape: attr.ints(k), strides: attr.ints(s), pads: attr.ints([...p, ...p]) };
  }
  /** Average pooling (padding excluded from the average, as PyTorch's count_include_pad=False). */
  avgPool(x: TensorRef, kernel: number | readonly number[], opts: { stride?: number | readonly number[]; padding?: number | readonly number[] } = {}): TensorRef {
    return this.emit1('AveragePool', [x], this.poolAttrs(x.shape.length, kernel, opts.stride, opts.padding));
  }
  maxPool(x: TensorRef, kernel: number | readonly number[], opts: { stride?: number | readonly number[]; padding?: number | readonly number[] } = {}): TensorRef {
    return this.emit('MaxPool', [x], this.poolAttrs(x.shape.length, kernel, opts.stride, opts.padding))[0]!;
  }
  globalAvgPool(x: TensorRef): TensorRef {
    return this.emit1('GlobalAveragePool', [x]);
  }
}
