/**
 * The contract between the pruning walkers (comb and cut) and the per-op channel rules.
 *
 * A rule's `comb` says how the channels of a node's inputs and outputs are coupled: `link` merges
 * two axes index by index (with an offset for Concat/Split), `free` marks an axis the op handles
 * whatever its size (a reduced axis, a broadcast axis of size 1), `fix` forbids pruning it. Any
 * axis a rule leaves unmentioned is fixed by the walker, so a forgotten axis can never be cut
 * blindly. A rule's optional `cut` rewrites what slicing initializers alone does not fix: Split
 * sizes, Reshape shape constants, a depthwise Conv's `group`.
 */
import type { Attribute, Dim, Graph, Node, Tensor } from '../../graph/index.js';
import type { DimSource } from '../dim-sources.js';
import type { Role } from '../slots.js';

/** Options of `CombContext.link`. */
export interface LinkOptions {
  /** How an initializer on either side uses the channel; default `affine`. */
  role?: Role;
  /**
   * Index `k` of the first axis is index `offset + k` of the second (Concat input inside its
   * output, Split output inside its input). Without it both axes must have the same size.
   */
  offset?: number;
  /**
   * Index `k` of the first axis is index `floor(k / block)` of the second: the second is the outer
   * axis of a split (a Reshape of D channels into [heads, D / heads]). Removing one outer index
   * removes a whole block of the first axis. The first axis must be `block` times the second.
   */
  block?: number;
}

/** What a comb rule sees of its node. Axes may be negative (counted from the end). */
export interface CombContext {
  readonly node: Node;
  /** ai.onnx opset of the graph. */
  readonly opset: number;
  /** Name of input `i` ('' when omitted). */
  input(i: number): string;
  /** Name of output `i` ('' when omitted). */
  output(i: number): string;
  /** Shape of a value; undefined when unknown (the walker fixes such nodes before the rule runs). */
  shape(value: string): readonly Dim[] | undefined;
  /** Rank of a value (0 when unknown or omitted). */
  rank(value: string): number;
  /** Constant value (initializer, Constant node, or folded by shape inference). */
  constant(value: string): Tensor | undefined;
  /** Integer contents of a constant, or undefined when it is not constant. */
  ints(value: string): number[] | undefined;
  /** True when the value is a constant the cut can rewrite (an initializer or a Constant node output). */
  isStored(value: string): boolean;
  /** Where each entry of a run-time shape vector comes from (see `dimSources`), or undefined. */
  dimSources(value: string): (DimSource | undefined)[] | undefined;
  /** Couples index `k` of (a, axisA) with index `k` (+ offset) of (b, axisB). */
  link(a: string, axisA: number, b: string, axisB: number, opts?: LinkOptions): void;
  /** The op handles this axis (or all axes) whatever its size: no coupling, nothing fixed. */
  free(value: string, axis?: number): void;
  /** This axis (or all axes) must keep every channel. */
  fix(value: string, axis: number | undefined, reason: string): void;
  /** Channels of (value, axis) may only go in aligned blocks of `unit` (group conv, heads). */
  unit(value: string, axis: number, unit: number): void;
}

/** What a cut rule sees: the new graph (initializers already sliced) and the kept indices. */
export interface CutContext {
  /** The node in the new graph. */
  readonly node: Node;
  readonly graph: Graph;
  /** Shape of a value in the graph before the cut. */
  oldShape(value: string): readonly Dim[] | undefined;
  /** Kept indices of (value, axis) when the cut removes some, else undefined. */
  kept(value: string, axis: number): Int32Array | undefined;
  /** Size of (value, axis) after the cut (the old size when unchanged; undefined when unknown). */
  newSize(value: string, axis: number): number | undefined;
  /** Stored constant of input `i` (initializer or Constant node), if any. */
  constant(i: number): Tensor | undefined;
  /** Replaces input `i` by a new initializer holding `tensor` (other readers of the old one are untouched). */
  setConstant(i: number, tensor: Tensor): void;
  /** Sets (or with undefined removes) an attribute. */
  setAttribute(name: string, value: Attribute | undefined): void;
}

/** Channel knowledge about one op type. */
export interface ChannelRule {
  comb(ctx: CombContext): void;
  cut?(ctx: CutContext): void;
}
