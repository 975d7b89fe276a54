/** Checkpoints resume exactly, divergence keeps the last good one, and export equals evaluation mode. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraphSession } from '../../src/backend/index.js';
import { FileFormatError, InvalidParameterError } from '../../src/errors.js';
import { encodeOnnx, GraphBuilder, makeTensor, readOnnx, type Graph } from '../../src/graph/index.js';
import { mean } from '../../src/train/losses.js';
import { createTrainer, resumeTrainer, TrainingDivergedError, type Trainer, type TrainEvent, type TrainerOptions } from '../../src/train/index.js';
import { convBatch, convNet, dataOf, f32 } from './nets.js';
import { maxRelDiff } from './reference.js';

const tmp = mkdtempSync(join(tmpdir(), 'ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OPTIONS: TrainerOptions = {
  optimizer: { type: 'adamw', lr: 0.01, weightDecay: 0.02 },
  schedule: { type: 'cosine', totalSteps: 8, warmupSteps: 2 },
  clipGradNorm: 0.5,
  noWeightDecay: [/bias$/],
  threads: 1,
};

/** The lr of the 0-based step `s` under OPTIONS (warmup 2 of 8, then cosine over the other 6). */
function lrAt(s: number): number {
  return s < 2 ? 0.01 * (0.01 + (0.99 * s) / 2) : (0.01 * (1 + Math.cos((Math.PI * (s - 2)) / 6))) / 2;
}

/** Every fed-back tensor of a trainer: weights, BN statistics and optimizer moments. */
function stateOf(t: Trainer): Map<string, Float32Array> {
  const g = t.checkpointGraph();
  return new Map([...g.initializers].filter(([, v]) => v.dtype === 'float32').map(([k, v]) => [k, v.data as Float32Array]));
}

async function train(t: Trainer, g: Graph, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await t.trainStep(convBatch(g, t.step));
}

describe('checkpoints', () => {
  it('N+M steps in one go equal N steps → checkpoint → resume → M steps, bit for bit', async () => {
    const g = convNet({ loss: 'l1' });
    const straight = await createTrainer(g, OPTIONS);
    await train(straight, g, 6);

    const first = await createTrainer(g, OPTIONS);
    await train(first, g, 3);
    const path = join(tmp, 'resume', 'ckpt.onnx');
    await first.saveCheckpoint(path);
    await first.release();

    const file = await readOnnx(path);
    expect(file.metadata.get('stereo_sdk.train.step')).toBe('3');
    expect([...file.initializers.keys()].filter((k) => k.startsWith('optim/')).sort()).toEqual(
      straight.params.flatMap((p) => [`optim/${p}/exp_avg`, `optim/${p}/exp_avg_sq`]).sort(),
    );
    // Resuming needs no options besides the device: the config travels in the checkpoint.
    const resumed = await resumeTrainer(path, { threads: 1 });
    expect(resumed.step).toBe(3);
    expect(resumed.trainConfig).toEqual(straight.trainConfig);
    expect(resumed.learningRate).toBeCloseTo(lrAt(3), 12);
    await train(resumed, g, 3);
    expect(resumed.step).toBe(6);

    const a = stateOf(straight);
    const b = stateOf(resumed);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
    await Promise.all([straight.release(), resumed.release()]);
  });

  it('refuses plain models, a change of optimizer type, and malformed training metadata', async () => {
    const g = convNet();
    const plain = join(tmp, 'plain.onnx');
    writeFileSync(plain, encodeOnnx(g));
    await expect(resumeTrainer(plain)).rejects.toThrow(FileFormatError);
    const t = await createTrainer(g, OPTIONS);
    await train(t, g, 1);
    const ckpt = t.checkpointGraph();
    await t.release();
    await expect(createTrainer(ckpt, { optimizer: { type: 'sgd', lr: 0.1 } })).rejects.toThrow(InvalidParameterError);
    ckpt.metadata.set('stereo_sdk.train.config', '{oops');
    await expect(createTrainer(ckpt)).rejects.toThrow(/not JSON/);
  });
});

