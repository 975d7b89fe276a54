/**
 * The multi-scale loss: its values equal a JS reference on a hand-made case, and a tiny student
 * fits a fixed synthetic batch with it.
 */
import { describe, expect, it } from 'vitest';
import { createGraphSession, createTrainer, GraphBuilder, type BackendTensor } from '@stereo-sdk/core';
import {
  assembleBatch,
  buildStudent,
  createBatchLoader,
  LOSS_OUTPUTS,
  openTrainingSource,
  resolveLossWeights,
  STUDENT_VARIANTS,
  supervisedLossGraph,
  TRAINING_INPUTS,
} from '@stereo-sdk/stereo';

const f32 = (dims: number[], data: ArrayLike<number>): BackendTensor => ({ type: 'float32', dims, data: Float32Array.from(data) });
const smoothL1 = (d: number): number => (Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5);

/** A stand-in "network" whose outputs are its inputs, so the test chooses disparity and logits. */
function passThrough(h: number, w: number, d: number) {
  const b = new GraphBuilder({ name: 'fake' });
  b.output(b.relu(b.input('d_in', 'float32', [1, 1, h, w])), 'disparity');
  b.output(b.mul(b.input('l_in', 'float32', [1, d, h / 4, w / 4]), 1), 'logits');
  return { graph: b.build() };
}

