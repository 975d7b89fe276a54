/**
 * Distillation losses on tiny tensors: the bin resampling matrix, and the graph-built `dist-l1`,
 * `dist-kl` and `disp-l1` against a hand computation in JavaScript (onnxruntime runs the graph),
 * then a few optimizer steps to check each term (and feature hints) goes down.
 */
import { describe, expect, it } from 'vitest';
import { createGraphSession, createRng, createTrainer, GraphBuilder, makeTensor, type BackendTensor, type Graph } from '@stereo-sdk/core';
import { binResampleMatrix, DISTILL_INPUTS, DISTILL_OUTPUTS, distillLossGraph, type BinLayout, type KdWeights } from '@stereo-sdk/stereo';

const H = 2;
const W = 3;
const FULL = { h: 8, w: 12 };

const random = (n: number, seed: number, scale = 2): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
};

/**
 * A stand-in "student": its logits [1, D, 2, 3] and disparity [1, 1, 8, 12] are parameters, and a
 * context-like feature [1, 4, 2, 3] (a parameter too, its value name left in `featureName`) for feature hints.
 */
let featureName = '';
function fakeStudent(bins: number, seed = 1): Graph {
  const b = new GraphBuilder({ name: 'fake', seed });
  b.input('left', 'float32', [1, 3, FULL.h, FULL.w]);
  b.input('right', 'float32', [1, 3, FULL.h, FULL.w]);
  const logits = b.param('student.logits', makeTensor('float32', [1, bins, H, W], random(bins * H * W, seed)));
  const disparity = b.param('student.disparity', makeTensor('float32', [1, 1, FULL.h, FULL.w], random(FULL.h * FULL.w, seed + 1, 8).map(Math.abs)));
  const feature = b.identity(b.param('student.feature', makeTensor('float32', [1, 4, H, W], random(4 * H * W, seed + 2))));
  featureName = feature.name;
  // The feature reaches the logits as a per-pixel shift, which leaves every softmax unchanged.
  b.output(b.add(logits, b.reduceMean(feature, [1])), 'logits');
  b.output(b.identity(disparity), 'disparity');
  return b.build();
}

function softmax(logits: Float32Array, bins: number, pixel: number, plane: number, t: number): number[] {
  const v = Array.from({ length: bins }, (_, k) => logits[k * plane + pixel]! / t);
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, x) => a + x, 0);
  return e.map((x) => x / s);
}

/** The teacher's distribution at the student's bins, by direct interpolation (not via the matrix). */
function resampled(p: number[], from: BinLayout, to: BinLayout): { p: number[]; mass: number } {
  const at = (d: number): number => {
    const u = d / from.spacing;
    const k = Math.floor(u);
    const f = u - k;
    return (k < from.bins ? (1 - f) * p[k]! : 0) + (k + 1 < from.bins ? f * p[k + 1]! : 0);
  };
  const r = Array.from({ length: to.bins }, (_, j) => at(j * to.spacing));
  const s = r.reduce((a, x) => a + x, 0);
  return { p: r.map((x) => x / s), mass: (s * to.spacing) / from.spacing };
}

async function run(graph: Graph, feeds: Record<string, BackendTensor>): Promise<Record<string, number>> {
  const session = await createGraphSession(graph, { threads: 1 });
  try {
    const run: Record<string, BackendTensor> = {};
    const zeros = (dims: number[]): BackendTensor => ({ type: 'float32', dims, data: new Float32Array(dims.reduce((a, d) => a * d, 1)) });
    for (const name of session.inputNames) run[name] = feeds[name] ?? zeros(graph.staticShape(name));
    const out = await session.run(run);
    return Object.fromEntries(Object.entries(out).filter(([, t]) => t.data.length === 1).map(([k, t]) => [k, Number(t.data[0])]));
  } finally {
    await session.release();
  }
}

const f32 = (dims: number[], data: Float32Array): BackendTensor => ({ type: 'float32', dims, data });

