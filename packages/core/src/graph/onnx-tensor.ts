/**
 * Conversion of tensors, value types and attributes between the IR and onnx-proto messages.
 * Only `onnx-io.ts` and this module know the protobuf classes.
 */
import onnxProto from 'onnx-proto';
import { allocData, dtypeFromOnnx, dtypeToOnnx, makeTensor, numel } from './tensor.js';
import type { Attribute, Dim, DType, GraphLike, Tensor, TensorData, TensorType } from './types.js';

export const { onnx } = onnxProto;
type P = typeof onnx;
export type ITensorProto = Parameters<P['TensorProto']['create']>[0] & object;
export type ITypeProto = Parameters<P['TypeProto']['create']>[0] & object;
export type IAttributeProto = Parameters<P['AttributeProto']['create']>[0] & object;
export type IGraphProto = Parameters<P['GraphProto']['create']>[0] & object;

/** An int64 as decoded by protobufjs: a number, or a Long when the `long` package is present. */
type Int64 = number | { toString(): string };

/** Int64 field to a JS number (rounded beyond 2^53). */
export function toNum(v: Int64 | null | undefined): number {
  return v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(v.toString());
}

const toBig = (v: Int64): bigint => (typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(v.toString()));

/** Copies little-endian bytes into a fresh, aligned typed array of `dtype`. */
function fromRaw(dtype: DType, raw: Uint8Array, n: number, where: () => string): TensorData {
  const out = allocData(dtype, n);
  if (raw.byteLength !== out.byteLength) throw new Error(`${where()}: raw_data has ${raw.byteLength} bytes, expected ${out.byteLength}`);
  new Uint8Array(out.buffer).set(raw);
  return out;
}

/**
 * Reads a TensorProto (raw_data or typed fields).
 * @param where names the tensor in error messages
 * @throws Error for external data, unsupported types or inconsistent sizes (the caller adds the file)
 */
export function tensorFromProto(tp: ITensorProto, where: string): Tensor {
  const name = (): string => `tensor '${tp.name || where}'`;
  if (tp.dataLocation === 1 || (tp.externalData && tp.externalData.length > 0)) {
    throw new Error(`${name()} stores its data outside the model file (external data is not supported; re-save the model with all tensors inside)`);
  }
  const dtype = dtypeFromOnnx(tp.dataType ?? 0);
  if (!dtype) throw new Error(`${name()} has unsupported data type ${tp.dataType}`);
  const dims = (tp.dims ?? []).map(toNum);
  const n = numel(dims);
  if (tp.rawData && tp.rawData.length > 0) return makeTensor(dtype, dims, fromRaw(dtype, tp.rawData, n, name));
  const data = allocData(dtype, n);
  let src: readonly (number | Int64)[] = [];
  if (dtype === 'float32') src = tp.floatData ?? [];
  else if (dtype === 'float64') src = tp.doubleData ?? [];
  else if (dtype === 'int64') src = tp.int64Data ?? [];
  else if (dtype === 'uint32' || dtype === 'uint64') src = tp.uint64Data ?? [];
  else src = tp.int32Data ?? [];
  if (src.length !== n && !(n === 0 && src.length === 0)) throw new Error(`${name()} has ${src.length} values for dims [${dims.join(', ')}]`);
  for (let i = 0; i < n; i++) {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = toBig(src[i]!);
    else data[i] = toNum(src[i]!);
  }
  return makeTensor(dtype, dims, data);
}

/** Writes a tensor as a TensorProto with little-endian raw_data. */
export function tensorToProto(name: string, t: Tensor): ITensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: [...t.dims], dataType: dtypeToOnnx(t.dtype), rawData: bytes.slice() };
}

