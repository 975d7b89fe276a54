/**
 * Importance criteria on hand-written dependency graphs: every criterion against per-channel sums
 * written out directly from the weight layouts, normalization, fallbacks and typed errors.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError, ShapeMismatchError } from '../../src/errors.js';
import { GraphBuilder, makeTensor, type Graph } from '../../src/graph/index.js';
import { importanceCriteria, scoreGroups, type GradientStats } from '../../src/prune/index.js';
import type { ChannelGroup, DependencyGraph, ParamSlice } from '../../src/prune/types.js';

const slice = (param: string, axis: number, indices: number[], role: ParamSlice['role'], opType: string): ParamSlice => ({
  param,
  axis,
  indices: Int32Array.from(indices),
  role,
  opType,
});
const group = (id: number, size: number, params: ParamSlice[], extra: Partial<ChannelGroup> = {}): ChannelGroup => ({ id, size, unit: 1, params, values: [], prunable: true, ...extra });
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const f32 = (g: Graph, name: string): Float32Array => g.initializer(name)!.data as Float32Array;

/**
 * x [1, 2, 5, 5] → conv1 (4, 3×3) → BN → ReLU → conv2 (3, 1×1) → y, and a second conv3 (4)
 * reading x without BN. Group 0 = conv1's outputs (weight, bias, BN, conv2's inputs); group 1 =
 * conv3's outputs, no BN; group 2 = two channels of conv1 in a shuffled order (checks the index
 * gather); group 3 is fixed.
 */
function convNet(): { graph: Graph; dep: DependencyGraph } {
  const b = new GraphBuilder({ name: 'imp', seed: 3 });
  const x = b.input('x', 'float32', [1, 2, 5, 5]);
  const h = b.relu(b.batchNorm(b.conv(x, 4, { padding: 1, name: 'conv1' }), { name: 'bn' }));
  b.output(b.conv(h, 3, { kernel: 1, name: 'conv2' }), 'y');
  b.output(b.conv(x, 4, { kernel: 1, name: 'conv3', bias: false }), 'z');
  const graph = b.build();
  graph.setInitializer('bn.weight', makeTensor('float32', [4], [0.5, -2, 1, 0.1]));
  graph.setInitializer('bn.bias', makeTensor('float32', [4], [9, 9, 9, 9]));
  graph.setInitializer('bn.running_var', makeTensor('float32', [4], [7, 7, 7, 7]));
  const bn = (p: string): ParamSlice => slice(`bn.${p}`, 0, iota(4), 'affine', 'BatchNormalization');
  const dep: DependencyGraph = {
    groups: [
      group(0, 4, [
        slice('conv1.weight', 0, iota(4), 'producer', 'Conv'),
        slice('conv1.bias', 0, iota(4), 'affine', 'Conv'),
        bn('weight'),
        bn('bias'),
        bn('running_mean'),
        bn('running_var'),
        slice('conv2.weight', 1, iota(4), 'consumer', 'Conv'),
      ]),
      group(1, 4, [slice('conv3.weight', 0, iota(4), 'producer', 'Conv')]),
      group(2, 2, [slice('conv1.weight', 0, [3, 1], 'producer', 'Conv'), slice('bn.weight', 0, [3, 1], 'affine', 'BatchNormalization')]),
      group(3, 3, [slice('conv2.weight', 0, iota(3), 'producer', 'Conv')], { prunable: false, fixedReason: 'graph output' }),
    ],
    fixed: [{ value: 'y', axis: 1, reason: 'graph output' }],
  };
  return { graph, dep };
}

/** Σ f over output channel k of conv1 ([4, 2, 3, 3]: 18 elements per channel). */
const conv1Out = (g: Graph, k: number, f: (v: number) => number): number => Array.from(f32(g, 'conv1.weight').slice(k * 18, k * 18 + 18), f).reduce((a, v) => a + v, 0);
/** Σ f over input channel k of conv2 ([3, 4, 1, 1]). */
const conv2In = (g: Graph, k: number, f: (v: number) => number): number => [0, 1, 2].reduce((a, o) => a + f(f32(g, 'conv2.weight')[o * 4 + k]!), 0);

