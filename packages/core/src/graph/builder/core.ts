/**
 * Builder bookkeeping: scopes and module paths, parameters, constants, graph inputs/outputs, and
 * node emission with build-time shape inference (a wrong channel count throws where it is made).
 */
import { InvalidParameterError } from '../../errors.js';
import * as is from '../../is.js';
import { GraphValidationError } from '../errors.js';
import { Graph } from '../graph.js';
import { addInferredNode } from '../infer.js';
import { makeTensor } from '../tensor.js';
import type { Attribute, Dim, DType, Tensor } from '../types.js';
import { validateGraph } from '../validate.js';
import { createRng, type Rng } from '../../random.js';
import type { ModuleKind, ModuleRecord } from './modules.js';

/** A value in the graph being built: its name and (inferred) type. */
export interface TensorRef {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

/** Options of the builder. */
export interface BuilderOptions {
  /** Graph name; default `'net'`. */
  name?: string;
  /** Extend this existing graph (e.g. one read from a file, to add a loss) instead of a new one. */
  graph?: Graph;
  /** Seed of the parameter initializer; default 0. */
  seed?: number;
}

const SCOPE_NAME = /^[A-Za-z0-9_]+$/;

/** Scopes, parameters, inputs/outputs and node emission. Extended by `GraphBuilder`. */
export class BuilderCore {
  /** The graph under construction. */
  readonly graph: Graph;
  /** Parametric layers in creation order. */
  readonly modules: ModuleRecord[] = [];
  protected readonly rng: Rng;
  private readonly scopes: string[] = [];
  private readonly counters = new Map<string, number>();
  private readonly paths = new Set<string>();

  constructor(opts: BuilderOptions = {}) {
    this.graph = opts.graph ?? new Graph(opts.name ?? 'net');
    this.rng = createRng(opts.seed ?? 0);
  }

  /** Current scope path, e.g. `feature.block2` (empty at top level). */
  get scopePath(): string {
    return this.scopes.join('.');
  }

