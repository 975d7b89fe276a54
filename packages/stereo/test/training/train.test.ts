/**
 * `trainStereo` end to end on tiny networks: the run folder and log, exact resume after a kill or a
 * stop, the exported model in the edge runtime, model selection, a time budget, and bad input.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnx, type Graph } from '@stereo-sdk/core';
import { createStereoMatcher } from '@stereo-sdk/edge-runtime';
import { CONTRACT_KEY, generateSyntheticPair, STUDENT_VARIANTS, trainStereo, writeSyntheticDataset, type StereoTrainingEvent, type TrainingLogLine } from '@stereo-sdk/stereo';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stereo-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tiny student on on-the-fly scenes: 8 steps, validation every 4 on 2 held-out scenes. */
const tiny = (name: string) => ({
  arch: 'student' as const,
  net: { widthMultiplier: 0.25, maxDisparity: 16 },
  data: 'synth:?maxDisparity=14',
  val: 'synth:?maxDisparity=14&seed=99&count=2',
  out: join(dir, name, 'model.onnx'),
  steps: 8,
  batch: 2,
  crop: { height: 32, width: 64 },
  lr: 2e-3,
  valEvery: 4,
  ckptEvery: 2,
  seed: 7,
  threads: 1,
});

async function readLog(file: string): Promise<TrainingLogLine[]> {
  return (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as TrainingLogLine);
}

/** Log lines without wall times (the only part that may differ between equal runs). */
const withoutTimes = (lines: readonly TrainingLogLine[]) => lines.map(({ ms: _ms, ...rest }) => rest);

function expectSameWeights(a: Graph, b: Graph): void {
  const names = [...a.initializers.keys()].sort();
  expect([...b.initializers.keys()].sort()).toEqual(names);
  for (const name of names) expect(b.initializer(name)!.data, name).toEqual(a.initializer(name)!.data);
}

