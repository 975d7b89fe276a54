/**
 * The trainer end to end: it fits, its step equals a JS reference of the same math, it freezes,
 * updates BN statistics, reports events, and rejects bad input with typed errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraphSession } from '../../src/backend/index.js';
import { InvalidParameterError, ShapeMismatchError } from '../../src/errors.js';
import { GraphBuilder, makeTensor } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { learningRateAt } from '../../src/train/schedule.js';
import { createTrainer, type TrainEvent } from '../../src/train/index.js';
import { mseLoss } from '../../src/train/losses.js';
import { convBatch, convNet, dataOf, f32, uniformData } from './nets.js';
import { adamwStep, maxRelDiff } from './reference.js';

const tmp = mkdtempSync(join(tmpdir(), 'trainer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Synthetic stereo-like batch: a random texture seen by two cameras (right = left shifted by a
 * per-sample disparity of 1-3 px), and as fixed regression target the 3×3 box-filtered |L − R|
 * matching cost, which a conv-BN-ReLU-conv net can represent.
 */
function stereoBatch(seed: number, n: number, h: number, w: number) {
  const rng = createRng(seed);
  const pair = new Float32Array(n * 2 * h * w);
  const target = new Float32Array(n * h * w);
  const at = (k: number, c: number, y: number, x: number) => ((k * 2 + c) * h + y) * w + x;
  for (let k = 0; k < n; k++) {
    const d = 1 + Math.floor(rng() * 3);
    const texture = Float32Array.from({ length: h * (w + d) }, () => rng());
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        pair[at(k, 0, y, x)] = texture[y * (w + d) + x + d]!;
        pair[at(k, 1, y, x)] = texture[y * (w + d) + x]!;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
          for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) s += Math.abs(pair[at(k, 0, yy, xx)]! - pair[at(k, 1, yy, xx)]!);
        }
        target[(k * h + y) * w + x] = s / 9;
      }
    }
  }
  return { pair: f32([n, 2, h, w], pair), target: f32([n, 1, h, w], target) };
}

