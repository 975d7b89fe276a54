/**
 * The cut, checked against onnxruntime: an empty plan keeps the outputs bit-identical, and a plan
 * whose removed channels were zeroed beforehand keeps them equal (a zero channel contributes
 * nothing downstream through ReLU, BatchNorm, pools and sums), which checks every index mapping.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/errors.js';
import { attr, attrInt, GraphBuilder, makeTensor, tensorToNumbers, validateGraph, type Graph, type TensorRef } from '../../src/graph/index.js';
import { applyPrunePlan, buildDependencyGraph, pruneSummary, type DependencyGraph, type PrunePlan } from '../../src/prune/index.js';
import { alternatePlan, attention, groupOf, groupsOf, halfPlan, maxDiff, randomFeeds, run, widthChannelsNet, zeroRemoved } from './comb-helpers.js';

/** One graph with most rule families: BN chain, residual, depthwise, whole-group conv, concat, split, resize, pad, pool, reshape, slice, MLP. */
function mixedNet(): Graph {
  const b = new GraphBuilder({ seed: 3 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const h = b.relu(b.batchNorm(b.conv(x, 8, { padding: 1, name: 'a' }), { name: 'bn' }));
  const r = b.add(h, b.conv(h, 8, { padding: 1, name: 'b' }));
  const t = b.conv(b.relu(b.conv(r, 8, { groups: 8, padding: 1, name: 'dw' })), 8, { groups: 2, kernel: 1, name: 'gc' });
  const cat = b.concat([t, b.conv(r, 4, { kernel: 1, name: 'c' })]);
  const [s0, s1] = b.split(b.conv(cat, 10, { kernel: 1, name: 'd' }), [4, 6]);
  const u = b.add(b.conv(s0!, 6, { kernel: 1, name: 'e' }), b.relu(s1!));
  let f = b.maxPool(b.pad(b.resize(u, { scales: [1, 1, 2, 2], mode: 'nearest' }), [0, 0, 1, 1, 0, 0, 1, 1]), 2, { stride: 2 });
  f = b.conv(f, 6, { padding: 1, name: 'f' });
  f = b.reshape(b.reshape(f, [1, 6, 81]), [1, 6, 9, 9]);
  const sl = b.slice(f, { starts: [1], ends: [5], axes: [1] });
  const pooled = b.flatten(b.globalAvgPool(b.conv(sl, 4, { kernel: 1, name: 'g' })));
  b.output(b.linear(b.relu(b.linear(pooled, 16, { name: 'fc1' })), 3, { name: 'fc2' }), 'out');
  return b.build();
}

/** Checks the cut's result against the zero-channel oracle and returns it. */
async function checkOracle(graph: Graph, dep: DependencyGraph, plan: PrunePlan): Promise<Graph> {
  const zeroed = zeroRemoved(graph, dep, plan);
  const pruned = applyPrunePlan(zeroed, dep, plan);
  validateGraph(pruned, { requireTypes: true });
  expect(pruned.inputs).toEqual(graph.inputs);
  expect(pruned.outputs).toEqual(graph.outputs);
  const feeds = randomFeeds(graph, 7);
  const [want, got] = [await run(zeroed, feeds), await run(pruned, feeds)];
  for (const name of graph.outputs) {
    expect(got[name]!.dims).toEqual(want[name]!.dims);
    expect(maxDiff(got[name]!, want[name]!)).toBeLessThan(1e-4);
  }
  expect(pruneSummary(graph, pruned).paramsAfter).toBeLessThan(pruneSummary(graph, pruned).paramsBefore);
  return pruned;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

const constInput = (g: Graph, opType: string, i: number): number[] => tensorToNumbers(g.initializer(g.nodes.find((n) => n.opType === opType)!.inputs[i]!)!);

describe('applyPrunePlan', () => {
  it('returns a graph with bit-identical outputs for an empty plan', async () => {
    const g = mixedNet();
    const dep = buildDependencyGraph(g);
    const same = applyPrunePlan(g, dep, new Map());
    expect(same).not.toBe(g);
    const feeds = randomFeeds(g, 3);
    const [a, b] = [await run(g, feeds), await run(same, feeds)];
    expect(b['out']!.data).toEqual(a['out']!.data);
    // Listing every group with all channels kept is an empty plan too.
    const all = new Map(dep.groups.filter((gr) => gr.prunable).map((gr) => [gr.id, Int32Array.from({ length: gr.size }, (_, i) => i)]));
    expect((await run(applyPrunePlan(g, dep, all), feeds))['out']!.data).toEqual(a['out']!.data);
  });

  it('keeps the outputs of zeroed channels when removing the first half of every group', async () => {
    const g = mixedNet();
    const dep = buildDependencyGraph(g);
    expect(dep.groups.filter((gr) => gr.prunable).length).toBeGreaterThanOrEqual(8);
    const plan = halfPlan(dep);
    const pruned = await checkOracle(g, dep, plan);
    const dw = pruned.nodes.find((n) => n.name.includes('/dw/'))!;
    const gc = pruned.nodes.find((n) => n.name.includes('/gc/'))!;
    expect(attrInt(dw, 'group', 1)).toBe(4);
    expect(attrInt(gc, 'group', 1)).toBe(1);
    expect(pruned.staticShape(dw.outputs[0]!)[1]).toBe(4);
    expect(constInput(pruned, 'Split', 1)).toEqual([2, 3]);
    expect(pruned.initializer('d.weight')!.dims[0]).toBe(5);
    expect(constInput(pruned, 'Reshape', 1)).toEqual([1, pruned.staticShape(pruned.nodes.find((n) => n.name.includes('/f/'))!.outputs[0]!)[1], 81]);
  });

  it('keeps the outputs of zeroed channels when removing every other unit, and rewrites Slice bounds', async () => {
    const g = mixedNet();
    const dep = buildDependencyGraph(g);
    const [outside, inside] = groupsOf(dep, 'f.weight', 0);
    expect([outside!.size, inside!.size]).toEqual([2, 4]);
    const plan = new Map(alternatePlan(dep));
    plan.set(outside!.id, Int32Array.from([1]));
    const pruned = await checkOracle(g, dep, plan);
    // f's channel 0 (before the window) goes: the window [1, 5) of 6 becomes [0, 2) of 3.
    expect(constInput(pruned, 'Slice', 1)).toEqual([0]);
    expect(constInput(pruned, 'Slice', 2)).toEqual([2]);
  });

  it('prunes a weight shared by two convs once, consistently for both', async () => {
    const b = new GraphBuilder({ seed: 5 });
    const left = b.input('left', 'float32', [1, 3, 6, 6]);
    const right = b.input('right', 'float32', [1, 3, 6, 6]);
    const w = b.param('shared.weight', makeTensor('float32', [6, 3, 3, 3], Float32Array.from({ length: 162 }, (_, i) => Math.sin(i))));
    const bias = b.param('shared.bias', makeTensor('float32', [6], Float32Array.from({ length: 6 }, (_, i) => 0.1 * i)));
    const branch = (v: TensorRef): TensorRef => b.relu(b.op('Conv', [v, w, bias], { pads: attr.ints([1, 1, 1, 1]) })[0]!);
    b.output(b.conv(b.concat([branch(left), branch(right)]), 2, { kernel: 1, name: 'head' }), 'out');
    const g = b.build();
    const dep = buildDependencyGraph(g);
    const plan = new Map([[groupOf(dep, 'shared.weight', 0).id, Int32Array.from([1, 4])]]);
    const pruned = await checkOracle(g, dep, plan);
    expect(pruned.initializer('shared.weight')!.dims).toEqual([2, 3, 3, 3]);
    expect(pruned.initializer('head.weight')!.dims).toEqual([2, 4, 1, 1]);
  });

  it('prunes an MLP hidden size through Gemm', async () => {
    const b = new GraphBuilder({ seed: 2 });
    const x = b.input('x', 'float32', [2, 12]);
    b.output(b.linear(b.relu(b.linear(x, 20, { name: 'fc1' })), 5, { name: 'fc2' }), 'out');
    const g = b.build();
    const dep = buildDependencyGraph(g);
    const pruned = await checkOracle(g, dep, new Map([[groupOf(dep, 'fc1.weight', 0).id, Int32Array.from([0, 3, 7, 8, 9, 15, 16, 19])]]));
    expect(pruned.initializer('fc1.weight')!.dims).toEqual([8, 12]);
    expect(pruned.initializer('fc2.weight')!.dims).toEqual([5, 8]);
  });

  it('removes whole attention heads and rewrites the head count of every Reshape', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [1, 5, 12]);
    const first = b.scope('blk0', () => attention(b, x, 4, 3));
    b.output(b.scope('blk1', () => attention(b, first, 2, 6)), 'out');
    const g = b.build();
    const dep = buildDependencyGraph(g);
    const heads = groupOf(dep, 'blk0.q.weight', 1);
    expect([heads.size, heads.unit]).toEqual([12, 3]);
    expect([groupOf(dep, 'blk1.q.weight', 1).size, groupOf(dep, 'blk1.q.weight', 1).unit]).toEqual([12, 6]);
    // Keep heads 1 and 3 of the first block, head 0 of the second.
    const plan = new Map([
      [heads.id, Int32Array.from([3, 4, 5, 9, 10, 11])],
      [groupOf(dep, 'blk1.v.weight', 1).id, Int32Array.from(range(0, 6))],
    ]);
    const pruned = await checkOracle(g, dep, plan);
    expect(pruned.initializer('blk0.q.weight')!.dims).toEqual([12, 6]);
    expect(pruned.initializer('blk0.o.weight')!.dims).toEqual([6, 12]);
    expect(pruned.initializer('blk1.k.weight')!.dims).toEqual([12, 6]);
    const shapes = pruned.nodes.filter((n) => n.opType === 'Reshape').map((n) => tensorToNumbers(pruned.initializer(n.inputs[1]!)!).join(','));
    expect(shapes).toEqual(['1,5,2,3', '1,5,2,3', '1,5,2,3', '1,5,6', '1,5,1,6', '1,5,1,6', '1,5,1,6', '1,5,6']);
  });

  it('removes a conv channel with its block of features behind a Flatten', async () => {
    const b = new GraphBuilder({ seed: 4 });
    const a = b.conv(b.input('x', 'float32', [1, 3, 3, 3]), 6, { padding: 1, name: 'a' });
    b.output(b.linear(b.flatten(b.relu(a)), 5, { name: 'fc' }), 'out');
    const g = b.build();
    const dep = buildDependencyGraph(g);
    const pruned = await checkOracle(g, dep, new Map([[groupOf(dep, 'a.weight', 0).id, Int32Array.from([0, 2, 5])]]));
    expect(pruned.initializer('fc.weight')!.dims).toEqual([5, 27]);
  });

  it('prunes through a Reshape whose shape is computed at run time', async () => {
    const b = new GraphBuilder({ seed: 6 });
    const a = b.conv(b.input('x', 'float32', [1, 3, 4, 4]), 8, { padding: 1, name: 'a' });
    const target = b.concat([b.slice(b.op('Shape', [a])[0]!, { starts: [0], ends: [2] }), b.ints([-1])], 0);
    b.graph.addNode({ opType: 'Reshape', inputs: [a.name, target.name], outputs: ['tokens'] });
    const tokens = { name: 'tokens', dtype: 'float32', shape: [1, 8, 16] } as const;
    b.graph.setType('tokens', tokens);
    const w = b.param('proj', makeTensor('float32', [8, 6], Float32Array.from({ length: 48 }, (_, i) => Math.cos(i))));
    b.output(b.matmul(b.transpose(tokens, [0, 2, 1]), w), 'out');
    const g = b.graph;
    validateGraph(g);
    const dep = buildDependencyGraph(g);
    const pruned = await checkOracle(g, dep, new Map([[groupOf(dep, 'a.weight', 0).id, Int32Array.from([1, 2, 6])]]));
    expect(pruned.staticShape('tokens')).toEqual([1, 3, 16]);
  });

  it('cuts with the static input shapes the comb was given', async () => {
    const g = widthChannelsNet();
    const dep = buildDependencyGraph(g, { inputShapes: { x: [1, 3, 4, 8] } });
    const plan = new Map([[groupOf(dep, 'ctx.weight', 0).id, Int32Array.from([0, 3])]]);
    const zeroed = zeroRemoved(g, dep, plan);
    const pruned = applyPrunePlan(zeroed, dep, plan);
    expect(pruned.shape('x')).toEqual([1, 3, 4, 'W']);
    expect(pruned.initializer('head.weight')!.dims).toEqual([2, 10, 1, 1]);
    const rng = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
    const feeds = { x: { type: 'float32', dims: [1, 3, 4, 8], data: rng(96, 0.3) }, y: { type: 'float32', dims: [1, 3, 4, 4], data: rng(48, 0.7) } } as const;
    const [want, got] = [await run(zeroed, feeds), await run(pruned, feeds)];
    expect(maxDiff(got['out']!, want['out']!)).toBeLessThan(1e-5);
  });

  it('removes a channel everywhere it reaches: both halves of a Split added back together', async () => {
    const b = new GraphBuilder({ seed: 9 });
    const d = b.conv(b.input('x', 'float32', [1, 3, 5, 5]), 8, { kernel: 1, name: 'd' });
    const [s0, s1] = b.split(d, [4, 4]);
    b.output(b.conv(b.relu(b.add(s0!, s1!)), 2, { kernel: 1, name: 'e' }), 'out');
    const g = b.build();
    const dep = buildDependencyGraph(g);
    const group = groupOf(dep, 'd.weight', 0);
    // Keep pairs 1 and 3: channels 1, 5, 3, 7 of d.
    const pruned = await checkOracle(g, dep, new Map([[group.id, Int32Array.from([2, 3, 6, 7])]]));
    expect(constInput(pruned, 'Split', 1)).toEqual([2, 2]);
    expect(pruned.initializer('e.weight')!.dims).toEqual([2, 2, 1, 1]);
  });

  it('does not modify its input graph', () => {
    const g = mixedNet();
    const dep = buildDependencyGraph(g);
    const dims = [...g.initializers].map(([k, t]) => `${k}:${t.dims.join('x')}`);
    applyPrunePlan(g, dep, halfPlan(dep));
    expect([...g.initializers].map(([k, t]) => `${k}:${t.dims.join('x')}`)).toEqual(dims);
  });

  describe('rejects invalid plans with an InvalidParameterError naming the group', () => {
    const g = mixedNet();
    const dep = buildDependencyGraph(g);
    const mlp = groupOf(dep, 'fc1.weight', 0);
    const chain = groupOf(dep, 'a.weight', 0);
    const fixed = groupOf(dep, 'fc2.weight', 0);
    const cases: [string, PrunePlan, RegExp][] = [
      ['index out of range', new Map([[mlp.id, Int32Array.from([0, 16])]]), /outside \[0, 15\]/],
      ['unsorted', new Map([[mlp.id, Int32Array.from([3, 1])]]), /sorted ascending/],
      ['repeated', new Map([[mlp.id, Int32Array.from([1, 1])]]), /sorted ascending/],
      ['empty keep', new Map([[mlp.id, new Int32Array(0)]]), /keeps no channel/],
      ['not prunable', new Map([[fixed.id, Int32Array.from([0])]]), /is not prunable/],
      ['not a multiple of the unit', new Map([[chain.id, Int32Array.from([0, 1, 2])]]), /not a multiple of its unit 4/],
      ['partial blocks', new Map([[chain.id, Int32Array.from([0, 1, 2, 4])]]), /whole blocks of 4/],
      ['unknown group', new Map([[dep.groups.length, Int32Array.from([0])]]), /no group/],
      ['not an Int32Array', new Map([[mlp.id, [0, 1] as unknown as Int32Array]]), /Int32Array/],
    ];
    for (const [what, plan, message] of cases) {
      it(what, () => {
        expect(() => applyPrunePlan(g, dep, plan)).toThrow(InvalidParameterError);
        expect(() => applyPrunePlan(g, dep, plan)).toThrow(message);
        if (what !== 'unknown group') expect(() => applyPrunePlan(g, dep, plan)).toThrow(/group \d+ \('/);
      });
    }
    it('a dependency graph built from another graph', () => {
      const b = new GraphBuilder();
      b.output(b.linear(b.input('x', 'float32', [2, 12]), 3, { name: 'fc1' }), 'out');
      expect(() => applyPrunePlan(b.build(), dep, new Map([[mlp.id, Int32Array.from([0])]]))).toThrow(/another graph/);
    });
  });
});
