/**
 * Models written by another tool (PyTorch's torch.onnx.export, see tools/fixtures/) prune without
 * error, with what the comb cannot follow frozen: torch-cnn (opset 13, BN kept, depthwise
 * residual block), torch-resnet (opset 13, BN fused, torchvision BasicBlocks with a 1×1
 * downsample), torch-vit-block (opset 17: run-time Shape → Slice → Concat → Reshape of the patch
 * embedding, LayerNorm parameters deduplicated by the exporter and shared through Identity
 * nodes, q/k/v Linear → MatMul + Add, Erf GELU).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTensor, numel, readOnnx, validateGraph, type Graph, type Tensor } from '../../src/graph/index.js';
import { applyPrunePlan, buildDependencyGraph, planPruning, scoreGroups } from '../../src/prune/index.js';
import type { DependencyGraph } from '../../src/prune/types.js';
import {
  checkAttentionHeads,
  checkCutShapes,
  checkDependencyGraph,
  checkPlan,
  groupOfParam,
  groupOfValue,
  groupsOfValue,
  headChannels,
  killChannels,
  paramCount,
  planWithout,
  relativeDiff,
  runGraph,
  staysFixed,
} from './fixtures/harness.js';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;

interface Expected {
  output: number[];
  dims: number[];
  inputDims?: number[];
}

/** The exporter's reference input: linspace(-1, 1) over the input's elements. */
function linspaceInput(dims: readonly number[]): Tensor {
  const n = numel(dims);
  return makeTensor('float32', dims, Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1)));
}

/** The weight (input 1) of the node named `node`. */
const weightOf = (g: Graph, node: string): string => {
  const found = g.nodes.find((n) => n.name === node);
  expect(found, `node '${node}' in the torch export`).toBeDefined();
  return found!.inputs[1]!;
};

/** The ViT export's q/k/v/output projection weights (torch names them onnx::MatMul_<n>). */
const attentionWeights = (g: Graph) => ({
  q: weightOf(g, '/block/attn/query/MatMul'),
  k: weightOf(g, '/block/attn/key/MatMul'),
  v: weightOf(g, '/block/attn/value/MatMul'),
  o: weightOf(g, '/block/attn/dense/MatMul'),
});

interface Case {
  readonly file: string;
  readonly inputDims: readonly number[];
  /** Planner multiple (the tiny torch-cnn has 8-channel layers only). */
  readonly multiple: number;
  readonly expectGroups: (g: Graph, dep: DependencyGraph) => void;
  readonly kills: (g: Graph, dep: DependencyGraph) => Array<{ what: string; group: ReturnType<typeof groupOfValue>; channels: number[] }>;
}

const cases: Case[] = [
  {
    file: 'torch-cnn',
    inputDims: [2, 3, 9, 11],
    multiple: 4,
    expectGroups: (g, dep) => {
      // x + bn2(depthwise conv2(...)): the stem, the depthwise conv and the residual are one group.
      const stream = groupOfParam(dep, weightOf(g, '/stem/Conv'), 0, 'producer');
      expect(stream.prunable).toBe(true);
      const add = g.nodes.find((n) => n.opType === 'Add')!;
      expect(groupOfValue(dep, add.outputs[0]!).id).toBe(stream.id);
      expect(groupOfParam(dep, weightOf(g, '/block/conv2/Conv'), 0).id).toBe(stream.id);
      expect(groupOfParam(dep, 'head.weight', 1, 'consumer').id).toBe(stream.id);
    },
    kills: (g, dep) => [{ what: 'residual stream with depthwise conv', group: groupOfParam(dep, weightOf(g, '/block/conv1/Conv'), 1, 'consumer'), channels: [2, 5] }],
  },
  {
    file: 'torch-resnet',
    inputDims: [1, 3, 16, 16],
    multiple: 8,
    expectGroups: (g, dep) => {
      const stage1 = groupOfValue(dep, '/relu/Relu_output_0');
      for (const v of ['/layer1/layer1.0/Add_output_0', '/layer1/layer1.1/relu_1/Relu_output_0']) expect(groupOfValue(dep, v).id).toBe(stage1.id);
      const stage2 = groupOfValue(dep, '/layer2/layer2.0/downsample/downsample.0/Conv_output_0');
      for (const v of ['/layer2/layer2.0/Add_output_0', '/layer2/layer2.1/Add_output_0', '/Flatten_output_0']) expect(groupOfValue(dep, v).id).toBe(stage2.id);
      expect(groupOfParam(dep, 'fc.weight', 1, 'consumer').id).toBe(stage2.id);
      expect([stage1.size, stage2.size, stage1.prunable, stage2.prunable]).toEqual([16, 32, true, true]);
      expect(groupOfParam(dep, weightOf(g, '/layer2/layer2.0/downsample/downsample.0/Conv'), 1, 'consumer').id).toBe(stage1.id);
      expect(staysFixed(dep, 'y', 1)).toBe(true);
    },
    kills: (_g, dep) => [
      { what: 'stage 1 (BN fused: conv biases are the shift)', group: groupOfValue(dep, '/relu/Relu_output_0'), channels: [0, 9] },
      { what: 'stage 2 through GAP + Flatten + Gemm', group: groupOfValue(dep, '/layer2/layer2.1/Add_output_0'), channels: [4, 31] },
    ],
  },
  {
    file: 'torch-vit-block',
    inputDims: [1, 3, 16, 16],
    multiple: 8,
    expectGroups: (g, dep) => {
      const headDim = 8;
      checkAttentionHeads(dep, attentionWeights(g), 32, headDim);
      const mlp = groupOfParam(dep, weightOf(g, '/block/mlp/mlp.0/MatMul'), 1, 'producer');
      expect([mlp.size, mlp.unit, mlp.prunable]).toEqual([64, 1, true]);
      expect(groupOfParam(dep, weightOf(g, '/block/mlp/mlp.2/MatMul'), 0, 'consumer').id).toBe(mlp.id);
      expect(groupOfParam(dep, 'block.mlp.0.bias', 0).id).toBe(mlp.id);
      // The run-time reshape of the patch embedding: followed (same group as the conv) or frozen, never cut on one side only.
      const conv = groupOfParam(dep, 'patch_embed.weight', 0, 'producer');
      for (const group of groupsOfValue(dep, '/Reshape_output_0', 1)) expect(group.id === conv.id || !group.prunable, 'reshape output group').toBe(true);
      if (conv.prunable) expect(groupOfValue(dep, '/Reshape_output_0', 1).id).toBe(conv.id);
      expect(staysFixed(dep, 'y', 1)).toBe(true);
    },
    kills: (g, dep) => {
      const kills = [{ what: 'MLP hidden', group: groupOfParam(dep, weightOf(g, '/block/mlp/mlp.0/MatMul'), 1, 'producer'), channels: [0, 17, 63] }];
      const w = attentionWeights(g);
      if (checkAttentionHeads(dep, w, 32, 8)) kills.push({ what: 'attention head 2', ...headChannels(dep, w.q, 2, 8) });
      return kills;
    },
  },
];

