/** Structural and shape checks run at every boundary: after building, autodiff and pruning. */
import { GraphValidationError } from './errors.js';
import type { Graph } from './graph.js';
import { describeNode, inferTypes } from './infer.js';
import type { Node } from './types.js';

/** Options of `validateGraph`. */
export interface ValidateOptions {
  /** Also require every node output to have a known type after inference (default false). */
  requireTypes?: boolean;
}

function fail(graph: Graph, node: Node, message: string): never {
  throw new GraphValidationError(`${describeNode(node, (v) => graph.type(v))}: ${message}`, { node: node.name, opType: node.opType });
}

/**
 * Checks that a graph is well formed:
 * - every node input is a graph input, an initializer or the output of an earlier node;
 * - the nodes are in topological order and acyclic; every value has a single producer;
 * - every graph output exists and every graph input has a type;
 * - shape inference over the whole graph succeeds and agrees with the recorded types.
 * @param graph the graph to check (not modified)
 * @param opts see `ValidateOptions`
 * @throws GraphValidationError naming the node, its op type and its input shapes
 * @example validateGraph(builder.build());
 */
export function validateGraph(graph: Graph, opts: ValidateOptions = {}): void {
  const available = new Set<string>([...graph.inputs, ...graph.initializers.keys()]);
  for (const name of graph.inputs) {
    if (graph.isInitializer(name)) throw new GraphValidationError(`Graph input '${name}' is also an initializer`);
    if (!graph.type(name)) throw new GraphValidationError(`Graph input '${name}' has no type`);
  }
  const position = new Map(graph.nodes.map((n, i) => [n, i]));
  const seenNames = new Set<string>();
  for (const node of graph.nodes) {
    if (seenNames.has(node.name)) fail(graph, node, 'its name is used by another node');
    seenNames.add(node.name);
    node.inputs.forEach((v, i) => {
      if (!v || available.has(v)) return;
      const p = graph.producer(v);
      if (!p) fail(graph, node, `input ${i} '${v}' is not a graph input, an initializer or any node's output`);
      if (p === node) fail(graph, node, `input ${i} '${v}' is its own output (a cycle)`);
      let order = 'the nodes are not in topological order';
      try {
        graph.clone({ shareTensors: true }).sortTopologically();
      } catch (e) {
        order = (e as Error).message;
      }
      fail(graph, node, `input ${i} '${v}' is produced later by '${p!.name}' (index ${position.get(p!)}): ${order}`);
    });
    for (const o of node.outputs) {
      if (!o) continue;
      if (available.has(o)) fail(graph, node, `output '${o}' already exists (a graph input, an initializer or another node's output)`);
      if (graph.producer(o) !== node) fail(graph, node, `output '${o}' is registered to another producer`);
      available.add(o);
    }
  }
  for (const o of graph.outputs) {
    if (!available.has(o)) throw new GraphValidationError(`Graph output '${o}' is not produced by any node, input or initializer`);
  }
  const result = inferTypes(graph, { strict: true });
  if (opts.requireTypes) {
    for (const node of graph.nodes) {
      for (const o of node.outputs) if (o && !result.types.get(o)) fail(graph, node, `the type of output '${o}' cannot be inferred`);
    }
  }
}
