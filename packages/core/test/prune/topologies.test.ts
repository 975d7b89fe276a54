/**
 * The pruning engine on the topologies of issue 7 ("Evidence"): residual, inverted residual with
 * depthwise, dense concat, U-Net, transformer block. For each one:
 * (a) an empty plan (0 %) gives outputs identical to the original, through onnxruntime;
 * (b) a 50 % L2 plan gives a model that validates, runs with the same output shapes and has fewer
 *     parameters, with every cut axis shrunk by exactly the channels the plan removes;
 * (c) the comb found the coupled groups the topology implies;
 * (d) oracle: zeroing some channels of a group and cutting exactly those leaves the outputs as they
 *     were, which checks that the cut removes the indices the comb says (Concat offsets included).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateGraph } from '../../src/graph/index.js';
import { applyPrunePlan, buildDependencyGraph, planPruning, scoreGroups } from '../../src/prune/index.js';
import type { ChannelGroup, DependencyGraph } from '../../src/prune/types.js';
import { buildDenseNet, buildInvertedResidualNet, buildResidualNet, buildTransformer, buildUNet, type Fixture } from './fixtures/index.js';
import {
  checkAttentionHeads,
  checkCutShapes,
  checkDependencyGraph,
  checkPlan,
  groupOfParam,
  groupOfValue,
  groupsOfParam,
  groupsOfValue,
  headChannels,
  inOrder,
  killChannels,
  paramCount,
  paramOwners,
  planWithout,
  relativeDiff,
  runGraph,
  seededFeeds,
  staysFixed,
  valueOwners,
} from './fixtures/harness.js';

interface Topology<M> {
  readonly name: string;
  readonly build: () => Fixture<M>;
  /** (c): the groups this topology must have. */
  readonly expectGroups: (dep: DependencyGraph, f: Fixture<M>) => void;
  /** (d): groups to kill channels of, with the channels. */
  readonly kills: (dep: DependencyGraph, f: Fixture<M>) => Array<{ what: string; group: ChannelGroup; channels: number[] }>;
}

/** Defines the four checks for one topology. */
function topologySuite<M>(t: Topology<M>): void {
  describe(t.name, () => {
    let f: Fixture<M>;
    let dep: DependencyGraph;
    let feeds: ReturnType<typeof seededFeeds>;
    let reference: Awaited<ReturnType<typeof runGraph>>;
    beforeAll(async () => {
      f = t.build();
      dep = buildDependencyGraph(f.graph);
      feeds = seededFeeds(f.graph, 7);
      reference = await runGraph(f.graph, feeds);
    });

    it('0 %: the cut graph gives identical outputs', async () => {
      const same = applyPrunePlan(f.graph, dep, new Map());
      expect(same).not.toBe(f.graph);
      expect([same.inputs, same.outputs]).toEqual([f.graph.inputs, f.graph.outputs]);
      const out = await runGraph(same, feeds);
      for (const name of f.graph.outputs) {
        expect(out[name]!.dims).toEqual(reference[name]!.dims);
        expect(Array.from(out[name]!.data as Float32Array)).toEqual(Array.from(reference[name]!.data as Float32Array));
      }
    });

    it('50 % (L2, local): validates, runs with the same output shapes, fewer parameters', async () => {
      const before = paramCount(f.graph);
      const plan = planPruning(dep, scoreGroups(f.graph, dep, 'l2'), { ratio: 0.5 });
      checkPlan(dep, plan);
      expect([...plan.values()].some((keep, i) => keep.length < dep.groups[[...plan.keys()][i]!]!.size), 'the plan cuts something').toBe(true);
      const pruned = applyPrunePlan(f.graph, dep, plan);
      validateGraph(pruned, { requireTypes: true });
      expect([pruned.inputs, pruned.outputs]).toEqual([f.graph.inputs, f.graph.outputs]);
      for (const name of f.graph.inputs) expect(pruned.shape(name)).toEqual(f.graph.shape(name));
      checkCutShapes(f.graph, pruned, dep, plan);
      expect(paramCount(pruned)).toBeLessThan(before);
      const out = await runGraph(pruned, feeds);
      for (const name of f.graph.outputs) {
        expect(out[name]!.dims).toEqual(reference[name]!.dims);
        expect((out[name]!.data as Float32Array).every(Number.isFinite)).toBe(true);
      }
      // The original graph is left as it was.
      expect(paramCount(f.graph)).toBe(before);
    });

    it('the comb finds the coupled groups', () => {
      checkDependencyGraph(f.graph, dep);
      t.expectGroups(dep, f);
    });

    it('cutting zeroed channels leaves the outputs unchanged (the cut removes the right indices)', async () => {
      for (const { what, group, channels } of t.kills(dep, f)) {
        expect(group.prunable, `${what}: group ${group.id} prunable (${group.fixedReason ?? ''})`).toBe(true);
        const dead = killChannels(f.graph, group, channels);
        const expected = await runGraph(dead, feeds);
        // The killed channels mattered, so a cut of the wrong ones would show.
        expect(relativeDiff(reference, expected), `${what}: killing channels changes the outputs`).toBeGreaterThan(1e-4);
        const cut = applyPrunePlan(dead, dep, planWithout(group, channels));
        expect(relativeDiff(expected, await runGraph(cut, feeds)), `${what}: cut of channels ${channels.join(',')}`).toBeLessThan(1e-5);
      }
    });
  });
}

