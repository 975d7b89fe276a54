/** Small networks and data for the trainer tests. */
import type { BackendTensor } from '../../src/backend/index.js';
import { GraphBuilder, type Graph, type Tensor } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { l1Loss, mseLoss } from '../../src/train/losses.js';

export const f32 = (dims: readonly number[], data: Float32Array): BackendTensor => ({ type: 'float32', dims, data });

/** Uniform values in [lo, hi) from a seed. */
export function uniformData(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng());
}

/** conv-BN-ReLU → conv head on [N, C, H, W] input with a smooth-L1-free L1 or MSE loss. */
export function convNet(opts: { n?: number; c?: number; h?: number; w?: number; hidden?: number; loss?: 'l1' | 'mse'; seed?: number } = {}): Graph {
  const { n = 2, c = 2, h = 6, w = 8, hidden = 4, loss = 'mse', seed = 1 } = opts;
  const b = new GraphBuilder({ name: 'tiny', seed });
  const x = b.input('image', 'float32', [n, c, h, w]);
  const f = b.scope('feature', () => b.relu(b.batchNorm(b.conv(x, hidden, { padding: 1, bias: false }))));
  const y = b.conv(f, 1, { padding: 1, name: 'head' });
  const t = b.input('target', 'float32', y.shape as number[]);
  b.output(y, 'prediction');
  b.output(loss === 'l1' ? l1Loss(b, y, t) : mseLoss(b, y, t), 'loss');
  return b.build();
}

/** A deterministic batch for `convNet` (step `k` gives a different batch). */
export function convBatch(graph: Graph, k: number): Record<string, BackendTensor> {
  const dims = (name: string) => graph.staticShape(name);
  const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
  return {
    image: f32(dims('image'), uniformData(size(dims('image')), 100 + k)),
    target: f32(dims('target'), uniformData(size(dims('target')), 200 + k)),
  };
}

/** Float data of a tensor (IR or backend). */
export const dataOf = (t: Tensor | BackendTensor | undefined): Float32Array => t!.data as Float32Array;
