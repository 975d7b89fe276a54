/**
 * The contract between the autodiff walker and the gradient rules.
 *
 * A rule sees one forward node and the gradients of its outputs, emits backward nodes through a
 * `GradEmitter`, and returns one gradient per input (or null where no gradient flows). Rules never
 * accumulate, toposort or un-broadcast: the walker does that for every rule (tinygrad's split of
 * `compute_gradient` from `pm_gradient`).
 */
import type { Attribute, DType, Graph, Node } from '../graph/index.js';

/** What a rule may use to add backward nodes. Every emitted value gets an inferred static type. */
export interface GradEmitter {
  readonly graph: Graph;
  /** Adds one node with a single output; returns that output's name. */
  op(opType: string, inputs: readonly string[], attrs?: Record<string, Attribute>): string;
  /** Adds one node with `outputs` outputs; returns their names. */
  opN(opType: string, inputs: readonly string[], outputs: number, attrs?: Record<string, Attribute>): string[];
  /** A float constant (float32 unless `dtype` says otherwise), stored as an initializer. */
  constant(values: ArrayLike<number>, dims: readonly number[], dtype?: DType): string;
  /** A 1-D int64 constant, for shape, axes, pads, starts/ends inputs. */
  ints(values: readonly number[]): string;
  /** The static shape of a value (throws a GraphValidationError naming it when not static). */
  shape(name: string): number[];
  dtype(name: string): DType;
}

/**
 * A gradient rule for one op type.
 * @param e - emitter for backward nodes.
 * @param node - the forward node (read its inputs, outputs and attributes).
 * @param dy - gradient of each of the node's outputs, null where the output does not reach the loss.
 * @returns gradient of each input (same index as `node.inputs`), or null. A returned gradient may
 *   have a broadcast shape; the walker reduces it back to the input's shape.
 */
export type GradRule = (e: GradEmitter, node: Node, dy: readonly (string | null)[]) => readonly (string | null)[];