topologySuite({
  name: 'residual (ResNet-like, 1×1 downsampling shortcut, GAP + Gemm head)',
  build: buildResidualNet,
  expectGroups: (dep, { marks: m }) => {
    const stage1 = groupOfValue(dep, m.stage1[0]!);
    const stage2 = groupOfValue(dep, m.stage2[0]!);
    for (const v of m.stage1) expect(groupOfValue(dep, v).id, `stage 1 stream '${v}'`).toBe(stage1.id);
    for (const v of m.stage2) expect(groupOfValue(dep, v).id, `stage 2 stream '${v}'`).toBe(stage2.id);
    expect([stage1.size, stage2.size]).toEqual([...m.width]);
    expect(stage1.prunable && stage2.prunable).toBe(true);
    expect(stage1.unit).toBe(1);
    // Stage 1 is read by the downsample and the first stage-2 conv; stage 2 made by the downsample, read by the Gemm (via GAP + Flatten).
    expect(groupOfParam(dep, m.shortcutWeight, 1, 'consumer').id).toBe(stage1.id);
    expect(groupOfParam(dep, m.stage2FirstWeight, 1, 'consumer').id).toBe(stage1.id);
    expect(groupOfParam(dep, m.shortcutWeight, 0, 'producer').id).toBe(stage2.id);
    expect(groupOfParam(dep, m.headWeight, 1, 'consumer').id).toBe(stage2.id);
    const inner = m.inner.map((v) => groupOfValue(dep, v));
    expect(new Set([stage1.id, stage2.id, ...inner.map((g) => g.id)]).size, 'each block interior is its own group').toBe(2 + inner.length);
    for (const g of inner) expect(g.prunable).toBe(true);
    expect(staysFixed(dep, 'logits', 1)).toBe(true);
    expect(groupsOfParam(dep, m.headWeight, 0).every((g) => !g.prunable), 'the classes stay').toBe(true);
  },
  kills: (dep, { marks: m }) => [
    { what: 'stage 1 stream', group: groupOfValue(dep, m.stage1[0]!), channels: [0, 5, 14] },
    { what: 'stage 2 stream', group: groupOfValue(dep, m.stage2[0]!), channels: [1, 2, 30] },
    { what: 'block interior', group: groupOfValue(dep, m.inner[2]!), channels: [3, 17] },
  ],
});

