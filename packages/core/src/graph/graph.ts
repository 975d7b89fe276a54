/**
 * The in-memory graph: nodes in topological order, typed values, initializers, graph inputs and
 * outputs, metadata_props and opset imports. Producer and consumer indices are kept up to date by
 * every mutating method, so walkers (autodiff, pruning) can ask "who makes / who reads this value"
 * in O(1).
 */
import { GraphValidationError } from './errors.js';
import { cloneTensor } from './tensor.js';
import type { Attribute, Dim, DType, GraphLike, ModelInfo, Node, NodeSpec, Tensor, TensorType } from './types.js';

interface MutableNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  docString?: string;
}

/** One use of a value: `node.inputs[index] === value`. */
export interface ValueUse {
  readonly node: Node;
  readonly index: number;
}

/** The default opset the IR speaks: every graph it loads is upgraded to it. */
export const DEFAULT_OPSET = 20;

const fail = (message: string, node?: Node): GraphValidationError =>
  new GraphValidationError(message, node ? { node: node.name, opType: node.opType } : undefined);

/**
 * A mutable ONNX graph with model-level fields (metadata, opsets).
 * @example
 * const g = new Graph('tiny');
 * g.addInput('x', { dtype: 'float32', shape: [1, 4] });
 * g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['y'] });
 * g.addOutput('y');
 */
export class Graph implements GraphLike {
  name: string;
  docString = '';
  /** ONNX metadata_props (key/value strings); the model contract is stored here. */
  readonly metadata = new Map<string, string>();
  /** Opset version by domain (`''` is ai.onnx). */
  readonly opsetImports = new Map<string, number>([['', DEFAULT_OPSET]]);
  /** Producer and model fields carried through load/save. */
  info: ModelInfo = { producerName: 'stereo-sdk', producerVersion: '', domain: '', modelVersion: 0, docString: '' };

  private readonly _nodes: MutableNode[] = [];
  private readonly _byName = new Map<string, MutableNode>();
  private readonly _types = new Map<string, TensorType>();
  private readonly _inits = new Map<string, Tensor>();
  private readonly _inputs: string[] = [];
  private readonly _outputs: string[] = [];
  private readonly _producer = new Map<string, MutableNode>();
  private readonly _uses = new Map<string, { node: MutableNode; index: number }[]>();
  private readonly _reserved = new Set<string>();

  constructor(name = 'graph') {
    this.name = name;
  }

  /**
   * Nodes in their stored order (topological for a valid graph). This is the live list: iterate
   * over a copy (`[...graph.nodes]`) when the loop adds or removes nodes.
   */
  get nodes(): readonly Node[] {
    return this._nodes;
  }
  /** Graph input names (initializers are never listed here). */
  get inputs(): readonly string[] {
    return this._inputs;
  }
  /** Graph output names. */
  get outputs(): readonly string[] {
    return this._outputs;
  }
  /** Initializers by name. Mutate through add/set/removeInitializer. */
  get initializers(): ReadonlyMap<string, Tensor> {
    return this._inits;
  }
  /** The ai.onnx opset version. */
  get opset(): number {
    return this.opsetImports.get('') ?? DEFAULT_OPSET;
  }

  /** Node by name. */
  node(name: string): Node | undefined {
    return this._byName.get(name);
  }
  /** Position of `node` in `nodes`, or -1. */
  nodeIndex(node: Node): number {
    return this._nodes.indexOf(node as MutableNode);
  }

  /** True when `name` is a graph input, an initializer or a node output. */
  hasValue(name: string): boolean {
    return this._inputs.includes(name) || this._inits.has(name) || this._producer.has(name);
  }
  /** True when `name` is a graph input. */
  isInput(name: string): boolean {
    return this._inputs.includes(name);
  }
  /** True when `name` is a graph output. */
  isOutput(name: string): boolean {
    return this._outputs.includes(name);
  }
  /** True when `name` is an initializer. */
  isInitializer(name: string): boolean {
    return this._inits.has(name);
  }

