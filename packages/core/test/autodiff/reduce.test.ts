/** Gradient checks of the reduction and softmax rules. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { attr, Graph, makeTensor } from '../../src/graph/index.js';
import { GradCheck, randInt, randShape, runGraph } from './gradcheck.js';

describe('reduction gradient rules', () => {
  it('ReduceSum/Mean/Max/Min/SumSquare/L1/L2/LogSumExp: axes input, negative axes, keepdims, all axes, noop', async () => {
    const gc = new GradCheck({ seed: 31 });
    const ops = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSumSquare', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp'];
    for (const op of ops) {
      for (let k = 0; k < 3; k++) {
        const rank = randInt(gc.rng, 1, 4);
        const shape = randShape(gc.rng, rank, 1, 5);
        const axes = [...Array(rank).keys()].filter(() => gc.rng() < 0.5).map((a) => (gc.rng() < 0.4 ? a - rank : a));
        const keepdims = k % 2;
        const kinks = op === 'ReduceL1' ? [0] : [];
        gc.case(`${op} [${shape}] axes [${axes}] keepdims ${keepdims}`, (c) =>
          c.op(op, axes.length ? [c.input(shape, { kinks }), c.ints(axes)] : [c.input(shape, { kinks })], { keepdims: attr.int(keepdims) }),
        );
      }
      gc.case(`${op} noop_with_empty_axes`, (c) => c.op(op, [c.input([3, 4])], { noop_with_empty_axes: attr.int(1) }));
    }
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(8 * 4 * 2);
  });

  // Max is not differentiable at ties, so finite differences cannot check this: assert the values.
  it('ReduceMax splits the gradient evenly between tied maxima', async () => {
    const g = new Graph('ties');
    g.addInput('x', { dtype: 'float32', shape: [2, 3] });
    g.addInitializer('axes', makeTensor('int64', [1], [1]));
    g.addNode({ opType: 'ReduceMax', inputs: ['x', 'axes'], outputs: ['m'], attributes: { keepdims: attr.int(0) } });
    g.addNode({ opType: 'ReduceSum', inputs: ['m'], outputs: ['loss'], attributes: { keepdims: attr.int(0) } });
    g.addOutput('loss');
    const { graph, gradients } = grad(g, 'loss', ['x']);
    const out = await runGraph(graph, { x: makeTensor('float32', [2, 3], [1, 2, 2, 3, 0, 3]) });
    expect(Array.from(out[gradients['x']!]!.data as Float32Array)).toEqual([0, 0.5, 0.5, 0.5, 0, 0.5]);
  });

  it('Softmax and LogSoftmax along every axis', async () => {
    const gc = new GradCheck({ seed: 32 });
    for (const op of ['Softmax', 'LogSoftmax']) {
      for (let k = 0; k < 4; k++) {
        const rank = randInt(gc.rng, 1, 4);
        const shape = randShape(gc.rng, rank, 1, 6);
        const axis = randInt(gc.rng, -rank, rank - 1);
        gc.case(`${op} [${shape}] axis ${axis}`, (c) => c.op(op, [c.input(shape, { range: [-2, 2] })], { axis: attr.int(axis) }));
      }
      gc.case(`${op} default axis`, (c) => c.op(op, [c.input([3, 5], { range: [-2, 2] })]));
    }
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(10 * 2);
  });
});
