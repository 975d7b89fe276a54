/**
 * Tests of the walker: accumulation, un-broadcasting, chains, several parameters, unused wrt,
 * errors naming the node, seeds, intermediate wrt, integer paths, and that the gradient graph
 * validates and survives an ONNX round trip.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { InvalidParameterError } from '../../src/errors.js';
import { attr, decodeOnnx, encodeOnnx, Graph, GraphBuilder, GraphValidationError, makeTensor, validateGraph, type Tensor } from '../../src/graph/index.js';
import { createGraphSession } from '../../src/backend/index.js';
import { createRng } from '../../src/random.js';
import { runGraph } from './gradcheck.js';

// `+ 0` turns -0 into 0 for toEqual.
const values = (t: { data: ArrayLike<number | bigint> }): number[] => Array.from(t.data, (v) => Number(v) + 0);

/** y = x·x + Relu(x) + x; loss = ReduceSum(y). x is used four times. */
function accumulationGraph(): Graph {
  const g = new Graph('acc');
  g.addInput('x', { dtype: 'float32', shape: [2, 3] });
  g.addNode({ opType: 'Mul', inputs: ['x', 'x'], outputs: ['sq'] });
  g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['r'] });
  g.addNode({ opType: 'Sum', inputs: ['sq', 'r', 'x'], outputs: ['y'] });
  g.addNode({ opType: 'ReduceSum', inputs: ['y'], outputs: ['loss'], attributes: { keepdims: attr.int(0) } });
  g.addOutput('loss');
  return g;
}

