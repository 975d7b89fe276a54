import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, writeManifestDataset, writeModel, writePair } from './helpers/fixtures.js';

/**
 * The CLI without --model, against a models folder of the test's own (the block-matching fixture
 * under the bundled names), so the choice is tested whether or not this build ships student-kitti30.onnx.
 */
const injected = vi.hoisted(() => ({ dir: '' }));
vi.mock('@stereo-sdk/edge-runtime', async (importOriginal) => {
  const real = await importOriginal<typeof import('@stereo-sdk/edge-runtime')>();
  return { ...real, defaultModelFor: (w?: number, h?: number) => real.defaultModelFor(w, h, injected.dir) };
});

const STUDENT = 'bundled student (@stereo-sdk/edge-runtime/models/student.onnx)';
const KITTI30 = 'bundled student-kitti30 (@stereo-sdk/edge-runtime/models/student-kitti30.onnx)';

let tmp: string;
/** student.onnx and student-kitti30.onnx. */
let both: string;
/** student.onnx only. */
let studentOnly: string;
/** A 64×32 pair and a pair at 75 % of KITTI's size (932×282, the smallest student-kitti30 serves). */
let small: { left: string; right: string };
let kittiSize: { left: string; right: string };

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'bundled-choice-'));
  both = path.join(tmp, 'both');
  studentOnly = path.join(tmp, 'student-only');
  for (const f of ['both/student.onnx', 'both/student-kitti30.onnx', 'student-only/student.onnx']) await writeModel(path.join(tmp, f), { maxDisp: 4 });
  small = await writePair(tmp, { width: 64, height: 32, shift: 2, seed: 3, prefix: 'small-' });
  kittiSize = await writePair(tmp, { width: 932, height: 282, shift: 2, seed: 5, prefix: 'kitti-' });
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});


describe('without --model, the CLI runs the bundled model for the frame size and says which', () => {
  it('disparity: by the input size', async () => {
    injected.dir = both;
    const a = await runCli('disparity', small.left, small.right, '--pfm', path.join(tmp, 'a.pfm'), '--threads', '1');
    expect(a.errText).toBe('');
    expect(a.outText).toContain(`disparity: small-left.png 64x32 with ${STUDENT} on cpu`);
    const b = await runCli('disparity', kittiSize.left, kittiSize.right, '--pfm', path.join(tmp, 'b.pfm'), '--threads', '1');
    expect(b.errText).toBe('');
    expect(b.outText).toContain(`disparity: kitti-left.png 932x282 with ${KITTI30} on cpu`);
    injected.dir = studentOnly;
    const c = await runCli('disparity', kittiSize.left, kittiSize.right, '--pfm', path.join(tmp, 'c.pfm'), '--threads', '1');
    expect(c.outText).toContain(`932x282 with ${STUDENT} on cpu`);
    const given = await runCli('disparity', small.left, small.right, '--model', path.join(both, 'student.onnx'), '--pfm', path.join(tmp, 'd.pfm'), '--threads', '1');
    expect(given.outText).toMatch(/^disparity: small-left\.png 64x32 on cpu/);
  });

  it('bench: by the preset size', async () => {
    injected.dir = both;
    const kitti = await runCli('bench', '--preset', 'kitti', '--runs', '1', '--warmup', '0', '--threads', '1', '--json', path.join(tmp, 'k.json'));
    expect(kitti.code).toBe(0);
    expect(kitti.outText).toContain(`bench: ${KITTI30} on cpu`);
    expect(JSON.parse(await fsp.readFile(path.join(tmp, 'k.json'), 'utf8')).model).toBe(KITTI30);
    const other = await runCli('bench', '--preset', '64x32', '--runs', '1', '--warmup', '0', '--threads', '1');
    expect(other.outText).toContain(`bench: ${STUDENT} on cpu`);
    injected.dir = studentOnly;
    const fallback = await runCli('bench', '--preset', 'kitti', '--runs', '1', '--warmup', '0', '--threads', '1');
    expect(fallback.outText).toContain(`bench: ${STUDENT} on cpu`);
  });

  it('eval: each scene by its size, naming every model used', async () => {
    const manifest = await writeManifestDataset(path.join(tmp, 'ds'), [
      { name: 'a', width: 48, height: 24, shift: 2 },
      { name: 'b', width: 932, height: 282, shift: 2 },
      { name: 'c', width: 40, height: 16, shift: 3 },
    ]);
    injected.dir = both;
    const json = path.join(tmp, 'eval.json');
    const mixed = await runCli('eval', '--data', `manifest:${manifest}`, '--threads', '1', '--json', json);
    expect(mixed.code).toBe(0);
    const header = 'bundled models by frame size: student (2 scenes), student-kitti30 (1 scene) (@stereo-sdk/edge-runtime/models/)';
    expect(mixed.outText.split('\n')[0]).toBe(`eval: ${header} on manifest:${manifest} (all, 3 scenes), cpu, 1 thread`);
    expect(JSON.parse(await fsp.readFile(json, 'utf8')).model).toBe(header);
    injected.dir = studentOnly;
    const one = await runCli('eval', '--data', `manifest:${manifest}`, '--threads', '1');
    expect(one.outText.split('\n')[0]).toMatch(/^eval: bundled student \(@stereo-sdk\/edge-runtime\/models\/student\.onnx\) on /);
    const badFlag = await runCli('eval', '--data', `manifest:${manifest}`, '--threads', '0');
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.errText).toMatch(/--threads/);
    expect(badFlag.errText).not.toMatch(/eval: \d/);
  });
});
