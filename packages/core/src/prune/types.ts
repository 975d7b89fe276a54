/**
 * Public types of the pruning engine. The engine is split the way Torch-Pruning splits it: the
 * comb (dependency groups, derived from the graph alone), the importance scores, the planner
 * (how many channels of which group to keep), and the cut (slicing initializers and rewriting
 * shapes). Each step only talks to the next through these types, so a score or a planner never
 * needs to know op semantics, and the comb never needs to know what a score is.
 */

/**
 * Where channel `k` of a group lives in one initializer: index `indices[k]` along `axis`.
 * Removing channel `k` removes that index from the initializer.
 */
export interface ParamSlice {
  /** Initializer name. */
  readonly param: string;
  /** Axis of the initializer that carries the group's channels. */
  readonly axis: number;
  /** `indices[k]` is the index along `axis` of channel `k`; length = the group's size. */
  readonly indices: Int32Array;
  /**
   * How the initializer uses the channel: `producer` makes it (Conv/Gemm output rows, ConvTranspose
   * output columns), `consumer` reads it (the next layer's input columns), `affine` scales or
   * shifts it in place (BatchNorm parameters and statistics, biases, per-channel Mul/Add constants).
   */
  readonly role: 'producer' | 'consumer' | 'affine';
  /** Op type of the node using the initializer here (for reports and scores). */
  readonly opType: string;
}

/** Where channel `k` of a group lives in one intermediate value: index `indices[k]` along `axis`. */
export interface ValueSlice {
  readonly value: string;
  readonly axis: number;
  readonly indices: Int32Array;
}

/**
 * A set of channels that must be removed together: removing channel `k` of the group removes it
 * from every slice and every value listed. Coupled tensors (both sides of a residual Add, an
 * initializer shared by two branches, the halves of a Concat that feed one Split...) are merged
 * into one group by the comb.
 */
export interface ChannelGroup {
  /** Stable id within one dependency graph (0..groups.length-1). */
  readonly id: number;
  /** Number of channels. */
  readonly size: number;
  /**
   * Channels are removed in whole units: 1 for plain convs; the channels per group for group
   * convolutions whose group count must stay fixed; the head dimension for attention heads.
   */
  readonly unit: number;
  readonly params: readonly ParamSlice[];
  readonly values: readonly ValueSlice[];
  /**
   * Slices on an axis that holds one index per unit rather than per channel (added by the comb,
   * optional): the head axis of attention tensors reshaped to [B, heads, S, headDim], a per-head
   * parameter. `indices[u]` is the index of unit `u` (length size / unit); removing a unit removes
   * it. Absent when every slice is per channel.
   */
  readonly unitParams?: readonly ParamSlice[];
  readonly unitValues?: readonly ValueSlice[];
  /** False when any member channel is fixed; `fixedReason` then says why. */
  readonly prunable: boolean;
  readonly fixedReason?: string;
}

/** A tensor axis the comb will not prune, and why (graph input/output, unsupported op, user request...). */
export interface FixedAxis {
  readonly value: string;
  readonly axis: number;
  readonly reason: string;
}

/** The comb's result: every channel group of a graph, and what stays fixed. */
export interface DependencyGraph {
  readonly groups: readonly ChannelGroup[];
  readonly fixed: readonly FixedAxis[];
  /**
   * Static input shapes the comb inferred with (added by the comb, optional: set when the caller
   * gave `inputShapes` for a graph with symbolic dims); the cut infers with the same shapes.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** Per-channel importance of each group: `scores.get(id)[k]` for channel `k`, higher = keep. */
export type GroupScores = ReadonlyMap<number, Float32Array>;

/** Channels to keep per group (sorted ascending). Groups not listed keep all their channels. */
export type PrunePlan = ReadonlyMap<number, Int32Array>;
