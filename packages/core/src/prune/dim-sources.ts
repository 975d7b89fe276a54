/**
 * Where the entries of a run-time shape vector come from. Exporters with dynamic axes compute
 * shapes in the graph (`Shape → Gather/Slice → Concat → Reshape`); an entry that is dim `i` of
 * value `v` will follow `v` when its channels are pruned, so the comb can couple the two instead
 * of freezing the reshape. Only plain dim copies are traced; arithmetic on dims (a head count
 * computed as C / 8) is not, and leaves the entry unknown.
 */
import { attrInt, attrTensor, tensorToNumbers, type Graph, type Node } from '../graph/index.js';

/** One entry of a shape vector: a stored constant, or dim `axis` of `value`. */
export type DimSource = { readonly literal: number } | { readonly value: string; readonly axis: number };

type Trace = (v: string) => (DimSource | undefined)[] | undefined;

/** Constant integer inputs (stored only: a folded value may hide run-time arithmetic). */
function storedInts(graph: Graph, v: string | undefined): number[] | undefined {
  if (!v) return undefined;
  const init = graph.initializer(v);
  if (init) return tensorToNumbers(init);
  const p = graph.producer(v);
  const t = p?.opType === 'Constant' && p.domain === '' ? attrTensor(p, 'value') : undefined;
  return t ? tensorToNumbers(t) : undefined;
}

const clampTo = (v: number, n: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);

/** How each shape-computing op maps its inputs' entries to its output's, by op type. */
const traceRules: Record<string, (g: Graph, n: Node, trace: Trace) => (DimSource | undefined)[] | undefined> = {
  Shape: (g, n) => {
    const rank = g.shape(n.inputs[0]!)?.length;
    if (rank === undefined) return undefined;
    const [s, e] = [clampTo(attrInt(n, 'start', 0), rank), clampTo(attrInt(n, 'end', rank), rank)];
    return Array.from({ length: Math.max(e - s, 0) }, (_, i) => ({ value: n.inputs[0]!, axis: s + i }));
  },
  Concat: (_g, n, trace) => {
    const parts = n.inputs.map(trace);
    return parts.every((p) => p) ? parts.flatMap((p) => p!) : undefined;
  },
  Slice: (g, n, trace) => {
    const src = trace(n.inputs[0]!);
    const [starts, ends] = [storedInts(g, n.inputs[1]), storedInts(g, n.inputs[2])];
    const axes = n.inputs[3] ? storedInts(g, n.inputs[3]) : [0];
    const steps = n.inputs[4] ? storedInts(g, n.inputs[4]) : [1];
    if (!src || !starts || !ends || axes?.length !== 1 || axes[0] !== 0 || steps?.[0] !== 1) return undefined;
    return src.slice(clampTo(starts[0]!, src.length), clampTo(ends[0]!, src.length));
  },
  Gather: (g, n, trace) => {
    const src = trace(n.inputs[0]!);
    const idx = storedInts(g, n.inputs[1]);
    if (!src || !idx || attrInt(n, 'axis', 0) !== 0) return undefined;
    return idx.map((i) => src[i < 0 ? i + src.length : i]);
  },
  Unsqueeze: (_g, n, trace) => trace(n.inputs[0]!),
  Squeeze: (_g, n, trace) => trace(n.inputs[0]!),
  Identity: (_g, n, trace) => trace(n.inputs[0]!),
  Cast: (_g, n, trace) => trace(n.inputs[0]!),
};

/**
 * Traces the entries of a 1-D (or scalar) integer value.
 * @returns one source per entry (undefined where unknown), or undefined when the value cannot be traced at all
 */
export function dimSources(graph: Graph, value: string): (DimSource | undefined)[] | undefined {
  const seen = new Map<string, (DimSource | undefined)[] | undefined>();
  const trace: Trace = (v) => {
    if (seen.has(v)) return seen.get(v);
    seen.set(v, undefined);
    const lits = storedInts(graph, v);
    const p = graph.producer(v);
    const rule = p && p.domain === '' && Object.hasOwn(traceRules, p.opType) ? traceRules[p.opType] : undefined;
    const out = lits ? lits.map((literal) => ({ literal })) : rule ? rule(graph, p!, trace) : undefined;
    seen.set(v, out);
    return out;
  };
  return trace(value);
}
