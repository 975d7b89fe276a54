/**
 * Starting training from an existing model (`init`): an exported, BN-folded student re-shaped to a
 * training size computes what the network computed, `trainStereo` fine-tunes it, and unusable
 * init models fail with typed errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphSession, createRng, readOnnx, type BackendTensor, type Graph } from '@stereo-sdk/core';
import { buildStudent, exportStereoModel, networkFacts, prepareInitNetwork, STUDENT_VARIANTS, toInferenceModel, trainStereo } from '@stereo-sdk/stereo';

const NET = { widthMultiplier: 0.25, maxDisparity: 16 };
let dir: string;
let student: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stereo-init-'));
  student = join(dir, 'student.onnx');
  await exportStereoModel(student, buildStudent({ height: 32, width: 64, seed: 4, config: NET }).graph);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function disparity(g: Graph, left: BackendTensor, right: BackendTensor): Promise<Float32Array> {
  const s = await createGraphSession(g, { threads: 1 });
  try {
    return (await s.run({ left, right }, ['disparity'])).disparity!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('init models', () => {
  it('re-shapes an exported (BN-folded) student to a training size without changing what it computes', async () => {
    const net = buildStudent({ height: 32, width: 64, batch: 2, seed: 4, config: NET });
    const { graph, facts } = prepareInitNetwork(await readOnnx(student), { batch: 2, height: 32, width: 64 });
    expect(facts).toEqual({ kind: 'student', stride: 16, maxDisparity: 16, headScale: 4 });
    expect(graph.outputs).toEqual(['disparity', 'logits']);
    expect(graph.staticShape('logits')).toEqual([2, 4, 8, 16]);
    expect(graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const rng = createRng(1);
    const input = (): BackendTensor => ({ type: 'float32', dims: [2, 3, 32, 64], data: Float32Array.from({ length: 2 * 3 * 32 * 64 }, () => rng() * 2 - 1) });
    const [left, right] = [input(), input()];
    const folded = await disparity(graph, left, right);
    const original = await disparity(net.graph, left, right);
    let worst = 0;
    for (let i = 0; i < folded.length; i++) worst = Math.max(worst, Math.abs(folded[i]! - original[i]!));
    expect(worst).toBeLessThan(1e-3);
    // Facts come from the contract when the builder's record is gone.
    const bare = toInferenceModel(net.graph);
    bare.metadata.delete('stereo_sdk.net');
    expect(networkFacts(bare)).toEqual({ kind: 'student', stride: 16, maxDisparity: 16, headScale: 4 });
    // A head at 1/8 is read from the builder's record, or else from the contract's logits.
    const fast = buildStudent({ height: 64, width: 64, config: { ...STUDENT_VARIANTS.fast, ...NET } });
    expect(networkFacts(fast.graph)).toEqual({ kind: 'student', stride: 32, maxDisparity: 16, headScale: 8 });
    const fastBare = toInferenceModel(fast.graph);
    fastBare.metadata.delete('stereo_sdk.net');
    expect(networkFacts(fastBare)).toEqual({ kind: 'student', stride: 32, maxDisparity: 16, headScale: 8 });
  });

  it('trainStereo fine-tunes an init model and exports it with its contract', async () => {
    const out = join(dir, 'tuned.onnx');
    const r = await trainStereo({ init: student, data: 'synth:?maxDisparity=12', val: null, out, steps: 2, batch: 1, crop: { height: 32, width: 64 }, threads: 1 });
    expect(r.config).toMatchObject({ init: student, arch: 'student', net: {} });
    expect(r.step).toBe(2);
    const before = await readOnnx(student);
    const after = await readOnnx(out);
    for (const [name, t] of before.initializers) expect(after.initializer(name)?.dims, name).toEqual(t.dims);
    expect(after.initializer('head.logits.weight')!.data).not.toEqual(before.initializer('head.logits.weight')!.data);
    expect(JSON.parse(after.metadata.get('stereo_sdk.contract')!)).toMatchObject({ stride: 16, maxDisparity: 16 });
  });

  it('refuses unusable init models with typed errors', async () => {
    const opts = { data: 'synth:', val: null, out: join(dir, 'x.onnx'), steps: 1, crop: { height: 32, width: 64 } };
    await expect(trainStereo({ ...opts, init: join(dir, 'missing.onnx') })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
    await expect(trainStereo({ ...opts, init: student, net: { widthMultiplier: 0.5 } })).rejects.toThrow(/init takes the network from the model/);
    const noLogits = join(dir, 'no-logits.onnx');
    await exportStereoModel(noLogits, buildStudent({ height: 32, width: 64, config: NET }).graph, { logits: false, confidence: false });
    await expect(trainStereo({ ...opts, init: noLogits })).rejects.toMatchObject({ code: 'ERR_FILE_FORMAT', message: expect.stringMatching(/no-logits\.onnx: has no 'logits' output/) });
    await expect(trainStereo({ ...opts, init: student, crop: { height: 40, width: 64 } })).rejects.toThrow(/crop 40x64 \(HxW\) must be a multiple of the student's stride 16/);
  });
});