  /** Type of a value; undefined when not known (e.g. shape inference could not run). */
  type(name: string): TensorType | undefined {
    const t = this._inits.get(name);
    return t ? { dtype: t.dtype, shape: t.dims } : this._types.get(name);
  }
  /** Records the type of a graph input or node output. */
  setType(name: string, type: TensorType): void {
    if (this._inits.has(name)) throw fail(`'${name}' is an initializer: its type comes from its data`);
    this._types.set(name, { dtype: type.dtype, shape: type.shape ? [...type.shape] : undefined });
  }
  /** Forgets the recorded type of a value (before re-inference). */
  clearType(name: string): void {
    this._types.delete(name);
  }
  /** Element type of a value, if known. */
  dtype(name: string): DType | undefined {
    return this.type(name)?.dtype;
  }
  /** Shape of a value, if known. */
  shape(name: string): readonly Dim[] | undefined {
    return this.type(name)?.shape;
  }
  /**
   * The fully static shape of a value.
   * @throws GraphValidationError when the value is unknown or has a symbolic dimension
   */
  staticShape(name: string): number[] {
    const s = this.shape(name);
    if (!s || s.some((d) => typeof d !== 'number')) {
      throw fail(`Value '${name}' has no static shape (${s ? `[${s.join(', ')}]` : 'unknown'})`);
    }
    return s as number[];
  }

  /**
   * Adds a graph input.
   * @throws GraphValidationError when the name is already a value
   */
  addInput(name: string, type: TensorType): void {
    this.claimFresh(name);
    this._inputs.push(name);
    this.setType(name, type);
  }
  /** Removes a graph input (its consumers are left dangling). */
  removeInput(name: string): void {
    const i = this._inputs.indexOf(name);
    if (i >= 0) this._inputs.splice(i, 1);
    this._types.delete(name);
  }
  /**
   * Declares an existing value (or one whose producer is added later) as a graph output.
   * @param type optional type to record for it
   */
  addOutput(name: string, type?: TensorType): void {
    if (!name) throw fail('A graph output needs a non-empty name');
    if (!this._outputs.includes(name)) this._outputs.push(name);
    if (type && !this._inits.has(name)) this.setType(name, type);
  }
  /** Removes a name from the graph outputs (the value itself stays). */
  removeOutput(name: string): void {
    const i = this._outputs.indexOf(name);
    if (i >= 0) this._outputs.splice(i, 1);
  }
  /** Replaces the whole output list (order matters to callers that fetch by position). */
  setOutputs(names: readonly string[]): void {
    this._outputs.splice(0, this._outputs.length, ...names);
  }

  /**
   * Adds a constant tensor.
   * @throws GraphValidationError when the name is already a value
   */
  addInitializer(name: string, tensor: Tensor): void {
    this.claimFresh(name);
    this._inits.set(name, tensor);
  }
  /** Replaces an existing initializer (its shape may change, e.g. when pruning). */
  setInitializer(name: string, tensor: Tensor): void {
    if (!this._inits.has(name)) throw fail(`'${name}' is not an initializer`);
    this._inits.set(name, tensor);
  }
  /** Removes an initializer (its consumers are left dangling). */
  removeInitializer(name: string): void {
    this._inits.delete(name);
  }
  /** Initializer by name. */
  initializer(name: string): Tensor | undefined {
    return this._inits.get(name);
  }

  /**
   * Appends a node (or inserts it before `opts.before`).
   * @throws GraphValidationError when an output already has a producer, is a graph input or an
   *   initializer, or the node name is taken
   */
  addNode(spec: NodeSpec, opts: { before?: Node } = {}): Node {
    const name = spec.name ?? this.uniqueNodeName(spec.opType);
    if (this._byName.has(name)) throw fail(`Node name '${name}' is already used`);
    const node: MutableNode = {
      name,
      opType: spec.opType,
      domain: spec.domain === 'ai.onnx' ? '' : (spec.domain ?? ''),
      inputs: [...spec.inputs],
      outputs: [...spec.outputs],
      attributes: { ...(spec.attributes ?? {}) },
    };
    if (spec.docString) node.docString = spec.docString;
    for (const o of node.outputs) {
      if (!o) continue;
      if (this._producer.has(o)) throw fail(`Value '${o}' already has a producer ('${this._producer.get(o)!.name}')`, node);
      if (this._inputs.includes(o) || this._inits.has(o)) throw fail(`Value '${o}' is a graph input or initializer`, node);
    }
    if (new Set(node.outputs.filter(Boolean)).size !== node.outputs.filter(Boolean).length) {
      throw fail(`Node lists the same output twice: [${node.outputs.join(', ')}]`, node);
    }
    const at = opts.before ? this._nodes.indexOf(opts.before as MutableNode) : -1;
    if (opts.before && at < 0) throw fail(`Node '${opts.before.name}' is not in this graph`);
    if (at >= 0) this._nodes.splice(at, 0, node);
    else this._nodes.push(node);
    this._byName.set(name, node);
    for (const o of node.outputs) if (o) this._producer.set(o, node);
    node.inputs.forEach((v, i) => this.addUse(v, node, i));
    return node;
  }