describe('grad walker', () => {
  it('accumulates the gradient of a value used several times (one Sum named grad/x)', async () => {
    const g = accumulationGraph();
    const before = g.nodes.length;
    const { graph, gradients } = grad(g, 'loss', ['x']);
    expect(gradients).toEqual({ x: 'grad/x' });
    expect(g.nodes.length).toBe(before);
    expect(g.outputs).toEqual(['loss']);
    expect(graph.outputs).toEqual(['loss', 'grad/x']);
    expect(graph.producer('grad/x')!.opType).toBe('Sum');
    const x = [-1.5, -0.25, 0.5, 1, 2, 3];
    const out = await runGraph(graph, { x: makeTensor('float32', [2, 3], x) });
    expect(values(out['grad/x']!)).toEqual(x.map((v) => 2 * v + (v > 0 ? 1 : 0) + 1));
  });

  it('un-broadcasts: leading axes, size-1 axes, scalars and lower ranks sum back to each input shape', async () => {
    const g = new Graph('bc');
    g.addInput('a', { dtype: 'float32', shape: [2, 3, 4] });
    const shapes: Record<string, number[]> = { b: [3, 1], c: [], d: [1, 1, 4], e: [4], f: [2, 1, 1] };
    let acc = 'a';
    for (const [name, shape] of Object.entries(shapes)) {
      g.addInput(name, { dtype: 'float32', shape });
      g.addNode({ opType: 'Mul', inputs: [acc, name], outputs: [`m_${name}`] });
      acc = `m_${name}`;
    }
    g.addNode({ opType: 'ReduceSum', inputs: [acc], outputs: ['loss'], attributes: { keepdims: attr.int(0) } });
    g.addOutput('loss');
    const { graph, gradients } = grad(g, 'loss', ['a', ...Object.keys(shapes)]);
    const ones = (shape: number[]): Tensor => makeTensor('float32', shape, new Array(shape.reduce((p, d) => p * d, 1)).fill(1));
    const feeds: Record<string, Tensor> = { a: ones([2, 3, 4]) };
    for (const [name, shape] of Object.entries(shapes)) feeds[name] = ones(shape);
    const out = await runGraph(graph, feeds);
    for (const [name, shape] of Object.entries(shapes)) {
      const t = out[gradients[name]!]!;
      expect(t.dims).toEqual(shape);
      // All factors are 1, so each gradient entry counts the output elements it was broadcast to.
      expect(values(t)).toEqual(new Array(t.data.length).fill(24 / t.data.length));
    }
  });

  it('a chain of ops: gradients w.r.t. every parameter of a builder network match finite differences', async () => {
    const b = new GraphBuilder({ seed: 7 });
    const x = b.input('x', 'float32', [5, 6]);
    const h = b.scope('mlp', () => b.tanh(b.linear(b.tanh(b.linear(x, 7, { name: 'fc1' })), 4, { name: 'fc2' })));
    const logp = b.logSoftmax(h, 1);
    const target = b.constant(Array.from({ length: 20 }, (_, i) => (i % 4 === i % 3 ? 1 : 0)), [5, 4]);
    const loss = b.output(b.neg(b.reduceMean(b.mul(logp, target), undefined, false)), 'loss');
    const g = b.build();
    const params = [...g.initializers.keys()].filter((n) => n.startsWith('mlp.'));
    expect(params.sort()).toEqual(['mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight']);
    const { graph, gradients } = grad(g, loss.name, params);
    const rng = createRng(3);
    const xv = makeTensor('float32', [5, 6], Array.from({ length: 30 }, () => 2 * rng() - 1));
    const base = await runGraph(graph, { x: xv });
    // Central differences on each parameter along one random direction (float32: ε = 1e-2).
    const eps = 1e-2;
    for (const p of params) {
      const w = g.initializer(p)!;
      const dir = Array.from(w.data, () => 2 * rng() - 1);
      const lossAt = async (sign: number): Promise<number> => {
        const moved = g.clone();
        moved.setInitializer(p, makeTensor('float32', w.dims, Array.from(w.data, (v, i) => Number(v) + sign * eps * dir[i]!)));
        return Number((await runGraph(moved, { x: xv }))['loss']!.data[0]);
      };
      const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * eps);
      const an = values(base[gradients[p]!]!).reduce((s, v, i) => s + v * dir[i]!, 0);
      expect(base[gradients[p]!]!.dims).toEqual(w.dims);
      expect(Math.abs(fd - an)).toBeLessThan(2e-3 + 1e-2 * Math.abs(an));
    }
  });

  it('a wrt the loss does not depend on gets zeros by default, or a clear error', async () => {
    const g = accumulationGraph();
    g.addInput('unused', { dtype: 'float32', shape: [4, 1] });
    const { graph, gradients } = grad(g, 'loss', ['x', 'unused']);
    const out = await runGraph(graph, { x: makeTensor('float32', [2, 3]), unused: makeTensor('float32', [4, 1]) });
    expect(out[gradients['unused']!]!.dims).toEqual([4, 1]);
    expect(values(out[gradients['unused']!]!)).toEqual([0, 0, 0, 0]);
    expect(() => grad(g, 'loss', ['x', 'unused'], { unused: 'error' })).toThrow(/does not depend on wrt 'unused' \[4, 1\]/);
  });

  it('names the node when an op on the path has no gradient rule, or a rule cannot apply', () => {
    const g = new Graph('norule');
    g.addInput('x', { dtype: 'float32', shape: [3] });
    g.addNode({ opType: 'Sin', inputs: ['x'], outputs: ['e'], name: 'my_sin' });
    g.addNode({ opType: 'ReduceSum', inputs: ['e'], outputs: ['loss'] });
    g.addOutput('loss');
    expect(() => grad(g, 'loss', ['x'])).toThrow(GraphValidationError);
    expect(() => grad(g, 'loss', ['x'])).toThrow(/Node 'my_sin' \(Sin\) with inputs x \[3\] float32: no gradient rule for op 'Sin'/);

    const s = new Graph('dynslice');
    s.addInput('x', { dtype: 'float32', shape: [5] });
    s.addInput('start', { dtype: 'int64', shape: [1] });
    s.addInitializer('end', makeTensor('int64', [1], [4]));
    s.addNode({ opType: 'Slice', inputs: ['x', 'start', 'end'], outputs: ['y'], name: 'dyn' });
    s.addNode({ opType: 'ReduceSum', inputs: ['y'], outputs: ['loss'] });
    s.addOutput('loss');
    expect(() => grad(s, 'loss', ['x'])).toThrow(/Node 'dyn' \(Slice\).*cannot be inferred/);

    const p = new Graph('reflect');
    p.addInput('x', { dtype: 'float32', shape: [5] });
    p.addInitializer('pads', makeTensor('int64', [2], [1, 2]));
    p.addNode({ opType: 'Pad', inputs: ['x', 'pads'], outputs: ['y'], name: 'mirror', attributes: { mode: attr.string('reflect') } });
    p.addNode({ opType: 'ReduceSum', inputs: ['y'], outputs: ['loss'] });
    p.addOutput('loss');
    expect(() => grad(p, 'loss', ['x'])).toThrow(/Node 'mirror' \(Pad\): mode 'reflect' has no gradient rule/);
  });

  it('skips nodes off the path (an op without a rule is fine there) and integer values', async () => {
    const g = new Graph('paths');
    g.addInput('x', { dtype: 'float32', shape: [4, 3] });
    g.addInitializer('zero', makeTensor('int64', [], [0]));
    g.addNode({ opType: 'ArgMax', inputs: ['x'], outputs: ['idx'], attributes: { axis: attr.int(1), keepdims: attr.int(1) } });
    g.addNode({ opType: 'GatherElements', inputs: ['x', 'idx'], outputs: ['best'], attributes: { axis: attr.int(1) } });
    g.addNode({ opType: 'Sin', inputs: ['x'], outputs: ['side'] });
    g.addNode({ opType: 'ReduceSum', inputs: ['best'], outputs: ['loss'] });
    g.addOutput('loss');
    g.addOutput('side');
    const { graph, gradients } = grad(g, 'loss', ['x']);
    const x = [0.1, 0.5, -1, 2, 0, 1, -3, -2, -1, 0, 0.5, 0.25];
    const out = await runGraph(graph, { x: makeTensor('float32', [4, 3], x) });
    expect(values(out[gradients['x']!]!)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('takes a seed for a non-scalar loss, and intermediate values as wrt', async () => {
    const g = new Graph('seeded');
    g.addInput('x', { dtype: 'float32', shape: [3] });
    g.addInput('w', { dtype: 'float32', shape: [3] });
    g.addInput('s', { dtype: 'float32', shape: [3] });
    g.addNode({ opType: 'Mul', inputs: ['x', 'w'], outputs: ['h'] });
    g.addNode({ opType: 'Relu', inputs: ['h'], outputs: ['y'] });
    g.addOutput('y');
    const { graph, gradients } = grad(g, 'y', ['h', 'x'], { seed: 's' });
    expect(gradients).toEqual({ h: 'grad/h', x: 'grad/x' });
    const out = await runGraph(graph, {
      x: makeTensor('float32', [3], [1, -2, 3]),
      w: makeTensor('float32', [3], [2, 2, -1]),
      s: makeTensor('float32', [3], [10, 20, 30]),
    });
    expect(values(out['grad/h']!)).toEqual([10, 0, 0]);
    expect(values(out['grad/x']!)).toEqual([20, 0, 0]);
    // Without a seed a non-scalar loss is differentiated as its sum.
    const plain = grad(g, 'y', ['x']);
    const out2 = await runGraph(plain.graph, {
      x: makeTensor('float32', [3], [1, -2, 3]),
      w: makeTensor('float32', [3], [2, 2, -1]),
      s: makeTensor('float32', [3]),
    });
    expect(values(out2['grad/x']!)).toEqual([2, 0, 0]);
  });

  it('rejects bad arguments with typed errors', () => {
    const g = accumulationGraph();
    g.addInput('ids', { dtype: 'int64', shape: [2] });
    expect(() => grad(g, 'nope', ['x'])).toThrow(InvalidParameterError);
    expect(() => grad(g, 'loss', [])).toThrow(InvalidParameterError);
    expect(() => grad(g, 'loss', ['x', 'x'])).toThrow(InvalidParameterError);
    expect(() => grad(g, 'loss', ['ids'])).toThrow(/wrt 'ids' must be a float tensor/);
    expect(() => grad(g, 'loss', ['missing'])).toThrow(/wrt 'missing' is not a value/);
    expect(() => grad(g, 'loss', ['x'], { seed: 'x' })).toThrow(/Seed 'x' must have the loss's type/);
  });

  it('the gradient graph validates, round-trips through ONNX bytes and runs the same', async () => {
    const b = new GraphBuilder({ seed: 2 });
    const x = b.input('x', 'float32', [2, 3, 4, 5]);
    const up = b.resize(x, { scales: [1, 1, 2, 2] });
    const cropped = b.slice(up, { starts: [1, 7], ends: [7, 0], axes: [2, 3], steps: [2, -3] });
    const y = b.softmax(b.pad(cropped, [0, 0, 1, 0, 0, 0, 0, 2]), 1);
    const w = b.linear(b.flatten(b.reduceMean(y, [2, 3], true)), 2, { name: 'head' });
    const loss = b.output(b.reduceSum(b.mul(w, w), undefined, false), 'loss');
    const g = b.build();
    const { graph, gradients } = grad(g, loss.name, ['x', 'head.weight', 'head.bias']);
    validateGraph(graph, { requireTypes: true });
    const bytes = encodeOnnx(graph);
    const back = decodeOnnx(bytes);
    validateGraph(back, { requireTypes: true });
    expect(back.outputs).toEqual(graph.outputs);
    const rng = createRng(9);
    const feeds = { x: makeTensor('float32', [2, 3, 4, 5], Array.from({ length: 120 }, () => rng() - 0.5)) };
    const [a, c] = [await runGraph(graph, feeds), await runGraph(back, feeds)];
    for (const name of Object.values(gradients)) {
      expect(values(c[name]!)).toEqual(values(a[name]!));
      expect(values(a[name]!).some((v) => v !== 0)).toBe(true);
    }
    const session = await createGraphSession(back);
    expect(session.outputNames).toEqual(['loss', 'grad/x', 'grad/head.weight', 'grad/head.bias']);
    await session.release();
  });
});
