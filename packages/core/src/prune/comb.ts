/**
 * The comb: from any ONNX graph, the groups of channels that must be removed together. One walker
 * visits the nodes and lets the rule of each op (`channelRules`) couple the axes of its inputs and
 * outputs; it alone does the bookkeeping (slots, union-find, fixing what a rule leaves unmentioned)
 * and turns the merged channels into groups. Nothing unknown is ever cut: an op without a rule, a
 * value of unknown shape, a subgraph's captures, the graph inputs and outputs and whatever the
 * caller lists all stay fixed, and so does every channel coupled to them.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import { Graph, GraphValidationError, inferShapes, tensorToNumbers, type Dim, type Node, type Tensor } from '../graph/index.js';
import { dimSources } from './dim-sources.js';
import { channelRules } from './rules/index.js';
import type { CombContext, LinkOptions } from './rules/types.js';
import { SlotTable, type Slot } from './slots.js';
import { extractGroups } from './groups.js';
import type { DependencyGraph, FixedAxis } from './types.js';

/** A value (all axes, or one) the caller wants kept whole. */
export interface FixedRequest {
  /** Value name (graph input, node output or initializer). */
  value: string;
  /** Axis (negative counts from the end); all axes when omitted. */
  axis?: number;
  /** Shown in `DependencyGraph.fixed`; default `'fixed by the caller'`. */
  reason?: string;
}

/** Options of `buildDependencyGraph`. */
export interface CombOptions {
  /** Extra axes to keep whole (e.g. a cost volume's disparity channels, logits over classes). */
  fixed?: readonly FixedRequest[];
  /**
   * Static shapes for graph inputs with symbolic dims (e.g. `{ left: [1, 3, 64, 128] }`). Channel
   * counts that depend on them (a cost volume sliced from a correlation) become known, so fewer
   * axes stay fixed. Any valid size works: channel structure does not depend on it.
   */
  inputShapes?: Readonly<Record<string, readonly number[]>>;
}

const key = (value: string, axis: number): string => `${value}\u0000${axis}`;

/** Visits nodes, runs their rules and records the couplings in a slot table. */
class CombWalker {
  readonly slots = new SlotTable();

  constructor(
    private readonly graph: Graph,
    private readonly folded: ReadonlyMap<string, Tensor>,
  ) {}

