/** The comb: dependency groups of hand-built graphs, one rule family at a time. */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/errors.js';
import { attr, GraphBuilder, makeTensor, type TensorRef } from '../../src/graph/index.js';
import { buildDependencyGraph, type DependencyGraph } from '../../src/prune/index.js';
import { attention, groupOf, groupsOf, indicesOf, widthChannelsNet } from './comb-helpers.js';

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

function image(b: GraphBuilder, c = 3, h = 6, w = 6): TensorRef {
  return b.input(b.graph.hasValue('x') ? b.graph.uniqueName('x') : 'x', 'float32', [1, c, h, w]);
}

/** Reasons of the non-prunable groups, for readable failures. */
const reasons = (dep: DependencyGraph): string[] => dep.groups.filter((g) => !g.prunable).map((g) => g.fixedReason!);

describe('buildDependencyGraph: convolution chains', () => {
  it('couples a conv with its BatchNorm, activation and the next conv input', () => {
    const b = new GraphBuilder();
    const y = b.relu(b.batchNorm(b.conv(image(b), 8, { padding: 1, name: 'c0' }), { name: 'bn' }));
    b.output(b.conv(y, 4, { padding: 1, name: 'c1' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'c0.weight', 0);
    expect(g.prunable).toBe(true);
    expect(g.size).toBe(8);
    expect(g.unit).toBe(1);
    const roles = Object.fromEntries(g.params.map((p) => [`${p.param}:${p.axis}`, p.role]));
    expect(roles).toEqual({
      'c0.weight:0': 'producer',
      'c0.bias:0': 'affine',
      'bn.weight:0': 'affine',
      'bn.bias:0': 'affine',
      'bn.running_mean:0': 'affine',
      'bn.running_var:0': 'affine',
      'c1.weight:1': 'consumer',
    });
    expect(g.params.find((p) => p.param === 'bn.weight')!.opType).toBe('BatchNormalization');
    expect(indicesOf(g, 'c1.weight', 1)).toEqual(range(0, 8));
    expect(g.values.map((v) => v.axis)).toEqual([1, 1, 1]);
    // The first conv's input channels are the graph input's; the last conv's output is the graph output.
    expect(groupOf(dep, 'c0.weight', 1).prunable).toBe(false);
    expect(groupOf(dep, 'c0.weight', 1).fixedReason).toMatch(/'x' is a graph input/);
    expect(groupOf(dep, 'c1.weight', 0).fixedReason).toMatch(/graph output/);
    expect(dep.fixed).toContainEqual({ value: 'x', axis: 1, reason: "'x' is a graph input" });
    expect(dep.groups.map((gr) => gr.id)).toEqual(range(0, dep.groups.length));
  });

  it('couples both sides of residual Add, Mul, Sub and Div, with per-channel constants as affine slices', () => {
    const b = new GraphBuilder();
    const x = image(b);
    const stem = b.conv(x, 6, { padding: 1, name: 'stem' });
    const branch = b.conv(b.relu(stem), 6, { padding: 1, name: 'branch' });
    const scale = b.param('scale', makeTensor('float32', [6, 1, 1], new Float32Array(6).fill(0.5)));
    const gate = b.param('gate', makeTensor('float32', [1, 6, 1, 1], new Float32Array(6).fill(2)));
    let y = b.add(stem, b.mul(branch, scale));
    y = b.div(b.sub(y, gate), 3);
    b.output(b.conv(y, 2, { kernel: 1, name: 'head' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'stem.weight', 0);
    expect(g).toBe(groupOf(dep, 'branch.weight', 0));
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'scale')).toMatchObject({ axis: 0, role: 'affine', opType: 'Mul' });
    expect(g.params.find((p) => p.param === 'gate')).toMatchObject({ axis: 1, role: 'affine', opType: 'Sub' });
    expect(indicesOf(g, 'head.weight', 1)).toEqual(range(0, 6));
  });

  it('places Concat inputs at their offsets and splits a conv output into one group per Split part', () => {
    const b = new GraphBuilder();
    const x = image(b);
    const a = b.conv(x, 4, { kernel: 1, name: 'a' });
    const c = b.conv(x, 6, { kernel: 1, name: 'c' });
    const cat = b.concat([a, c]);
    const d = b.conv(cat, 8, { kernel: 1, name: 'd' });
    const [s0, s1] = b.split(d, [3, 5]);
    b.output(b.add(b.conv(s0!, 2, { kernel: 1, name: 'e' }), b.conv(s1!, 2, { kernel: 1, name: 'f' })), 'out');
    const dep = buildDependencyGraph(b.build());
    expect(indicesOf(groupOf(dep, 'a.weight', 0), 'd.weight', 1)).toEqual(range(0, 4));
    expect(indicesOf(groupOf(dep, 'c.weight', 0), 'd.weight', 1)).toEqual(range(4, 10));
    const parts = groupsOf(dep, 'd.weight', 0);
    expect(parts.map((g) => indicesOf(g, 'd.weight', 0))).toEqual([range(0, 3), range(3, 8)]);
    expect(parts.map((g) => g.params.find((p) => p.role === 'consumer')!.param)).toEqual(['e.weight', 'f.weight']);
    expect(parts.every((g) => g.prunable)).toBe(true);
    const cv = groupOf(dep, 'c.weight', 0).values.find((v) => v.value === cat.name)!;
    expect(Array.from(cv.indices)).toEqual(range(4, 10));
  });

  it('removes a channel from every place it reaches (the two halves of a Split added together)', () => {
    const b = new GraphBuilder();
    const d = b.conv(image(b), 8, { kernel: 1, name: 'd' });
    const [s0, s1] = b.split(d, [4, 4]);
    b.output(b.conv(b.add(s0!, s1!), 2, { kernel: 1, name: 'e' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'd.weight', 0);
    expect(g.prunable).toBe(true);
    // Channel k of one half and channel k of the other go together: the conv's 8 channels in pairs.
    expect([g.size, g.unit]).toEqual([8, 2]);
    expect(indicesOf(g, 'd.weight', 0)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    // The Add's output and the next conv's columns hold one index per pair.
    expect(g.unitParams!.map((p) => [p.param, Array.from(p.indices)])).toEqual([['e.weight', range(0, 4)]]);
  });
});

describe('buildDependencyGraph: grouped convolutions', () => {
  it('couples a depthwise conv input and output (unit 1) and a whole-group conv in units of channels per group', () => {
    const b = new GraphBuilder();
    const x = b.conv(image(b), 8, { kernel: 1, name: 'expand' });
    const dw = b.conv(b.relu(x), 8, { groups: 8, padding: 1, name: 'dw' });
    const gc = b.conv(dw, 8, { groups: 2, padding: 1, name: 'gc' });
    b.output(b.conv(gc, 2, { kernel: 1, name: 'project' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'expand.weight', 0);
    expect(g).toBe(groupOf(dep, 'dw.weight', 0));
    expect(g).toBe(groupOf(dep, 'gc.weight', 0));
    expect(g.params.find((p) => p.param === 'dw.weight')!.role).toBe('producer');
    expect(g.unit).toBe(4);
    expect(g.prunable).toBe(true);
    expect(g.params.some((p) => p.param === 'dw.weight' && p.axis === 1)).toBe(false);
  });

  it('freezes a group conv whose input and output channel counts differ', () => {
    const b = new GraphBuilder();
    const x = b.conv(image(b), 8, { kernel: 1, name: 'a' });
    const y = b.conv(x, 16, { groups: 4, padding: 1, name: 'g' });
    b.output(b.conv(y, 2, { kernel: 1, name: 'z' }), 'out');
    const dep = buildDependencyGraph(b.build());
    expect(groupOf(dep, 'a.weight', 0).fixedReason).toMatch(/group 4 with 8 input and 16 output channels/);
    expect(groupOf(dep, 'g.weight', 0).prunable).toBe(false);
  });
});

describe('buildDependencyGraph: shared initializers', () => {
  it('merges the output and input channels of two convs that share one weight (left/right branches)', () => {
    const b = new GraphBuilder();
    const left = b.input('left', 'float32', [1, 3, 6, 6]);
    const right = b.input('right', 'float32', [1, 3, 6, 6]);
    const stem = b.conv(left, 5, { padding: 1, name: 'stemL' });
    const stemR = b.conv(right, 5, { padding: 1, name: 'stemR' });
    const w = b.param('shared.weight', makeTensor('float32', [7, 5, 3, 3], new Float32Array(7 * 45).fill(0.01)));
    const [fl] = b.op('Conv', [stem, w], { pads: attr.ints([1, 1, 1, 1]) });
    const [fr] = b.op('Conv', [stemR, w], { pads: attr.ints([1, 1, 1, 1]) });
    b.output(b.conv(b.concat([b.relu(fl!), b.relu(fr!)]), 2, { kernel: 1, name: 'head' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const out = groupOf(dep, 'shared.weight', 0);
    expect(out.prunable).toBe(true);
    expect(out.params.filter((p) => p.param === 'shared.weight')).toHaveLength(1);
    // Each channel of the shared weight sits in both halves of the concat: two slices each.
    expect(out.values.filter((v) => v.value.includes('Relu'))).toHaveLength(2);
    expect(out.params.filter((p) => p.param === 'head.weight').map((p) => Array.from(p.indices))).toEqual([range(0, 7), range(7, 14)]);
    const inGroup = groupOf(dep, 'shared.weight', 1);
    expect(inGroup).toBe(groupOf(dep, 'stemL.weight', 0));
    expect(inGroup).toBe(groupOf(dep, 'stemR.weight', 0));
  });
});

describe('buildDependencyGraph: weights behind Identity', () => {
  it('gives the role and op of the node that uses a weight an exporter forwards through Identity', () => {
    const b = new GraphBuilder();
    const w = b.param('w', makeTensor('float32', [6, 3, 1, 1], new Float32Array(18).fill(0.1)));
    const scale = b.param('norm.weight', makeTensor('float32', [6], new Float32Array(6).fill(1)));
    const shift = b.param('norm.bias', makeTensor('float32', [6], new Float32Array(6)));
    const [a] = b.op('Conv', [image(b), b.identity(w)]);
    const [y] = b.op('InstanceNormalization', [a!, b.identity(scale), b.identity(shift)]);
    b.output(b.conv(b.relu(y!), 2, { kernel: 1, name: 'head' }), 'out');
    const g = groupOf(buildDependencyGraph(b.build()), 'w', 0);
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'w')).toMatchObject({ role: 'producer', opType: 'Conv' });
    expect(g.params.find((p) => p.param === 'norm.weight')).toMatchObject({ role: 'affine', opType: 'InstanceNormalization' });
  });
});

describe('buildDependencyGraph: spatial ops', () => {
  it('passes channels through Resize, MaxPool, GlobalAveragePool and spatial-only Pad', () => {
    const b = new GraphBuilder();
    let y = b.conv(image(b), 6, { padding: 1, name: 'a' });
    y = b.resize(y, { scales: [1, 1, 2, 2] });
    y = b.maxPool(y, 2, { stride: 2 });
    y = b.pad(y, [0, 0, 1, 1, 0, 0, 1, 1]);
    y = b.conv(y, 4, { name: 'b' });
    b.output(b.conv(b.globalAvgPool(y), 2, { kernel: 1, name: 'c' }), 'out');
    const dep = buildDependencyGraph(b.build());
    expect(groupOf(dep, 'a.weight', 0).prunable).toBe(true);
    expect(groupOf(dep, 'a.weight', 0).values.map((v) => v.value)).toEqual(expect.arrayContaining([expect.stringContaining('Resize'), expect.stringContaining('Pad')]));
    expect(groupOf(dep, 'b.weight', 0).prunable).toBe(true);
  });

  it('fixes channels that Pad pads', () => {
    const b = new GraphBuilder();
    const y = b.pad(b.conv(image(b), 6, { padding: 1, name: 'a' }), [0, 1, 0, 0, 0, 1, 0, 0]);
    b.output(b.conv(y, 2, { name: 'b' }), 'out');
    const dep = buildDependencyGraph(b.build());
    expect(groupOf(dep, 'a.weight', 0).fixedReason).toMatch(/Pad pads axis 1/);
    expect(groupOf(dep, 'b.weight', 1).prunable).toBe(false);
  });

  it('follows Resize sizes copied from Shape at run time, and fixes channels a run-time literal names', () => {
    const build = (literal: boolean): DependencyGraph => {
      const b = new GraphBuilder();
      const a = b.conv(image(b), 6, { padding: 1, name: 'a' });
      const shape = b.op('Shape', [a])[0]!;
      const sizes = literal ? b.concat([b.slice(shape, { starts: [0], ends: [1] }), b.ints([6]), b.slice(shape, { starts: [2], ends: [4] })], 0) : shape;
      // The builder only adds nodes it can infer alone; the comb folds Shape itself.
      b.graph.addNode({ opType: 'Resize', inputs: [a.name, '', '', sizes.name], outputs: ['r'], attributes: { mode: attr.string('nearest') } });
      b.graph.setType('r', { dtype: 'float32', shape: [1, 6, 6, 6] });
      b.output(b.conv({ name: 'r', dtype: 'float32', shape: [1, 6, 6, 6] }, 2, { name: 'b' }), 'out');
      return buildDependencyGraph(b.graph);
    };
    expect(groupOf(build(false), 'a.weight', 0).prunable).toBe(true);
    expect(groupOf(build(true), 'a.weight', 0).fixedReason).toMatch(/Resize sizes are computed at run time/);
  });
});

describe('buildDependencyGraph: Gemm and MatMul', () => {
  it('makes an MLP hidden size one group (Gemm rows, bias, next Gemm columns)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 16]);
    const h = b.relu(b.linear(x, 32, { name: 'fc1' }));
    b.output(b.linear(h, 10, { name: 'fc2' }), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'fc1.weight', 0);
    expect(g.prunable).toBe(true);
    expect(g.size).toBe(32);
    expect(g.params.map((p) => `${p.param}:${p.axis}:${p.role}`).sort()).toEqual(['fc1.bias:0:affine', 'fc1.weight:0:producer', 'fc2.weight:1:consumer']);
  });

  it('prunes a transformer MLP over [B, S, D] through MatMul, Add and LayerNorm-free activations', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 5, 8]);
    const w1 = b.param('w1', makeTensor('float32', [8, 24], new Float32Array(8 * 24).fill(0.1)));
    const b1 = b.param('b1', makeTensor('float32', [24], new Float32Array(24)));
    const w2 = b.param('w2', makeTensor('float32', [24, 8], new Float32Array(24 * 8).fill(0.1)));
    const [erf] = b.op('Erf', [b.add(b.matmul(x, w1), b1)]);
    b.output(b.add(x, b.matmul(erf!, w2)), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'w1', 1);
    expect(g.prunable).toBe(true);
    expect(g.params.map((p) => `${p.param}:${p.axis}:${p.role}`).sort()).toEqual(['b1:0:affine', 'w1:1:producer', 'w2:0:consumer']);
    // The residual stream is the graph input and output: fixed.
    expect(groupOf(dep, 'w2', 1).prunable).toBe(false);
  });

  it('couples LayerNorm scale and bias over the last axis as affine slices', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 5, 8]);
    const w1 = b.param('w1', makeTensor('float32', [8, 12], new Float32Array(96).fill(0.1)));
    const s = b.param('ln.weight', makeTensor('float32', [12], new Float32Array(12).fill(1)));
    const bias = b.param('ln.bias', makeTensor('float32', [12], new Float32Array(12)));
    const [ln] = b.op('LayerNormalization', [b.matmul(x, w1), s, bias], { axis: attr.int(-1) });
    const w2 = b.param('w2', makeTensor('float32', [12, 3], new Float32Array(36).fill(0.1)));
    b.output(b.matmul(ln!, w2), 'out');
    const g = groupOf(buildDependencyGraph(b.build()), 'w1', 1);
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'ln.weight')).toMatchObject({ role: 'affine', opType: 'LayerNormalization' });
  });

  it('follows a Transpose from NCHW to NHWC into a channels-last MatMul', () => {
    const b = new GraphBuilder();
    const y = b.transpose(b.conv(image(b), 6, { kernel: 1, name: 'a' }), [0, 2, 3, 1]);
    const w = b.param('w', makeTensor('float32', [6, 4], new Float32Array(24).fill(0.1)));
    b.output(b.matmul(y, w), 'out');
    const g = groupOf(buildDependencyGraph(b.build()), 'a.weight', 0);
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'w')).toMatchObject({ axis: 0, role: 'consumer' });
  });
});

