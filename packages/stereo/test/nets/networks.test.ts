import { describe, expect, it } from 'vitest';
import { countCost, grad, GraphBuilder, selectParams, type TensorRef } from '@stereo-sdk/core';
import {
  buildStudent,
  buildTeacher,
  networkStride,
  type StereoNetwork,
  NET_METADATA_KEY,
  paddedSize,
  resolveNetConfig,
  scaled,
  STUDENT_CONFIG,
  STUDENT_VARIANTS,
  TEACHER_CONFIG,
} from '@stereo-sdk/stereo';
import { randomTensor, runGraph } from './helpers.js';

describe('student', () => {
  it('builds, validates and runs with the documented outputs', async () => {
    const net = buildStudent({ height: 64, width: 128, batch: 2 });
    expect(net.stride).toBe(16);
    expect(net.graph.inputs).toEqual(['left', 'right']);
    expect(net.graph.outputs).toEqual(['disparity', 'logits', 'disparity_coarse']);
    expect(JSON.parse(net.graph.metadata.get(NET_METADATA_KEY)!).kind).toBe('student');
    // All-2D: no 3D conv, no ConvTranspose other than the 2D pixel shuffle.
    for (const node of net.graph.nodes) {
      if (node.opType === 'Conv' || node.opType === 'ConvTranspose') expect(net.graph.shape(node.inputs[1]!)!.length).toBe(4);
    }
    const out = await runGraph(net.graph, { left: randomTensor([2, 3, 64, 128], 1), right: randomTensor([2, 3, 64, 128], 2) });
    expect(out.disparity!.dims).toEqual([2, 1, 64, 128]);
    expect(out.logits!.dims).toEqual([2, 48, 16, 32]);
    expect(out.disparity_coarse!.dims).toEqual([2, 1, 64, 128]);
    const d = out.disparity!.data as Float32Array;
    expect(d.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    // The coarse disparity is a softmax expectation: inside [0, maxDisparity).
    expect((out.disparity_coarse!.data as Float32Array).every((v) => v >= 0 && v <= 4 * 47 + 1e-3)).toBe(true);
  });

  it('scales every prunable width with the multiplier and honours max disparity and groups', () => {
    const full = buildStudent({ height: 32, width: 64 });
    const half = buildStudent({ height: 32, width: 64, config: { widthMultiplier: 0.5, maxDisparity: 96, groups: 2 } });
    const convs = (n: typeof full) => n.modules.filter((m) => m.kind === 'conv');
    expect(convs(half).map((m) => m.path)).toEqual(convs(full).map((m) => m.path));
    const fixed = new Set(['head.logits', 'upsample.residual']);
    for (const [a, b] of convs(full).map((m, i) => [m, convs(half)[i]!] as const)) {
      if (fixed.has(a.path)) continue;
      expect(b.config.outChannels, a.path).toBe(Math.max(8, Math.round((a.config.outChannels as number) / 2 / 8) * 8));
    }
    expect(half.graph.staticShape('logits')).toEqual([1, 24, 8, 16]);
    expect(countCost(half.graph).params).toBeLessThan(countCost(full.graph).params / 2.5);
    // G = 2 doubles the volume channels that reach the aggregation's 1×1 projection.
    const proj = (n: typeof full) => n.modules.find((m) => m.path === 'aggregation.proj')!.config.inChannels;
    expect(proj(half)).toBe(2 * 24 + scaled(half.config, half.config.feature.contextChannels));
  });

  it('can build its volume and hourglass at 1/8 and still give 1/4 logits', async () => {
    const net = buildStudent({ height: 64, width: 64, config: { volumeScale: 8, maxDisparity: 64 } });
    expect(net.stride).toBe(32);
    const proj = net.modules.find((m) => m.path === 'aggregation.proj')!;
    expect(proj.config.inChannels).toBe(64 / 8 + scaled(net.config, net.config.feature.contextChannels));
    expect(net.graph.staticShape(proj.input)).toEqual([1, proj.config.inChannels, 8, 8]);
    const out = await runGraph(net.graph, { left: randomTensor([1, 3, 64, 64], 5), right: randomTensor([1, 3, 64, 64], 6) });
    expect(out.logits!.dims).toEqual([1, 16, 16, 16]);
    expect(out.disparity!.dims).toEqual([1, 1, 64, 64]);
    expect(countCost(net.graph).macs).toBeLessThan(countCost(buildStudent({ height: 64, width: 64, config: { maxDisparity: 64 } }).graph).macs);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { volumeScale: 8, maxDisparity: 196 })).toThrow(/multiple of volumeScale 8/);
  });

  it('has a fast variant: patchify stem, volume and head at 1/8, nothing but the stem above 1/8', async () => {
    const net = buildStudent({ height: 64, width: 128, config: { ...STUDENT_VARIANTS.fast, maxDisparity: 64 } });
    expect(net.stride).toBe(32);
    const stem = net.modules.find((m) => m.path === 'feature.stage0.down')!;
    expect(stem.config.kernel).toEqual([4, 4]);
    expect(net.graph.staticShape(stem.output)).toEqual([2, 24, 16, 32]);
    // Only the stem's output is at 1/4; every other conv runs at 1/8 or below.
    for (const m of net.modules.filter((x) => x.kind === 'conv' && x.path !== 'feature.stage0.down')) {
      expect(net.graph.staticShape(m.output)![2], m.path).toBeLessThanOrEqual(64 / 8);
    }
    expect(net.modules.some((m) => m.path.startsWith('feature.context'))).toBe(false);
    const out = await runGraph(net.graph, { left: randomTensor([1, 3, 64, 128], 7), right: randomTensor([1, 3, 64, 128], 8) });
    expect(out.logits!.dims).toEqual([1, 8, 8, 16]);
    expect(out.disparity!.dims).toEqual([1, 1, 64, 128]);
    expect(out.disparity_coarse!.dims).toEqual([1, 1, 64, 128]);
    expect((out.disparity_coarse!.data as Float32Array).every((v) => v >= 0 && v <= 8 * 7 + 1e-3)).toBe(true);
    const base = buildStudent({ height: 64, width: 128, config: { maxDisparity: 64 } });
    expect(countCost(net.graph).macs).toBeLessThan(0.7 * countCost(base.graph).macs);
  });

  it('keeps the stride-2 stem by default and checks the stem, head and volume scales', () => {
    expect(STUDENT_CONFIG.feature.stemStride).toBe(2);
    expect(STUDENT_CONFIG.headScale).toBe(4);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { headScale: 8 })).toThrow(/at most volumeScale 4 for headScale/);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { headScale: 2 as never })).toThrow(/headScale/);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { feature: { stemStride: 3 as never } })).toThrow(/stemStride/);
    // A stride-2 stem with a 1/8 volume needs stages at 1/2, 1/4 and 1/8.
    expect(() => resolveNetConfig(STUDENT_CONFIG, { volumeScale: 8, feature: { channels: [16, 24], blocks: [0, 1] } })).toThrow(/at least 3 stages for volumeScale 8 after a stride-2 stem/);
    expect(networkStride(resolveNetConfig(STUDENT_CONFIG, { feature: { stemStride: 4, channels: [24, 32, 48], blocks: [0, 1, 1] } }))).toBe(16);
  });

  it('rejects bad sizes and configs with the reason', () => {
    expect(() => buildStudent({ height: 60, width: 128 })).toThrow(/multiple of the network stride 16; pad it to 128x64/);
    expect(() => buildStudent({ height: 64, width: 128, config: { maxDisparity: 190 } })).toThrow(/maxDisparity/);
    expect(() => buildStudent({ height: 64, width: 128, config: { groups: 3 } })).toThrow(/groups 3 must divide/);
    expect(() => buildStudent({ height: 64, width: 128, config: { widthMultiplier: 0 } })).toThrow(/widthMultiplier/);
    expect(() => buildStudent({ height: 64, width: 128, config: { aggregation3d: { channels: [8], outChannels: 2 } } })).toThrow(/all-2D/);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { feature: { channels: [16] } })).toThrow(/feature.channels/);
    expect(() => resolveNetConfig(STUDENT_CONFIG, { costVolume: 'fft' as never })).toThrow(/costVolume/);
  });

  it('pads sizes to the stride', () => {
    expect(paddedSize(1242, 375, networkStride(STUDENT_CONFIG))).toEqual({ width: 1248, height: 384 });
    expect(paddedSize(960, 540, networkStride(TEACHER_CONFIG))).toEqual({ width: 960, height: 544 });
  });
});