  /** The slot of (value, axis) with a normalized axis; undefined when the value's shape is unknown. */
  slotOf(value: string, axis: number, node?: Node): Slot | undefined {
    const shape = this.graph.shape(value);
    if (!shape) return undefined;
    const a = axis < 0 ? axis + shape.length : axis;
    if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
      throw new GraphValidationError(`Channel rule of ${node ? `'${node.name}' (${node.opType})` : 'the comb'}: axis ${axis} is out of range for '${value}' of rank ${shape.length}`, node ? { node: node.name, opType: node.opType } : undefined);
    }
    const d: Dim = shape[a]!;
    return this.slots.slot(value, a, typeof d === 'number' ? d : -1, this.graph.isInitializer(value));
  }

  /** Fixes one axis (or every axis) of a value; the first reason given sticks. */
  fixValue(value: string, axis: number | undefined, reason: string, node?: Node): void {
    const shape = this.graph.shape(value);
    if (!shape) return;
    const axes = axis === undefined ? shape.map((_, a) => a) : [axis];
    for (const a of axes) {
      const s = this.slotOf(value, a, node);
      if (s) s.fixedReason ??= reason;
    }
  }

  visit(node: Node): void {
    const io = [...node.inputs, ...node.outputs].filter(Boolean);
    const touched = new Set<string>();
    const label = `${node.opType} '${node.name}'`;
    const known = node.domain === '' && Object.hasOwn(channelRules, node.opType);
    const unknownShape = io.find((v) => !this.graph.shape(v));
    if (!known) this.fixAll(io, `${label}: no channel rule for ${node.domain ? `${node.domain}:` : ''}${node.opType}`, node);
    else if (unknownShape) this.fixAll(io, `${label}: the shape of '${unknownShape}' is unknown`, node);
    else channelRules[node.opType]!.comb(this.context(node, touched, label));
    for (const v of io) {
      this.graph.shape(v)?.forEach((_, a) => {
        if (!touched.has(key(v, a))) this.fixValue(v, a, `${label}: its rule does not map axis ${a} of '${v}'`, node);
      });
    }
    this.fixCaptures(node, label);
  }

  /**
   * The initializer slot behind an Identity chain (exporters share deduplicated weights that way),
   * so the op that really uses the weight gives its role.
   */
  private aliasedParam(s: Slot): Slot | undefined {
    let v = s.value;
    for (let p = this.graph.producer(v); p?.opType === 'Identity' && p.domain === ''; p = this.graph.producer(v)) v = p.inputs[0]!;
    return v !== s.value && this.graph.isInitializer(v) ? this.slotOf(v, s.axis) : undefined;
  }

  private fixAll(values: readonly string[], reason: string, node: Node): void {
    for (const v of values) this.fixValue(v, undefined, reason, node);
  }

  /** Outer values read inside a subgraph (If/Loop/Scan bodies) are invisible to rules: fix them. */
  private fixCaptures(node: Node, label: string): void {
    const visit = (sub: Graph): void => {
      const local = new Set<string>([...sub.inputs, ...sub.initializers.keys()]);
      for (const n of sub.nodes) {
        for (const v of n.inputs) if (v && !local.has(v) && this.graph.hasValue(v)) this.fixValue(v, undefined, `${label}: read by a subgraph`, node);
        for (const o of n.outputs) if (o) local.add(o);
        for (const a of Object.values(n.attributes)) for (const s of subgraphs(a)) visit(s);
      }
    };
    for (const a of Object.values(node.attributes)) for (const s of subgraphs(a)) visit(s);
  }

  private context(node: Node, touched: Set<string>, label: string): CombContext {
    const g = this.graph;
    const touch = (s: Slot | undefined): Slot | undefined => {
      if (s) touched.add(key(s.value, s.axis));
      return s;
    };
    const use = (s: Slot, opts: LinkOptions): void => {
      const param = s.isParam ? s : this.aliasedParam(s);
      param?.uses.push({ role: opts.role ?? 'affine', opType: node.opType });
    };
    const allAxes = (value: string, axis: number | undefined): number[] => (axis === undefined ? (g.shape(value) ?? []).map((_, a) => a) : [axis]);
    return {
      node,
      opset: g.opset,
      input: (i) => node.inputs[i] ?? '',
      output: (i) => node.outputs[i] ?? '',
      shape: (v) => g.shape(v),
      rank: (v) => (v ? (g.shape(v)?.length ?? 0) : 0),
      constant: (v) => g.initializer(v) ?? this.folded.get(v),
      ints: (v) => {
        const t = v ? (g.initializer(v) ?? this.folded.get(v)) : undefined;
        return t ? tensorToNumbers(t) : undefined;
      },
      dimSources: (v) => (v ? dimSources(g, v) : undefined),
      isStored: (v) => !!v && (g.isInitializer(v) || (g.producer(v)?.opType === 'Constant' && g.producer(v)?.domain === '')),
      link: (a, axisA, b, axisB, opts = {}) => {
        const sa = touch(this.slotOf(a, axisA, node));
        const sb = touch(this.slotOf(b, axisB, node));
        if (!sa || !sb) {
          for (const s of [sa, sb]) if (s) s.fixedReason ??= `${label}: coupled to '${sa ? b : a}', whose shape is unknown`;
          return;
        }
        use(sa, opts);
        use(sb, opts);
        const off = opts.offset;
        const block = opts.block ?? 1;
        if (sa.size < 0 || sb.size < 0) {
          for (const s of [sa, sb]) if (s.size >= 0) s.fixedReason ??= `${label}: coupled to an axis of unknown size`;
          return;
        }
        const fits = off !== undefined ? off >= 0 && off + sa.size <= sb.size : sa.size === sb.size * block;
        if (!fits || !Number.isInteger(block) || block < 1) {
          const why = `${label}: axis sizes ${sa.size} and ${sb.size}${off === undefined ? '' : ` at offset ${off}`}${block > 1 ? ` in blocks of ${block}` : ''} do not match`;
          sa.fixedReason ??= why;
          sb.fixedReason ??= why;
          return;
        }
        for (let k = 0; k < sa.size; k++) this.slots.union(sa.base + k, sb.base + (off ?? 0) + Math.floor(k / block));
      },
      free: (v, axis) => {
        for (const a of allAxes(v, axis)) touch(this.slotOf(v, a, node));
      },
      fix: (v, axis, reason) => {
        for (const a of allAxes(v, axis)) {
          const s = touch(this.slotOf(v, a, node));
          if (s) s.fixedReason ??= `${label}: ${reason}`;
        }
      },
      unit: (v, axis, unit) => {
        const s = touch(this.slotOf(v, axis, node));
        if (s) s.unit = lcm(s.unit, unit);
      },
    };
  }
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

function subgraphs(a: Node['attributes'][string]): Graph[] {
  if (a.type === 'graph') return a.value instanceof Graph ? [a.value] : [];
  if (a.type === 'graphs') return a.value.filter((s): s is Graph => s instanceof Graph);
  return [];
}