describe('binResampleMatrix', () => {
  it('is null for equal layouts and keeps the shared bins when only the range differs', () => {
    expect(binResampleMatrix({ bins: 8, spacing: 4 }, { bins: 8, spacing: 4 })).toBeNull();
    const m = binResampleMatrix({ bins: 6, spacing: 4 }, { bins: 4, spacing: 4 })!;
    for (let j = 0; j < 4; j++) for (let k = 0; k < 6; k++) expect(m[j * 6 + k]).toBe(j === k ? 1 : 0);
    // A wider student: its bins past the teacher's range get nothing.
    const wide = binResampleMatrix({ bins: 2, spacing: 4 }, { bins: 4, spacing: 4 })!;
    expect(Array.from(wide)).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('interpolates linearly in disparity between teacher bins', () => {
    // Teacher bins every 4 px, student every 2 px: odd student bins sit half-way.
    const m = binResampleMatrix({ bins: 3, spacing: 4 }, { bins: 5, spacing: 2 })!;
    expect(Array.from(m)).toEqual([1, 0, 0, 0.5, 0.5, 0, 0, 1, 0, 0, 0.5, 0.5, 0, 0, 1]);
    // Teacher every 2 px, student every 3 px: student bin 1 (3 px) is 1.5 teacher bins.
    const c = binResampleMatrix({ bins: 4, spacing: 2 }, { bins: 2, spacing: 3 })!;
    expect(Array.from(c)).toEqual([1, 0, 0, 0, 0, 0.5, 0.5, 0]);
  });
});

describe('distillation loss values', () => {
  const cases: { name: string; teacher: BinLayout; student: BinLayout; t: number }[] = [
    { name: 'same bins', teacher: { bins: 4, spacing: 4 }, student: { bins: 4, spacing: 4 }, t: 0.5 },
    { name: 'finer teacher (resampled)', teacher: { bins: 8, spacing: 2 }, student: { bins: 4, spacing: 4 }, t: 1 },
    { name: 'shorter teacher range (masked, renormalized)', teacher: { bins: 2, spacing: 4 }, student: { bins: 4, spacing: 4 }, t: 0.7 },
  ];
  it.each(cases)('dist-l1 and dist-kl match a hand computation: $name', async ({ teacher, student, t }) => {
    const net = fakeStudent(student.bins);
    const { graph, metrics } = distillLossGraph(net, { kd: { 'dist-l1': 1, 'dist-kl': 0.25 }, gtWeight: 0, studentMaxDisparity: student.bins * student.spacing, teacherBins: teacher });
    expect(metrics).toEqual([DISTILL_OUTPUTS['dist-l1'], DISTILL_OUTPUTS['dist-kl'], DISTILL_OUTPUTS.teacherEpe]);
    const plane = H * W;
    // Teacher logits peaked on different bins per pixel, so the distributions differ in shape.
    const tl = random(teacher.bins * plane, 9, 3);
    const out = await run(graph, {
      [DISTILL_INPUTS.teacherLogits]: f32([1, teacher.bins, H, W], tl),
      [DISTILL_INPUTS.temperature]: { type: 'float32', dims: [], data: new Float32Array([t]) },
    });
    const sl = net.initializer('student.logits')!.data as Float32Array;
    let l1 = 0;
    let kl = 0;
    let count = 0;
    for (let i = 0; i < plane; i++) {
      const q = softmax(sl, student.bins, i, plane, t);
      const pt = softmax(tl, teacher.bins, i, plane, t);
      const { p, mass } = teacher.bins === student.bins && teacher.spacing === student.spacing ? { p: pt, mass: 1 } : resampled(pt, teacher, student);
      if (mass <= 0.5) continue;
      count++;
      l1 += p.reduce((a, pk, k) => a + Math.abs(q[k]! - pk), 0);
      kl += p.reduce((a, pk, k) => a + (pk > 0 ? pk * (Math.log(pk) - Math.log(q[k]!)) : 0), 0);
    }
    expect(count).toBeGreaterThan(0);
    expect(out[DISTILL_OUTPUTS['dist-l1']]).toBeCloseTo(l1 / count, 5);
    expect(out[DISTILL_OUTPUTS['dist-kl']]).toBeCloseTo((t * t * kl) / count, 5);
    expect(out[DISTILL_OUTPUTS.loss]).toBeCloseTo(l1 / count + (0.25 * t * t * kl) / count, 5);
  });

  it('averages a finer teacher grid down to the student cells (teacherPool), then resamples the bins', async () => {
    const teacher: BinLayout = { bins: 8, spacing: 2 };
    const student: BinLayout = { bins: 4, spacing: 4 };
    const [pool, t] = [2, 0.8];
    const net = fakeStudent(student.bins, 4);
    const { graph } = distillLossGraph(net, { kd: { 'dist-l1': 1 }, gtWeight: 0, studentMaxDisparity: 16, teacherBins: teacher, teacherPool: pool });
    const [th, tw] = [H * pool, W * pool];
    const tl = random(teacher.bins * th * tw, 5, 3);
    const out = await run(graph, {
      [DISTILL_INPUTS.teacherLogits]: f32([1, teacher.bins, th, tw], tl),
      [DISTILL_INPUTS.temperature]: { type: 'float32', dims: [], data: new Float32Array([t]) },
    });
    const sl = net.initializer('student.logits')!.data as Float32Array;
    let l1 = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const mean = new Array<number>(teacher.bins).fill(0);
        for (let dy = 0; dy < pool; dy++) {
          for (let dx = 0; dx < pool; dx++) softmax(tl, teacher.bins, (y * pool + dy) * tw + x * pool + dx, th * tw, t).forEach((v, k) => (mean[k]! += v / (pool * pool)));
        }
        const q = softmax(sl, student.bins, y * W + x, H * W, t);
        l1 += resampled(mean, teacher, student).p.reduce((a, pk, k) => a + Math.abs(q[k]! - pk), 0);
      }
    }
    expect(out[DISTILL_OUTPUTS['dist-l1']]).toBeCloseTo(l1 / (H * W), 5);
    expect(() => distillLossGraph(net, { kd: { 'dist-l1': 1 }, gtWeight: 0, studentMaxDisparity: 16, teacherBins: teacher, teacherPool: 1.5 })).toThrow(/teacherPool/);
  });

  it('disp-l1 is the mean absolute difference on the trusted pixels only', async () => {
    const net = fakeStudent(4);
    const { graph } = distillLossGraph(net, { kd: { 'disp-l1': 1 }, gtWeight: 0, studentMaxDisparity: 16 });
    expect(graph.inputs).not.toContain(DISTILL_INPUTS.teacherLogits);
    const n = FULL.h * FULL.w;
    const td = random(n, 5, 8).map(Math.abs);
    const valid = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
    // An untrusted pixel may hold anything (here a huge value): it must not count.
    for (let i = 0; i < n; i += 3) td[i] = 1e6;
    const out = await run(graph, { [DISTILL_INPUTS.teacherDisparity]: f32([1, 1, FULL.h, FULL.w], td), [DISTILL_INPUTS.teacherValid]: f32([1, 1, FULL.h, FULL.w], valid) });
    const sd = net.initializer('student.disparity')!.data as Float32Array;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) if (valid[i]) (sum += Math.abs(sd[i]! - td[i]!), count++);
    expect(out[DISTILL_OUTPUTS['disp-l1']]).toBeCloseTo(sum / count, 4);
    expect(out[DISTILL_OUTPUTS.teacherEpe]).toBeCloseTo(sum / count, 4);
  });

  it('refuses terms the teacher cannot serve and an all-zero loss', () => {
    const net = fakeStudent(4);
    expect(() => distillLossGraph(net, { kd: { 'dist-kl': 1 }, gtWeight: 0, studentMaxDisparity: 16 })).toThrow(/need a teacher that exposes logits/);
    expect(() => distillLossGraph(net, { kd: { feature: 1 }, gtWeight: 0, studentMaxDisparity: 16, studentFeature: featureName })).toThrow(/teacher that outputs features/);
    expect(() => distillLossGraph(net, { kd: { feature: 1 }, gtWeight: 0, studentMaxDisparity: 16, teacherFeatureChannels: 3 })).toThrow(/does not have; name another with studentFeature/);
    expect(() => distillLossGraph(net, { kd: {}, gtWeight: 0, studentMaxDisparity: 16 })).toThrow(/Nothing to learn from/);
    expect(() => distillLossGraph(net, { kd: { 'dist-l2': 1 } as KdWeights, gtWeight: 0, studentMaxDisparity: 16 })).toThrow(/dist-l1, dist-kl, disp-l1, feature/);
  });
});