describe('buildDependencyGraph: reshaped axes', () => {
  it('prunes attention in whole heads: Q, K, V columns and the output projection rows, unit = head dim', () => {
    const b = new GraphBuilder();
    b.output(attention(b, b.input('x', 'float32', [1, 5, 12]), 4, 3), 'out');
    const dep = buildDependencyGraph(b.build());
    const g = groupOf(dep, 'q.weight', 1);
    expect([g.size, g.unit, g.prunable]).toEqual([12, 3, true]);
    for (const [p, axis] of [['k.weight', 1], ['v.weight', 1], ['q.bias', 0], ['o.weight', 0]] as const) expect(groupOf(dep, p, axis)).toBe(g);
    expect(indicesOf(g, 'q.weight', 1)).toEqual(range(0, 12));
    expect(g.params.find((p) => p.param === 'o.weight')!.role).toBe('consumer');
    // The head axis of the reshaped tensors holds one index per head.
    expect(g.unitValues!.length).toBeGreaterThanOrEqual(6);
    expect(g.unitValues!.every((v) => v.indices.join() === '0,1,2,3')).toBe(true);
    expect(g.values.every((v) => new Set(v.indices).size === 12)).toBe(true);
  });

  it('couples a conv channel with its block of features through Flatten into a Gemm', () => {
    const b = new GraphBuilder();
    const a = b.conv(image(b, 3, 3, 3), 4, { padding: 1, name: 'a' });
    b.output(b.linear(b.flatten(b.relu(a)), 5, { name: 'fc' }), 'out');
    const g = groupOf(buildDependencyGraph(b.build()), 'a.weight', 0);
    expect([g.size, g.unit, g.prunable]).toEqual([4, 1, true]);
    const cols = g.params.filter((p) => p.param === 'fc.weight');
    expect(cols).toHaveLength(9);
    expect(cols.map((p) => p.indices[1]! - p.indices[0]!)).toEqual(Array(9).fill(9));
  });

  it('follows a Reshape whose shape is computed from Shape at run time (dynamic-axes exports)', () => {
    const b = new GraphBuilder();
    const a = b.conv(image(b, 3, 4, 4), 8, { padding: 1, name: 'a' });
    const shape = b.op('Shape', [a])[0]!;
    const head = b.slice(shape, { starts: [0], ends: [2] });
    const target = b.concat([head, b.ints([-1])], 0);
    b.graph.addNode({ opType: 'Reshape', inputs: [a.name, target.name], outputs: ['tokens'] });
    const tokens = { name: 'tokens', dtype: 'float32', shape: [1, 8, 16] } as const;
    b.graph.setType('tokens', tokens);
    const w = b.param('proj', makeTensor('float32', [8, 6], new Float32Array(48).fill(0.1)));
    b.output(b.matmul(b.transpose(tokens, [0, 2, 1]), w), 'out');
    const g = groupOf(buildDependencyGraph(b.graph), 'a.weight', 0);
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'proj')).toMatchObject({ axis: 0, role: 'consumer' });
    // A run-time shape that hard-codes the channel count cannot follow a cut: fixed.
    const b2 = new GraphBuilder();
    const c = b2.conv(image(b2, 3, 4, 4), 8, { padding: 1, name: 'c' });
    const fixedTarget = b2.concat([b2.slice(b2.op('Shape', [c])[0]!, { starts: [0], ends: [1] }), b2.ints([8, -1])], 0);
    b2.graph.addNode({ opType: 'Reshape', inputs: [c.name, fixedTarget.name], outputs: ['tokens'] });
    b2.graph.setType('tokens', tokens);
    b2.output(b2.reduceMean(tokens, [2]), 'out');
    expect(groupOf(buildDependencyGraph(b2.graph), 'c.weight', 0).fixedReason).toMatch(/Reshape shape is computed at run time/);
  });

  it('fixes a channel shuffle (Reshape to groups, Transpose, Reshape back)', () => {
    const b = new GraphBuilder();
    const a = b.conv(image(b), 8, { padding: 1, name: 'a' });
    const shuffled = b.reshape(b.transpose(b.reshape(a, [1, 2, 4, 6, 6]), [0, 2, 1, 3, 4]), [1, 8, 6, 6]);
    b.output(b.conv(shuffled, 2, { name: 'b' }), 'out');
    const dep = buildDependencyGraph(b.build());
    expect(groupOf(dep, 'a.weight', 0).prunable).toBe(false);
    expect(groupOf(dep, 'b.weight', 1).prunable).toBe(false);
  });
});

