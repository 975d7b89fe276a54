import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runCli, writeManifestDataset, writeModel } from './helpers/fixtures.js';

let tmp: string;
let model: string;
let manifest: string;

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'bench-cli-'));
  model = await writeModel(path.join(tmp, 'bm.onnx'));
  manifest = await writeManifestDataset(path.join(tmp, 'ds'), [
    { name: 'a', width: 48, height: 24, shift: 2 },
    { name: 'b', width: 40, height: 16, shift: 4 },
  ]);
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli('bench', ...args);

describe('stereo-sdk bench', () => {
  it('writes JSON, Markdown and a histogram PNG, and prints the summary', async () => {
    const out = path.join(tmp, 'report');
    const r = await run('--model', model, '--preset', '64x48', '--runs', '7', '--warmup', '1', '--threads', '1',
      '--json', `${out}/bench.json`, '--md', `${out}/bench.md`, '--plot', `${out}/plots/latency.png`);
    expect(r.code).toBe(0);
    expect(r.errText).toContain('bench: 8/8 (100%)');
    expect(r.outText).toMatch(/^bench: .*bm\.onnx on cpu \(threads: 1\), 64x48, 7 runs after 1 warm-up; confidence off\n/);
    expect(r.outText).toMatch(/p50\s+p90\s+p99\s+mean\s+min\s+max\s+FPS/);
    expect(r.outText).toMatch(/inference \(session\.run\)\s+[\d.]+\s+\d+%/);

    const json = JSON.parse(await fsp.readFile(`${out}/bench.json`, 'utf8'));
    for (const k of ['p50', 'p90', 'p99', 'mean']) expect(json.latencyMs[k]).toBeGreaterThan(0);
    expect(json.latencyMs.p50).toBeLessThanOrEqual(json.latencyMs.p99);
    expect(json.fps).toBeGreaterThan(0);
    expect(json.peakRssMb).toBeGreaterThan(0);
    expect(Object.keys(json.breakdownMs).sort()).toEqual(['inference', 'postprocess', 'preprocess']);
    expect(json).toMatchObject({ model, provider: 'cpu', threads: 1, width: 64, height: 48, runs: 7, warmup: 1, preset: '64x48' });
    expect(json.samplesMs).toHaveLength(7);
    expect(json.host.cores).toBeGreaterThan(0);
    expect(json.accuracy).toBeUndefined();

    const md = await fsp.readFile(`${out}/bench.md`, 'utf8');
    expect(md).toMatch(/^# Latency of bm\.onnx/);
    expect(md).toContain('| p50 | p90 | p99 | mean | min | max | FPS |');
    expect(md).toContain('![latency histogram](plots/latency.png)');

    const png = await sharp(`${out}/plots/latency.png`).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 720, 420]);
  });

  it('--data adds accuracy; named presets set the size', async () => {
    const json = path.join(tmp, 'acc.json');
    const r = await run('--model', model, '--preset', 'kitti', '--runs', '1', '--warmup', '0', '--data', `manifest:${manifest}`, '--limit', '1', '--json', json);
    expect(r.code).toBe(0);
    expect(r.outText).toContain('1242x375 (kitti)');
    expect(r.outText).toMatch(/accuracy on manifest:.* \(all\):\nscene\s+EPE/);
    const report = JSON.parse(await fsp.readFile(json, 'utf8'));
    expect([report.width, report.height]).toEqual([1242, 375]);
    expect(report.accuracy.scenes).toHaveLength(1);
    expect(report.accuracy.scenes[0].name).toBe('fixture/a');
    expect(Object.keys(report.accuracy.mean).sort()).toEqual(['bad1', 'bad2', 'bad3', 'd1', 'epe', 'ms']);
    expect(report.accuracy.mean.epe).toBeLessThan(1);
  });

  it('--confidence and --lr-check are timed when asked for', async () => {
    const json = path.join(tmp, 'opts.json');
    const r = await run('--model', model, '--preset', '32x16', '--runs', '2', '--warmup', '0', '--confidence', '--lr-check', '--downscale', '2', '--json', json);
    expect(r.code).toBe(0);
    expect(r.outText).toContain('confidence on, downscale 2, left-right check');
    expect(JSON.parse(await fsp.readFile(json, 'utf8')).options).toEqual({ confidence: true, lrCheck: true, downscale: 2 });
  });

  it.each([
    [['--preset', 'vga'], /kitti \(1242x375\), sceneflow \(960x540\) or WIDTHxHEIGHT .* for --preset but received 'vga'/],
    [['--preset', '4x4'], /each side in \[8, 16384\] for --preset/],
    [['--runs', '0'], /for --runs but received '0'/],
    [['--warmup', 'x'], /--warmup/],
    [['--providers', 'cuda'], /no execution provider could start \(cuda: /],
    [['--data', 'manifest:/nonexistent/manifest.json'], /dataset file not found/],
  ])('rejects %j with one error line', async (args, message) => {
    const r = await run('--model', model, '--runs', '1', ...args);
    expect(r.code).toBe(1);
    const errorLines = r.errText.split('\n').filter((l) => l.startsWith('error: '));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
  });

  it('rejects a missing model', async () => {
    const r = await run('--model', path.join(tmp, 'missing.onnx'), '--runs', '1');
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: .*missing\.onnx: model not found/);
  });
});