  /** Removes a node and the recorded types of its outputs (their consumers are left dangling). */
  removeNode(node: Node): void {
    const n = node as MutableNode;
    const i = this._nodes.indexOf(n);
    if (i < 0) throw fail(`Node '${node.name}' is not in this graph`);
    this._nodes.splice(i, 1);
    this._byName.delete(n.name);
    n.inputs.forEach((v, k) => this.dropUse(v, n, k));
    for (const o of n.outputs) {
      if (o && this._producer.get(o) === n) {
        this._producer.delete(o);
        this._types.delete(o);
      }
    }
  }

  /** Rewires one input of a node. */
  setNodeInput(node: Node, index: number, value: string): void {
    const n = this.own(node);
    if (!Number.isInteger(index) || index < 0 || index > n.inputs.length) {
      throw fail(`Input index ${index} out of range for a node with ${n.inputs.length} inputs`, node);
    }
    if (index < n.inputs.length) this.dropUse(n.inputs[index]!, n, index);
    n.inputs[index] = value;
    this.addUse(value, n, index);
  }

  /** Replaces the whole input list of a node (e.g. to add an optional input). */
  setNodeInputs(node: Node, values: readonly string[]): void {
    const n = this.own(node);
    n.inputs.forEach((v, k) => this.dropUse(v, n, k));
    n.inputs = [...values];
    n.inputs.forEach((v, k) => this.addUse(v, n, k));
  }

  /**
   * Makes every consumer of `oldName` read `newName` instead.
   * @param opts.outputs also rename it in the graph output list (default true)
   * @returns the number of rewired inputs
   */
  replaceAllUses(oldName: string, newName: string, opts: { outputs?: boolean } = {}): number {
    const uses = [...(this._uses.get(oldName) ?? [])];
    for (const u of uses) this.setNodeInput(u.node, u.index, newName);
    if (opts.outputs ?? true) {
      const i = this._outputs.indexOf(oldName);
      if (i >= 0) this._outputs[i] = newName;
    }
    return uses.length;
  }

  /** The node producing `name`, if any. */
  producer(name: string): Node | undefined {
    return this._producer.get(name);
  }
  /** Every (node, input index) reading `name`, in node order of insertion. */
  uses(name: string): readonly ValueUse[] {
    return this._uses.get(name) ?? [];
  }
  /** Distinct nodes reading `name`. */
  consumers(name: string): readonly Node[] {
    return [...new Set((this._uses.get(name) ?? []).map((u) => u.node))];
  }

  /** A value name not used yet (and reserved from now on): `base`, `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.nameTaken(name); k++) name = `${base}_${k}`;
    this._reserved.add(name);
    return name;
  }
  /** A node name not used yet. */
  uniqueNodeName(base: string): string {
    let name = base;
    for (let k = 1; this._byName.has(name); k++) name = `${base}_${k}`;
    return name;
  }

  /**
   * Reorders nodes topologically (stable: keeps the current order where it is free).
   * @throws GraphValidationError naming the nodes on a cycle
   */
  sortTopologically(): void {
    const pending = new Map<MutableNode, number>();
    const ready: MutableNode[] = [];
    for (const n of this._nodes) {
      const deps = new Set(n.inputs.map((v) => this._producer.get(v)).filter((p): p is MutableNode => !!p && p !== n));
      pending.set(n, deps.size + (n.inputs.some((v) => this._producer.get(v) === n) ? 1 : 0));
      if (pending.get(n) === 0) ready.push(n);
    }
    const order: MutableNode[] = [];
    const position = new Map(this._nodes.map((n, i) => [n, i]));
    while (ready.length) {
      ready.sort((a, b) => position.get(a)! - position.get(b)!);
      const n = ready.shift()!;
      order.push(n);
      const next = new Set<MutableNode>();
      for (const o of n.outputs) for (const u of this._uses.get(o) ?? []) next.add(u.node);
      for (const m of next) {
        const left = pending.get(m)! - 1;
        pending.set(m, left);
        if (left === 0) ready.push(m);
      }
    }
    if (order.length !== this._nodes.length) {
      const stuck = this._nodes.filter((n) => !order.includes(n)).map((n) => `'${n.name}' (${n.opType})`);
      throw new GraphValidationError(`Graph has a cycle through nodes ${stuck.slice(0, 8).join(', ')}`, {
        node: this._nodes.find((n) => !order.includes(n))?.name,
      });
    }
    this._nodes.splice(0, this._nodes.length, ...order);
  }