describe('buildDependencyGraph: Einsum and symbolic shapes', () => {
  it('couples Einsum axes by index letter, with weight roles', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 5, 8]);
    const w1 = b.param('w1', makeTensor('float32', [8, 6], new Float32Array(48).fill(0.1)));
    const w2 = b.param('w2', makeTensor('float32', [6, 3], new Float32Array(18).fill(0.1)));
    const [h] = b.op('Einsum', [x, w1], { equation: attr.string('bsd,dk->bsk') });
    const [y] = b.op('Einsum', [b.relu(h!), w2], { equation: attr.string('bsk, kc -> bsc') });
    b.output(y!, 'out');
    const g = groupOf(buildDependencyGraph(b.build()), 'w1', 1);
    expect(g.prunable).toBe(true);
    expect(g.params.map((p) => `${p.param}:${p.axis}:${p.role}`).sort()).toEqual(['w1:1:producer', 'w2:0:consumer']);
  });

  it('resolves channel counts that depend on symbolic input dims when given inputShapes', () => {
    const g = widthChannelsNet();
    const without = groupOf(buildDependencyGraph(g), 'ctx.weight', 0);
    expect(without.fixedReason).toMatch(/Concat of inputs of unknown size/);
    const dep = buildDependencyGraph(g, { inputShapes: { x: [1, 3, 4, 8] } });
    expect(dep.inputShapes).toEqual({ x: [1, 3, 4, 8] });
    expect(groupOf(dep, 'ctx.weight', 0).prunable).toBe(true);
    // The width-derived channels of the concat stay as they are: they come from the graph input.
    expect(groupOf(dep, 'head.weight', 1).prunable).toBe(false);
    expect(() => buildDependencyGraph(g, { inputShapes: { z: [1] } })).toThrow(/not an input/);
    expect(() => buildDependencyGraph(g, { inputShapes: { x: [1, 4, 4, 8] } })).toThrow(InvalidParameterError);
  });
});

