/** Shared helpers of the network tests: random tensors, running a graph, a naive correlation. */
import { createGraphSession, createRng, createSession, type BackendTensor, type Graph } from '@stereo-sdk/core';

export function randomTensor(dims: readonly number[], seed: number): BackendTensor {
  const rng = createRng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng() * 2 - 1;
  return { type: 'float32', dims: [...dims], data };
}

/** Runs a graph once in onnxruntime (2 threads) and returns the outputs. */
export async function runGraph(graph: Graph | Uint8Array, feeds: Record<string, BackendTensor>): Promise<Record<string, BackendTensor>> {
  const session = graph instanceof Uint8Array ? await createSession(graph, { threads: 2 }) : await createGraphSession(graph, { threads: 2 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * Naive group-wise correlation: out[n, g, d, y, x] = mean over the group's channels of
 * L[n, c, y, x]·R[n, c, y, x − d], 0 where x − d < 0. Returned as [N, G, D, H, W].
 */
export function naiveCorrelation(left: BackendTensor, right: BackendTensor, disparities: number, groups: number): Float32Array {
  const [n, c, h, w] = left.dims as [number, number, number, number];
  const l = left.data as Float32Array;
  const r = right.data as Float32Array;
  const cg = c / groups;
  const out = new Float32Array(n * groups * disparities * h * w);
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < disparities; d++) {
        for (let y = 0; y < h; y++) {
          for (let x = d; x < w; x++) {
            let s = 0;
            for (let k = g * cg; k < (g + 1) * cg; k++) s += l[((b * c + k) * h + y) * w + x]! * r[((b * c + k) * h + y) * w + x - d]!;
            out[(((b * groups + g) * disparities + d) * h + y) * w + x] = s / cg;
          }
        }
      }
    }
  }
  return out;
}

/** Largest absolute difference of two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
