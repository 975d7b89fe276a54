/**
 * A small node emitter for the training passes (training-mode BN, optimizer, clipping): every node
 * gets inferred output types as it is added, so a wrong shape fails where it is made, naming the node.
 */
import { attr } from '../graph/attributes.js';
import type { Graph } from '../graph/graph.js';
import { addInferredNode } from '../graph/infer.js';
import { makeTensor } from '../graph/tensor.js';
import type { Attribute, DType } from '../graph/types.js';

/** Emits nodes and constants into `graph`, naming them under `prefix`. */
export class Emitter {
  private readonly scalars = new Map<string, string>();

  /**
   * @param graph graph to extend (its value types must be known)
   * @param prefix node and value name prefix, e.g. `train/adamw`
   */
  constructor(
    readonly graph: Graph,
    readonly prefix: string,
  ) {}

  /** Adds a single-output node; returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attribute> = {}, name?: string): string {
    const node = this.graph.uniqueNodeName(`${this.prefix}/${opType}`);
    const out = name ?? this.graph.uniqueName(`${node}_out`);
    addInferredNode(this.graph, { opType, inputs, outputs: [out], attributes: attrs, name: node });
    return out;
  }

  /** A constant tensor stored as an initializer. */
  constant(values: ArrayLike<number>, dims: readonly number[], dtype: DType = 'float32'): string {
    const name = this.graph.uniqueName(`${this.prefix}/const`);
    this.graph.addInitializer(name, makeTensor(dtype, dims, Array.from(values)));
    return name;
  }

  /** A scalar constant, shared by every use of the same value and dtype. */
  scalar(value: number, dtype: DType = 'float32'): string {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let name = this.scalars.get(key);
    if (!name) {
      name = this.constant([value], [], dtype);
      this.scalars.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant (axes, shapes). */
  ints(values: readonly number[]): string {
    return this.constant(values, [values.length], 'int64');
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  sqrt(a: string): string {
    return this.op('Sqrt', [a]);
  }
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.ints(shape)]);
  }
  /** Sum of squares of all elements, as a scalar. */
  sumSquares(x: string): string {
    return this.op('ReduceSumSquare', [x], { keepdims: attr.int(0) });
  }
}
