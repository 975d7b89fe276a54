/**
 * Gradient checks of AveragePool, MaxPool, GlobalAveragePool and GlobalMaxPool against central
 * finite differences through onnxruntime: 1D/2D/3D, odd sizes, overlapping and tiling windows,
 * pads, ceil_mode, count_include_pad both ways, dilation and auto_pad.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { addInferredNode, attr, Graph, makeTensor, type Attribute } from '../../src/graph/index.js';
import { runGraph } from '../graph/helpers.js';
import { GradCheck, type CaseBuilder } from './gradcheck.js';

const ints = (v: readonly number[]): Attribute => attr.ints(v);

/**
 * Max pooling is piecewise linear: inputs are a shuffled grid of values 0.05 apart, so a
 * finite-difference step (≤ 0.01 per element) never changes which element wins a window.
 */
function distinctInput(c: CaseBuilder, shape: readonly number[]): string {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(c.rng() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return c.input(shape, { values });
}

async function check(gc: GradCheck, cases: Record<string, (c: CaseBuilder) => string>): Promise<void> {
  for (const [label, build] of Object.entries(cases)) gc.case(label, build);
  const report = await gc.run();
  expect(report.failures).toEqual([]);
  expect(report.checks).toBe(Object.keys(cases).length * 2);
}

const avg = (x: number[], attrs: Record<string, Attribute>) => (c: CaseBuilder) => c.op('AveragePool', [c.input(x)], attrs);
const max = (x: number[], attrs: Record<string, Attribute>) => (c: CaseBuilder) => c.op('MaxPool', [distinctInput(c, x)], attrs);

describe('pool gradient rules', () => {
  it('AveragePool: overlapping and tiling windows, pads, ceil_mode, count_include_pad 0/1, dilation, 1D/3D', async () => {
    const k3s2 = { kernel_shape: ints([3, 3]), strides: ints([2, 2]) };
    await check(new GradCheck({ seed: 41, dtype: 'float32' }), {
      'k3 s1 pad1 exclude pad': avg([2, 3, 5, 6], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }),
      'k3 s2 pad1 include pad': avg([2, 2, 7, 8], { ...k3s2, pads: ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }),
      'k3 s2 ceil exclude pad': avg([1, 2, 8, 7], { ...k3s2, pads: ints([1, 0, 0, 1]), ceil_mode: attr.int(1) }),
      'k3 s2 ceil include pad': avg([1, 2, 8, 7], { ...k3s2, pads: ints([1, 0, 0, 1]), ceil_mode: attr.int(1), count_include_pad: attr.int(1) }),
      'k2 s2 tiles odd size': avg([2, 3, 7, 9], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      'k2 s2 tiles ceil': avg([1, 2, 5, 7], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: attr.int(1) }),
      'k2 s2 tiles pad include': avg([1, 2, 5, 6], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 0, 0, 1]), count_include_pad: attr.int(1) }),
      'k3 dilation 2': avg([1, 2, 9, 8], { kernel_shape: ints([3, 2]), dilations: ints([2, 2]), strides: ints([1, 2]) }),
      'SAME_UPPER s2': avg([1, 2, 7, 6], { ...k3s2, auto_pad: attr.string('SAME_UPPER') }),
      '1D k3 s2 pad': avg([2, 3, 9], { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]) }),
      '3D k2 s2 tiles': avg([1, 2, 4, 5, 4], { kernel_shape: ints([2, 2, 2]), strides: ints([2, 2, 2]), ceil_mode: attr.int(1) }),
      '3D k3 s2 pad': avg([1, 2, 5, 4, 6], { kernel_shape: ints([3, 3, 3]), strides: ints([2, 2, 2]), pads: ints([1, 1, 1, 1, 1, 1]) }),
    });
  });

  it('MaxPool: overlapping windows, pads, ceil_mode, dilation, Indices output, storage_order, 1D/3D', async () => {
    const k3s2 = { kernel_shape: ints([3, 3]), strides: ints([2, 2]) };
    await check(new GradCheck({ seed: 42, dtype: 'float32' }), {
      'k3 s2 pad1 overlapping': max([2, 3, 7, 8], { ...k3s2, pads: ints([1, 1, 1, 1]) }),
      'k3 s1': max([1, 2, 5, 6], { kernel_shape: ints([3, 3]) }),
      'k2 s2 tiles odd': max([2, 2, 7, 5], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      'k3 s2 ceil': max([1, 2, 8, 6], { ...k3s2, ceil_mode: attr.int(1) }),
      'k2 dilation 2': max([1, 2, 7, 7], { kernel_shape: ints([2, 2]), dilations: ints([2, 2]), pads: ints([1, 0, 0, 1]) }),
      'SAME_LOWER s2': max([1, 2, 5, 6], { ...k3s2, auto_pad: attr.string('SAME_LOWER') }),
      'uses Indices output': (c) => c.opN('MaxPool', [distinctInput(c, [2, 2, 6, 7])], 2, { ...k3s2, pads: ints([1, 1, 1, 1]) })[0]!,
      'storage_order 1': (c) => c.opN('MaxPool', [distinctInput(c, [1, 2, 5, 7])], 2, { ...k3s2, storage_order: attr.int(1) })[0]!,
      '1D k3 s2': max([2, 3, 9], { kernel_shape: ints([3]), strides: ints([2]), pads: ints([1, 1]) }),
      '3D k2 s2': max([1, 2, 4, 5, 3], { kernel_shape: ints([2, 2, 2]), strides: ints([2, 2, 2]), ceil_mode: attr.int(1) }),
    });
  });

  it('GlobalAveragePool and GlobalMaxPool, 1D/2D/3D', async () => {
    await check(new GradCheck({ seed: 43, dtype: 'float32' }), {
      'GAP 2D': (c) => c.op('GlobalAveragePool', [c.input([2, 3, 5, 7])]),
      'GAP 1D': (c) => c.op('GlobalAveragePool', [c.input([3, 2, 9])]),
      'GAP 3D': (c) => c.op('GlobalAveragePool', [c.input([1, 2, 3, 4, 5])]),
      'GMP 2D': (c) => c.op('GlobalMaxPool', [distinctInput(c, [2, 3, 5, 7])]),
      'GMP 3D': (c) => c.op('GlobalMaxPool', [distinctInput(c, [1, 2, 3, 4, 3])]),
    });
  });
});

