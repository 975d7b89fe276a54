/**
 * The pruning engine on our stereo student (issue 7, "Evidence"): the exported inference model
 * (BN folded, `disparity` + `logits` + `confidence`), at a fixed size and with the default dynamic
 * H/W. The cost volume's channels are disparity hypotheses and the logits' channels are disparities:
 * the comb must leave both whole, while the feature extractor and the aggregation shrink.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyPrunePlan,
  buildDependencyGraph,
  createGraphSession,
  isFloatDType,
  makeTensor,
  numel,
  planPruning,
  scoreGroups,
  validateGraph,
  type BackendTensor,
  type ChannelGroup,
  type DependencyGraph,
  type Graph,
} from '@stereo-sdk/core';
import { buildStudent, STUDENT_VARIANTS, toInferenceModel } from '@stereo-sdk/stereo';
import { randomTensor } from '../nets/helpers.js';

const H = 32;
const W = 64;
const CONFIG = { widthMultiplier: 0.5, maxDisparity: 32 } as const;
/** The logits and the cost volume both live at 1/4 with one channel per disparity hypothesis. */
const LOGITS_CHANNELS = CONFIG.maxDisparity / 4;
const VOLUME_CHANNELS = CONFIG.maxDisparity / 4;

async function run(g: Graph, feeds: Record<string, BackendTensor>): Promise<Record<string, BackendTensor>> {
  const session = await createGraphSession(g, { threads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const paramCount = (g: Graph): number => [...g.initializers.values()].reduce((n, t) => n + (isFloatDType(t.dtype) ? numel(t.dims) : 0), 0);

/** The cost volume: the Concat input (feeding the aggregation) made by the last node of the `cost` scope. */
function costVolume(g: Graph): string {
  for (const node of g.nodes) {
    if (node.opType !== 'Concat' || node.name.startsWith('/cost/')) continue;
    const v = node.inputs.find((name) => g.producer(name)?.name.startsWith('/cost/'));
    if (v) return v;
  }
  throw new Error('no cost volume Concat in the student graph');
}

/**
 * Zeroes channels of a group where they are made (producer and affine slices: conv rows, folded-BN
 * biases). Downstream of ReLU, Resize, Pad and the correlation MatMul a zero channel adds nothing.
 */
function killChannels(g: Graph, group: ChannelGroup, channels: readonly number[]): Graph {
  const out = g.clone();
  for (const s of group.params) {
    if (s.role === 'consumer') continue;
    const t = out.initializer(s.param)!;
    const data = Float32Array.from(t.data as Float32Array);
    const inner = numel(t.dims.slice(s.axis + 1));
    const n = t.dims[s.axis]!;
    for (let o = 0; o < numel(t.dims.slice(0, s.axis)); o++) for (const k of channels) data.fill(0, (o * n + s.indices[k]!) * inner, (o * n + s.indices[k]! + 1) * inner);
    out.setInitializer(s.param, makeTensor('float32', t.dims, data));
  }
  return out;
}

/** Largest |a - b| over all outputs, relative to max |a| of that output. */
function relativeDiff(a: Record<string, BackendTensor>, b: Record<string, BackendTensor>): number {
  let worst = 0;
  for (const [name, ta] of Object.entries(a)) {
    const da = ta.data as Float32Array;
    const db = b[name]!.data as Float32Array;
    if (da.length !== db.length) return Infinity;
    let scale = 1e-12;
    let diff = 0;
    for (let i = 0; i < da.length; i++) {
      scale = Math.max(scale, Math.abs(da[i]!));
      diff = Math.max(diff, Math.abs(da[i]! - db[i]!));
    }
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

const prunableTouching = (dep: DependencyGraph, value: string, axis: number) => dep.groups.filter((g) => g.prunable && g.values.some((s) => s.value === value && s.axis === axis));

for (const dynamic of [false, true]) {
  describe(`student inference model (${dynamic ? 'dynamic H, W' : `fixed ${W}x${H}`})`, () => {
    let model: Graph;
    let dep: DependencyGraph;
    let volume: string;
    const feeds = { left: randomTensor([1, 3, H, W], 1), right: randomTensor([1, 3, H, W], 2) };
    let reference: Record<string, BackendTensor>;
    beforeAll(async () => {
      model = toInferenceModel(buildStudent({ height: H, width: W, config: CONFIG }).graph, { dynamic });
      volume = costVolume(model);
      dep = buildDependencyGraph(model);
      reference = await run(model, feeds);
    });

    it('keeps the cost volume and the logits whole, and finds prunable groups elsewhere', () => {
      expect(prunableTouching(dep, 'logits', 1)).toEqual([]);
      expect(model.producer(volume)!.opType, `cost volume '${volume}'`).toBe('Transpose');
      expect(prunableTouching(dep, volume, 1), `cost volume '${volume}'`).toEqual([]);
      const logitsConv = model.producer(model.producer('logits')!.inputs[0]!)!;
      const logitsWeight = logitsConv.inputs[1]!;
      expect(dep.groups.filter((g) => g.prunable && g.params.some((s) => s.param === logitsWeight && s.axis === 0))).toEqual([]);
      // The hourglass reads [volume, context]: none of the volume's channels may be in a prunable group.
      const concat = model.consumers(volume).find((n) => n.opType === 'Concat')!;
      expect(concat.inputs[0]).toBe(volume);
      for (const g of dep.groups.filter((x) => x.prunable)) {
        for (const s of g.values) {
          if (s.value === concat.outputs[0] && s.axis === 1) expect(Math.min(...s.indices), `group ${g.id} cuts into the volume's ${VOLUME_CHANNELS} channels`).toBeGreaterThanOrEqual(VOLUME_CHANNELS);
        }
      }
      expect(dep.groups.filter((g) => g.prunable).length).toBeGreaterThan(3);
    });

    it('0 % gives identical outputs', async () => {
      const out = await run(applyPrunePlan(model, dep, new Map()), feeds);
      for (const name of model.outputs) expect(Array.from(out[name]!.data as Float32Array), name).toEqual(Array.from(reference[name]!.data as Float32Array));
    });

    it('50 % (L2): validates, runs with the same output shapes, fewer parameters, volume and logits untouched', async () => {
      const plan = planPruning(dep, scoreGroups(model, dep, 'l2'), { ratio: 0.5 });
      const pruned = applyPrunePlan(model, dep, plan);
      validateGraph(pruned);
      expect([pruned.inputs, pruned.outputs]).toEqual([model.inputs, model.outputs]);
      expect(paramCount(pruned)).toBeLessThan(paramCount(model));
      const logitsWeight = model.producer(model.producer('logits')!.inputs[0]!)!.inputs[1]!;
      expect(pruned.initializer(logitsWeight)!.dims[0]).toBe(LOGITS_CHANNELS);
      const out = await run(pruned, feeds);
      for (const name of model.outputs) {
        expect(out[name]!.dims, name).toEqual(reference[name]!.dims);
        expect((out[name]!.data as Float32Array).every(Number.isFinite), name).toBe(true);
      }
      expect(out['logits']!.dims).toEqual([1, LOGITS_CHANNELS, H / 4, W / 4]);
      // The volume inside the cut graph still carries every disparity hypothesis.
      const probe = pruned.clone();
      probe.addOutput(volume);
      expect((await run(probe, feeds))[volume]!.dims[1]).toBe(VOLUME_CHANNELS);
    });

    it.skipIf(dynamic)('cutting zeroed channels leaves the outputs unchanged (features, and the matching features through the cost volume)', async () => {
      // The untrained net's outputs barely move, so also watch the hourglass input [volume, context].
      const hourglassInput = model.consumers(volume).find((n) => n.opType === 'Concat')!.outputs[0]!;
      const probed = (g: Graph): Graph => {
        const c = g.clone();
        c.addOutput(hourglassInput);
        return c;
      };
      const base = await run(probed(model), feeds);
      for (const param of ['feature.stage2.down.weight', 'feature.match.conv.weight']) {
        const group = dep.groups.find((g) => g.params.some((p) => p.param === param && p.axis === 0 && p.role === 'producer'))!;
        expect(group?.prunable, `group made by '${param}' is prunable (${group?.fixedReason ?? 'no group'})`).toBe(true);
        const channels = [1, group.size - 2];
        const dead = killChannels(model, group, channels);
        const expected = await run(probed(dead), feeds);
        expect(relativeDiff(base, expected), `${param}: the channels mattered`).toBeGreaterThan(1e-4);
        const keep = Int32Array.from({ length: group.size }, (_, k) => k).filter((k) => !channels.includes(k));
        const cut = applyPrunePlan(dead, dep, new Map([[group.id, keep]]));
        expect(relativeDiff(expected, await run(probed(cut), feeds)), `${param}: cut of channels ${channels.join(',')}`).toBeLessThan(1e-5);
      }
    });
  });
}

describe('fast student variant (volume and head at 1/8)', () => {
  const config = { ...STUDENT_VARIANTS.fast, widthMultiplier: 0.5, maxDisparity: 64 };
  const [h, w] = [64, 128];
  const feeds = { left: randomTensor([1, 3, h, w], 3), right: randomTensor([1, 3, h, w], 4) };

  it('keeps the 1/8 logits and volume whole, prunes the rest to a model that runs with the same outputs', async () => {
    const model = toInferenceModel(buildStudent({ height: h, width: w, config }).graph);
    const dep = buildDependencyGraph(model);
    const volume = costVolume(model);
    expect(prunableTouching(dep, 'logits', 1)).toEqual([]);
    expect(prunableTouching(dep, volume, 1)).toEqual([]);
    expect(dep.groups.filter((g) => g.prunable).length).toBeGreaterThan(3);
    const reference = await run(model, feeds);
    const pruned = applyPrunePlan(model, dep, planPruning(dep, scoreGroups(model, dep, 'l2'), { ratio: 0.5 }));
    validateGraph(pruned);
    expect(paramCount(pruned)).toBeLessThan(paramCount(model));
    const out = await run(pruned, feeds);
    for (const name of model.outputs) expect(out[name]!.dims, name).toEqual(reference[name]!.dims);
    expect(out['logits']!.dims).toEqual([1, 64 / 8, h / 8, w / 8]);
  });
});