describe('trainStereo', () => {
  let reference: Awaited<ReturnType<typeof trainStereo>>;
  const events: StereoTrainingEvent[] = [];

  it('trains, validates, checkpoints and exports, leaving a complete run folder', async () => {
    reference = await trainStereo({ ...tiny('ref'), onEvent: (e) => events.push(e) });
    expect(reference).toMatchObject({ step: 8, stopped: false, outOfTime: false, model: tiny('ref').out });
    expect(reference.runDir).toBe(join(dir, 'ref', 'model.run'));
    const log = await readLog(reference.files.log);
    expect(withoutTimes(log)).toEqual(withoutTimes(reference.log));
    expect(log.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.filter((l) => l.type === 'val').map((l) => l.step)).toEqual([0, 4, 8]);
    for (const l of log) {
      if (l.type === 'train') expect(Object.keys(l).sort()).toEqual(['epe', 'gradNorm', 'loss', 'lossFull', 'lossQuarter', 'lr', 'ms', 'step', 'type']);
      else expect(l.scenes).toBe(2);
    }
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([2, 4, 6, 8]);
    expect(events.at(-1)).toEqual({ type: 'end', step: 8, stopped: false });
    // The exported weights are those of the best validation.
    const vals = log.filter((l) => l.type === 'val');
    const best = vals.reduce((a, v) => (v.bad2 < a.bad2 || (v.bad2 === a.bad2 && v.epe < a.epe) ? v : a));
    expect(reference.best?.step).toBe(best.step);
    expect(reference.exportedStep).toBe(best.step);
    const config = JSON.parse(await readFile(reference.files.config, 'utf8'));
    expect(config).toMatchObject({ version: 1, arch: 'student', steps: 8, batch: 2, crop: { height: 32, width: 64 }, schedule: 'cosine', seed: 7 });
  });

  it('exports a BN-folded model with the contract that the edge runtime loads and runs', async () => {
    const model = await readOnnx(reference.model!);
    expect(model.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(JSON.parse(model.metadata.get(CONTRACT_KEY)!)).toMatchObject({ maxDisparity: 16, stride: 16, size: { dynamic: true } });
    expect([...model.metadata.keys()].some((k) => k.startsWith('stereo_sdk.train.'))).toBe(false);
    const matcher = await createStereoMatcher(reference.model!, { intraOpNumThreads: 1 });
    try {
      expect(matcher.contractOrigin).toBe('metadata');
      const pair = generateSyntheticPair({ width: 70, height: 36, maxDisparity: 14 }, 1);
      const raw = (img: typeof pair.left) => ({ data: img.data as Uint8Array, width: img.width, height: img.height, channels: img.channels });
      const r = await matcher.disparity(raw(pair.left), raw(pair.right));
      expect([r.width, r.height]).toEqual([70, 36]);
      expect(r.disparity.some(Number.isFinite)).toBe(true);
    } finally {
      await matcher.dispose();
    }
  });

  it('resumes after a kill exactly where an uninterrupted run would be', async () => {
    const opts = tiny('killed');
    // Simulate a kill at step 5: the run dies mid-way, its last checkpoint is at step 4.
    await expect(trainStereo({ ...opts, onEvent: (e) => {
      if (e.type === 'step' && e.step === 5) throw new Error('killed');
    } })).rejects.toThrow('killed');
    const runDir = join(dir, 'killed', 'model.run');
    expect(existsSync(join(runDir, 'checkpoint.onnx'))).toBe(true);
    expect(existsSync(opts.out)).toBe(false);
    const resumed = await trainStereo({ runDir, resume: true, threads: 1 });
    expect(resumed.step).toBe(8);
    expect(resumed.exportedStep).toBe(reference.exportedStep);
    expect(withoutTimes(resumed.log)).toEqual(withoutTimes(reference.log));
    expect(withoutTimes(await readLog(resumed.files.log))).toEqual(withoutTimes(reference.log));
    expectSameWeights(await readOnnx(reference.files.checkpoint), await readOnnx(resumed.files.checkpoint));
    expectSameWeights(await readOnnx(reference.model!), await readOnnx(resumed.model!));
  });

  it('stops on a signal with a checkpoint and no export, and resumes to the same result', async () => {
    const opts = tiny('stopped');
    const controller = new AbortController();
    const stopped = await trainStereo({ ...opts, signal: controller.signal, onEvent: (e) => {
      if (e.type === 'step' && e.step === 3) controller.abort();
    } });
    expect(stopped).toMatchObject({ step: 3, stopped: true });
    expect(stopped.model).toBeUndefined();
    expect(existsSync(opts.out)).toBe(false);
    const resumed = await trainStereo({ out: opts.out, resume: true, threads: 1, batch: 2 });
    expect(resumed.step).toBe(8);
    expectSameWeights(await readOnnx(reference.files.checkpoint), await readOnnx(resumed.files.checkpoint));
    await expect(trainStereo({ out: opts.out, resume: true, batch: 4 })).rejects.toThrow(/started with batch 2, not 4/);
  });

  it('derives a step count from a time budget and trains on a disk dataset with its own val split', async () => {
    const root = join(dir, 'synth-tree');
    await writeSyntheticDataset(root, { count: 6, width: 64, height: 48, maxDisparity: 14, seed: 3 });
    const events: StereoTrainingEvent[] = [];
    const { steps: _steps, val: _val, ...rest } = tiny('timed');
    const r = await trainStereo({ ...rest, data: `synthetic:${root}?valFraction=0.34`, time: 4, valEvery: 0, onEvent: (e) => events.push(e) });
    const calibrated = events.find((e) => e.type === 'calibrated');
    expect(calibrated).toBeDefined();
    expect(r.config.steps).toBe((calibrated as { totalSteps: number }).totalSteps);
    expect(r.config.timeBudget).toBe(4);
    expect(r.config).toMatchObject({ dataSplit: 'train', valSplit: 'val', val: `synthetic:${root}?valFraction=0.34` });
    expect(r.step).toBeGreaterThan(0);
    expect(r.step).toBeLessThanOrEqual(r.config.steps);
    // valEvery 0: one validation, at the end.
    expect(r.log.filter((l) => l.type === 'val').map((l) => l.step)).toEqual([r.step]);
    expect(r.best?.scenes).toBeGreaterThan(0);
  });

  it('trains and exports a tiny teacher (3D stage, stride 32)', async () => {
    const r = await trainStereo({ ...tiny('teacher'), arch: 'teacher', crop: { height: 32, width: 64 }, steps: 2, val: null });
    expect(r.step).toBe(2);
    expect(r.log.every((l) => l.type === 'train' && Number.isFinite(l.loss))).toBe(true);
    const model = await readOnnx(r.model!);
    expect(JSON.parse(model.metadata.get(CONTRACT_KEY)!)).toMatchObject({ stride: 32, maxDisparity: 16 });
  });

  it('trains the fast variant (head at 1/8): 1/8 targets, and a contract whose logits are at 1/8', async () => {
    const r = await trainStereo({ ...tiny('fast'), net: { ...STUDENT_VARIANTS.fast, widthMultiplier: 0.25, maxDisparity: 32 }, crop: { height: 32, width: 64 }, steps: 2, val: null });
    expect(r.step).toBe(2);
    expect(r.log.every((l) => l.type === 'train' && Number.isFinite(l.loss) && Number.isFinite(l.lossQuarter))).toBe(true);
    const model = await readOnnx(r.model!);
    expect(JSON.parse(model.metadata.get(CONTRACT_KEY)!)).toMatchObject({ stride: 32, maxDisparity: 32, outputs: { logits: { downsample: 8 }, confidence: { downsample: 8 } } });
  });

  describe('bad input', () => {
    const base = () => tiny(`bad-${Math.random().toString(36).slice(2)}`);
    it.each([
      [{ arch: 'big' }, /arch/],
      [{ data: 'nope:/x' }, /Unknown dataset scheme 'nope'/],
      [{ data: 'synth:?foo=1' }, /Unknown option 'foo'/],
      [{ steps: 0 }, /steps/],
      [{ lr: -1 }, /lr/],
      [{ crop: { height: 40, width: 64 } }, /crop 40x64 \(HxW\) must be a multiple of the student's stride 16/],
      [{ data: 'synth:?width=48&height=32&maxDisparity=14', crop: { height: 32, width: 64 } }, /crop 32x64 \(HxW\) is larger than sample 'synth\/7\/0'/],
      [{ time: 5 }, /either steps or a time budget/],
      [{ schedule: 'linear' }, /schedule/],
    ])('%o → typed error', async (override, message) => {
      const err = await trainStereo({ ...base(), ...(override as object) }).catch((e: unknown) => e as { code?: string; message: string });
      expect(err).toBeInstanceOf(Error);
      expect((err as { code: string }).code).toMatch(/^ERR_/);
      expect((err as Error).message).toMatch(message);
    });

    it('refuses a dataset without ground truth, an occupied run folder, and a resume without a run', async () => {
      const pairs = join(dir, 'pairs');
      const { writeImage } = await import('@stereo-sdk/core');
      const p = generateSyntheticPair({ width: 64, height: 32, maxDisparity: 8 }, 0);
      await writeImage(join(pairs, 'a_left.png'), p.left);
      await writeImage(join(pairs, 'a_right.png'), p.right);
      await expect(trainStereo({ ...base(), data: `pairs:${pairs}`, val: null })).rejects.toThrow(/sample 'pairs\/a' has no ground-truth disparity; supervised training needs ground truth/);
      await mkdir(join(dir, 'occupied'));
      await writeFile(join(dir, 'occupied', 'run.json'), '{}');
      await expect(trainStereo({ ...base(), runDir: join(dir, 'occupied') })).rejects.toThrow(/already holds a training run/);
      await expect(trainStereo({ runDir: join(dir, 'empty'), resume: true })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
      // An output under a regular file fails before any training.
      const file = join(dir, 'a-file');
      await writeFile(file, 'x');
      await expect(trainStereo({ ...base(), out: join(file, 'model.onnx'), runDir: join(dir, 'never') })).rejects.toMatchObject({ code: 'ERR_OUTPUT' });
      expect(existsSync(join(dir, 'never'))).toBe(false);
    });
  });
});
