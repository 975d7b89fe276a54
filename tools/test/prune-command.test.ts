/**
 * `stereo-sdk prune` and `stereo-sdk profile` driven through `main` on a tiny student (width 0.25,
 * 16 disparities) at 128×64 with one fine-tuning step per pruning step: the report files and their
 * shape, the latency table, and one-line errors for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeOnnx } from '@stereo-sdk/core';
import { buildStudent, toInferenceModel } from '@stereo-sdk/stereo';
import { runCli } from './helpers/fixtures.js';

let tmp: string;
let model: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'prune-cli-'));
  model = path.join(tmp, 'student.onnx');
  const net = buildStudent({ height: 64, width: 128, seed: 2, config: { widthMultiplier: 0.25, maxDisparity: 16 } });
  await writeOnnx(model, toInferenceModel(net.graph));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});


const TINY = ['--preset', '128x64', '--multiple', '4', '--finetune-steps', '1', '--batch', '1', '--crop', '64x128', '--runs', '3', '--warmup', '1', '--threads', '1'];
const DATA = 'synth:?width=128&height=64&maxDisparity=14';
const VAL = 'synth:?width=128&height=64&maxDisparity=14&count=2&seed=5';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('stereo-sdk prune', () => {
  it('prunes on a schedule and writes the JSON and Markdown reports and the accuracy/latency chart', async () => {
    const out = path.join(tmp, 'fixed', 'pruned.onnx');
    const r = await runCli('prune', '--model', model, '--data', DATA, '--val', VAL, '--steps', '2', '--step-ratio', '0.3', '--out', out, ...TINY);
    expect(r.errText).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.outText).toMatch(/^step\s+ratio\s+params\s+MACs\s+p50 ms\s+EPE\s+bad-2$/m);
    expect(r.outText).toMatch(/2 steps of pruning \(no target\): p50 [\d.]+ ms, ×[\d.]+ faster than the unpruned model/);
    expect(r.outText).toContain(`wrote ${out}`);
    // Plain progress lines (not a TTY): the measured steps.
    expect(r.errText).toMatch(/step 0: [\d,]+ params, p50 [\d.]+ ms, EPE [\d.]+, bad-2 [\d.]+%/);
    expect(r.errText).toMatch(/step 2: removing [\d.]+% of the prunable channels/);
    expect(existsSync(out)).toBe(true);

    const runDir = path.join(tmp, 'fixed', 'pruned.prune');
    const report = JSON.parse(await fsp.readFile(path.join(runDir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ model, data: DATA, val: VAL, out, targetMs: null, met: true, reason: 'max-steps', latencySource: 'measured', criterion: 'l2', preset: { width: 128, height: 64 } });
    expect(report.steps.map((s: { step: number }) => s.step)).toEqual([0, 1, 2]);
    for (const s of report.steps) for (const k of ['ratio', 'params', 'macs', 'p50Ms', 'epe', 'bad2']) expect(typeof s[k], k).toBe('number');
    expect(report.steps[2].params).toBeLessThan(report.steps[1].params);
    expect(report.steps[1].params).toBeLessThan(report.steps[0].params);
    expect(report.speedup).toBeGreaterThan(0);
    expect(typeof report.change.bad2).toBe('number');
    const md = await fsp.readFile(path.join(runDir, 'report.md'), 'utf8');
    expect(md).toContain('| step | ratio | params | MACs | p50 ms | EPE | bad-2 |');
    expect(md.match(/^\| [012] \|/gm)).toHaveLength(3);
    expect(md).toContain('![accuracy against latency](accuracy-latency.png)');
    const png = await fsp.readFile(path.join(runDir, 'accuracy-latency.png'));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('stops at once for a generous target and reports an unreachable one as not met', async () => {
    const generous = await runCli('prune', '--model', model, '--data', DATA, '--target-ms', '100000', '--out', path.join(tmp, 'generous', 'p.onnx'), ...TINY);
    expect(generous.code).toBe(0);
    expect(generous.outText).toMatch(/target 100000 ms met after 0 steps: p50 [\d.]+ ms, ×1\.00 faster/);
    const unreachable = await runCli('prune', '--model', model, '--data', DATA, '--target-ms', '0.001', '--steps', '1', '--out', path.join(tmp, 'unreachable', 'p.onnx'), ...TINY);
    expect(unreachable.code).toBe(0);
    expect(unreachable.outText).toMatch(/target 0\.001 ms NOT met after the maximum of 1 step:/);
    const report = JSON.parse(await fsp.readFile(path.join(tmp, 'unreachable', 'p.prune', 'report.json'), 'utf8'));
    expect(report).toMatchObject({ met: false, reason: 'max-steps', targetMs: 0.001 });
  });

  it('gives one-line errors for a missing model, a bad preset, a bad target and missing flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', path.join(tmp, 'nope.onnx'), '--data', DATA, '--out', path.join(tmp, 'e1.onnx')], /nope\.onnx.*not found/i],
      [['--model', model, '--data', DATA, '--preset', 'huge', '--out', path.join(tmp, 'e2.onnx')], /kitti.*sceneflow.*WIDTHxHEIGHT.*for --preset but received 'huge'/],
      [['--model', model, '--data', DATA, '--target-ms', 'fast', '--out', path.join(tmp, 'e3.onnx')], /--target-ms/],
      [['--model', model, '--data', DATA, '--target-ms', '0', '--out', path.join(tmp, 'e4.onnx')], /--target-ms/],
      [['--model', model, '--out', path.join(tmp, 'e5.onnx')], /--data SPEC/],
      [['--model', model, '--data', DATA, '--criterion', 'magic', '--out', path.join(tmp, 'e6.onnx')], /l2, l1, bn-scale, taylor, hessian for --criterion but received 'magic'/],
      [['--resume', '--run-dir', path.join(tmp, 'nothing-here')], /nothing-here.*not found.*without --resume/i],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli('prune', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.errText).toMatch(/^error: /);
      expect(r.errText.trim().split('\n'), r.errText).toHaveLength(1);
      expect(r.errText).toMatch(pattern);
    }
  });
});

describe('stereo-sdk profile', () => {
  it('writes a latency table that prune --lut plans with', async () => {
    const lut = path.join(tmp, 'lut.json');
    const r = await runCli('profile', '--model', model, '--preset', '128x64', '--runs', '2', '--warmup', '1', '--fractions', '0.5', '--threads', '1', '--out', lut);
    expect(r.errText).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.outText).toMatch(/baseline p50 [\d.]+ ms, \d+ prunable groups/);
    const table = JSON.parse(await fsp.readFile(lut, 'utf8'));
    expect(table).toMatchObject({ format: 'stereo-sdk/latency-table', version: 1, preset: { name: '128x64', width: 128, height: 64 }, fractions: [0.5] });
    expect(table.groups.length).toBeGreaterThan(0);
    for (const g of table.groups) expect(g).toMatchObject({ key: expect.any(String), size: expect.any(Number), msPerChannel: expect.any(Number) });

    const p = await runCli('prune', '--model', model, '--data', DATA, '--lut', lut, '--target-ms', '100000', '--out', path.join(tmp, 'lut', 'p.onnx'), ...TINY);
    expect(p.code).toBe(0);
    const report = JSON.parse(await fsp.readFile(path.join(tmp, 'lut', 'p.prune', 'report.json'), 'utf8'));
    expect(report.latencySource).toBe('lut');
    expect(report.steps[0].predictedMs).toBeCloseTo(table.baselineMs, 3);
  });

  it('gives one-line errors for a bad preset, bad fractions and a missing model', async () => {
    for (const [args, pattern] of [
      [['--model', model, '--preset', '5x5', '--out', path.join(tmp, 'x.json')], /--preset/],
      [['--model', model, '--fractions', '0.5,2', '--out', path.join(tmp, 'x.json')], /--fractions/],
      [['--model', path.join(tmp, 'nope.onnx'), '--out', path.join(tmp, 'x.json')], /nope\.onnx.*not found/i],
      [['--preset', 'kitti', '--out', path.join(tmp, 'x.json')], /--model/],
    ] as [string[], RegExp][]) {
      const r = await runCli('profile', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.errText.trim().split('\n')).toHaveLength(1);
      expect(r.errText).toMatch(pattern);
    }
  });
});