describe('max pool ties', () => {
  it('split dY evenly between the elements that tie for a window max (MaxPool and GlobalMaxPool)', async () => {
    const g = new Graph('ties');
    g.opsetImports.set('', 20);
    g.addInput('x', { dtype: 'float32', shape: [1, 1, 2, 4] });
    addInferredNode(g, { opType: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } });
    addInferredNode(g, { opType: 'GlobalMaxPool', inputs: ['x'], outputs: ['z'] });
    addInferredNode(g, { opType: 'ReduceSum', inputs: ['y'], outputs: ['sy'], attributes: { keepdims: attr.int(0) } });
    addInferredNode(g, { opType: 'ReduceSum', inputs: ['z'], outputs: ['sz'], attributes: { keepdims: attr.int(0) } });
    // Window 1 holds a 4-way tie at 1; window 2 a 2-way tie at 3 (also the global max).
    const x = makeTensor('float32', [1, 1, 2, 4], [1, 1, 3, 0, 1, 1, 3, 2]);
    const dy = grad(g, 'sy', ['x']);
    const dz = grad(g, 'sz', ['x']);
    const [gy, gz] = [await runGraph(dy.graph, { x }), await runGraph(dz.graph, { x })];
    expect(Array.from(gy[dy.gradients['x']!]!.data)).toEqual([0.25, 0.25, 0.5, 0, 0.25, 0.25, 0.5, 0]);
    expect(Array.from(gz[dz.gradients['x']!]!.data)).toEqual([0, 0, 0.5, 0, 0, 0, 0.5, 0]);
  });
});
