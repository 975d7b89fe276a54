/**
 * The shape-rule table and the types rules are written against. Kept apart from the walker in
 * `infer.ts` so rule modules and the walker do not import each other.
 */
import type { Dim, DType, Node, Tensor } from './types.js';

/** What a rule returns for one output. `value` is set when the output is a known constant. */
export interface InferredOutput {
  dtype: DType;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
  value?: Tensor;
}

/** What a shape rule sees of its node. */
export interface InferContext {
  readonly node: Node;
  /** ai.onnx opset of the graph. */
  readonly opset: number;
  /** Number of listed inputs, omitted optional ones included. */
  readonly inputCount: number;
  /** True when input `i` is listed and not the empty (omitted) name. */
  has(i: number): boolean;
  /** Element type of input `i`; fails when it is missing. */
  dtype(i: number): DType;
  /** Shape of input `i`; aborts inference of this node (not an error) when it is unknown. */
  shape(i: number): readonly Dim[];
  /** Constant value of input `i` when known (initializer, Constant or folded). */
  value(i: number): Tensor | undefined;
  /** Constant value of input `i` as numbers, or undefined. */
  ints(i: number): number[] | undefined;
  /** Throws a GraphValidationError naming the node, its op and its input shapes. */
  fail(message: string): never;
}

/** A shape rule: input types (and constants) to output types. */
export type ShapeRule = (ctx: InferContext) => InferredOutput[];

/** Thrown inside a rule when an input's shape is unknown: the walker leaves the outputs unknown. */
export class UnknownShapeSignal extends Error {}

/** Rules by op type; filled by `rules/index.ts`. Keys are `opType` for ai.onnx, `domain:opType` otherwise. */
export const shapeRules = new Map<string, ShapeRule>();

