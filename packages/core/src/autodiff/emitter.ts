/**
 * The `GradEmitter` implementation: appends typed nodes and constants to a graph under a readable
 * name scope (`grad/<forward value>/<Op>`), so a backward graph can be read next to its forward
 * graph in Netron.
 */
import { addInferredNode, GraphValidationError, makeTensor, type Attribute, type DType, type Graph } from '../graph/index.js';
import type { GradEmitter } from './types.js';

/** A `GradEmitter` whose name scope the walker sets before each rule call. */
export interface ScopedEmitter extends GradEmitter {
  /** Prefix of every value, node and initializer name emitted from now on (default `'grad'`). */
  scope: string;
  /**
   * Adds one node whose single output gets exactly the name `output` (made unique if taken).
   * The walker uses it for accumulated gradients (`grad/<value>`).
   */
  named(output: string, opType: string, inputs: readonly string[], attrs?: Record<string, Attribute>): string;
}

/** Constants up to this many elements are shared between identical uses. */
const SHARE_LIMIT = 16;
const small = (values: ArrayLike<number>): boolean => values.length <= SHARE_LIMIT;
/**
 * Creates an emitter that appends backward nodes to `graph`. Every emitted node gets its output
 * types inferred immediately, so a rule can ask `e.shape()` of what it just emitted.
 * @param graph graph to extend (its forward values must have types)
 * @param scope initial name prefix (default `'grad'`)
 * @returns the emitter
 * @throws GraphValidationError from `op`/`opN` when inputs do not fit an op
 * @example
 * const e = createEmitter(graph);
 * const dx = e.op('Mul', ['dy', e.constant([2], [])]);
 */
export function createEmitter(graph: Graph, scope = 'grad'): ScopedEmitter {
  const shared = new Map<string, string>();

  const add = (opType: string, inputs: readonly string[], outputs: string[], attrs?: Record<string, Attribute>): void => {
    addInferredNode(graph, { opType, inputs, outputs, attributes: attrs, name: graph.uniqueNodeName(outputs[0] || `${emitter.scope}/${opType}`) });
  };

  const constantNamed = (values: ArrayLike<number>, dims: readonly number[], dtype: DType, base: string): string => {
    const isSmall = small(values);
    const key = isSmall ? `${dtype}|${dims.join(',')}|${Array.from(values).join(',')}` : '';
    const hit = isSmall ? shared.get(key) : undefined;
    if (hit && graph.isInitializer(hit)) return hit;
    const name = graph.uniqueName(base);
    const data = dtype === 'int64' ? Array.from(values, (v) => BigInt(Math.trunc(v))) : Array.from(values);
    graph.addInitializer(name, makeTensor(dtype, dims, data));
    if (isSmall) shared.set(key, name);
    return name;
  };

  const emitter: ScopedEmitter = {
    graph,
    scope,
    op(opType, inputs, attrs) {
      const out = graph.uniqueName(`${emitter.scope}/${opType}`);
      add(opType, inputs, [out], attrs);
      return out;
    },
    opN(opType, inputs, outputs, attrs) {
      const outs = Array.from({ length: outputs }, () => graph.uniqueName(`${emitter.scope}/${opType}`));
      add(opType, inputs, outs, attrs);
      return outs;
    },
    named(output, opType, inputs, attrs) {
      const out = graph.uniqueName(output);
      add(opType, inputs, [out], attrs);
      return out;
    },
    constant(values, dims, dtype = 'float32') {
      return constantNamed(values, dims, dtype, small(values) ? 'grad/const' : `${emitter.scope}/const`);
    },
    ints(values) {
      return constantNamed(values, [values.length], 'int64', 'grad/ints');
    },
    shape(name) {
      return graph.staticShape(name);
    },
    dtype(name) {
      const d = graph.dtype(name);
      if (!d) throw new GraphValidationError(`Value '${name}' has no known type`);
      return d;
    },
  };
  return emitter;
}
