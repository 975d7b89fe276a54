/** Test helpers: random tensors, running graphs through the backend, small graph-building shortcuts. */
import { createGraphSession, toBackendTensor, type BackendTensor } from '../../src/backend/index.js';
import { Graph, makeTensor, numel, type Attribute, type DType, type Tensor } from '../../src/graph/index.js';
import { createRng, type Rng } from '../../src/random.js';

export { createRng };

/** Integer in [lo, hi]. */
export const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
export const randShape = (rng: Rng, rank: number, lo = 1, hi = 5): number[] => Array.from({ length: rank }, () => randInt(rng, lo, hi));

/** Random tensor: floats in [-1, 1), ints in [0, 4], bools 0/1. */
export function randomTensor(rng: Rng, dtype: DType, dims: readonly number[]): Tensor {
  const n = numel(dims);
  const values = Array.from({ length: n }, () => (dtype === 'float32' || dtype === 'float64' ? 2 * rng() - 1 : dtype === 'bool' ? (rng() < 0.5 ? 1 : 0) : randInt(rng, 0, 4)));
  return makeTensor(dtype, dims, values);
}

/** Random feeds for every graph input of a graph with static input shapes. */
export function randomFeeds(g: Graph, rng: Rng): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const name of g.inputs) feeds[name] = randomTensor(rng, g.dtype(name)!, g.staticShape(name));
  return feeds;
}

/** Runs a graph once in onnxruntime (1 thread) and returns all outputs. */
export async function runGraph(g: Graph, feeds: Record<string, Tensor>): Promise<Record<string, BackendTensor>> {
  const session = await createGraphSession(g, { threads: 1 });
  try {
    const backendFeeds: Record<string, BackendTensor> = {};
    for (const [k, v] of Object.entries(feeds)) backendFeeds[k] = toBackendTensor(v);
    return await session.run(backendFeeds);
  } finally {
    await session.release();
  }
}

/** Max |a - b| over two float arrays of equal length (Infinity if lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Incremental single-node test cases inside one graph: inputs, constants, nodes get unique names. */
export class CaseGraph {
  readonly g = new Graph('cases');
  private k = 0;
  constructor(opset = 20) {
    this.g.opsetImports.set('', opset);
  }
  input(shape: readonly number[], dtype: DType = 'float32'): string {
    const name = `in${this.k++}`;
    this.g.addInput(name, { dtype, shape });
    return name;
  }
  const(t: Tensor): string {
    const name = `c${this.k++}`;
    this.g.addInitializer(name, t);
    return name;
  }
  ints(values: readonly number[]): string {
    return this.const(makeTensor('int64', [values.length], values));
  }
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => `out${this.k++}`);
    this.g.addNode({ opType, inputs, outputs: outs, attributes });
    for (const o of outs) this.g.addOutput(o);
    return outs;
  }
}
