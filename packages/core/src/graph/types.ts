/**
 * Public types of the graph IR. The IR mirrors ONNX (op types, attribute names and value names are
 * ONNX's own) but does not depend on the protobuf classes: conversion lives in `onnx-io.ts`.
 */

/** Element types the IR carries. Names follow onnxruntime's tensor type names. */
export type DType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'bool';

/**
 * One dimension: a non-negative integer when static, otherwise a symbolic name (`'batch'`) or `'?'`
 * for an unnamed unknown size.
 */
export type Dim = number | string;

/** Element type and shape of a value. `shape` is undefined when even the rank is unknown. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape?: readonly Dim[];
}

/**
 * Storage of tensor elements. float16 is stored as raw IEEE half bits in a Uint16Array and bool as
 * 0/1 bytes in a Uint8Array, as onnxruntime expects them.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A constant tensor (an initializer, a Constant node's value or a tensor attribute). */
export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** An ONNX attribute with its ONNX type. Integers are JS numbers (int64 beyond 2^53 loses precision). */
export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'graph'; readonly value: GraphLike }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensors'; readonly value: readonly Tensor[] }
  | { readonly type: 'graphs'; readonly value: readonly GraphLike[] };

/** The attribute type names, as ONNX spells them in lower case. */
export type AttributeType = Attribute['type'];

/**
 * Opaque handle to a subgraph held by an attribute (If/Loop bodies). It is a `Graph` at run time;
 * the indirection only avoids a circular type import.
 */
export interface GraphLike {
  readonly name: string;
}

/**
 * One operator application. Inputs and outputs are value names; an empty string marks an omitted
 * optional input or output, as in ONNX. Nodes are owned by a `Graph`: change their wiring only
 * through the graph's methods so its producer/consumer index stays right.
 */
export interface Node {
  /** Unique within the graph. */
  readonly name: string;
  /** ONNX op type, e.g. `Conv`. */
  readonly opType: string;
  /** Operator set domain: `''` for the default ai.onnx domain. */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attributes by ONNX name. Mutable in place: attributes do not affect the graph's indices. */
  readonly attributes: Record<string, Attribute>;
  docString?: string;
}

/** What `Graph.addNode` takes. Missing `name` gets a unique one from the op type. */
export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, Attribute>;
  domain?: string;
  name?: string;
  docString?: string;
}

/** Model-level fields kept for round trips. */
export interface ModelInfo {
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
}