describe('distillation losses train', () => {
  const teacher: BinLayout = { bins: 8, spacing: 2 };
  const plane = H * W;
  const feeds = {
    [DISTILL_INPUTS.teacherLogits]: f32([1, teacher.bins, H, W], random(teacher.bins * plane, 21, 3)),
    [DISTILL_INPUTS.temperature]: { type: 'float32' as const, dims: [], data: new Float32Array([0.8]) },
    [DISTILL_INPUTS.teacherDisparity]: f32([1, 1, FULL.h, FULL.w], random(FULL.h * FULL.w, 22, 8).map(Math.abs)),
    [DISTILL_INPUTS.teacherValid]: f32([1, 1, FULL.h, FULL.w], new Float32Array(FULL.h * FULL.w).fill(1)),
    [DISTILL_INPUTS.teacherFeatures]: f32([1, 6, H, W], random(6 * plane, 23)),
    left: f32([1, 3, FULL.h, FULL.w], new Float32Array(3 * FULL.h * FULL.w)),
    right: f32([1, 3, FULL.h, FULL.w], new Float32Array(3 * FULL.h * FULL.w)),
  };
  it.each([['dist-l1'], ['dist-kl'], ['disp-l1'], ['feature']] as const)('%s goes down under gradient steps', async (term) => {
    const net = fakeStudent(4, 3);
    const { graph, metrics } = distillLossGraph(net, { kd: { [term]: 1 }, gtWeight: 0, studentMaxDisparity: 16, teacherBins: teacher, teacherFeatureChannels: 6, studentFeature: featureName });
    const trainer = await createTrainer(graph, { optimizer: { type: 'adamw', lr: 0.1, weightDecay: 0 }, metrics, threads: 1 });
    try {
      const losses: number[] = [];
      for (let s = 0; s < 20; s++) losses.push((await trainer.trainStep(feeds)).loss);
      expect(losses.at(-1)!).toBeLessThan(0.8 * losses[0]!);
      // The adapter is a trained parameter of the feature term, and not of the others.
      expect(trainer.params.some((p) => p.includes('adapter'))).toBe(term === 'feature');
    } finally {
      await trainer.release();
    }
  });
});
