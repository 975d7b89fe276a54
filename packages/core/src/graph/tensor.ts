/** Constant tensors: allocation, construction from JS numbers, and reading back as numbers. */
import { InvalidParameterError } from '../errors.js';
import type { DType, Tensor, TensorData } from './types.js';

type ArrayCtor = { new (n: number): TensorData; BYTES_PER_ELEMENT: number };

const ARRAYS: Record<DType, ArrayCtor> = {
  float32: Float32Array,
  float16: Uint16Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/** Every element type the IR supports. */
export const DTYPES: readonly DType[] = Object.keys(ARRAYS) as DType[];

/** True for float32, float16 and float64. */
export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'float64';
}

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: DType): number {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}

/** Number of elements of a static shape (1 for a scalar). */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Allocates a zero-filled array of `n` elements of `dtype`. */
export function allocData(dtype: DType, n: number): TensorData {
  return new ARRAYS[dtype](n);
}

/** True when `data` is the storage class used for `dtype`. */
export function dataMatches(dtype: DType, data: TensorData): boolean {
  return data instanceof ARRAYS[dtype];
}

/**
 * Makes a tensor. Numbers are converted to the storage type (BigInt for int64/uint64, half bits
 * for float16, 0/1 for bool).
 * @param dtype element type
 * @param dims static shape; `[]` for a scalar
 * @param values typed array of the storage class, or plain numbers; default zeros
 * @throws InvalidParameterError when the element count does not match `dims`
 * @example const w = makeTensor('float32', [2, 2], [1, 0, 0, 1]);
 */
export function makeTensor(dtype: DType, dims: readonly number[], values?: TensorData | readonly (number | bigint)[]): Tensor {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new InvalidParameterError(`Tensor dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  const n = numel(dims);
  let data: TensorData;
  if (values === undefined) data = allocData(dtype, n);
  else if (ArrayBuffer.isView(values)) {
    if (!dataMatches(dtype, values)) {
      throw new InvalidParameterError(`Tensor of dtype ${dtype} cannot be stored in a ${values.constructor.name}`);
    }
    data = values;
  } else data = fromNumbers(dtype, values);
  if (data.length !== n) {
    throw new InvalidParameterError(`Tensor with dims [${dims.join(', ')}] needs ${n} elements but received ${data.length}`);
  }
  return { dtype, dims: [...dims], data };
}

function fromNumbers(dtype: DType, values: readonly (number | bigint)[]): TensorData {
  const out = allocData(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    else if (dtype === 'float16') out[i] = float32ToFloat16(Number(v));
    else if (dtype === 'bool') out[i] = Number(v) !== 0 ? 1 : 0;
    else out[i] = Number(v);
  }
  return out;
}

/** An int64 tensor, 1-D unless `dims` says otherwise. */
export function int64Tensor(values: readonly number[], dims: readonly number[] = [values.length]): Tensor {
  return makeTensor('int64', dims, values);
}

/** A float32 tensor, 1-D unless `dims` says otherwise. */
export function float32Tensor(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): Tensor {
  return makeTensor('float32', dims, values instanceof Float32Array ? values : [...values]);
}

/** A scalar (rank 0) tensor. */
export function scalarTensor(dtype: DType, value: number): Tensor {
  return makeTensor(dtype, [], [value]);
}

/** Elements as JS numbers (float16 decoded, 64-bit integers rounded to the nearest double). */
export function tensorToNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    out[i] = t.dtype === 'float16' ? float16ToFloat32(v as number) : Number(v);
  }
  return out;
}

/** Deep copy (the element array is copied). */
export function cloneTensor(t: Tensor): Tensor {
  return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() };
}

/** Decodes IEEE 754 half bits. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Encodes a number as IEEE 754 half bits (round to nearest even). */
export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** ONNX TensorProto.DataType codes of the supported element types. */
const ONNX_CODES: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

/** ONNX data type code of `dtype` (e.g. 1 for float32, 7 for int64). */
export function dtypeToOnnx(dtype: DType): number {
  return ONNX_CODES[dtype];
}

/** Element type for an ONNX data type code, or undefined for unsupported codes (string, bfloat16...). */
export function dtypeFromOnnx(code: number): DType | undefined {
  return (Object.keys(ONNX_CODES) as DType[]).find((k) => ONNX_CODES[k] === code);
}
