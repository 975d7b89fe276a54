/**
 * The prune-to-latency loop on a tiny student (width 0.25, 16 disparities) at 128×64, one
 * fine-tuning step per pruning step, one thread: parameters fall step by step, the run folder holds
 * every step, a generous target stops before pruning, an unreachable one reports that it was not
 * met, a stopped run resumes after its last completed step, and a latency table is profiled and
 * planned with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOnnx, writeImage, writeOnnx } from '@stereo-sdk/core';
import {
  buildStudent,
  generateSyntheticPair,
  openTrainingSource,
  profileLatency,
  pruneToLatency,
  readLatencyTable,
  readPruneState,
  toInferenceModel,
  writeLatencyTable,
  type PruneEvent,
  type PruneToLatencyOptions,
} from '@stereo-sdk/stereo';
import { stereoGradientStats } from '../../src/pruning/gradients.js';

const RES = { name: '128x64', width: 128, height: 64 };
const DATA = 'synth:?width=128&height=64&maxDisparity=14';
const VAL = 'synth:?width=128&height=64&maxDisparity=14&count=2&seed=9';

let tmp: string;
let model: string;

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'prune-latency-'));
  model = path.join(tmp, 'student.onnx');
  const net = buildStudent({ height: 64, width: 128, seed: 1, config: { widthMultiplier: 0.25, maxDisparity: 16 } });
  await writeOnnx(model, toInferenceModel(net.graph));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** Tiny, fast settings: 1 fine-tuning step of batch 1 on 64×128 crops, 3 timed runs, 1 thread, multiples of 4. */
const tiny = (name: string, extra: PruneToLatencyOptions = {}): PruneToLatencyOptions => ({
  model,
  data: DATA,
  out: path.join(tmp, name, 'pruned.onnx'),
  resolution: RES,
  finetuneSteps: 1,
  batch: 1,
  crop: { height: 64, width: 128 },
  runs: 3,
  warmup: 1,
  threads: 1,
  // The tiny student's groups have 8–16 channels: a multiple of 4 leaves room for two steps.
  multiple: 4,
  ...extra,
});