topologySuite({
  name: 'inverted residual with depthwise (MobileNetV2-like, Clip/ReLU6)',
  build: buildInvertedResidualNet,
  expectGroups: (dep, { marks: m }) => {
    const s16 = groupOfValue(dep, m.stream16[0]!);
    for (const v of m.stream16) expect(groupOfValue(dep, v).id).toBe(s16.id);
    // block0 (t = 1) filters the stem's channels depthwise: they are one group.
    expect(groupOfParam(dep, m.block0Depthwise, 0).id).toBe(s16.id);
    const s24 = groupOfValue(dep, m.stream24[0]!);
    for (const v of m.stream24) expect(groupOfValue(dep, v).id).toBe(s24.id);
    expect(s16.prunable && s24.prunable).toBe(true);
    for (const e of m.expanded) {
      const g = groupOfParam(dep, e.expand, 0, 'producer');
      expect(g.size).toBe(e.hidden);
      expect(g.prunable).toBe(true);
      expect(g.unit, 'depthwise: the group count follows the channels').toBe(1);
      expect(groupOfParam(dep, e.depthwise, 0).id, `${e.depthwise} in the expansion group`).toBe(g.id);
      expect(groupOfValue(dep, e.dwOut).id).toBe(g.id);
      expect(groupOfParam(dep, e.project, 1, 'consumer').id).toBe(g.id);
    }
    expect(staysFixed(dep, 'logits', 1)).toBe(true);
  },
  kills: (dep, { marks: m }) => [
    { what: 'expansion + depthwise', group: groupOfParam(dep, m.expanded[0]!.expand, 0, 'producer'), channels: [0, 9, 33, 63] },
    { what: '16-channel stream through block0 depthwise', group: groupOfValue(dep, m.stream16[0]!), channels: [2, 7] },
    { what: '24-channel residual stream', group: groupOfValue(dep, m.stream24[0]!), channels: [4, 23] },
  ],
});

topologySuite({
  name: 'dense concat (DenseNet-like, pre-activation BN on the concatenations)',
  build: () => buildDenseNet(),
  expectGroups: (dep, { marks: m }) => {
    const stem = groupOfValue(dep, m.stem);
    const fresh = m.newFeatures.map((v) => groupOfValue(dep, v));
    expect(stem.size).toBe(m.stemChannels);
    for (const g of [stem, ...fresh]) expect(g.prunable).toBe(true);
    expect(new Set([stem, ...fresh].map((g) => g.id)).size, 'each producer is its own group').toBe(1 + fresh.length);
    // concat[i] = [stem, new0, ..., new_i]: each segment is its group laid out in order, at its offset.
    m.concats.forEach((cat, i) => {
      const expected = [stem, ...fresh.slice(0, i + 1)].flatMap(inOrder);
      expect(valueOwners(dep, cat, 1, expected.length), `offsets in '${cat}'`).toEqual(expected);
    });
    // Readers: layer i's bottleneck conv and pre-activation BN read concat[i-1] (the stem for i = 0); the transition reads the last.
    m.readers.forEach((w, i) => {
      const expected = [stem, ...fresh.slice(0, i)].flatMap(inOrder);
      expect(paramOwners(dep, w, 1, expected.length), `input columns of '${w}'`).toEqual(expected);
      expect(paramOwners(dep, m.readerBnScales[i]!, 0, expected.length), `channels of '${m.readerBnScales[i]}'`).toEqual(expected);
    });
  },
  kills: (dep, { marks: m }) => [
    { what: 'stem (first segment of every Concat)', group: groupOfValue(dep, m.stem), channels: [1, 6, 15] },
    { what: 'layer 0 features (middle segment)', group: groupOfValue(dep, m.newFeatures[0]!), channels: [0, 8, 13] },
    { what: 'layer 2 features (last segment)', group: groupOfValue(dep, m.newFeatures[2]!), channels: [3, 15] },
  ],
});

