/**
 * Builder oracle tests: networks built with the DSL run in onnxruntime and must match naive JS
 * reference implementations; parameter names, initialization and build-time errors are checked.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/errors.js';
import { findConvBnPairs, GraphBuilder, GraphValidationError, makeTensor, type Graph, type Tensor, type TensorRef } from '../../src/graph/index.js';
import { createRng, maxAbsDiff, pick, randInt, randomTensor, randShape, runGraph } from './helpers.js';
import * as ref from './reference.js';

const f32 = (g: Graph, name: string): Float32Array => g.initializer(name)!.data as Float32Array;
const arr = (t: Tensor): ref.Arr => ({ data: t.data as Float32Array, dims: [...t.dims] });

describe('GraphBuilder conv matches a naive convolution', () => {
  it('on random 1-D/2-D/3-D configs with odd sizes, stride 2, dilation and groups', async () => {
    const rng = createRng(11);
    const b = new GraphBuilder({ seed: 3 });
    const cases: { x: TensorRef; y: TensorRef; opts: { stride: number[]; pad: number[]; dilation: number[]; groups: number }; bias: boolean; path: string }[] = [];
    for (let i = 0; i < 14; i++) {
      const n = i < 10 ? 2 : i < 12 ? 1 : 3;
      const groups = pick(rng, [1, 2, 3]);
      const cin = groups * randInt(rng, 1, 2);
      const cout = groups * randInt(rng, 1, 2);
      const kernel = randShape(rng, n, 1, 3);
      const dilation = randShape(rng, n, 1, 2);
      const stride = i % 2 ? new Array(n).fill(2) : randShape(rng, n, 1, 2);
      const pad = kernel.map((k) => randInt(rng, 0, k - 1));
      const spatial = kernel.map((k, a) => randInt(rng, dilation[a]! * (k - 1) + 1, n === 3 ? 5 : 13) | 1);
      const x = b.input(`x${i}`, 'float32', [randInt(rng, 1, 2), cin, ...spatial]);
      const bias = rng() < 0.5;
      const y = b.conv(x, cout, { kernel, stride, padding: pad, dilation, groups, bias, name: `conv${i}` });
      b.output(y);
      cases.push({ x, y, opts: { stride, pad, dilation, groups }, bias, path: `conv${i}` });
    }
    const g = b.build();
    const feeds = Object.fromEntries(cases.map((c) => [c.x.name, randomTensor(rng, 'float32', c.x.shape as number[])]));
    const out = await runGraph(g, feeds);
    for (const c of cases) {
      const w = g.initializer(`${c.path}.weight`)!;
      const expected = ref.conv(arr(feeds[c.x.name]!), arr(w), c.bias ? f32(g, `${c.path}.bias`) : undefined, c.opts);
      expect(out[c.y.name]!.dims).toEqual(expected.dims);
      expect(c.y.shape).toEqual(expected.dims);
      expect(maxAbsDiff(out[c.y.name]!.data as Float32Array, expected.data)).toBeLessThan(1e-5);
    }
  });
});

describe('GraphBuilder network matches a JS reference end to end', () => {
  it('conv → BN → relu → strided group conv → resize → concat → softmax, mean, linear', async () => {
    const rng = createRng(5);
    const b = new GraphBuilder({ seed: 1 });
    const x = b.input('image', 'float32', [2, 3, 9, 11]);
    const { y, logits } = b.scope('feature', () => {
      const c1 = b.scope('block1', () => b.leakyRelu(b.batchNorm(b.conv(x, 6, { kernel: 3, padding: 1, bias: false, name: 'conv1' }), { name: 'bn1' }), 0.1));
      const c2 = b.scope('block2', () => b.relu(b.conv(c1, 6, { kernel: 3, stride: 2, padding: 1, groups: 3, name: 'conv1' })));
      const up = b.resize(c2, { sizes: [2, 6, 9, 11] });
      const cat = b.concat([c1, b.add(up, c1)], 1);
      const prob = b.softmax(cat, 1);
      const pooled = b.flatten(b.reduceMean(prob, [2, 3]));
      return { y: prob, logits: b.linear(pooled, 4, { name: 'head' }) };
    });
    b.output(y, 'prob');
    b.output(logits, 'logits');
    const g = b.build();

    // Non-trivial BN statistics so the BN node is really exercised.
    const c = 6;
    for (const [p, lo] of [['weight', 0.5], ['bias', -0.5], ['running_mean', -0.3], ['running_var', 0.5]] as const) {
      g.setInitializer(`feature.block1.bn1.${p}`, makeTensor('float32', [c], Array.from({ length: c }, () => lo + rng())));
    }
    const image = randomTensor(rng, 'float32', [2, 3, 9, 11]);
    const out = await runGraph(g, { image });

    const conv1 = ref.conv(arr(image), arr(g.initializer('feature.block1.conv1.weight')!), undefined, { stride: [1, 1], pad: [1, 1], dilation: [1, 1], groups: 1 });
    const bn = ref.batchNorm(conv1, f32(g, 'feature.block1.bn1.weight'), f32(g, 'feature.block1.bn1.bias'), f32(g, 'feature.block1.bn1.running_mean'), f32(g, 'feature.block1.bn1.running_var'), 1e-5);
    const c1 = ref.map(bn, (v) => (v < 0 ? 0.1 * v : v));
    const conv2 = ref.conv(c1, arr(g.initializer('feature.block2.conv1.weight')!), f32(g, 'feature.block2.conv1.bias'), { stride: [2, 2], pad: [1, 1], dilation: [1, 1], groups: 3 });
    const c2 = ref.map(conv2, (v) => Math.max(v, 0));
    const up = ref.resizeBilinear(c2, 9, 11);
    const prob = ref.softmax1(ref.concat1([c1, ref.add(up, c1)]));
    const pooled = ref.spatialMean(prob);
    const refLogits = ref.linear({ data: pooled.data, dims: [2, 12] }, arr(g.initializer('feature.head.weight')!), f32(g, 'feature.head.bias'));

    expect(out['prob']!.dims).toEqual([2, 12, 9, 11]);
    expect(maxAbsDiff(out['prob']!.data as Float32Array, prob.data)).toBeLessThan(1e-5);
    expect(out['logits']!.dims).toEqual([2, 4]);
    expect(maxAbsDiff(out['logits']!.data as Float32Array, refLogits.data)).toBeLessThan(1e-5);
  });
});

describe('GraphBuilder parameters', () => {
  it('are named by module path and initialized as PyTorch does', () => {
    const b = new GraphBuilder({ seed: 7 });
    const x = b.input('x', 'float32', [1, 16, 8, 8]);
    const y = b.scope('feature', () => b.scope('block2', () => b.batchNorm(b.conv(x, 32, { kernel: 3, padding: 1, name: 'conv1' }), { name: 'bn1' })));
    const z = b.linear(b.flatten(b.globalAvgPool(y)), 10);
    b.output(z);
    const g = b.build();
    const names = [...g.initializers.keys()].filter((n) => !n.startsWith('const'));
    expect(names).toEqual([
      'feature.block2.conv1.weight',
      'feature.block2.conv1.bias',
      'feature.block2.bn1.weight',
      'feature.block2.bn1.bias',
      'feature.block2.bn1.running_mean',
      'feature.block2.bn1.running_var',
      'linear0.weight',
      'linear0.bias',
    ]);
    const bound = 1 / Math.sqrt(16 * 9);
    const w = f32(g, 'feature.block2.conv1.weight');
    expect(g.initializer('feature.block2.conv1.weight')!.dims).toEqual([32, 16, 3, 3]);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.98 * bound);
    // U(-a, a) has mean 0 and variance a²/3.
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
    expect(variance / (bound * bound / 3)).toBeCloseTo(1, 1);
    expect(Math.max(...f32(g, 'feature.block2.conv1.bias').map(Math.abs))).toBeLessThanOrEqual(bound);
    expect([...f32(g, 'feature.block2.bn1.weight')]).toEqual(new Array(32).fill(1));
    expect([...f32(g, 'feature.block2.bn1.bias')]).toEqual(new Array(32).fill(0));
    expect([...f32(g, 'feature.block2.bn1.running_mean')]).toEqual(new Array(32).fill(0));
    expect([...f32(g, 'feature.block2.bn1.running_var')]).toEqual(new Array(32).fill(1));
    expect(Math.max(...f32(g, 'linear0.weight').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
  });

  it('are reproducible from the seed', () => {
    const weights = (seed: number): Float32Array => {
      const b = new GraphBuilder({ seed });
      b.output(b.conv(b.input('x', 'float32', [1, 2, 5, 5]), 4, { name: 'c' }));
      return f32(b.build(), 'c.weight');
    };
    expect(weights(1)).toEqual(weights(1));
    expect(weights(1)).not.toEqual(weights(2));
  });

  it('records modules so conv+BN pairs can be found', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 3, 8, 8]);
    const y = b.scope('enc', () => b.relu(b.batchNorm(b.conv(x, 8, { bias: false }))));
    b.output(b.batchNorm(b.relu(y)));
    const g = b.build();
    expect(b.modules.map((m) => [m.path, m.kind, m.follows])).toEqual([
      ['enc.conv0', 'conv', undefined],
      ['enc.bn0', 'batchNorm', 'enc.conv0'],
      ['bn0', 'batchNorm', undefined],
    ]);
    const bnRecord = b.modules[1]!;
    expect(g.node(bnRecord.node)!.opType).toBe('BatchNormalization');
    expect(bnRecord.params['running_var']).toBe('enc.bn0.running_var');
    expect(bnRecord.config['eps']).toBe(1e-5);
    const pairs = findConvBnPairs(g);
    expect(pairs.map((p) => [p.conv.name, p.bn.name])).toEqual([[b.modules[0]!.node, bnRecord.node]]);
  });
});

describe('GraphBuilder build-time checks', () => {
  it('rejects a wrong conv channel count with a clear message', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 3, 8, 8]);
    expect(() => b.scope('feature', () => b.conv(x, 8, { inChannels: 4, name: 'conv1' }))).toThrow(InvalidParameterError);
    expect(() => b.conv(x, 8, { inChannels: 4 })).toThrow(/expects 4 input channels but 'x' \[1, 3, 8, 8\] has 3/);
    expect(() => b.conv(x, 8, { groups: 2 })).toThrow(/groups 2 must divide input channels 3/);
  });

  it('rejects mismatched shapes naming the node, op and shapes, and leaves the graph unchanged', () => {
    const b = new GraphBuilder();
    const a = b.input('a', 'float32', [1, 4, 8, 8]);
    const c = b.input('c', 'float32', [1, 5, 8, 8]);
    const before = b.graph.nodes.length;
    let err: unknown;
    try {
      b.add(a, c);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphValidationError);
    expect((err as GraphValidationError).opType).toBe('Add');
    expect((err as Error).message).toMatch(/\(Add\).*a \[1, 4, 8, 8\].*c \[1, 5, 8, 8\].*do not broadcast/);
    expect(b.graph.nodes.length).toBe(before);
    expect(() => b.concat([a, b.input('d', 'float32', [1, 4, 7, 8])])).toThrow(/differs from \[1, 4, 8, 8\] off the concat axis/);
    expect(() => b.reshape(a, [3, -1])).toThrow(/cannot reshape/);
    expect(() => b.build()).toThrow(/no outputs/);
  });

  it('supports the remaining ops with the shapes PyTorch would give', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 4, 6, 6]);
    const s = b.slice(x, { starts: [-1], ends: [-100], axes: [3], steps: [-2] });
    const p = b.pad(s, [0, 0, 1, 1, 0, 0, 1, 1], { value: 2 });
    const [u, v] = b.split(b.transpose(b.reshape(x, [1, 4, 36]), [0, 2, 1]), [10, 26], 1);
    const m = b.matmul(u!, b.constant(new Array(8).fill(0.5), [4, 2]));
    const cl = b.clip(b.sub(b.mul(b.sigmoid(x), 2), b.tanh(x)), -0.5, 0.5);
    const r = b.reduceSum(b.div(cl, 3), [1], false);
    const pooled = b.maxPool(b.avgPool(x, 2), 3, { stride: 1, padding: 1 });
    for (const t of [s, p, v!, m, r, pooled]) b.output(t);
    const g = b.build();
    expect([s, p, v!, m, r, pooled].map((t) => t.shape)).toEqual([[1, 4, 6, 3], [1, 4, 8, 5], [1, 26, 4], [1, 10, 2], [1, 6, 6], [1, 4, 3, 3]]);
    const xt = randomTensor(createRng(2), 'float32', [1, 4, 6, 6]);
    const out = await runGraph(g, { x: xt });
    expect(g.outputs.map((o) => out[o]!.dims)).toEqual([s, p, v!, m, r, pooled].map((t) => t.shape));
    // The reversed slice keeps columns 5, 3, 1; the pad value 2 shows at the border.
    expect([...(out[s.name]!.data as Float32Array).slice(0, 3)]).toEqual([5, 3, 1].map((i) => xt.data[i]));
    expect((out[p.name]!.data as Float32Array)[0]).toBe(2);
  });
});