/** Reads a ValueInfo type. Non-tensor types (sequence, map, optional) are rejected. */
export function typeFromProto(tp: ITypeProto | null | undefined, where: string): TensorType | undefined {
  if (!tp) return undefined;
  if (!tp.tensorType) throw new Error(`value '${where}' is not a tensor (sequence, map, optional and sparse values are not supported)`);
  const dtype = dtypeFromOnnx(tp.tensorType.elemType ?? 0);
  if (!dtype) throw new Error(`value '${where}' has unsupported element type ${tp.tensorType.elemType}`);
  const s = tp.tensorType.shape;
  if (!s) return { dtype };
  const shape: Dim[] = (s.dim ?? []).map((d) =>
    d.dimValue !== null && d.dimValue !== undefined ? toNum(d.dimValue) : d.dimParam ? d.dimParam : '?',
  );
  return { dtype, shape };
}

/** Writes a value type. */
export function typeToProto(t: TensorType): ITypeProto {
  return {
    tensorType: {
      elemType: dtypeToOnnx(t.dtype),
      shape: t.shape ? { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : d === '?' ? {} : { dimParam: d })) } : null,
    },
  };
}

const A = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;
const utf8 = new TextDecoder();
const utf8e = new TextEncoder();

/** Attribute type, inferred from the set field when an old model leaves `type` unset. */
function attributeType(a: IAttributeProto): number {
  if (a.type) return a.type;
  if (a.floats?.length) return A.FLOATS;
  if (a.ints?.length) return A.INTS;
  if (a.strings?.length) return A.STRINGS;
  if (a.tensors?.length) return A.TENSORS;
  if (a.graphs?.length) return A.GRAPHS;
  if (a.t) return A.TENSOR;
  if (a.g) return A.GRAPH;
  if (a.s?.length) return A.STRING;
  if (a.i !== undefined && a.i !== null && toNum(a.i as Int64) !== 0) return A.INT;
  return A.FLOAT;
}

/**
 * Reads one attribute.
 * @param readGraph converts a subgraph (If/Loop bodies)
 * @throws Error for sparse-tensor and type-proto attributes
 */
export function attributeFromProto(a: IAttributeProto, readGraph: (g: IGraphProto) => GraphLike): Attribute {
  const where = `attribute '${a.name}'`;
  switch (attributeType(a)) {
    case A.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case A.INT:
      return { type: 'int', value: toNum(a.i as Int64) };
    case A.STRING:
      return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case A.TENSOR:
      return { type: 'tensor', value: tensorFromProto(a.t!, where) };
    case A.GRAPH:
      return { type: 'graph', value: readGraph(a.g!) };
    case A.FLOATS:
      return { type: 'floats', value: [...(a.floats ?? [])] };
    case A.INTS:
      return { type: 'ints', value: (a.ints ?? []).map((v) => toNum(v as Int64)) };
    case A.STRINGS:
      return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case A.TENSORS:
      return { type: 'tensors', value: (a.tensors ?? []).map((t) => tensorFromProto(t, where)) };
    case A.GRAPHS:
      return { type: 'graphs', value: (a.graphs ?? []).map(readGraph) };
    default:
      throw new Error(`${where} has unsupported type ${a.type} (sparse tensors and type protos are not supported)`);
  }
}

/** Writes one attribute. */
export function attributeToProto(name: string, a: Attribute, writeGraph: (g: GraphLike) => IGraphProto): IAttributeProto {
  switch (a.type) {
    case 'float':
      return { name, type: A.FLOAT, f: a.value };
    case 'int':
      return { name, type: A.INT, i: a.value };
    case 'string':
      return { name, type: A.STRING, s: utf8e.encode(a.value) };
    case 'tensor':
      return { name, type: A.TENSOR, t: tensorToProto('', a.value) };
    case 'graph':
      return { name, type: A.GRAPH, g: writeGraph(a.value) };
    case 'floats':
      return { name, type: A.FLOATS, floats: [...a.value] };
    case 'ints':
      return { name, type: A.INTS, ints: [...a.value] };
    case 'strings':
      return { name, type: A.STRINGS, strings: a.value.map((s) => utf8e.encode(s)) };
    case 'tensors':
      return { name, type: A.TENSORS, tensors: a.value.map((t) => tensorToProto('', t)) };
    case 'graphs':
      return { name, type: A.GRAPHS, graphs: a.value.map(writeGraph) };
  }
}