  /**
   * Removes nodes whose outputs reach no graph output, and initializers nobody reads.
   * @returns number of nodes removed
   */
  removeDeadCode(): number {
    const live = new Set<string>(this._outputs);
    const keep = new Set<MutableNode>();
    for (let i = this._nodes.length - 1; i >= 0; i--) {
      const n = this._nodes[i]!;
      if (n.outputs.some((o) => o && live.has(o))) {
        keep.add(n);
        for (const v of n.inputs) if (v) live.add(v);
      }
    }
    const dead = this._nodes.filter((n) => !keep.has(n));
    for (const n of dead) this.removeNode(n);
    for (const name of [...this._inits.keys()]) if (!live.has(name)) this._inits.delete(name);
    return dead.length;
  }

  /**
   * Deep copy. Nodes keep their names, so `clone.node(n.name)` finds the counterpart of `n`.
   * @param opts.shareTensors reuse initializer objects instead of copying their data (default false)
   */
  clone(opts: { shareTensors?: boolean } = {}): Graph {
    const g = new Graph(this.name);
    g.docString = this.docString;
    g.info = { ...this.info };
    for (const [k, v] of this.metadata) g.metadata.set(k, v);
    g.opsetImports.clear();
    for (const [k, v] of this.opsetImports) g.opsetImports.set(k, v);
    const copyT = (t: Tensor): Tensor => (opts.shareTensors ? t : cloneTensor(t));
    for (const name of this._inputs) {
      g.claimFresh(name);
      g._inputs.push(name);
    }
    for (const [name, t] of this._inits) g.addInitializer(name, copyT(t));
    for (const n of this._nodes) {
      const attributes: Record<string, Attribute> = {};
      for (const [k, a] of Object.entries(n.attributes)) attributes[k] = cloneAttribute(a, copyT);
      g.addNode({ ...n, attributes });
    }
    for (const [name, t] of this._types) if (!g._types.has(name)) g._types.set(name, t);
    g._outputs.push(...this._outputs);
    return g;
  }

  private claimFresh(name: string): void {
    if (!name) throw fail('Value names must be non-empty');
    if (this.hasValue(name)) throw fail(`Value '${name}' already exists`);
    this._reserved.add(name);
  }
  private nameTaken(name: string): boolean {
    return this._reserved.has(name) || this.hasValue(name) || this._uses.has(name) || this._types.has(name);
  }
  private own(node: Node): MutableNode {
    const n = node as MutableNode;
    if (this._byName.get(n.name) !== n) throw fail(`Node '${node.name}' is not in this graph`);
    return n;
  }
  private addUse(value: string, node: MutableNode, index: number): void {
    if (!value) return;
    let list = this._uses.get(value);
    if (!list) this._uses.set(value, (list = []));
    list.push({ node, index });
  }
  private dropUse(value: string, node: MutableNode, index: number): void {
    const list = this._uses.get(value);
    if (!list) return;
    const i = list.findIndex((u) => u.node === node && u.index === index);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this._uses.delete(value);
  }
}

function cloneAttribute(a: Attribute, copyT: (t: Tensor) => Tensor): Attribute {
  switch (a.type) {
    case 'tensor':
      return { type: 'tensor', value: copyT(a.value) };
    case 'tensors':
      return { type: 'tensors', value: a.value.map(copyT) };
    case 'graph':
      return { type: 'graph', value: a.value instanceof Graph ? a.value.clone() : a.value };
    case 'graphs':
      return { type: 'graphs', value: a.value.map((s) => (s instanceof Graph ? s.clone() : s)) };
    case 'floats':
    case 'ints':
    case 'strings':
      return { type: a.type, value: [...a.value] } as Attribute;
    default:
      return a;
  }
}