topologySuite({
  name: 'U-Net (Resize upsampling, Concat skips)',
  build: buildUNet,
  expectGroups: (dep, { marks: m }) => {
    const [w0, w1, wb, wd] = m.widths;
    const e0 = groupOfValue(dep, m.enc[0]);
    const e1 = groupOfValue(dep, m.enc[1]);
    const bott = groupOfValue(dep, m.bottleneck);
    const up1 = groupOfValue(dep, m.up[1]);
    expect(groupOfValue(dep, m.up[0]).id, 'Resize keeps the channels of its input').toBe(bott.id);
    expect([e0.size, e1.size, bott.size, up1.size]).toEqual([w0, w1, wb, wd]);
    for (const g of [e0, e1, bott, up1]) expect(g.prunable).toBe(true);
    expect(valueOwners(dep, m.cat[0], 1, w1 + wb)).toEqual([...inOrder(e1), ...inOrder(bott)]);
    expect(valueOwners(dep, m.cat[1], 1, w0 + wd)).toEqual([...inOrder(e0), ...inOrder(up1)]);
    expect(paramOwners(dep, m.decoderReaders[0], 1, w1 + wb)).toEqual([...inOrder(e1), ...inOrder(bott)]);
    expect(paramOwners(dep, m.decoderReaders[1], 1, w0 + wd)).toEqual([...inOrder(e0), ...inOrder(up1)]);
    expect(staysFixed(dep, 'mask', 1)).toBe(true);
    expect(groupsOfParam(dep, m.headWeight, 0).every((g) => !g.prunable), 'the output classes stay').toBe(true);
  },
  kills: (dep, { marks: m }) => [
    { what: 'skip (first segment of the last Concat)', group: groupOfValue(dep, m.enc[0]), channels: [0, 11] },
    { what: 'bottleneck through Resize (second segment)', group: groupOfValue(dep, m.bottleneck), channels: [5, 40, 63] },
  ],
});

topologySuite({
  name: 'transformer block (LayerNorm, multi-head attention, GELU MLP)',
  build: buildTransformer,
  expectGroups: (dep, { marks: m }) => {
    // Heads are grouped (whole heads, Q/K/V/O together) or frozen, never cut mid-head.
    checkAttentionHeads(dep, m, m.dim, m.headDim);
    const mlp = groupOfParam(dep, m.fc1, 1, 'producer');
    expect([mlp.size, mlp.unit, mlp.prunable]).toEqual([m.mlpHidden, 1, true]);
    expect(groupOfParam(dep, m.fc2, 0, 'consumer').id).toBe(mlp.id);
    expect(groupOfValue(dep, m.mlpHiddenValue, 2).id).toBe(mlp.id);
    // The residual stream is one group (or frozen), never split between the Adds.
    const stream = m.stream.map((s) => groupsOfValue(dep, s, 2).map((g) => g.id).join());
    if (stream.every((ids) => ids === '')) for (const s of m.stream) expect(staysFixed(dep, s, 2)).toBe(true);
    else {
      expect(new Set(stream).size === 1 && !stream[0]!.includes(','), `residual stream groups ${stream.join(' | ')}`).toBe(true);
      const group = groupOfValue(dep, m.stream[0]!, 2);
      // LayerNorm normalizes over the stream's channels: its scale and shift are sliced with it.
      if (group.prunable) for (const p of m.layerNormScales) expect(groupOfParam(dep, p, 0).id, `'${p}' in the stream group`).toBe(group.id);
    }
    expect(staysFixed(dep, 'logits', 1)).toBe(true);
  },
  kills: (dep, { marks: m }) => {
    const kills = [{ what: 'MLP hidden', group: groupOfParam(dep, m.fc1, 1, 'producer'), channels: [1, 3, 62] }];
    if (checkAttentionHeads(dep, m, m.dim, m.headDim)) kills.push({ what: 'attention head 1 (Q, K, V, O)', ...headChannels(dep, m.q, 1, m.headDim) });
    return kills;
  },
});