describe('magnitude criteria', () => {
  it('l1 sums |w| over producer and consumer weights and the BN scale, not biases or statistics', () => {
    const { graph, dep } = convNet();
    const s = scoreGroups(graph, dep, 'l1', { normalize: 'none' });
    const gamma = f32(graph, 'bn.weight');
    const want = iota(4).map((k) => conv1Out(graph, k, Math.abs) + Math.abs(gamma[k]!) + conv2In(graph, k, Math.abs));
    Array.from(s.get(0)!).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 5));
    // The shuffled group reads channels 3 and 1 of the same tensors.
    const part = [3, 1].map((k) => conv1Out(graph, k, Math.abs) + Math.abs(gamma[k]!));
    Array.from(s.get(2)!).forEach((v, k) => expect(v).toBeCloseTo(part[k]!, 5));
    expect(s.has(3)).toBe(false);
  });

  it('l2 sums w² over the same slices', () => {
    const { graph, dep } = convNet();
    const sq = (v: number): number => v * v;
    const s = scoreGroups(graph, dep, 'l2', { normalize: 'none' });
    const gamma = f32(graph, 'bn.weight');
    iota(4).forEach((k) => expect(s.get(0)![k]).toBeCloseTo(conv1Out(graph, k, sq) + gamma[k]! ** 2 + conv2In(graph, k, sq), 5));
  });

  it('works on exact small numbers (a two-layer MLP)', () => {
    const b = new GraphBuilder({ name: 'mlp' });
    const x = b.input('x', 'float32', [1, 2]);
    b.output(b.linear(b.linear(x, 3, { name: 'fc1' }), 1, { name: 'fc2', bias: false }), 'y');
    const graph = b.build();
    graph.setInitializer('fc1.weight', makeTensor('float32', [3, 2], [1, -2, 0, 3, -1, 1]));
    graph.setInitializer('fc2.weight', makeTensor('float32', [1, 3], [2, -1, 0.5]));
    const dep = { groups: [group(0, 3, [slice('fc1.weight', 0, iota(3), 'producer', 'Gemm'), slice('fc1.bias', 0, iota(3), 'affine', 'Gemm'), slice('fc2.weight', 1, iota(3), 'consumer', 'Gemm')])], fixed: [] };
    expect(Array.from(scoreGroups(graph, dep, 'l1', { normalize: 'none' }).get(0)!)).toEqual([5, 4, 2.5]);
    expect(Array.from(scoreGroups(graph, dep, 'l2', { normalize: 'none' }).get(0)!)).toEqual([9, 10, 2.25]);
    // Normalized by the mean (11.5 / 3), by the max and by the sum.
    const mean = scoreGroups(graph, dep, 'l1').get(0)!;
    [5, 4, 2.5].forEach((v, k) => expect(mean[k]).toBeCloseTo(v / (11.5 / 3), 6));
    expect(Array.from(scoreGroups(graph, dep, 'l1', { normalize: 'max' }).get(0)!)).toEqual([1, 0.8, 0.5].map(Math.fround));
    const sum = scoreGroups(graph, dep, 'l1', { normalize: 'sum' }).get(0)!;
    [5, 4, 2.5].forEach((v, k) => expect(sum[k]).toBeCloseTo(v / 11.5, 6));
  });

  it('counts an initializer listed twice (shared by two nodes) once', () => {
    const { graph, dep } = convNet();
    const g0 = dep.groups[1]!;
    const twice = { groups: [{ ...g0, params: [...g0.params, { ...g0.params[0]!, opType: 'Conv' }] }], fixed: [] };
    expect(scoreGroups(graph, twice, 'l1')).toEqual(scoreGroups(graph, { groups: [g0], fixed: [] }, 'l1'));
  });

  it('keeps an all-zero group at zero under every normalization', () => {
    const { graph, dep } = convNet();
    graph.setInitializer('conv3.weight', makeTensor('float32', [4, 2, 1, 1]));
    for (const normalize of ['mean', 'max', 'sum', 'none'] as const) expect(Array.from(scoreGroups(graph, dep, 'l2', { normalize }).get(1)!)).toEqual([0, 0, 0, 0]);
  });
});

