/** Helpers for the comb and cut tests: finding groups, running graphs, zeroing channels. */
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { createRng } from '../../src/random.js';
import { cloneTensor, GraphBuilder, inferShapes, makeTensor, type Graph, type TensorRef } from '../../src/graph/index.js';
import type { ChannelGroup, DependencyGraph, PrunePlan } from '../../src/prune/index.js';

/** The group holding `param` along `axis` (throws when none does). */
export function groupOf(dep: DependencyGraph, param: string, axis: number): ChannelGroup {
  const g = dep.groups.find((gr) => gr.params.some((p) => p.param === param && p.axis === axis));
  if (!g) throw new Error(`no group holds '${param}' axis ${axis}`);
  return g;
}

/** Every group holding `param` along `axis` (a Split or Concat spreads one weight over several). */
export function groupsOf(dep: DependencyGraph, param: string, axis: number): ChannelGroup[] {
  return dep.groups.filter((gr) => gr.params.some((p) => p.param === param && p.axis === axis));
}

/** `param` axis indices in a group, as a plain array. */
export function indicesOf(group: ChannelGroup, param: string, axis: number): number[] {
  return Array.from(group.params.find((p) => p.param === param && p.axis === axis)!.indices);
}

/** Random float inputs for every graph input (static shapes). */
export function randomFeeds(graph: Graph, seed = 1): Record<string, BackendTensor> {
  const rng = createRng(seed);
  const feeds: Record<string, BackendTensor> = {};
  for (const name of graph.inputs) {
    const dims = graph.staticShape(name);
    const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1);
    feeds[name] = { type: 'float32', dims, data };
  }
  return feeds;
}

/** Runs a graph once through onnxruntime on one thread. */
export async function run(graph: Graph, feeds: Record<string, BackendTensor>): Promise<Record<string, BackendTensor>> {
  const s = await createGraphSession(graph, { threads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** Keeps the first half (rounded down to whole units, at least one unit) of every prunable group. */
export function halfPlan(dep: DependencyGraph): PrunePlan {
  const plan = new Map<number, Int32Array>();
  for (const g of dep.groups) {
    if (!g.prunable) continue;
    const keep = Math.max(g.unit, Math.floor(g.size / 2 / g.unit) * g.unit);
    plan.set(g.id, Int32Array.from({ length: keep }, (_, i) => i));
  }
  return plan;
}

/** Keeps every other unit block of every prunable group with at least two blocks. */
export function alternatePlan(dep: DependencyGraph): PrunePlan {
  const plan = new Map<number, Int32Array>();
  for (const g of dep.groups) {
    if (!g.prunable || g.size < 2 * g.unit) continue;
    const keep: number[] = [];
    for (let b = 0; b < g.size / g.unit; b += 2) for (let j = 0; j < g.unit; j++) keep.push(b * g.unit + j);
    plan.set(g.id, Int32Array.from(keep));
  }
  return plan;
}

/**
 * A copy of `graph` whose planned-away channels are exactly zero where they are made (producer
 * and affine slices set to 0). Downstream they then contribute nothing through linear, ReLU-like
 * and per-channel ops, so removing them must not change the outputs: the cut's oracle.
 */
export function zeroRemoved(graph: Graph, dep: DependencyGraph, plan: PrunePlan): Graph {
  const g = graph.clone();
  for (const [id, keep] of plan) {
    const group = dep.groups[id]!;
    const kept = new Set(keep);
    for (const s of group.params) {
      if (s.role === 'consumer') continue;
      const t = cloneTensor(g.initializer(s.param)!);
      const inner = t.dims.slice(s.axis + 1).reduce((a, b) => a * b, 1);
      const n = t.dims[s.axis]!;
      const data = t.data as Float32Array;
      for (let k = 0; k < group.size; k++) {
        if (kept.has(k)) continue;
        const idx = s.indices[k]!;
        for (let o = 0; o < data.length / (n * inner); o++) data.fill(0, (o * n + idx) * inner, (o * n + idx + 1) * inner);
      }
      g.setInitializer(s.param, t);
    }
  }
  return g;
}

/** Largest absolute difference between two float tensors of the same shape. */
export function maxDiff(a: BackendTensor, b: BackendTensor): number {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** Multi-head self-attention over x [1, S, D] as exporters write it: Reshape to heads, Transpose, MatMul. */
export function attention(b: GraphBuilder, x: TensorRef, heads: number, dh: number): TensorRef {
  const [s, d] = [x.shape[1] as number, x.shape[2] as number];
  const w = (name: string, rows: number, cols: number): TensorRef =>
    b.param(name, makeTensor('float32', [rows, cols], Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37 + name.length))));
  const bias = (name: string, n: number): TensorRef => b.param(name, makeTensor('float32', [n], Float32Array.from({ length: n }, (_, i) => 0.01 * i)));
  const proj = (p: string, perm: number[]): TensorRef => b.transpose(b.reshape(b.add(b.matmul(x, w(`${p}.weight`, d, heads * dh)), bias(`${p}.bias`, heads * dh)), [1, s, heads, dh]), perm);
  const q = proj('q', [0, 2, 1, 3]);
  const k = proj('k', [0, 2, 3, 1]);
  const v = proj('v', [0, 2, 1, 3]);
  const att = b.softmax(b.div(b.matmul(q, k), Math.sqrt(dh)), -1);
  const merged = b.reshape(b.transpose(b.matmul(att, v), [0, 2, 1, 3]), [1, s, heads * dh]);
  return b.add(x, b.add(b.matmul(merged, w('o.weight', heads * dh, d)), bias('o.bias', d)));
}

/**
 * A net whose concat has as many channels as the image is wide (a correlation over x positions),
 * with a symbolic width: only static input shapes reveal the context branch's offsets.
 */
export function widthChannelsNet(): Graph {
  const b = new GraphBuilder({ seed: 8 });
  const x = b.input('x', 'float32', [1, 3, 4, 8]);
  const y = b.input('y', 'float32', [1, 3, 4, 4]);
  const byWidth = b.transpose(b.conv(x, 4, { kernel: 1, name: 'corr' }), [0, 3, 2, 1]);
  const ctx = b.relu(b.conv(y, 5, { kernel: 1, name: 'ctx' }));
  b.output(b.conv(b.concat([byWidth, ctx]), 2, { kernel: 1, name: 'head' }), 'out');
  const g = b.build();
  g.setType('x', { dtype: 'float32', shape: [1, 3, 4, 'W'] });
  inferShapes(g, { reset: true, strict: false });
  return g;
}
