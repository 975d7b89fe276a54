/**
 * Teachers and the teacher-output cache: what `openTeacher` reads from a contract or from bare I/O,
 * a run at a size that needs padding, typed errors for unusable files, and the cache's round trip,
 * misses, and crops of whole-image entries.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnx, writeOnnx } from '@stereo-sdk/core';
import { CONTRACT_KEY, createTeacherCache, cropTeacherOutput, generateSyntheticPair, openTeacher, sampleCacheKey, type TeacherOutput } from '@stereo-sdk/stereo';
import { writeDistillFixtures, type DistillFixtures } from './fixtures.js';

let dir: string;
let fx: DistillFixtures;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stereo-teacher-'));
  fx = await writeDistillFixtures(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openTeacher', () => {
  it('reads a teacher with logits from its contract and runs it on a size that needs padding', async () => {
    const t = await openTeacher(fx.teacher, { threads: 1 });
    try {
      expect(t).toMatchObject({ kind: 'logits', contractOrigin: 'metadata', hasConfidence: true, multiple: 32 });
      expect(t.logits).toEqual({ name: 'logits', bins: 4, spacing: 4, downsample: 4 });
      expect(t.id).toMatch(/^[0-9a-f]{64}$/);
      const p = generateSyntheticPair({ width: 70, height: 36, maxDisparity: 12 }, 3);
      const out = await t.run(p.left, p.right, { logits: true, confidence: true });
      expect([out.width, out.height, out.disparity.length]).toEqual([70, 36, 70 * 36]);
      // Padded to 96 × 64: the grids cover the padded input at 1/4.
      expect(out.logits).toMatchObject({ channels: 4, width: 24, height: 16, downsample: 4 });
      expect(out.confidence).toMatchObject({ channels: 1, width: 24, height: 16 });
      expect(out.features).toBeUndefined();
      expect(t.runs).toBe(1);
    } finally {
      await t.release();
    }
  });

  it('takes a disparity-only teacher, a feature output, and a model without contract (inferred from I/O)', async () => {
    const disp = await openTeacher(fx.dispOnly, { threads: 1 });
    expect(disp).toMatchObject({ kind: 'disparity', hasConfidence: false });
    expect(disp.logits).toBeUndefined();
    await disp.release();
    const feat = await openTeacher(fx.withFeatures, { threads: 1 });
    expect(feat.features).toEqual({ name: '/feature/context/Relu_output_0', channels: 16 });
    await feat.release();
    const bare = await readOnnx(fx.teacher);
    bare.metadata.delete(CONTRACT_KEY);
    const inferred = await openTeacher(bare, { threads: 1 });
    try {
      expect(inferred).toMatchObject({ contractOrigin: 'inferred', kind: 'logits', multiple: 32 });
      expect(inferred.contract.outputs).toEqual({ disparity: 'disparity', logits: { name: 'logits', downsample: 4 }, confidence: { name: 'confidence', downsample: 4 } });
      expect(inferred.source).toMatch(/in-memory teacher/);
    } finally {
      await inferred.release();
    }
  });

  it('fails with typed errors naming the file', async () => {
    await expect(openTeacher(join(dir, 'missing.onnx'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND', message: expect.stringContaining('missing.onnx') });
    await expect(openTeacher(fx.noDisparity)).rejects.toMatchObject({ code: 'ERR_FILE_FORMAT', message: expect.stringMatching(/teacher-no-disp\.onnx.*has no disparity output 'disparity'/) });
    const notOnnx = join(dir, 'text.onnx');
    await writeFile(notOnnx, 'hello');
    await expect(openTeacher(notOnnx)).rejects.toMatchObject({ code: 'ERR_FILE_FORMAT' });
    const g = await readOnnx(fx.dispOnly);
    g.metadata.delete(CONTRACT_KEY);
    g.setOutputs([]);
    const empty = join(dir, 'no-outputs.onnx');
    await writeOnnx(empty, g);
    await expect(openTeacher(empty)).rejects.toThrow(/is not a stereo teacher.*no output is a disparity map/);
    await expect(openTeacher(fx.teacher, { featureOutput: 'nope' })).rejects.toThrow(/featureOutput 'nope' is not an output/);
  });
});

describe('teacher cache', () => {
  const output = (): TeacherOutput => ({
    width: 8,
    height: 4,
    disparity: Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? Infinity : i / 2)),
    logits: { channels: 3, width: 2, height: 1, downsample: 4, data: Float32Array.from({ length: 6 }, (_, i) => i - 2.5) },
  });

  it('round-trips entries, misses what is absent or incomplete, and keeps one file per key', async () => {
    const root = join(dir, 'cache');
    const cache = createTeacherCache(root, 'ab'.repeat(32));
    const key = sampleCacheKey('synthetic:/x', { name: 'a', left: { width: 8, height: 4 } });
    expect(key).toBe('synthetic:/x|a|8x4');
    expect(await cache.get(key, {})).toBeUndefined();
    await cache.put(key, output());
    const back = await cache.get(key, { logits: true });
    expect(back?.disparity).toEqual(output().disparity);
    expect(back?.logits).toEqual(output().logits);
    // An entry without the requested confidence is a miss.
    expect(await cache.get(key, { confidence: true })).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 2]);
    await cache.put(key, output());
    expect(await readdir(cache.dir)).toHaveLength(1);
    // Another teacher has its own entries.
    expect(await createTeacherCache(root, 'cd'.repeat(32)).get(key, {})).toBeUndefined();
    // A damaged file reads as a miss, not an error.
    const [file] = await readdir(cache.dir);
    await writeFile(join(cache.dir, file!), 'garbage');
    expect(await cache.get(key, {})).toBeUndefined();
  });

  it('crops whole-image outputs on the grid', () => {
    const crop = cropTeacherOutput(output(), 4, 0, 4, 4);
    expect(Array.from(crop.disparity.subarray(0, 4))).toEqual([2, Infinity, 3, 3.5]);
    expect(crop.logits).toMatchObject({ width: 1, height: 1, channels: 3 });
    expect(Array.from(crop.logits!.data)).toEqual([-1.5, 0.5, 2.5]);
    expect(() => cropTeacherOutput(output(), 2, 0, 4, 4)).toThrow(/do not line up/);
  });
});