for (const c of cases) {
  describe(`${c.file}.onnx (torch.onnx.export)`, () => {
    let g: Graph;
    let dep: DependencyGraph;
    let feeds: Record<string, Tensor>;
    let reference: Awaited<ReturnType<typeof runGraph>>;
    beforeAll(async () => {
      g = await readOnnx(fixture(`${c.file}.onnx`));
      feeds = { x: linspaceInput(c.inputDims) };
      reference = await runGraph(g, feeds);
      dep = buildDependencyGraph(g);
    });

    it('loads and computes what PyTorch computed', () => {
      const expected = JSON.parse(readFileSync(fixture(`${c.file}.expected.json`), 'utf8')) as Expected;
      expect(reference['y']!.dims).toEqual(expected.dims);
      expected.output.forEach((v, i) => expect((reference['y']!.data as Float32Array)[i]).toBeCloseTo(v, 4));
    });

    it('combs into valid groups, with what it cannot follow frozen', () => {
      checkDependencyGraph(g, dep);
      expect(dep.groups.some((group) => group.prunable)).toBe(true);
      c.expectGroups(g, dep);
    });

    it('0 % gives identical outputs', async () => {
      const out = await runGraph(applyPrunePlan(g, dep, new Map()), feeds);
      expect(out['y']!.dims).toEqual(reference['y']!.dims);
      expect(Array.from(out['y']!.data as Float32Array)).toEqual(Array.from(reference['y']!.data as Float32Array));
    });

    it('50 % (L2) validates, runs with the same output shape and has fewer parameters', async () => {
      const plan = planPruning(dep, scoreGroups(g, dep, 'l2'), { ratio: 0.5, multiple: c.multiple });
      checkPlan(dep, plan);
      const pruned = applyPrunePlan(g, dep, plan);
      validateGraph(pruned);
      expect([pruned.inputs, pruned.outputs]).toEqual([g.inputs, g.outputs]);
      checkCutShapes(g, pruned, dep, plan);
      expect(paramCount(pruned)).toBeLessThan(paramCount(g));
      const out = await runGraph(pruned, feeds);
      expect(out['y']!.dims).toEqual(reference['y']!.dims);
      expect((out['y']!.data as Float32Array).every(Number.isFinite)).toBe(true);
    });

    it('cutting zeroed channels leaves the output unchanged', async () => {
      for (const { what, group, channels } of c.kills(g, dep)) {
        expect(group.prunable, `${what} prunable`).toBe(true);
        const dead = killChannels(g, group, channels);
        const expected = await runGraph(dead, feeds);
        expect(relativeDiff(reference, expected), `${what}: the channels mattered`).toBeGreaterThan(1e-4);
        expect(relativeDiff(expected, await runGraph(applyPrunePlan(dead, dep, planWithout(group, channels)), feeds)), what).toBeLessThan(1e-5);
      }
    });
  });
}
