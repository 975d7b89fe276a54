import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDisparity, readImage, readPfm } from '@stereo-sdk/core';
import { DEFAULT_MODEL_PATH } from '@stereo-sdk/edge-runtime';
import { runCli, writeManifestDataset, writeModel } from './helpers/fixtures.js';

const repoRoot = path.resolve(__dirname, '../..');
const realManifest = path.resolve(repoRoot, '../shared/datasets/real/manifest.json');

let tmp: string;
let model: string;
let manifest: string;
let withoutGt: string;

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'eval-cli-'));
  model = await writeModel(path.join(tmp, 'bm.onnx'));
  manifest = await writeManifestDataset(path.join(tmp, 'ds'), [
    { name: 'a', width: 48, height: 24, shift: 2 },
    { name: 'b', width: 56, height: 20, shift: 5 },
    { name: 'c', width: 40, height: 16, shift: 3 },
  ]);
  withoutGt = await writeManifestDataset(path.join(tmp, 'ds-nogt'), [{ name: 'a', width: 40, height: 20, shift: 2 }], true);
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli('eval', ...args);

describe('stereo-sdk eval', () => {
  it('prints a per-scene table and writes the JSON report of the documented shape', async () => {
    const json = path.join(tmp, 'out', 'eval.json');
    const pred = path.join(tmp, 'pred');
    const r = await run('--model', model, '--data', `manifest:${manifest}`, '--json', json, '--save-pred', pred, '--threads', '1');
    expect(r.code).toBe(0);
    expect(r.errText).toContain('eval: 3/3 (100%)');
    const lines = r.outText.split('\n');
    expect(lines[0]).toMatch(/^eval: .*bm\.onnx on manifest:.* \(all, 3 scenes\), cpu, 1 thread$/);
    expect(lines[1]).toMatch(/^scene\s+EPE\s+bad-1\s+bad-2\s+bad-3\s+D1\s+ms$/);
    expect(lines[2]).toMatch(/^fixture\/a\s+\d+\.\d{3}\s+[\d.]+%/);
    expect(lines[5]).toMatch(/^mean \(3 scenes\)/);

    const report = JSON.parse(await fsp.readFile(json, 'utf8'));
    expect(Object.keys(report).sort()).toEqual(['dataset', 'mean', 'model', 'provider', 'scenes', 'split', 'threads']);
    expect(report).toMatchObject({ model, dataset: `manifest:${manifest}`, split: 'all', provider: 'cpu', threads: 1 });
    expect(report.scenes.map((s: { name: string }) => s.name)).toEqual(['fixture/a', 'fixture/b', 'fixture/c']);
    for (const s of report.scenes) {
      expect(Object.keys(s).sort()).toEqual(['bad1', 'bad2', 'bad3', 'd1', 'epe', 'ms', 'name', 'pixels']);
      // The block matcher finds a constant shift except near the borders.
      expect(s.bad2).toBeLessThan(15);
      expect(s.epe).toBeLessThan(1);
      expect(s.ms).toBeGreaterThan(0);
    }
    for (const k of ['epe', 'bad1', 'bad2', 'bad3', 'd1', 'ms'] as const) {
      const mean = report.scenes.reduce((a: number, s: Record<string, number>) => a + s[k], 0) / 3;
      expect(report.mean[k]).toBeCloseTo(mean, 2);
    }

    // The saved predictions score exactly as reported.
    const gt = await readPfm(path.join(tmp, 'ds', 'b', 'disp.pfm'));
    const saved = await readPfm(path.join(pred, 'fixture', 'b.pfm'));
    const { all } = evaluateDisparity(saved, gt);
    expect(report.scenes[1].epe).toBeCloseTo(all.epe, 3);
    expect(report.scenes[1].bad2).toBeCloseTo(all.bad2, 3);
    expect(report.scenes[1].pixels).toBe(all.count);
    expect(await readImage(path.join(pred, 'fixture', 'b.png'))).toMatchObject({ width: 56, height: 20, channels: 3 });
  });

  it('--limit evaluates the first scenes only', async () => {
    const r = await run('--model', model, '--data', `manifest:${manifest}`, '--limit', '1');
    expect(r.code).toBe(0);
    expect(r.outText).toContain('mean (1 scenes)');
    expect(r.outText).not.toContain('fixture/b');
  });

  it.each([
    [['--data', 'manifest:WITHOUT_GT'], /sample 'fixture\/nogt' has no ground-truth disparity; eval needs ground truth/],
    [['--data', 'manifest:MISSING'], /dataset file not found/],
    [['--data', 'nosuchscheme:/x'], /Unknown dataset scheme 'nosuchscheme'/],
    [['--data', 'manifest:MANIFEST', '--split', 'test'], /one of all, train, val for --split but received 'test'/],
    [['--data', 'manifest:MANIFEST', '--limit', '0'], /--limit/],
    [['--data', 'manifest:MANIFEST', '--providers', 'tensorrt'], /no execution provider could start \(tensorrt: /],
  ])('rejects %j with one error line', async (args, message) => {
    const resolved = args.map((a) => a.replace('WITHOUT_GT', withoutGt).replace('MISSING', path.join(tmp, 'missing.json')).replace('MANIFEST', manifest));
    const r = await run('--model', model, ...resolved);
    expect(r.code).toBe(1);
    const errorLines = r.errText.split('\n').filter((l) => l.startsWith('error: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
  });

  it('requires --data', async () => {
    const r = await run('--model', model);
    expect(r.code).not.toBe(0);
    expect(r.errText).toContain("required option '--data <spec>' not specified");
  });

  it.skipIf(existsSync(DEFAULT_MODEL_PATH))('without --model, says the bundled student is missing and how to pass one', async () => {
    const r = await run('--data', `manifest:${manifest}`);
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/bundled default model not found.*--model/);
  });

  it.skipIf(!existsSync(DEFAULT_MODEL_PATH))('without --model, scores the bundled student', async () => {
    const r = await run('--data', `manifest:${manifest}`);
    expect(r.code).toBe(0);
    expect(r.outText).toContain('eval: bundled student');
  });

  describe.skipIf(!existsSync(realManifest))('on the real scenes', () => {
    it('runs on manifest:../shared/datasets/real/manifest.json', async () => {
      const json = path.join(tmp, 'real.json');
      const r = await run('--model', model, '--data', `manifest:${realManifest}`, '--limit', '2', '--json', json);
      expect(r.code).toBe(0);
      const report = JSON.parse(await fsp.readFile(json, 'utf8'));
      expect(report.scenes).toHaveLength(2);
      for (const s of report.scenes) {
        expect(s.pixels).toBeGreaterThan(1000);
        expect(s.epe).toBeGreaterThan(0);
        expect(s.bad2).toBeGreaterThanOrEqual(s.bad3);
        expect(s.bad1).toBeGreaterThanOrEqual(s.bad2);
      }
    });
  });
});