describe('supervisedLossGraph', () => {
  it('computes w_full·smoothL1(full) + w_quarter·smoothL1(4·softArgmin(logits)) over valid pixels, as a JS reference', async () => {
    const [H, W, D] = [8, 8, 3];
    const weights = { full: 0.7, quarter: 0.4 };
    const graph = supervisedLossGraph(passThrough(H, W, D), weights);
    expect(graph.outputs).toEqual(['disparity', 'logits', 'loss', 'loss_full', 'loss_quarter', 'train_epe']);
    // Hand-made values: errors below and above the smooth-L1 transition, some invalid pixels
    // (one with an infinite target, which must not poison the loss).
    const disparity = Array.from({ length: H * W }, (_, i) => (i % 7) * 0.9);
    const target = Array.from({ length: H * W }, (_, i) => (i % 5) * 1.1);
    const valid = Array.from({ length: H * W }, (_, i) => (i % 3 === 0 ? 0 : 1));
    target[0] = Infinity;
    const logits = [0.1, 2, -1, 0.5, 3, 1, -2, 0, 4, 1.5, 1.5, 0.2]; // [D=3, 2, 2]
    const targetQ = [2.5, 6, 1, 7.9];
    const validQ = [1, 0, 1, 1];
    const session = await createGraphSession(graph, { threads: 1 });
    const out = await session.run({
      d_in: f32([1, 1, H, W], disparity),
      l_in: f32([1, D, 2, 2], logits),
      [TRAINING_INPUTS.target]: f32([1, 1, H, W], target),
      [TRAINING_INPUTS.valid]: f32([1, 1, H, W], valid),
      [TRAINING_INPUTS.targetQuarter]: f32([1, 1, 2, 2], targetQ),
      [TRAINING_INPUTS.validQuarter]: f32([1, 1, 2, 2], validQ),
    });
    await session.release();

    let full = 0;
    let epe = 0;
    let n = 0;
    for (let i = 0; i < H * W; i++) {
      if (!valid[i]) continue;
      full += smoothL1(disparity[i]! - target[i]!);
      epe += Math.abs(disparity[i]! - target[i]!);
      n++;
    }
    full /= n;
    epe /= n;
    let quarter = 0;
    let nq = 0;
    for (let p = 0; p < 4; p++) {
      const scores = [0, 1, 2].map((k) => logits[k * 4 + p]!);
      const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
      const expectation = e.reduce((a, v, k) => a + v * k, 0) / e.reduce((a, v) => a + v, 0);
      if (!validQ[p]) continue;
      quarter += smoothL1(4 * expectation - targetQ[p]!);
      nq++;
    }
    quarter /= nq;
    const value = (name: string) => Number(out[name]!.data[0]);
    expect(value(LOSS_OUTPUTS.full)).toBeCloseTo(full, 5);
    expect(value(LOSS_OUTPUTS.quarter)).toBeCloseTo(quarter, 5);
    expect(value(LOSS_OUTPUTS.epe)).toBeCloseTo(epe, 5);
    expect(value(LOSS_OUTPUTS.loss)).toBeCloseTo(0.7 * full + 0.4 * quarter, 5);
  });

  it('rejects bad weights and graphs that are not stereo networks', () => {
    expect(() => resolveLossWeights({ full: -1 })).toThrow(/loss\.full/);
    expect(() => resolveLossWeights({ full: 0, quarter: 0 })).toThrow(/at least one weight/);
    const b = new GraphBuilder();
    b.output(b.relu(b.input('x', 'float32', [1, 1, 4, 4])), 'disparity');
    expect(() => supervisedLossGraph({ graph: b.build() })).toThrow(/logits/);
  });

  it('lets a tiny student fit a fixed synthetic batch (loss falls clearly within 30 steps)', async () => {
    const [N, H, W] = [2, 32, 64];
    const net = buildStudent({ height: H, width: W, batch: N, seed: 3, config: { widthMultiplier: 0.25, maxDisparity: 16 } });
    const source = await openTrainingSource('synth:?maxDisparity=14', { synthetic: { width: W, height: H, seed: 5 } });
    const loader = createBatchLoader(source, { batch: N, crop: { height: H, width: W }, maxDisparity: 16, seed: 1, augment: { color: false, occlusion: false } });
    const batch = await loader.batch(0);
    expect(Object.keys(batch).sort()).toEqual(['left', 'right', 'target', 'target_quarter', 'valid', 'valid_quarter']);
    const trainer = await createTrainer(supervisedLossGraph(net), { optimizer: { type: 'adamw', lr: 3e-3, weightDecay: 0 }, threads: 1, metrics: [LOSS_OUTPUTS.epe] });
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await trainer.trainStep(batch)).loss);
    await trainer.release();
    const avg = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(avg(losses.slice(-5))).toBeLessThan(0.3 * avg(losses.slice(0, 3)));
  });

  it('assembles the quarter-resolution targets the loss graph expects', async () => {
    const source = await openTrainingSource('synth:', { synthetic: { width: 64, height: 32, maxDisparity: 20, seed: 2 } });
    const batch = assembleBatch([await source.get(0)], 16);
    expect(batch['target_quarter']!.dims).toEqual([1, 1, 8, 16]);
    const valid = batch['valid']!.data as Float32Array;
    const target = batch['target']!.data as Float32Array;
    // Ground truth at or above the network's range is masked out.
    for (let i = 0; i < target.length; i++) expect(valid[i] ? target[i]! < 16 : target[i] === 0).toBe(true);
  });

  it('makes the coarse targets at the head scale, and the loss scales the coarse disparity by it', async () => {
    const net = buildStudent({ height: 64, width: 64, config: { ...STUDENT_VARIANTS.fast, widthMultiplier: 0.25, maxDisparity: 32 } });
    const graph = supervisedLossGraph({ graph: net.graph }, resolveLossWeights({ full: 0, quarter: 1 }));
    expect(graph.shape(TRAINING_INPUTS.targetQuarter)).toEqual([1, 1, 8, 8]);
    const source = await openTrainingSource('synth:', { synthetic: { width: 64, height: 64, maxDisparity: 24, seed: 3 } });
    const sample = await source.get(0);
    const batch = assembleBatch([sample], 32, 8);
    expect(batch['target_quarter']!.dims).toEqual([1, 1, 8, 8]);
    const session = await createGraphSession(graph, { threads: 1 });
    const out = await session.run(batch);
    await session.release();
    // The coarse term compares 8 · softArgmin with targets up to 24 px: an untrained net is far off, but finite.
    expect(Number.isFinite((out[LOSS_OUTPUTS.quarter]!.data as Float32Array)[0]!)).toBe(true);
    expect(() => assembleBatch([sample], 32, 0)).toThrow(/scale/);
  });
});