describe('pruneToLatency', () => {
  it('prunes on a fixed schedule: parameters and MACs fall every step, each step is on disk', async () => {
    const events: PruneEvent['type'][] = [];
    const r = await pruneToLatency(tiny('fixed', { val: VAL, steps: 2, stepRatio: 0.3, onEvent: (e) => events.push(e.type) }));
    expect(r).toMatchObject({ met: true, reason: 'max-steps', latencySource: 'measured', criterion: 'l2', resumed: false });
    expect(r.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    for (let k = 1; k < r.steps.length; k++) {
      const [a, b] = [r.steps[k - 1]!, r.steps[k]!];
      expect(b.params).toBeLessThan(a.params);
      expect(b.macs).toBeLessThan(a.macs);
      expect(b.channels).toBeLessThan(a.channels);
      expect(b.ratio).toBeGreaterThan(0.15);
      expect(b.finetuneSteps).toBe(1);
    }
    for (const s of r.steps) {
      expect(s.p50Ms).toBeGreaterThan(0);
      expect(Number.isFinite(s.epe) && Number.isFinite(s.bad2)).toBe(true);
      expect(existsSync(path.join(r.runDir, s.model))).toBe(true);
    }
    expect(events).toEqual(['start', 'measured', 'planned', 'finetune', 'step', 'planned', 'finetune', 'step', 'end']);
    // The output is the last step's model, and it runs as a deployable model of the contract.
    const out = await readOnnx(r.out!);
    expect(out.metadata.get('stereo_sdk.contract')).toBeDefined();
    // The logits keep one channel per disparity hypothesis (16 / 4): the comb never cuts them.
    expect(out.shape('logits')![1]).toBe(4);
    expect((await readPruneState(r.runDir)).finished).toEqual({ reason: 'max-steps', met: true });
  });

  it('stops before pruning when the unpruned model already meets a generous target', async () => {
    const r = await pruneToLatency(tiny('generous', { targetMs: 1e6, finetuneSteps: 0 }));
    expect(r).toMatchObject({ met: true, reason: 'target-met', targetMs: 1e6 });
    expect(r.steps).toHaveLength(1);
    expect(existsSync(r.out!)).toBe(true);
  });

  it('reports an unreachable target as not met after the last step', async () => {
    const planned: number[] = [];
    const r = await pruneToLatency(tiny('unreachable', { targetMs: 1e-3, steps: 1, maxStepRatio: 0.4, finetuneSteps: 0, onEvent: (e) => e.type === 'planned' && planned.push(e.ratio) }));
    expect(r).toMatchObject({ met: false, reason: 'max-steps' });
    expect(r.steps).toHaveLength(2);
    expect(r.steps[1]!.params).toBeLessThan(r.steps[0]!.params);
    // The planner asks for all it may in one step (channel counts round to multiples of 8).
    expect(planned[0]).toBeGreaterThan(0.2);
    expect(existsSync(r.out!)).toBe(true);
  });

  it('resumes a stopped run after its last completed step', async () => {
    const controller = new AbortController();
    const first = await pruneToLatency(tiny('resume', { steps: 2, stepRatio: 0.25, finetuneSteps: 0, signal: controller.signal, onEvent: (e) => e.type === 'step' && controller.abort() }));
    expect(first).toMatchObject({ reason: 'stopped', met: false });
    expect(first.out).toBeUndefined();
    expect(first.steps.map((s) => s.step)).toEqual([0, 1]);
    const step1 = await fsp.readFile(path.join(first.runDir, 'step-001.onnx'));

    await expect(pruneToLatency(tiny('resume', { steps: 2 }))).rejects.toThrow(/already holds a prune run/);
    await expect(pruneToLatency({ runDir: first.runDir, resume: true, criterion: 'l1' })).rejects.toThrow(/criterion/);
    const second = await pruneToLatency({ runDir: first.runDir, resume: true, threads: 1 });
    expect(second).toMatchObject({ resumed: true, reason: 'max-steps', met: true });
    expect(second.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(second.steps[1]).toEqual(first.steps[1]);
    expect(second.steps[2]!.params).toBeLessThan(second.steps[1]!.params);
    expect(Buffer.compare(await fsp.readFile(path.join(first.runDir, 'step-001.onnx')), step1)).toBe(0);
    expect(existsSync(second.out!)).toBe(true);
  });

  it('profiles a latency table and plans with it against the predicted latency', async () => {
    const table = await profileLatency(model, { resolution: RES, runs: 2, warmup: 1, threads: 1, fractions: [0.5] });
    expect(table).toMatchObject({ format: 'stereo-sdk/latency-table', version: 1, preset: { width: 128, height: 64 }, fractions: [0.5] });
    expect(table.groups.length).toBeGreaterThan(3);
    for (const g of table.groups) {
      expect(g.points).toHaveLength(1);
      expect(g.points[0]!.removed).toBeGreaterThan(0);
      expect(g.msPerChannel).toBeGreaterThanOrEqual(0);
    }
    const file = path.join(tmp, 'lut.json');
    await writeLatencyTable(file, table);
    expect(await readLatencyTable(file)).toEqual(table);
    // A table where every group saves time, so the planner has something to allocate whatever the noise.
    const lut = { ...table, groups: table.groups.map((g, i) => ({ ...g, msPerChannel: 0.001 * (i + 1) })) };
    const saving = lut.groups.reduce((a, g) => a + g.msPerChannel * g.size, 0);
    const target = lut.baselineMs - saving / 4;
    const r = await pruneToLatency(tiny('lut', { lut, targetMs: target, steps: 2, finetuneSteps: 0 }));
    expect(r.latencySource).toBe('lut');
    expect(r.steps[0]!.predictedMs).toBeCloseTo(lut.baselineMs, 6);
    expect(r.steps.length).toBeGreaterThan(1);
    for (let k = 1; k < r.steps.length; k++) expect(r.steps[k]!.predictedMs!).toBeLessThan(r.steps[k - 1]!.predictedMs!);
    expect(r.met).toBe(r.steps.at(-1)!.predictedMs! <= target);
    expect(existsSync(path.join(r.runDir, 'lut.json'))).toBe(true);
    await expect(pruneToLatency(tiny('lut-mismatch', { lut: { ...lut, preset: { name: 'kitti', width: 1242, height: 375 } }, targetMs: 1 }))).rejects.toThrow(/1242x375/);
  });

  it('collects gradients with the supervised loss on labeled data and the distillation loss on unlabeled pairs', async () => {
    const unlabeled = path.join(tmp, 'pairs');
    for (const i of [0, 1]) {
      const pair = generateSyntheticPair({ width: 128, height: 64, maxDisparity: 14 }, 30 + i);
      await writeImage(path.join(unlabeled, 'left', `${i}.png`), pair.left);
      await writeImage(path.join(unlabeled, 'right', `${i}.png`), pair.right);
    }
    const graph = await readOnnx(model);
    const other = path.join(tmp, 'teacher.onnx');
    await writeOnnx(other, toInferenceModel(buildStudent({ height: 64, width: 128, seed: 7, config: { widthMultiplier: 0.25, maxDisparity: 16 } }).graph));
    const common = { teacher: other, batches: 1, batch: 1, crop: { height: 64, width: 128 }, seed: 0, threads: 1 };
    const pairs = await openTrainingSource(`pairs:${unlabeled}`);
    const supervised = await stereoGradientStats(graph, { ...common, source: await openTrainingSource(DATA) });
    const distilled = await stereoGradientStats(graph, { ...common, source: pairs });
    expect(supervised.loss).toBe('supervised');
    expect(distilled.loss).toBe('distill');
    // Every learned conv weight of the inference model gets statistics (builder constants do not), and the loss reaches them.
    const convWeights = graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.inputs[1]!).filter((w) => w.endsWith('weight'));
    expect(convWeights.length).toBeGreaterThan(10);
    const reached = (stats: typeof supervised.stats) => convWeights.filter((w) => stats.sqGrad.get(w)!.some((v) => v > 0)).length;
    for (const { stats } of [supervised, distilled]) {
      expect(stats.batches).toBe(1);
      for (const w of convWeights) expect(stats.sqGrad.has(w), w).toBe(true);
      expect(reached(stats)).toBeGreaterThan(convWeights.length / 2);
    }
    // Distilled from itself, a model sits at the loss minimum: the statistics vanish (the loop then scores by L2).
    const self = await stereoGradientStats(graph, { ...common, teacher: model, source: pairs });
    expect(reached(self.stats)).toBe(0);
    // The loop prunes with a gradient criterion; on unlabeled data with the model as its own teacher it says so and scores by L2.
    const taylor = await pruneToLatency(tiny('taylor', { criterion: 'taylor', gradientBatches: 1, steps: 1, stepRatio: 0.3, finetuneSteps: 0 }));
    expect(taylor.criterion).toBe('taylor');
    expect(taylor.steps[1]).toMatchObject({ scoredBy: 'taylor' });
    expect(taylor.steps[1]!.params).toBeLessThan(taylor.steps[0]!.params);
    const notes: string[] = [];
    const hessian = await pruneToLatency(tiny('hessian', { data: `pairs:${unlabeled}`, criterion: 'hessian', gradientBatches: 1, steps: 1, stepRatio: 0.3, finetuneSteps: 0, onEvent: (e) => e.type === 'note' && notes.push(e.message) }));
    expect(hessian.steps[1]).toMatchObject({ scoredBy: 'l2' });
    expect(notes).toEqual([expect.stringMatching(/distill loss has zero gradient.*scored by l2/)]);
  });

  it('rejects a missing model and bad options with typed errors', async () => {
    await expect(pruneToLatency(tiny('missing', { model: path.join(tmp, 'nope.onnx') }))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await expect(pruneToLatency(tiny('bad-target', { targetMs: -1 }))).rejects.toThrow(/targetMs/);
    await expect(pruneToLatency(tiny('bad-steps', { steps: 0 }))).rejects.toThrow(/steps/);
    await expect(pruneToLatency({ runDir: path.join(tmp, 'empty'), resume: true })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});
