/**
 * Which initializers a trainer updates. Works on any graph (built here or loaded from a file made
 * elsewhere): float32 initializers are candidates, minus BatchNormalization running statistics,
 * builder constants and rank-0 constants (exporters' scalars), minus what the caller freezes.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import type { Graph } from '../graph/graph.js';

/** A name filter entry: an exact name, a module prefix, or a regular expression. */
export type NamePattern = string | RegExp;

/** Builder constants are named `const`, `const_3`, `<scope>.const`, `<scope>.const_3`. */
const BUILDER_CONSTANT = /(^|\.)const(_\d+)?$/;

/**
 * True when `name` matches one of `patterns`: equal to an entry, inside it as a module path
 * (`'feature'` and `'feature.'` both match `feature.conv0.weight`), or matched by a RegExp entry.
 */
export function matchesAny(name: string, patterns: readonly NamePattern[] | undefined): boolean {
  if (!patterns) return false;
  return patterns.some((p) => {
    if (p instanceof RegExp) return p.test(name);
    if (name === p) return true;
    return /[./:]$/.test(p) ? name.startsWith(p) : name.startsWith(`${p}.`) || name.startsWith(`${p}/`);
  });
}

function checkPatterns(name: string, v: unknown): void {
  if (v !== undefined && (!Array.isArray(v) || !v.every((p) => is.string(p) || p instanceof RegExp))) {
    throw is.invalidParameterError(name, 'an array of names, prefixes or RegExps', v);
  }
}

/** Initializers BatchNormalization nodes read as running mean and variance. */
export function runningStatistics(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const n of graph.nodes) {
    if (n.opType !== 'BatchNormalization' || n.domain) continue;
    for (const v of n.inputs.slice(3, 5)) if (v) out.add(v);
  }
  return out;
}

/**
 * Picks the trainable parameters of a graph.
 * @param graph any graph
 * @param opts.params explicit names (each must be a float32 initializer); default: every float32
 *   initializer of rank >= 1 that some node reads, except BN running statistics and builder
 *   constants. opts.freeze: names, prefixes or RegExps to leave out.
 * @returns the names, in initializer order
 * @throws InvalidParameterError when a listed name is not a float32 initializer, or nothing is left
 * @example selectParams(graph, { freeze: ['feature.'] });
 */
export function selectParams(graph: Graph, opts: { params?: readonly string[]; freeze?: readonly NamePattern[] } = {}): string[] {
  checkPatterns('freeze', opts.freeze);
  const stats = runningStatistics(graph);
  let names: string[];
  if (opts.params !== undefined) {
    if (!Array.isArray(opts.params) || !opts.params.every(is.string)) throw is.invalidParameterError('params', 'an array of initializer names', opts.params);
    for (const p of opts.params) {
      const t = graph.initializer(p);
      if (!t) throw new InvalidParameterError(`params: '${p}' is not an initializer of graph '${graph.name}'`);
      if (t.dtype !== 'float32') throw new InvalidParameterError(`params: '${p}' is ${t.dtype}; only float32 parameters can be trained`);
      if (stats.has(p)) throw new InvalidParameterError(`params: '${p}' is a BatchNormalization running statistic, updated from batches, not by the optimizer`);
    }
    names = [...new Set(opts.params)];
  } else {
    names = [...graph.initializers]
      .filter(([name, t]) => t.dtype === 'float32' && t.dims.length > 0 && !stats.has(name) && !BUILDER_CONSTANT.test(name) && graph.uses(name).length > 0)
      .map(([name]) => name);
  }
  const kept = names.filter((n) => !matchesAny(n, opts.freeze));
  if (kept.length === 0) throw new InvalidParameterError(`Graph '${graph.name}' has no trainable parameters left (${names.length} candidates, all frozen or none found)`);
  return kept;
}