describe('divergence', () => {
  it('a NaN loss stops fit with a typed error naming the step; weights and the checkpoint stay at the last good step', async () => {
    const g = convNet();
    const events: TrainEvent[] = [];
    const trainer = await createTrainer(g, { ...OPTIONS, onEvent: (e) => events.push(e) });
    const checkpoint = join(tmp, 'diverge.onnx');
    const data = (step: number) => {
      const batch = convBatch(g, step);
      if (step === 3) dataOf(batch['image']).fill(NaN, 0, 5);
      return batch;
    };
    const err = await trainer.fit({ steps: 10, data, checkpoint, checkpointEvery: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err).toMatchObject({ step: 4, checkpoint, code: 'ERR_TRAINING_DIVERGED' });
    expect((err as Error).message).toMatch(/diverged at step 4: the loss is NaN.*stay at step 3.*last good checkpoint/);
    expect(events.at(-1)).toMatchObject({ type: 'diverged', step: 4, checkpoint });
    expect(trainer.step).toBe(3);

    const saved = await readOnnx(checkpoint);
    expect(saved.metadata.get('stereo_sdk.train.step')).toBe('3');
    const current = trainer.checkpointGraph();
    for (const [name, t] of saved.initializers) {
      if (t.dtype !== 'float32') continue;
      expect(dataOf(t).every(Number.isFinite), name).toBe(true);
      expect(dataOf(current.initializer(name)), name).toEqual(dataOf(t));
    }
    // Training goes on from the good state with good data.
    await expect(trainer.trainStep(convBatch(g, 4))).resolves.toMatchObject({ step: 4 });
    // An infinite loss is caught like a NaN one.
    const infinite = convBatch(g, 5);
    dataOf(infinite['target']).fill(Infinity, 0, 1);
    await expect(trainer.trainStep(infinite)).rejects.toThrow(/step 5: the loss is Infinity/);
    expect(trainer.step).toBe(4);
    await trainer.release();
  });
});

describe('divergence of the gradient alone', () => {
  it('a finite loss with a non-finite gradient also stops the step', async () => {
    // loss = mean(√(x·w)); at x = 0 the loss is 0 but d√u/du = ∞, so dL/dw = 0·∞ = NaN.
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const w = b.param('w', makeTensor('float32', [1, 3], [0.5, 1, 2]));
    b.output(mean(b, b.sqrt(b.mul(x, w))), 'loss');
    const trainer = await createTrainer(b.build(), { threads: 1 });
    await expect(trainer.trainStep({ x: f32([2, 3], new Float32Array(6).fill(1)) })).resolves.toMatchObject({ step: 1 });
    const err = await trainer.trainStep({ x: f32([2, 3], new Float32Array(6)) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/step 2: the gradient norm is NaN \(loss 0\)/);
    expect(trainer.step).toBe(1);
    await trainer.release();
  });
});

describe('export', () => {
  it('the BN-folded inference graph equals the training graph in evaluation mode', async () => {
    const g = convNet({ hidden: 6 });
    const trainer = await createTrainer(g, OPTIONS);
    await train(trainer, g, 4);
    const exported = trainer.exportInference();
    expect(exported.outputs).toEqual(['prediction']);
    expect(exported.inputs).toEqual(['image']);
    expect(exported.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect([...exported.initializers.keys()].some((k) => k.startsWith('optim/'))).toBe(false);

    const image = convBatch(g, 99)['image']!;
    const evalOut = await trainer.evaluate({ image }, ['prediction']);
    const session = await createGraphSession(exported, { threads: 1 });
    const out = await session.run({ image });
    await session.release();
    expect(maxRelDiff(dataOf(out['prediction']), dataOf(evalOut['prediction']))).toBeLessThan(1e-5);

    // Evaluation mode normalizes with the running statistics: an image's output does not depend on
    // the other images of its batch (in training mode it would).
    const px = dataOf(image).slice(0, 96);
    const withOther = (k: number) => f32([2, 2, 6, 8], Float32Array.from([...px, ...dataOf(convBatch(g, k)['image']).slice(0, 96)]));
    const [a, b] = await Promise.all([trainer.evaluate({ image: withOther(50) }), trainer.evaluate({ image: withOther(51) })]);
    expect(dataOf(a['prediction']).slice(0, 48)).toEqual(dataOf(b['prediction']).slice(0, 48));
    await trainer.release();
  });
});