describe('buildDependencyGraph: what stays fixed', () => {
  it('fixes every axis an unknown op touches, and what is coupled to it', () => {
    const b = new GraphBuilder();
    const a = b.conv(image(b), 8, { padding: 1, name: 'a' });
    const [d2s] = b.op('DepthToSpace', [a], { blocksize: attr.int(2) });
    const bb = b.conv(image(b, 3), 4, { padding: 1, name: 'side' });
    b.graph.addNode({ opType: 'Frobnicate', domain: 'com.example', inputs: [bb.name], outputs: ['custom'] });
    const custom = { name: 'custom', dtype: 'float32', shape: [1, 4, 6, 6] } as const;
    b.graph.setType(custom.name, custom);
    b.output(d2s!, 'out');
    b.output(b.conv(custom, 2, { name: 'z', inChannels: 4 }), 'out2');
    const dep = buildDependencyGraph(b.graph);
    expect(groupOf(dep, 'a.weight', 0).fixedReason).toMatch(/no channel rule for DepthToSpace/);
    expect(groupOf(dep, 'side.weight', 0).fixedReason).toMatch(/no channel rule for com\.example:Frobnicate/);
    expect(groupOf(dep, 'z.weight', 1).prunable).toBe(false);
    expect(dep.fixed.some((f) => f.value === a.name && /DepthToSpace/.test(f.reason))).toBe(true);
  });

  it('links a Reshape that keeps the channel axis, and fixes one that folds it', () => {
    const b = new GraphBuilder();
    const a = b.conv(image(b, 3, 4, 4), 8, { padding: 1, name: 'a' });
    const kept = b.reshape(a, [1, 8, 16]);
    const c = b.conv(image(b, 3, 4, 4), 8, { padding: 1, name: 'c' });
    const folded = b.reshape(c, [1, 2, 64]);
    b.output(b.add(b.reduceMean(kept, [2]), b.reduceMean(b.reshape(folded, [1, 8, 16]), [2])), 'out');
    const dep = buildDependencyGraph(b.graph);
    expect(groupOf(dep, 'c.weight', 0).fixedReason).toMatch(/Reshape folds or splits this axis/);
    // 'a' reaches the output through the add with the frozen 'c' branch: fixed by the coupling.
    expect(groupOf(dep, 'a.weight', 0).prunable).toBe(false);
    const b2 = new GraphBuilder();
    const a2 = b2.conv(image(b2, 3, 4, 4), 8, { padding: 1, name: 'a' });
    const back = b2.reshape(b2.reshape(a2, [1, 8, 16]), [1, 8, 4, 4]);
    b2.output(b2.linear(b2.flatten(b2.globalAvgPool(back)), 3, { name: 'fc' }), 'out');
    const g = groupOf(buildDependencyGraph(b2.graph), 'a.weight', 0);
    expect(g.prunable).toBe(true);
    expect(g.params.find((p) => p.param === 'fc.weight')).toMatchObject({ axis: 1, role: 'consumer' });
  });

  it('fixes what the caller lists, and ArgMax positions', () => {
    const b = new GraphBuilder();
    const cost = b.conv(image(b), 8, { padding: 1, name: 'cost' });
    const other = b.conv(image(b), 8, { padding: 1, name: 'other' });
    const [am] = b.op('ArgMax', [other], { axis: attr.int(1) });
    b.output(b.reduceSum(b.relu(cost), [1]), 'out');
    b.output(am!, 'idx');
    const free = buildDependencyGraph(b.graph);
    expect(groupOf(free, 'cost.weight', 0).prunable).toBe(true);
    expect(groupOf(free, 'other.weight', 0).fixedReason).toMatch(/ArgMax returns positions/);
    const dep = buildDependencyGraph(b.graph, { fixed: [{ value: cost.name, axis: 1, reason: 'disparity hypotheses' }] });
    expect(groupOf(dep, 'cost.weight', 0).fixedReason).toMatch(/disparity hypotheses/);
    expect(dep.fixed).toContainEqual({ value: cost.name, axis: 1, reason: 'disparity hypotheses' });
    expect(reasons(dep).length).toBeGreaterThan(reasons(free).length);
  });

  it('rejects fixed requests naming unknown values or bad axes', () => {
    const b = new GraphBuilder();
    b.output(b.conv(image(b), 2, { name: 'a' }), 'out');
    const g = b.build();
    expect(() => buildDependencyGraph(g, { fixed: [{ value: 'nope' }] })).toThrow(InvalidParameterError);
    expect(() => buildDependencyGraph(g, { fixed: [{ value: 'out', axis: 4 }] })).toThrow(/axis/);
    expect(() => buildDependencyGraph(g, { fixed: 'x' as never })).toThrow(InvalidParameterError);
    expect(() => buildDependencyGraph({} as never)).toThrow(InvalidParameterError);
  });

  it('does not modify the graph it reads', () => {
    const b = new GraphBuilder();
    b.output(b.conv(b.relu(b.conv(image(b), 4, { name: 'a' })), 2, { name: 'b' }), 'out');
    const g = b.build();
    const before = g.nodes.map((n) => `${n.name}:${n.inputs.join(',')}`);
    buildDependencyGraph(g);
    expect(g.nodes.map((n) => `${n.name}:${n.inputs.join(',')}`)).toEqual(before);
  });
});