describe('bn-scale', () => {
  it('scores |gamma| of the coupled BN and falls back to L2 (with a note) without one', () => {
    const { graph, dep } = convNet();
    const notes: [number, string][] = [];
    const s = scoreGroups(graph, dep, 'bn-scale', { normalize: 'none', onNote: (g, m) => notes.push([g, m]) });
    expect(Array.from(s.get(0)!)).toEqual([0.5, 2, 1, 0.1].map(Math.fround));
    expect(Array.from(s.get(2)!)).toEqual([0.1, 2].map(Math.fround));
    expect(s.get(1)).toEqual(scoreGroups(graph, dep, 'l2', { normalize: 'none' }).get(1));
    expect(notes).toHaveLength(1);
    expect(notes[0]![0]).toBe(1);
    expect(notes[0]![1]).toMatch(/L2/);
  });

  it('sums the scales of coupled BN layers (both sides of a residual Add)', () => {
    const b = new GraphBuilder({ name: 'res' });
    const x = b.input('x', 'float32', [1, 2, 3, 3]);
    const left = b.batchNorm(b.conv(x, 3, { kernel: 1, name: 'a' }), { name: 'bna' });
    const right = b.batchNorm(b.conv(x, 3, { kernel: 1, name: 'c' }), { name: 'bnc' });
    b.output(b.add(left, right), 'y');
    const graph = b.build();
    graph.setInitializer('bna.weight', makeTensor('float32', [3], [1, -2, 3]));
    graph.setInitializer('bnc.weight', makeTensor('float32', [3], [-0.5, 0.25, 4]));
    const dep = { groups: [group(0, 3, [slice('bna.weight', 0, iota(3), 'affine', 'BatchNormalization'), slice('bnc.weight', 0, iota(3), 'affine', 'BatchNormalization')])], fixed: [] };
    expect(Array.from(scoreGroups(graph, dep, 'bn-scale', { normalize: 'none' }).get(0)!)).toEqual([1.5, 2.25, 7]);
  });
});

