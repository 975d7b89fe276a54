/**
 * Gradient statistics: a linear model against its analytic gradients (mean and mean square over
 * batches), a conv-BN net (BN in inference form) against central finite differences run through
 * onnxruntime, Taylor/Hessian scores from those statistics, and typed errors for bad input.
 */
import { describe, expect, it } from 'vitest';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { InvalidParameterError } from '../../src/errors.js';
import { GraphBuilder, makeTensor, type Graph } from '../../src/graph/index.js';
import { collectGradientStats, scoreGroups } from '../../src/prune/index.js';
import type { ParamSlice } from '../../src/prune/types.js';
import { mseLoss } from '../../src/train/losses.js';
import { convBatch, convNet, f32, uniformData } from '../train/nets.js';

const W1 = [0.5, -1, 0.25, 0.75, -0.5, 1.5]; // [3, 2]
const B1 = [0.1, -0.2, 0.3];
const W2 = [1, -2, 0.5]; // [1, 3]

/** x [2, 2] → fc1 (3) → fc2 (1, no bias) → y, no loss in the graph. */
function mlp(): Graph {
  const b = new GraphBuilder({ name: 'mlp' });
  const x = b.input('x', 'float32', [2, 2]);
  b.output(b.linear(b.linear(x, 3, { name: 'fc1' }), 1, { name: 'fc2', bias: false }), 'y');
  const g = b.build();
  g.setInitializer('fc1.weight', makeTensor('float32', [3, 2], W1));
  g.setInitializer('fc1.bias', makeTensor('float32', [3], B1));
  g.setInitializer('fc2.weight', makeTensor('float32', [1, 3], W2));
  return g;
}

/** Analytic gradients of mean((y − t)²) for the MLP on one batch. */
function mlpGradients(x: number[], t: number[]): Record<string, number[]> {
  const gw1 = new Array<number>(6).fill(0);
  const gb1 = new Array<number>(3).fill(0);
  const gw2 = new Array<number>(3).fill(0);
  for (let n = 0; n < 2; n++) {
    const h = [0, 1, 2].map((j) => W1[j * 2]! * x[n * 2]! + W1[j * 2 + 1]! * x[n * 2 + 1]! + B1[j]!);
    const y = h.reduce((a, v, j) => a + W2[j]! * v, 0);
    const e = (2 * (y - t[n]!)) / 2;
    for (let j = 0; j < 3; j++) {
      gw2[j]! += e * h[j]!;
      gb1[j]! += e * W2[j]!;
      for (let i = 0; i < 2; i++) gw1[j * 2 + i]! += e * W2[j]! * x[n * 2 + i]!;
    }
  }
  return { 'fc1.weight': gw1, 'fc1.bias': gb1, 'fc2.weight': gw2 };
}

const BATCHES = [
  { x: [1, 2, -1, 0.5], t: [0.3, -0.7] },
  { x: [0, -1.5, 2, 1], t: [1.1, 0.2] },
];
const feeds = (k: number): Record<string, BackendTensor> => ({
  x: f32([2, 2], Float32Array.from(BATCHES[k]!.x)),
  target: f32([2, 1], Float32Array.from(BATCHES[k]!.t)),
});
/** float32 agreement: relative 1e-5 of the larger magnitude, absolute 1e-6. */
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.max(Math.abs(a), Math.abs(b)));
const lossFn = (b: GraphBuilder, out: Readonly<Record<string, { name: string }>>) => mseLoss(b, out['y'] as never, b.input('target', 'float32', [2, 1]));