describe('teacher', () => {
  it('is the same family, much larger, with a 3D stage and the same outputs', async () => {
    const teacher = buildTeacher({ height: 64, width: 128 });
    const student = buildStudent({ height: 64, width: 128 });
    expect(teacher.graph.outputs).toEqual(student.graph.outputs);
    const conv3d = teacher.graph.nodes.filter((n) => n.opType === 'Conv' && teacher.graph.shape(n.inputs[1]!)!.length === 5);
    expect(conv3d.length).toBeGreaterThan(0);
    // Never a 3D ConvTranspose (very slow on CPU).
    expect(teacher.graph.nodes.filter((n) => n.opType === 'ConvTranspose').every((n) => teacher.graph.shape(n.inputs[1]!)!.length === 4)).toBe(true);
    const [tc, sc] = [countCost(teacher.graph), countCost(student.graph)];
    expect(tc.params).toBeGreaterThan(5 * sc.params);
    expect(tc.macs).toBeGreaterThan(3 * sc.macs);
    const out = await runGraph(teacher.graph, { left: randomTensor([1, 3, 64, 128], 3), right: randomTensor([1, 3, 64, 128], 4) });
    expect(out.disparity!.dims).toEqual([1, 1, 64, 128]);
    expect(out.logits!.dims).toEqual([1, TEACHER_CONFIG.maxDisparity / 4, 16, 32]);
    expect((out.disparity!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('can drop its 3D stage', () => {
    const t = buildTeacher({ height: 32, width: 64, config: { aggregation3d: null, widthMultiplier: 0.25 } });
    expect(t.config.aggregation3d).toBeUndefined();
    expect(t.graph.nodes.some((n) => n.opType === 'Conv' && t.graph.shape(n.inputs[1]!)!.length === 5)).toBe(false);
  });
});

/** L1 of both disparity outputs against a constant target, differentiated w.r.t. every parameter. */
async function checkDifferentiable(net: StereoNetwork): Promise<void> {
  const g = net.graph;
  const b = new GraphBuilder({ graph: g });
  const [n, , h, w] = net.inputShape;
  const target = b.input('target', 'float32', [n, 1, h, w]);
  const ref = (name: string): TensorRef => ({ name, dtype: 'float32', shape: g.shape(name)! });
  const l1 = (name: string): TensorRef => b.reduceMean(b.abs(b.sub(ref(name), target)));
  b.output(b.add(l1('disparity'), l1('disparity_coarse')), 'loss');
  const params = selectParams(g);
  const { graph, gradients } = grad(g, 'loss', params);
  const out = await runGraph(graph, {
    left: randomTensor([n, 3, h, w], 1),
    right: randomTensor([n, 3, h, w], 2),
    target: { type: 'float32', dims: [n, 1, h, w], data: new Float32Array(n * h * w).fill(5) },
  });
  for (const p of params) {
    const gv = out[gradients[p]!]!.data as Float32Array;
    expect(gv.every(Number.isFinite), p).toBe(true);
    expect(gv.some((v) => v !== 0), p).toBe(true);
  }
}

describe('autodiff', () => {
  it('differentiates the student end to end (every parameter gets a finite, non-zero gradient)', async () => {
    await checkDifferentiable(buildStudent({ height: 32, width: 64, batch: 2 }));
  });
  it('differentiates the teacher end to end', async () => {
    await checkDifferentiable(buildTeacher({ height: 32, width: 64, config: { widthMultiplier: 0.25 } }));
  });
});
