/**
 * `distillStereo` end to end on tiny networks (32×64 crops, a few steps, one thread): the teacher
 * cache across epochs, exact resume after a kill, unlabeled pairs with teacher-referenced
 * validation, a disparity-only teacher, fine-tuning an in-memory student of unusual widths with
 * feature hints (the prune pipeline's call), and bad input.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnx, type Graph } from '@stereo-sdk/core';
import { buildStudent, CONTRACT_KEY, distillStereo, exportStereoModel, STUDENT_VARIANTS, type DistillLogLine, type DistillRunLogLine, type StereoDistillOptions } from '@stereo-sdk/stereo';
import { CROP, prunedLikeStudent, TINY_NET, writeDistillFixtures, type DistillFixtures } from './fixtures.js';

let dir: string;
let fx: DistillFixtures;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stereo-distill-'));
  fx = await writeDistillFixtures(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = (name: string): StereoDistillOptions & { threads: number } => ({
  teacher: fx.teacher,
  net: TINY_NET,
  data: fx.synthetic,
  val: null,
  out: join(dir, name, 'student.onnx'),
  steps: 4,
  batch: 1,
  crop: CROP,
  lr: 2e-3,
  seed: 3,
  threads: 1,
});

const trainLines = (log: readonly DistillRunLogLine[]) => log.filter((l): l is DistillLogLine => l.type === 'train');
const withoutTimes = (log: readonly DistillRunLogLine[]) => log.map(({ ms: _ms, ...rest }) => rest);

function expectSameWeights(a: Graph, b: Graph): void {
  const names = [...a.initializers.keys()].sort();
  expect([...b.initializers.keys()].sort()).toEqual(names);
  for (const name of names) expect(b.initializer(name)!.data, name).toEqual(a.initializer(name)!.data);
}

describe('distillStereo', () => {
  /** GT + KD with validation; the reference of the resume test. */
  const combined = (name: string): StereoDistillOptions & { threads: number } => ({
    ...base(name),
    kd: { 'dist-kl': 1, 'disp-l1': 0.5 },
    gtWeight: 0.5,
    temperature: [2, 1],
    batch: 2,
    val: 'synth:?maxDisparity=12&seed=9&count=1',
    valEvery: 0,
    ckptEvery: 2,
  });
  let reference: Awaited<ReturnType<typeof distillStereo>>;

  it('distills with GT and KD terms, validates, exports, and serves later epochs from the teacher cache', async () => {
    reference = await distillStereo(combined('ref'));
    const r = reference;
    expect(r).toMatchObject({ step: 4, stopped: false, model: base('ref').out, exportedStep: 4 });
    expect(r.config).toMatchObject({ kd: { 'dist-l1': 0, 'dist-kl': 1, 'disp-l1': 0.5, feature: 0 }, valReference: 'ground-truth', temperature: { start: 2, end: 1 } });
    // 3 samples, 8 sample slots: the teacher runs once per whole image, the other 5 slots read the cache.
    expect(r.teacher).toEqual({ runs: 3, cacheHits: 5, cacheMisses: 3 });
    expect(await readdir(r.files.cache!)).toHaveLength(3);
    const lines = trainLines(r.log);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(lines.map((l) => l.temperature)).toEqual([2, 2 - 1 / 3, 2 - 2 / 3, 1].map((t) => expect.closeTo(t, 6)));
    for (const l of lines) {
      expect(Object.keys(l.terms)).toEqual(['dist-kl', 'disp-l1', 'gt']);
      expect(l.terms['dist-kl']).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(l.teacherEpe) && Number.isFinite(l.epe)).toBe(true);
      expect(l.loss).toBeCloseTo(l.terms['dist-kl']! + 0.5 * l.terms['disp-l1']! + 0.5 * l.terms.gt!, 4);
    }
    expect(r.log.filter((l) => l.type === 'val').map((l) => l.step)).toEqual([4]);
    const model = await readOnnx(r.model!);
    expect(model.outputs).toEqual(['disparity', 'logits', 'confidence']);
    expect(JSON.parse(model.metadata.get(CONTRACT_KEY)!)).toMatchObject({ maxDisparity: 16, stride: 16 });
    expect(model.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(r.graph?.outputs).toEqual(model.outputs);
  });

  it('resumes after a kill exactly where an uninterrupted run would be', async () => {
    await expect(distillStereo({ ...combined('killed'), onEvent: (e) => {
      if (e.type === 'step' && e.step === 3) throw new Error('killed');
    } })).rejects.toThrow('killed');
    const runDir = join(dir, 'killed', 'student.run');
    expect(existsSync(join(runDir, 'checkpoint.onnx'))).toBe(true);
    const resumed = await distillStereo({ runDir, resume: true, threads: 1 });
    expect(resumed.step).toBe(4);
    expect(withoutTimes(resumed.log)).toEqual(withoutTimes(reference.log));
    expectSameWeights(await readOnnx(reference.files.checkpoint), await readOnnx(resumed.files.checkpoint));
    expectSameWeights(await readOnnx(reference.model!), await readOnnx(resumed.model!));
    // The resumed session found the teacher's outputs in the killed run's cache.
    expect(resumed.teacher.runs).toBe(0);
    await expect(distillStereo({ runDir, resume: true, gtWeight: 1 })).rejects.toThrow(/started with gtWeight 0.5, not 1/);
  });

  it('distills on an unlabeled folder of pairs, validating against the teacher', async () => {
    const r = await distillStereo({ ...base('pairs'), data: fx.pairs, val: fx.pairs, valLimit: 2, valEvery: 0, kd: { 'dist-l1': 1, 'disp-l1': 0.2 }, confidenceThreshold: 0.3, steps: 2 });
    expect(r.step).toBe(2);
    expect(r.config.valReference).toBe('teacher');
    const val = r.log.filter((l) => l.type === 'val');
    expect(val.map((l) => l.step)).toEqual([2]);
    expect(val[0]!.scenes).toBe(2);
    expect(Number.isFinite(val[0]!.epe)).toBe(true);
    expect(trainLines(r.log).every((l) => Number.isFinite(l.loss) && l.epe === undefined)).toBe(true);
    expect(existsSync(r.model!)).toBe(true);
    await expect(distillStereo({ ...base('pairs-gt'), data: fx.pairs, gtWeight: 1 })).rejects.toMatchObject({
      code: 'ERR_DATASET',
      message: expect.stringMatching(/sample 'pairs\/cam\d' has no ground-truth disparity, so the ground-truth term \(gtWeight > 0\) cannot be used; distill unlabeled data with gtWeight 0/),
    });
  });

  it('distills from a disparity-only teacher with disp-l1 (uncached on-the-fly data)', async () => {
    const r = await distillStereo({ ...base('disp'), teacher: fx.dispOnly, data: 'synth:?maxDisparity=12', steps: 1, batch: 2 });
    expect(r.config.kd).toEqual({ 'dist-l1': 0, 'dist-kl': 0, 'disp-l1': 1, feature: 0 });
    expect(Object.keys(trainLines(r.log)[0]!.terms)).toEqual(['disp-l1']);
    // Every generated scene is new: the teacher runs on every crop, nothing is cached.
    expect(r.teacher).toEqual({ runs: 2, cacheHits: 0, cacheMisses: 0 });
    await expect(distillStereo({ ...base('disp-kl'), teacher: fx.dispOnly, kd: { 'dist-l1': 1 } })).rejects.toThrow(/outputs only disparity .* dist-l1 \/ dist-kl cannot be used; distill with disp-l1/);
    await expect(distillStereo({ ...base('disp-conf'), teacher: fx.dispOnly, confidenceThreshold: 0.5 })).rejects.toThrow(/neither a confidence output nor logits/);
  });

  it('distills a fast student (head at 1/8) from a 1/4 teacher by pooling its distributions, and refuses the reverse', async () => {
    const fast = { ...STUDENT_VARIANTS.fast, ...TINY_NET };
    const r = await distillStereo({ ...base('fast'), net: fast, kd: { 'dist-l1': 1 }, steps: 2 });
    expect(r.step).toBe(2);
    for (const l of trainLines(r.log)) expect(Number.isFinite(l.terms['dist-l1'])).toBe(true);
    const fastTeacher = join(dir, 'fast-teacher.onnx');
    await exportStereoModel(fastTeacher, buildStudent({ ...CROP, seed: 8, config: fast }).graph);
    await expect(distillStereo({ ...base('fast-reverse'), teacher: fastTeacher, kd: { 'dist-l1': 1 } })).rejects.toThrow(/logits at 1\/8, coarser than the student's 1\/4.*disp-l1/);
  });

  it('fine-tunes an in-memory student of any widths with feature hints and returns the inference graph', async () => {
    const init = prunedLikeStudent();
    const runDir = join(dir, 'finetune');
    const r = await distillStereo({ ...base('finetune'), out: undefined, net: undefined, init, runDir, teacher: fx.withFeatures, kd: { 'dist-l1': 1, feature: 0.5 }, steps: 2 });
    expect(r.model).toBeUndefined();
    expect(r.config).toMatchObject({ arch: 'student', out: null, init: expect.stringContaining('in-memory graph') });
    expect(Object.keys(trainLines(r.log)[0]!.terms)).toEqual(['dist-l1', 'feature']);
    const g = r.graph!;
    expect(g.outputs).toEqual(['disparity', 'logits', 'confidence']);
    expect(g.inputs.map((i) => g.shape(i))).toEqual([['N', 3, 'H', 'W'], ['N', 3, 'H', 'W']]);
    // Same layers at the same widths as the init graph, new values; the adapter is not exported.
    expect([...g.initializers.keys()].some((k) => k.includes('adapter'))).toBe(false);
    for (const [name, t] of init.initializers) expect(g.initializer(name)?.dims, name).toEqual(t.dims);
    expect(g.initializer('feature.stage0.down.weight')!.data).not.toEqual(init.initializer('feature.stage0.down.weight')!.data);
    await expect(distillStereo({ ...base('no-feat'), kd: { feature: 1 } })).rejects.toThrow(/exposes no features/);
  });

  it('fails early with typed errors for bad input', async () => {
    await expect(distillStereo({ ...base('missing'), teacher: join(dir, 'nope.onnx') })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND', message: expect.stringContaining('nope.onnx') });
    await expect(distillStereo({ ...base('nodisp'), teacher: fx.noDisparity })).rejects.toMatchObject({ code: 'ERR_FILE_FORMAT', message: expect.stringMatching(/has no disparity output/) });
    await expect(distillStereo({ ...base('init-net'), init: fx.student })).rejects.toThrow(/init takes the network from the model/);
    await expect(distillStereo({ ...base('kd'), kd: { 'dist-l1': -1 } })).rejects.toThrow(/kd.dist-l1/);
    await expect(distillStereo({ ...base('temp'), temperature: [0, 1] })).rejects.toThrow(/temperature/);
    const { out: _out, ...noOut } = base('x');
    await expect(distillStereo(noOut)).rejects.toThrow(/Give out .* or runDir/);
    const { teacher: _teacher, ...noTeacher } = base('y');
    await expect(distillStereo(noTeacher)).rejects.toThrow(/teacher/);
    expect(JSON.parse(await readFile(join(dir, 'ref', 'student.run', 'run.json'), 'utf8'))).toMatchObject({ version: 1, teacher: fx.teacher, gtWeight: 0.5, cache: true });
  });
});
