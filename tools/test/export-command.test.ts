/**
 * `stereo-sdk export`: the best-validated (or last checkpointed) weights of a run folder become a model the runtime drives;
 * a folder that is not a run, or a run without validation, gets a one-line error naming the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOnnx } from '@stereo-sdk/core';
import { createStereoMatcher } from '@stereo-sdk/edge-runtime';
import { runCli } from './helpers/fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'export-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});


const TINY = ['--width-mult', '0.25', '--max-disp', '16', '--crop', '32x64', '--batch', '2', '--threads', '1', '--seed', '3', '--data', 'synth:?maxDisparity=14'];

describe('stereo-sdk export', () => {
  it("exports a run folder's best.onnx as a model the runtime drives", async () => {
    const runDir = path.join(tmp, 'a.run');
    const trained = await runCli('train', '--arch', 'student', '--out', path.join(tmp, 'a.onnx'), '--run-dir', runDir, '--steps', '2', '--val-every', '2', '--val-limit', '2', ...TINY);
    expect(trained.code).toBe(0);
    const out = path.join(tmp, 'exported.onnx');
    const r = await runCli('export', '--run-dir', runDir, '--out', out);
    expect(r.errText).toBe('');
    expect(r.code).toBe(0);
    expect(r.outText).toContain(`wrote ${out}`);
    const matcher = await createStereoMatcher(out, { threads: 1 });
    const left = { data: new Uint8Array(64 * 32 * 3).fill(90), width: 64, height: 32, channels: 3 as const };
    const result = await matcher.disparity(left, left);
    expect(result.disparity.length).toBe(64 * 32);
    await matcher.dispose();
  }, 60_000);

  it('names the missing run config or best model in a one-line error', async () => {
    const empty = path.join(tmp, 'empty');
    await fsp.mkdir(empty);
    const r = await runCli('export', '--run-dir', empty, '--out', path.join(tmp, 'x.onnx'));
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: .*run\.json/);
    expect(r.errText.trim().split('\n')).toHaveLength(1);

    const runDir = path.join(tmp, 'noval.run');
    expect((await runCli('train', '--arch', 'student', '--out', path.join(tmp, 'b.onnx'), '--run-dir', runDir, '--steps', '1', '--no-val', ...TINY)).code).toBe(0);
    const r2 = await runCli('export', '--run-dir', runDir, '--out', path.join(tmp, 'y.onnx'));
    expect(r2.code).toBe(1);
    expect(r2.errText).toMatch(/best\.onnx/);
    expect(existsSync(path.join(tmp, 'y.onnx'))).toBe(false);
    expect((await runCli('export', '--out', path.join(tmp, 'z.onnx'))).errText).toMatch(/--run-dir/);
    expect((await runCli('export', '--run-dir', runDir, '--out', path.join(tmp, 'z.onnx'), '--weights', 'first')).errText).toMatch(/^error: .*--weights/);
  }, 60_000);

  it('exports the last checkpoint with --weights last: the weights the run itself ended with', async () => {
    const runDir = path.join(tmp, 'last.run');
    const final = path.join(tmp, 'last.onnx');
    expect((await runCli('train', '--arch', 'student', '--out', final, '--run-dir', runDir, '--steps', '2', '--ckpt-every', '1', '--no-val', ...TINY)).code).toBe(0);
    const out = path.join(tmp, 'last-exported.onnx');
    const r = await runCli('export', '--run-dir', runDir, '--out', out, '--weights', 'last');
    expect(r.errText).toBe('');
    expect(r.outText).toContain('checkpoint.onnx');
    const [a, b] = [await readOnnx(out), await readOnnx(final)];
    expect([...a.initializers.keys()].sort()).toEqual([...b.initializers.keys()].sort());
    for (const [name, t] of b.initializers) expect(a.initializer(name)!.data, name).toEqual(t.data);
  }, 60_000);
});