describe('gradient criteria', () => {
  /** Statistics with a known value per parameter element (grad = 0.1·(i+1), sqGrad = grad²·2). */
  function stats(graph: Graph, params: string[]): GradientStats {
    const grad = new Map<string, Float32Array>();
    const sqGrad = new Map<string, Float32Array>();
    for (const p of params) {
      const n = graph.initializer(p)!.data.length;
      const g = Float32Array.from({ length: n }, (_, i) => 0.1 * (i + 1) * (i % 2 ? -1 : 1));
      grad.set(p, g);
      sqGrad.set(p, g.map((v) => 2 * v * v));
    }
    return { grad, sqGrad, batches: 2 };
  }

  it('taylor is |Σ g·w| and hessian ½·Σ H·w² over the slices that have statistics', () => {
    const { graph, dep } = convNet();
    // Running statistics have no gradient statistics (they are not parameters), so they are skipped.
    const gradients = stats(graph, ['conv1.weight', 'conv1.bias', 'bn.weight', 'bn.bias', 'conv2.weight', 'conv3.weight']);
    const taylor = scoreGroups(graph, dep, 'taylor', { gradients, normalize: 'none' }).get(0)!;
    const hessian = scoreGroups(graph, dep, 'hessian', { gradients, normalize: 'none' }).get(0)!;
    const w = (p: string): Float32Array => f32(graph, p);
    const g = (p: string): Float32Array => gradients.grad.get(p)!;
    const h = (p: string): Float32Array => gradients.sqGrad.get(p)!;
    for (let k = 0; k < 4; k++) {
      // Element lists of channel k in each parameter, written from the layouts.
      const elems: [string, number[]][] = [
        ['conv1.weight', iota(18).map((i) => k * 18 + i)],
        ['conv1.bias', [k]],
        ['bn.weight', [k]],
        ['bn.bias', [k]],
        ['conv2.weight', [0, 1, 2].map((o) => o * 4 + k)],
      ];
      const gw = elems.reduce((a, [p, idx]) => a + idx.reduce((s, i) => s + g(p)[i]! * w(p)[i]!, 0), 0);
      const hw = elems.reduce((a, [p, idx]) => a + idx.reduce((s, i) => s + 0.5 * h(p)[i]! * w(p)[i]! ** 2, 0), 0);
      expect(taylor[k]).toBeCloseTo(Math.abs(gw), 5);
      expect(hessian[k]).toBeCloseTo(hw, 5);
    }
  });

  it('needs gradients that cover the group and match the parameters', () => {
    const { graph, dep } = convNet();
    expect(importanceCriteria.taylor.needsGradients && importanceCriteria.hessian.needsGradients).toBe(true);
    expect(importanceCriteria.l1.needsGradients || importanceCriteria.l2.needsGradients || importanceCriteria['bn-scale'].needsGradients).toBe(false);
    expect(() => scoreGroups(graph, dep, 'taylor')).toThrow(InvalidParameterError);
    expect(() => scoreGroups(graph, dep, 'hessian')).toThrow(/needs gradient statistics/);
    expect(() => scoreGroups(graph, dep, 'taylor', { gradients: stats(graph, ['conv1.weight']) })).toThrow(/none of group 1/);
    const wrong = stats(graph, ['conv1.weight', 'conv3.weight']);
    (wrong.grad as Map<string, Float32Array>).set('conv3.weight', new Float32Array(3));
    expect(() => scoreGroups(graph, dep, 'taylor', { gradients: wrong })).toThrow(ShapeMismatchError);
    expect(() => scoreGroups(graph, dep, 'taylor', { gradients: {} as GradientStats })).toThrow(InvalidParameterError);
  });
});

describe('scoreGroups arguments', () => {
  it('rejects bad criteria, options and slices with typed errors', () => {
    const { graph, dep } = convNet();
    expect(() => scoreGroups(graph, dep, 'l3' as 'l1')).toThrow(InvalidParameterError);
    expect(() => scoreGroups(graph, dep, 'l1', { normalize: 'median' as 'mean' })).toThrow(InvalidParameterError);
    expect(() => scoreGroups({} as Graph, dep, 'l1')).toThrow(InvalidParameterError);
    const bad = (s: ParamSlice): DependencyGraph => ({ groups: [group(0, 4, [s])], fixed: [] });
    expect(() => scoreGroups(graph, bad(slice('nope', 0, iota(4), 'producer', 'Conv')), 'l1')).toThrow(/not an initializer/);
    expect(() => scoreGroups(graph, bad(slice('conv1.weight', 4, iota(4), 'producer', 'Conv')), 'l1')).toThrow(/axis 4/);
    expect(() => scoreGroups(graph, bad(slice('conv1.weight', 0, [0, 1, 2, 4], 'producer', 'Conv')), 'l1')).toThrow(/index 4/);
    expect(() => scoreGroups(graph, bad(slice('conv1.weight', 0, [0, 1], 'producer', 'Conv')), 'l1')).toThrow(/2 indices for a group of 4/);
  });

  it('rejects non-finite parameters', () => {
    const { graph, dep } = convNet();
    const w = f32(graph, 'conv3.weight').slice();
    w[0] = Number.NaN;
    graph.setInitializer('conv3.weight', makeTensor('float32', [4, 2, 1, 1], w));
    expect(() => scoreGroups(graph, dep, 'l1')).toThrow(/group 1 scores NaN/);
  });
});