function checkFixed(graph: Graph, fixed: unknown): FixedRequest[] {
  if (fixed === undefined) return [];
  if (!Array.isArray(fixed)) throw is.invalidParameterError('options.fixed', 'an array of { value, axis?, reason? }', fixed);
  return fixed.map((f: unknown, i) => {
    const r = f as FixedRequest;
    if (!is.plainObject(f) || !is.string(r.value)) throw is.invalidParameterError(`options.fixed[${i}]`, 'an object { value: string, axis?: number, reason?: string }', f);
    if (!graph.hasValue(r.value)) throw new InvalidParameterError(`options.fixed[${i}]: '${r.value}' is not a value of graph '${graph.name}'`);
    const rank = graph.shape(r.value)?.length;
    if (r.axis !== undefined && (!Number.isInteger(r.axis) || (rank !== undefined && (r.axis < -rank || r.axis >= rank)))) {
      throw is.invalidParameterError(`options.fixed[${i}].axis`, `an integer in [${-(rank ?? 0)}, ${(rank ?? 0) - 1}] for '${r.value}'`, r.axis);
    }
    if (r.reason !== undefined) is.assertString(`options.fixed[${i}].reason`, r.reason);
    return r;
  });
}

/**
 * A shallow copy of `graph` whose inputs have the given static shapes, with shapes re-inferred.
 * @throws InvalidParameterError when a name is not a graph input or a shape does not fit it
 */
export function withInputShapes(graph: Graph, shapes: Readonly<Record<string, readonly number[]>> | undefined): Graph {
  const g = graph.clone({ shareTensors: true });
  if (shapes === undefined) return g;
  if (!is.plainObject(shapes)) throw is.invalidParameterError('options.inputShapes', 'an object of input name to static shape', shapes);
  for (const [name, dims] of Object.entries(shapes)) {
    const t = g.type(name);
    if (!g.isInput(name) || !t) throw new InvalidParameterError(`options.inputShapes: '${name}' is not an input of graph '${graph.name}' (inputs: ${g.inputs.join(', ')})`);
    const fits = Array.isArray(dims) && dims.every((d) => Number.isInteger(d) && d > 0) && (!t.shape || (t.shape.length === dims.length && t.shape.every((d, i) => typeof d !== 'number' || d === dims[i])));
    if (!fits) throw is.invalidParameterError(`options.inputShapes['${name}']`, `positive integers fitting [${t.shape?.join(', ') ?? '?'}]`, dims);
    g.setType(name, { dtype: t.dtype, shape: dims });
  }
  // Inferred static dims win over the symbolic ones recorded for intermediate values.
  inferShapes(g, { strict: false });
  return g;
}

/**
 * Derives the channel groups of a graph: the channels that must be removed together (a conv's
 * output channels with its BatchNorm, activations and the next conv's input channels; both sides
 * of a residual Add; Concat inputs at their offsets in the output; weights shared by several
 * nodes...). A group is prunable only when none of its channels is fixed.
 *
 * Fixed: graph inputs and outputs; `options.fixed`; every axis touched by an op without a channel
 * rule (or one of another domain), by a value whose shape cannot be inferred, by a subgraph; axes
 * an op's rule cannot prove safe (a Reshape that folds channels, a Pad on channels, a general
 * group conv whose groups would not split evenly...). `DependencyGraph.fixed` lists, with reasons,
 * the fixed axes that hold channels of some group, plus every caller request.
 *
 * @param graph the graph (not modified; shapes are inferred on a copy)
 * @param options.fixed extra values/axes to keep whole, e.g. `[{ value: 'cost', axis: 1, reason: 'disparity hypotheses' }]`
 * @param options.inputShapes static shapes for inputs with symbolic dims (recorded in the result for the cut)
 * @returns groups (ids 0..n-1 in graph order) and fixed axes
 * @throws InvalidParameterError when `options.fixed` names an unknown value or a bad axis, or
 *   `options.inputShapes` a non-input or a shape that does not fit
 * @example
 * const dep = buildDependencyGraph(graph, { fixed: [{ value: 'logits', axis: 1 }] });
 * const prunable = dep.groups.filter((g) => g.prunable);
 */
export function buildDependencyGraph(graph: Graph, options: CombOptions = {}): DependencyGraph {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  if (!is.plainObject(options)) throw is.invalidParameterError('options', 'a plain object', options);
  const { fixed, inputShapes } = options as CombOptions;
  const requests = checkFixed(graph, fixed);
  const g = withInputShapes(graph, inputShapes);
  const { values } = inferShapes(g, { strict: false });
  const walker = new CombWalker(g, values);
  for (const node of g.nodes) walker.visit(node);
  for (const v of g.inputs) walker.fixValue(v, undefined, `'${v}' is a graph input`);
  for (const v of g.outputs) walker.fixValue(v, undefined, `'${v}' is a graph output`);
  const requested: FixedAxis[] = [];
  for (const r of requests) {
    const reason = r.reason ?? 'fixed by the caller';
    walker.fixValue(r.value, r.axis, reason);
    const rank = g.shape(r.value)?.length ?? 0;
    const axes = r.axis === undefined ? Array.from({ length: rank }, (_, a) => a) : [r.axis < 0 ? r.axis + rank : r.axis];
    for (const axis of axes) requested.push({ value: r.value, axis, reason });
  }
  const dep = extractGroups(walker.slots, requested);
  return inputShapes ? { ...dep, inputShapes: structuredClone(inputShapes) } : dep;
}