describe('createTrainer', () => {
  it('fits a fixed regression target on synthetic stereo-like data (loss falls over 100×)', async () => {
    const [N, H, W, steps] = [4, 12, 16, 400];
    const b = new GraphBuilder({ seed: 1 });
    const pair = b.input('pair', 'float32', [N, 2, H, W]);
    const h = b.relu(b.batchNorm(b.conv(pair, 8, { padding: 1, bias: false })));
    const cost = b.conv(h, 1, { padding: 1, name: 'head' });
    b.output(cost, 'cost');
    b.output(mseLoss(b, cost, b.input('target', 'float32', [N, 1, H, W])), 'loss');
    const trainer = await createTrainer(b.build(), { optimizer: { type: 'adamw', lr: 0.02, weightDecay: 0 }, schedule: { type: 'cosine', totalSteps: steps }, threads: 1 });
    const batches = [0, 1, 2, 3].map((s) => stereoBatch(s, N, H, W));
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await trainer.trainStep(batches[i % 4]!)).loss);
    await trainer.release();
    const first = losses.slice(0, 4).reduce((a, c) => a + c) / 4;
    const last = losses.slice(-4).reduce((a, c) => a + c) / 4;
    expect(first / last).toBeGreaterThan(100);
  });

  it('one step equals the same math in JS: analytic gradient + PyTorch AdamW, over several steps', async () => {
    // y = x·w + b (broadcast over rows), loss = mean((y − t)²): dL/dw = Σ_rows 2(y − t)·x / n.
    const [R, C] = [5, 3];
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [R, C]);
    const w = b.param('w', makeTensor('float32', [1, C], uniformData(C, 1)));
    const bias = b.param('b', makeTensor('float32', [1, C], uniformData(C, 2)));
    const y = b.add(b.mul(x, w), bias);
    b.output(mseLoss(b, y, b.input('t', 'float32', [R, C])), 'loss');
    const schedule = { type: 'oneCycle', totalSteps: 10 } as const;
    const trainer = await createTrainer(b.build(), { optimizer: { type: 'adamw', lr: 0.1, weightDecay: 0.05 }, schedule, noWeightDecay: ['b'], threads: 1 });
    expect(trainer.params).toEqual(['w', 'b']);
    const p = { w: uniformData(C, 1), b: uniformData(C, 2) };
    const moments = { w: [new Float32Array(C), new Float32Array(C)], b: [new Float32Array(C), new Float32Array(C)] };
    for (let t = 1; t <= 4; t++) {
      const xs = uniformData(R * C, 10 + t);
      const ts = uniformData(R * C, 20 + t);
      let loss = 0;
      const gw = new Float64Array(C);
      const gb = new Float64Array(C);
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          const d = Math.fround(Math.fround(xs[i]! * p.w[c]!) + p.b[c]!) - ts[i]!;
          loss += (d * d) / (R * C);
          gw[c] += (2 * d * xs[i]!) / (R * C);
          gb[c] += (2 * d) / (R * C);
        }
      }
      const lr = learningRateAt(schedule, 0.1, t - 1);
      const result = await trainer.trainStep({ x: f32([R, C], xs), t: f32([R, C], ts) });
      expect(result).toMatchObject({ step: t, lr });
      expect(result.loss).toBeCloseTo(loss, 5);
      expect(result.gradNorm).toBeCloseTo(Math.hypot(...gw, ...gb), 5);
      const opts = { lr, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0.05 };
      adamwStep(p.w, Float32Array.from(gw), moments.w[0]!, moments.w[1]!, t, opts);
      adamwStep(p.b, Float32Array.from(gb), moments.b[0]!, moments.b[1]!, t, opts, false);
      const g = trainer.modelGraph();
      expect(maxRelDiff(dataOf(g.initializer('w')), p.w)).toBeLessThan(1e-5);
      expect(maxRelDiff(dataOf(g.initializer('b')), p.b)).toBeLessThan(1e-5);
    }
    await trainer.release();
  });

  it('trains an MLP (Gemm + BatchNorm1d + ReLU, MatMul head) with Nesterov SGD; its export folds BN into the Gemm', async () => {
    const b = new GraphBuilder({ seed: 8 });
    const x = b.input('x', 'float32', [8, 5]);
    const h = b.relu(b.batchNorm(b.linear(x, 16, { name: 'fc1' }), { name: 'bn1' }));
    const w2 = b.param('fc2.weight', makeTensor('float32', [16, 2], uniformData(32, 9, -0.25, 0.25)));
    const y = b.matmul(h, w2);
    b.output(y, 'y');
    b.output(mseLoss(b, y, b.input('t', 'float32', [8, 2])), 'loss');
    const trainer = await createTrainer(b.build(), { optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }, threads: 1 });
    const xs = uniformData(40, 30);
    // A smooth target the MLP can fit: t = [sin(x0 + x1), x2·x3].
    const ts = Float32Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? Math.sin(xs[(i >> 1) * 5]! + xs[(i >> 1) * 5 + 1]!) : xs[(i >> 1) * 5 + 2]! * xs[(i >> 1) * 5 + 3]!));
    const batch = { x: f32([8, 5], xs), t: f32([8, 2], ts) };
    const losses: number[] = [];
    for (let i = 0; i < 60; i++) losses.push((await trainer.trainStep(batch)).loss);
    expect(losses.at(-1)!).toBeLessThan(0.2 * losses[0]!);
    const exported = trainer.exportInference();
    expect(exported.nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'MatMul', 'Identity']);
    const [evalOut, session] = await Promise.all([trainer.evaluate({ x: batch.x }), createGraphSession(exported, { threads: 1 })]);
    const out = await session.run({ x: batch.x });
    await session.release();
    expect(maxRelDiff(dataOf(out['y']), dataOf(evalOut['y']))).toBeLessThan(1e-5);
    await trainer.release();
  });

  it('freezes by prefix and updates BN running statistics from each batch (momentum, unbiased variance)', async () => {
    // BN straight on the input, so the batch statistics are those of the data.
    const [N, C, H, W] = [2, 3, 2, 3];
    const b = new GraphBuilder({ seed: 4 });
    const x = b.input('image', 'float32', [N, C, H, W]);
    const y = b.conv(b.batchNorm(x, { name: 'norm', momentum: 0.25 }), 1, { kernel: 1, name: 'head' });
    b.output(mseLoss(b, y, b.input('target', 'float32', y.shape as number[])), 'loss');
    const g = b.build();
    const trainer = await createTrainer(g, { optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, freeze: ['head', /bias$/], threads: 1 });
    expect(trainer.params).toEqual(['norm.weight']);
    const mean = new Float64Array(C);
    const variance = new Float64Array(C).fill(1);
    for (let k = 0; k < 2; k++) {
      const batch = convBatch(g, k);
      await trainer.trainStep(batch);
      const img = dataOf(batch['image']);
      for (let c = 0; c < C; c++) {
        const vals: number[] = [];
        for (let n = 0; n < N; n++) for (let i = 0; i < H * W; i++) vals.push(img[(n * C + c) * H * W + i]!);
        const mu = vals.reduce((a, v) => a + v) / vals.length;
        const unbiased = vals.reduce((a, v) => a + (v - mu) ** 2, 0) / (vals.length - 1);
        mean[c] = 0.75 * mean[c]! + 0.25 * mu;
        variance[c] = 0.75 * variance[c]! + 0.25 * unbiased;
      }
    }
    const m = trainer.modelGraph();
    expect(maxRelDiff(dataOf(m.initializer('norm.running_mean')), mean)).toBeLessThan(1e-6);
    expect(maxRelDiff(dataOf(m.initializer('norm.running_var')), variance)).toBeLessThan(1e-6);
    expect(dataOf(m.initializer('head.weight'))).toEqual(dataOf(g.initializer('head.weight')));
    expect(dataOf(m.initializer('norm.weight'))).not.toEqual(dataOf(g.initializer('norm.weight')));
    await trainer.release();
  });

  it('fit reports start/step/checkpoint/end events and appends metrics as JSON lines', async () => {
    const g = convNet();
    const events: TrainEvent[] = [];
    const trainer = await createTrainer(g, { schedule: { type: 'constant', warmupSteps: 2 }, threads: 1, onEvent: (e) => events.push(e) });
    const metricsFile = join(tmp, 'logs', 'metrics.jsonl');
    const checkpoint = join(tmp, 'fit.onnx');
    const result = await trainer.fit({ steps: 5, data: (step) => convBatch(g, step), checkpoint, checkpointEvery: 2, metricsFile });
    expect(result.steps).toBe(5);
    expect(result.last?.step).toBe(5);
    expect(events.map((e) => e.type)).toEqual(['start', 'step', 'step', 'checkpoint', 'step', 'step', 'checkpoint', 'step', 'checkpoint', 'end']);
    const lines = readFileSync(metricsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; lr: number; loss: number });
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[0]!.lr).toBeCloseTo(1e-3 * 0.01, 12);
    expect(lines[4]!.lr).toBe(1e-3);
    expect(lines.every((l) => Number.isFinite(l.loss))).toBe(true);
    // An iterable data source that runs out stops early.
    const more = await trainer.fit({ steps: 10, data: [convBatch(g, 9), convBatch(g, 10)] });
    expect(more).toMatchObject({ steps: 2, stopped: true });
    expect(trainer.step).toBe(7);
    await trainer.release();
  });

  it('leaves out parameters that reach the loss only through non-differentiable inputs (Resize scales)', async () => {
    const b = new GraphBuilder({ seed: 2 });
    const x = b.input('x', 'float32', [1, 1, 3, 3]);
    const scales = b.param('scales', makeTensor('float32', [4], [1, 1, 2, 2]));
    const up = b.op('Resize', [b.conv(x, 2, { padding: 1, name: 'c' }), null, scales], { mode: { type: 'string', value: 'linear' } })[0]!;
    b.output(mseLoss(b, up, b.input('t', 'float32', [1, 2, 6, 6])), 'loss');
    const trainer = await createTrainer(b.build(), { params: ['scales', 'c.weight', 'c.bias'], threads: 1 });
    expect(trainer.params).toEqual(['c.weight', 'c.bias']);
    expect(trainer.trainingGraph.isInitializer('scales')).toBe(true);
    await trainer.trainStep({ x: f32([1, 1, 3, 3], uniformData(9, 1)), t: f32([1, 2, 6, 6], uniformData(72, 2)) });
    expect(dataOf(trainer.modelGraph().initializer('scales'))).toEqual(new Float32Array([1, 1, 2, 2]));
    await trainer.release();
  });

  it('rejects bad graphs, options and batches with typed errors', async () => {
    const g = convNet();
    await expect(createTrainer(g, { loss: 'nope' })).rejects.toThrow(/Loss 'nope' is not a value/);
    await expect(createTrainer(g, { loss: 'prediction' })).rejects.toThrow(/must be a float32 scalar/);
    await expect(createTrainer(g, { params: ['feature.bn0.running_mean'] })).rejects.toThrow(/running statistic/);
    await expect(createTrainer(g, { freeze: ['feature', 'head'] })).rejects.toThrow(/no trainable parameters/);
    await expect(createTrainer(g, { clipGradNorm: 0 })).rejects.toThrow(InvalidParameterError);
    const trainer = await createTrainer(g, { threads: 1 });
    expect(trainer.dataInputs).toEqual(['image', 'target']);
    const batch = convBatch(g, 0);
    await expect(trainer.trainStep({ image: batch['image']! })).rejects.toThrow(/Missing batch input 'target'/);
    await expect(trainer.trainStep({ ...batch, image: f32([1, 2, 6, 8], new Float32Array(96)) })).rejects.toThrow(ShapeMismatchError);
    await expect(trainer.fit({ steps: 0, data: [] })).rejects.toThrow(/steps/);
    expect(trainer.step).toBe(0);
    const pending = trainer.trainStep(batch);
    await expect(trainer.trainStep(batch)).rejects.toThrow(/while a step is running/);
    await expect(pending).resolves.toMatchObject({ step: 1 });
    await trainer.release();
  });
});
