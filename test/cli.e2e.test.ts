/**
 * End to end: the built `stereo-sdk` binary in a child process, as a user runs it. `npm test`
 * builds first (tsc -b); without tools/dist these tests are skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPfm } from '@stereo-sdk/core';
import { writeModel, writePair } from '../tools/test/helpers/fixtures.js';

const repoRoot = path.resolve(__dirname, '..');
const bin = path.join(repoRoot, 'tools', 'bin', 'stereo-sdk.js');
const built = existsSync(path.join(repoRoot, 'tools', 'dist', 'index.js'));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repoRoot, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!built)('stereo-sdk binary', () => {
  let tmp: string;
  let model: string;
  let pair: { left: string; right: string };
  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'cli-e2e-'));
    model = await writeModel(path.join(tmp, 'bm.onnx'));
    pair = await writePair(tmp, { width: 56, height: 24, shift: 2 });
  });
  afterAll(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('lists the runtime commands in its help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['disparity', 'eval', 'bench', 'info', 'dataset']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('info, disparity and bench run on a hand-built model', async () => {
    const info = await cli('info', model, '--preset', '64x32');
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('contract (from the model metadata):');

    const pfm = path.join(tmp, 'out', 'd.pfm');
    const disp = await cli('disparity', pair.left, pair.right, '--model', model, '--pfm', pfm, '--threads', '1');
    expect(disp.stderr).toBe('');
    expect(disp.code).toBe(0);
    const d = await readPfm(pfm);
    expect(d.data[12 * 56 + 30]).toBeCloseTo(2, 1);

    const json = path.join(tmp, 'out', 'bench.json');
    const bench = await cli('bench', '--model', model, '--preset', '64x32', '--runs', '3', '--warmup', '1', '--json', json);
    expect(bench.code).toBe(0);
    const report = JSON.parse(await fsp.readFile(json, 'utf8'));
    expect(report).toMatchObject({ width: 64, height: 32, runs: 3, provider: 'cpu' });
  });

  it('bad input exits 1 with a one-line error and no stack trace', async () => {
    const r = await cli('disparity', path.join(tmp, 'nope.png'), pair.right, '--model', model, '-o', path.join(tmp, 'x.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*nope\.png: left image not found\n$/);
    const bench = await cli('bench', '--model', model, '--preset', 'vga');
    expect(bench.code).toBe(1);
    expect(bench.stderr).toMatch(/^error: .*--preset.*'vga'\n$/);
  });
});