  /**
   * Runs `fn` inside a named scope: parameters created in it are named `<scope>.<module>.<param>`.
   * @param name letters, digits and underscores
   * @example b.scope('feature', () => b.conv(x, 32, { kernel: 3, name: 'conv1' }));
   */
  scope<T>(name: string, fn: () => T): T {
    if (!is.string(name) || !SCOPE_NAME.test(name)) throw is.invalidParameterError('scope name', 'letters, digits and underscores', name);
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /**
   * Declares a graph input.
   * @param name input name
   * @param dtype element type
   * @param shape dims; numbers, or strings for symbolic dims
   */
  input(name: string, dtype: DType, shape: readonly Dim[]): TensorRef {
    is.assertString('input name', name);
    this.graph.addInput(name, { dtype, shape });
    return { name, dtype, shape: [...shape] };
  }

  /**
   * Declares `x` a graph output, renamed to `name` through an Identity node when given.
   * @returns the output value
   */
  output(x: TensorRef, name?: string): TensorRef {
    let out = x;
    if (name !== undefined && name !== x.name) {
      is.assertString('output name', name);
      [out] = this.emit('Identity', [x], {}, { outputNames: [name] });
    }
    this.graph.addOutput(out!.name);
    return out!;
  }

  /**
   * Adds a named parameter (initializer) in the current scope.
   * @param name parameter name relative to the scope (e.g. `alpha`)
   * @param tensor its initial value
   */
  param(name: string, tensor: Tensor): TensorRef {
    return this.addParam(this.scopePath ? `${this.scopePath}.${name}` : name, tensor);
  }

  /** Adds an initializer under its full name. */
  protected addParam(fullName: string, tensor: Tensor): TensorRef {
    this.graph.addInitializer(fullName, tensor);
    return { name: fullName, dtype: tensor.dtype, shape: [...tensor.dims] };
  }

  /**
   * Adds a constant (initializer named `const`, `const_1`, ...).
   * @param values the elements (a typed array of the dtype's storage class, or numbers)
   * @param dims its shape; default 1-D
   * @param dtype default float32
   */
  constant(values: readonly number[] | Tensor['data'], dims?: readonly number[], dtype: DType = 'float32'): TensorRef {
    const t = makeTensor(dtype, dims ?? [values.length], values as readonly number[]);
    const name = this.graph.uniqueName(this.scopePath ? `${this.scopePath}.const` : 'const');
    this.graph.addInitializer(name, t);
    return { name, dtype, shape: [...t.dims] };
  }

  /** A scalar constant. */
  scalar(value: number, dtype: DType = 'float32'): TensorRef {
    return this.constant([value], [], dtype);
  }

  /** An int64 1-D constant (axes, shapes, pads). */
  ints(values: readonly number[]): TensorRef {
    return this.constant(values, [values.length], 'int64');
  }

  /**
   * Emits any ONNX node and infers its outputs.
   * @param opType ONNX op type
   * @param inputs values (or '' / null for omitted optional inputs)
   * @param attributes ONNX attributes
   * @param opts.outputs number of outputs (default 1); opts.domain; opts.prefix for names
   * @returns the output values
   * @throws GraphValidationError when the inputs do not fit the op; the node is not added
   * @example const [y] = b.op('Einsum', [a, c], { equation: attr.string('ij,jk->ik') });
   */
  op(
    opType: string,
    inputs: readonly (TensorRef | string | null)[],
    attributes: Record<string, Attribute> = {},
    opts: { outputs?: number; domain?: string; prefix?: string } = {},
  ): TensorRef[] {
    return this.emit(opType, inputs, attributes, opts);
  }

  /**
   * Validates and returns the graph.
   * @throws GraphValidationError when the graph has no outputs or fails `validateGraph`
   */
  build(): Graph {
    if (this.graph.outputs.length === 0) throw new GraphValidationError(`Graph '${this.graph.name}' has no outputs: call output() first`);
    validateGraph(this.graph, { requireTypes: true });
    return this.graph;
  }

  /** Module path for a new layer: explicit `name` or `<kind><k>` counted per scope. */
  protected modulePath(prefix: string, name?: string): string {
    let leaf = name;
    if (leaf === undefined) {
      const key = `${this.scopePath}/${prefix}`;
      const k = this.counters.get(key) ?? 0;
      this.counters.set(key, k + 1);
      leaf = `${prefix}${k}`;
    } else if (!SCOPE_NAME.test(leaf)) throw is.invalidParameterError('module name', 'letters, digits and underscores', leaf);
    const path = this.scopePath ? `${this.scopePath}.${leaf}` : leaf;
    if (this.paths.has(path)) throw new InvalidParameterError(`Module path '${path}' is already used`);
    this.paths.add(path);
    return path;
  }

  /** Records a parametric layer. */
  protected record(kind: ModuleKind, path: string, node: string, input: TensorRef, output: TensorRef, params: Record<string, string>, config: ModuleRecord['config'], follows?: string): void {
    this.modules.push({ path, kind, node, input: input.name, output: output.name, params, config, ...(follows ? { follows } : {}) });
  }

  /** The module (if any) whose output is `value`. */
  protected moduleProducing(value: string): ModuleRecord | undefined {
    return this.modules.find((m) => m.output === value);
  }

  /** Adds a node, infers its outputs, and rolls it back when its inputs do not fit. */
  protected emit(
    opType: string,
    inputs: readonly (TensorRef | string | null)[],
    attributes: Record<string, Attribute>,
    opts: { outputs?: number; domain?: string; prefix?: string; outputNames?: string[] } = {},
  ): TensorRef[] {
    const prefix = opts.prefix ?? (this.scopePath ? `/${this.scopes.join('/')}` : '');
    const nodeName = this.graph.uniqueNodeName(`${prefix}/${opType}`);
    const count = opts.outputNames?.length ?? opts.outputs ?? 1;
    const outputs = opts.outputNames ?? Array.from({ length: count }, (_, i) => this.graph.uniqueName(`${nodeName}_output_${i}`));
    const names = inputs.map((v) => (v === null ? '' : typeof v === 'string' ? v : v.name));
    for (const v of names) {
      if (v && !this.graph.hasValue(v)) throw new InvalidParameterError(`${opType}: input '${v}' does not exist in graph '${this.graph.name}'`);
    }
    addInferredNode(this.graph, { opType, inputs: names, outputs, attributes, name: nodeName, domain: opts.domain });
    return outputs.map((name) => ({ name, dtype: this.graph.dtype(name)!, shape: this.graph.shape(name)! }));
  }

  /** Emits a single-output node. */
  protected emit1(opType: string, inputs: readonly (TensorRef | string | null)[], attributes: Record<string, Attribute> = {}, prefix?: string): TensorRef {
    return this.emit(opType, inputs, attributes, { prefix })[0]!;
  }
}