describe('collectGradientStats', () => {
  it('averages analytic gradients and their squares over batches (loss added by a callback)', async () => {
    const graph = mlp();
    const stats = await collectGradientStats(graph, { loss: lossFn, batches: [feeds(0), feeds(1)], threads: 1 });
    expect(stats.batches).toBe(2);
    expect([...stats.grad.keys()].sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.weight']);
    const per = BATCHES.map((b) => mlpGradients(b.x, b.t));
    for (const p of ['fc1.weight', 'fc1.bias', 'fc2.weight']) {
      const mean = per[0]![p]!.map((v, i) => (v + per[1]![p]![i]!) / 2);
      const sq = per[0]![p]!.map((v, i) => (v * v + per[1]![p]![i]! ** 2) / 2);
      Array.from(stats.grad.get(p)!).forEach((v, i) => close(v, mean[i]!));
      Array.from(stats.sqGrad.get(p)!).forEach((v, i) => close(v, sq[i]!));
    }
    // The model itself is untouched: no loss, no target input.
    expect(graph.outputs).toEqual(['y']);
    expect(graph.inputs).toEqual(['x']);
  });

  it('gives Taylor and Hessian scores equal to the analytic ones', async () => {
    const graph = mlp();
    const gradients = await collectGradientStats(graph, { loss: lossFn, batches: (async function* () { yield feeds(0); yield feeds(1); yield feeds(0); })(), maxBatches: 2, threads: 1 });
    expect(gradients.batches).toBe(2);
    const s = (param: string, axis: number, role: ParamSlice['role']): ParamSlice => ({ param, axis, indices: Int32Array.from([0, 1, 2]), role, opType: 'Gemm' });
    const dep = { groups: [{ id: 0, size: 3, unit: 1, values: [], prunable: true, params: [s('fc1.weight', 0, 'producer'), s('fc1.bias', 0, 'affine'), s('fc2.weight', 1, 'consumer')] }], fixed: [] };
    const per = BATCHES.map((b) => mlpGradients(b.x, b.t));
    const g = (p: string, i: number) => (per[0]![p]![i]! + per[1]![p]![i]!) / 2;
    const h = (p: string, i: number) => (per[0]![p]![i]! ** 2 + per[1]![p]![i]! ** 2) / 2;
    const taylor = scoreGroups(graph, dep, 'taylor', { gradients, normalize: 'none' }).get(0)!;
    const hessian = scoreGroups(graph, dep, 'hessian', { gradients, normalize: 'none' }).get(0)!;
    for (let j = 0; j < 3; j++) {
      const terms: [string, number, number][] = [
        ['fc1.weight', j * 2, W1[j * 2]!],
        ['fc1.weight', j * 2 + 1, W1[j * 2 + 1]!],
        ['fc1.bias', j, B1[j]!],
        ['fc2.weight', j, W2[j]!],
      ];
      close(taylor[j]!, Math.abs(terms.reduce((a, [p, i, w]) => a + g(p, i) * w, 0)));
      close(hessian[j]!, terms.reduce((a, [p, i, w]) => a + 0.5 * h(p, i) * w * w, 0));
    }
  });

  it('matches finite differences through inference-form BN (trainer convention: a loss output)', async () => {
    const graph = convNet({ n: 2, c: 2, h: 5, w: 6, hidden: 4, seed: 4 });
    // Non-trivial BN parameters, so the BN gradient is not the identity.
    graph.setInitializer('feature.bn0.weight', makeTensor('float32', [4], [1.5, -0.5, 0.8, 2]));
    graph.setInitializer('feature.bn0.running_mean', makeTensor('float32', [4], [0.1, -0.2, 0.05, 0]));
    graph.setInitializer('feature.bn0.running_var', makeTensor('float32', [4], [0.5, 2, 1, 0.7]));
    const batch = convBatch(graph, 0);
    const stats = await collectGradientStats(graph, { batches: [batch], threads: 1 });
    expect(stats.grad.has('feature.bn0.running_mean')).toBe(false);
    const checks: [string, number][] = [
      ['feature.conv0.weight', 5],
      ['feature.conv0.weight', 40],
      ['feature.bn0.weight', 2],
      ['feature.bn0.bias', 1],
      ['head.weight', 7],
    ];
    // One session with the checked parameters as inputs, run at w ± ε.
    const lifted = graph.clone();
    const params = [...new Set(checks.map(([p]) => p))];
    for (const p of params) {
      const t = lifted.initializer(p)!;
      lifted.removeInitializer(p);
      lifted.addInput(p, { dtype: t.dtype, shape: t.dims });
    }
    lifted.setOutputs(['loss']);
    const session = await createGraphSession(lifted, { threads: 1 });
    const lossAt = async (param: string, i: number, delta: number): Promise<number> => {
      const run: Record<string, BackendTensor> = { image: batch['image']!, target: batch['target']! };
      for (const p of params) {
        const t = graph.initializer(p)!;
        const data = (t.data as Float32Array).slice();
        if (p === param) data[i]! += delta;
        run[p] = f32(t.dims, data);
      }
      return Number((await session.run(run))['loss']!.data[0]);
    };
    const eps = 1e-3;
    try {
      for (const [p, i] of checks) {
        const fd = ((await lossAt(p, i, eps)) - (await lossAt(p, i, -eps))) / (2 * eps);
        const g = stats.grad.get(p)![i]!;
        expect(Math.abs(g - fd)).toBeLessThanOrEqual(1e-4 + 1e-2 * Math.abs(fd));
        close(stats.sqGrad.get(p)![i]!, g * g);
      }
    } finally {
      await session.release();
    }
  });

  it('rejects bad options and batches with typed errors', async () => {
    const graph = mlp();
    const run = (o: object) => collectGradientStats(graph, { loss: lossFn, batches: [feeds(0)], threads: 1, ...o });
    await expect(run({ batches: [] })).rejects.toThrow(/no batch/);
    await expect(run({ batches: 3 })).rejects.toThrow(InvalidParameterError);
    await expect(run({ maxBatches: 0 })).rejects.toThrow(InvalidParameterError);
    await expect(run({ loss: 'loss' })).rejects.toThrow(/Loss 'loss' is not a value/);
    await expect(run({ loss: 'y' })).rejects.toThrow(/float32 scalar/);
    await expect(run({ batches: [{ x: feeds(0)['x'] }] })).rejects.toThrow(/missing input 'target'/);
    await expect(run({ batches: [{ ...feeds(0), x: f32([1, 2], new Float32Array(2)) }] })).rejects.toThrow(/shape \[1, 2\]/);
    await expect(run({ batches: [{ ...feeds(0), target: f32([2, 1], Float32Array.from([Number.NaN, 0])) }] })).rejects.toThrow(/loss is NaN/);
    await expect(run({ params: ['nope'] })).rejects.toThrow(InvalidParameterError);
    await expect(collectGradientStats({} as Graph, { batches: [] })).rejects.toThrow(InvalidParameterError);
  });

  it('gives zero statistics to parameters the loss does not reach', async () => {
    const b = new GraphBuilder({ name: 'two' });
    const x = b.input('x', 'float32', [2, 2]);
    b.output(b.linear(x, 1, { name: 'used' }), 'y');
    b.output(b.linear(x, 1, { name: 'unused' }), 'z');
    const graph = b.build();
    const stats = await collectGradientStats(graph, {
      loss: (bb, out) => mseLoss(bb, out['y'] as never, bb.input('target', 'float32', [2, 1])),
      batches: [{ x: f32([2, 2], uniformData(4, 1)), target: f32([2, 1], uniformData(2, 2)) }],
      threads: 1,
    });
    expect(Array.from(stats.grad.get('unused.weight')!)).toEqual([0, 0]);
    expect(Array.from(stats.grad.get('used.weight')!).some((v) => v !== 0)).toBe(true);
  });
});
