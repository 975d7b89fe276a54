/**
 * `stereo-sdk train` driven through `main`: a few steps of a tiny student on in-memory synthetic
 * data and on a tiny synthetic tree, the outputs (model, run folder, JSON lines, summary, chart),
 * `--resume`, and one-line errors for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readOnnx } from '@stereo-sdk/core';
import { writeSyntheticDataset } from '@stereo-sdk/stereo';
import { parseCrop, parseDuration } from '../src/commands/train.js';
import { runCli } from './helpers/fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'train-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli('train', ...args);

/** A tiny student: 0.25 width, 16 disparities, 32×64 crops. */
const TINY = ['--width-mult', '0.25', '--max-disp', '16', '--crop', '32x64', '--batch', '2', '--threads', '1', '--seed', '3'];

const jsonLines = async (file: string) => (await fsp.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

describe('stereo-sdk train', () => {
  it('trains on in-memory synthetic data and writes the model, the JSON lines log and the summary', async () => {
    const out = path.join(tmp, 'otf', 'student.onnx');
    const r = await run('--arch', 'student', '--data', 'synth:?maxDisparity=14', '--out', out, '--steps', '6', '--val-every', '3', '--ckpt-every', '2', '--schedule', 'onecycle', ...TINY);
    expect(r.errText).not.toContain('error');
    expect(r.code).toBe(0);
    const lines = r.outText.trim().split('\n');
    expect(lines[0]).toMatch(/^train: student \([\d,]+ parameters\) on synth:\?maxDisparity=14, batch 2, crop 32x64$/);
    expect(lines[1]).toMatch(/^trained 6 steps in [\d.]+s; last loss \d+\.\d{3}, train EPE \d+\.\d{3}$/);
    expect(lines[2]).toMatch(/^best validation at step [036]: EPE \d+\.\d{3}, bad-2 [\d.]+% \(16 scenes of synth:\?maxDisparity=14&seed=\d+&count=16\)$/);
    expect(lines[3]).toMatch(/^wrote .*student\.onnx \(weights of step [036], BN folded, model contract embedded\)$/);
    // Plain progress lines (not a TTY) and the validation lines.
    expect(r.errText).toMatch(/train: 6\/6 \(100%\)/);
    expect(r.errText).toMatch(/val @ step 3: EPE \d+\.\d{3} bad-2 [\d.]+% \(16 scenes/);

    const runDir = path.join(tmp, 'otf', 'student.run');
    for (const f of ['run.json', 'checkpoint.onnx', 'best.onnx', 'log.jsonl', 'summary.json', 'summary.md', 'curves.png']) expect(existsSync(path.join(runDir, f)), f).toBe(true);
    const log = await jsonLines(path.join(runDir, 'log.jsonl'));
    expect(log.filter((l) => l.type === 'train').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.filter((l) => l.type === 'val').map((l) => l.step)).toEqual([0, 3, 6]);
    for (const l of log.filter((x) => x.type === 'train')) expect(Number.isFinite(l.loss) && l.lr > 0).toBe(true);
    const summary = JSON.parse(await fsp.readFile(path.join(runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ arch: 'student', steps: 6, plannedSteps: 6, model: out, config: { schedule: 'onecycle', batch: 2, net: { widthMultiplier: 0.25, maxDisparity: 16 } } });
    expect(summary.validations.map((v: { step: number }) => v.step)).toEqual([0, 3, 6]);
    const md = await fsp.readFile(path.join(runDir, 'summary.md'), 'utf8');
    expect(md).toContain('| step | EPE | bad-1 | bad-2 | bad-3 | D1 | best |');
    expect(md).toContain('![loss and validation curves](curves.png)');
    const png = await fsp.readFile(path.join(runDir, 'curves.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const model = await readOnnx(out);
    expect(model.inputs).toEqual(['left', 'right']);
    expect(JSON.parse(model.metadata.get('stereo_sdk.contract')!).maxDisparity).toBe(16);
  });

  it('trains on a synthetic tree without validation, and --resume continues a finished run only with matching flags', async () => {
    const root = path.join(tmp, 'tree');
    await writeSyntheticDataset(root, { count: 5, width: 64, height: 32, maxDisparity: 12 });
    const out = path.join(tmp, 'tree-model.onnx');
    const runDir = path.join(tmp, 'tree-run');
    const spec = `synthetic:${root}?valFraction=0.4`;
    const r = await run('--data', spec, '--out', out, '--run-dir', runDir, '--steps', '3', '--no-val', '--augment', 'color,occlusion', ...TINY);
    expect(r.code).toBe(0);
    expect(r.outText).not.toContain('best validation');
    expect(r.outText).toContain('weights of step 3');
    const config = JSON.parse(await fsp.readFile(path.join(runDir, 'run.json'), 'utf8'));
    expect(config).toMatchObject({ data: spec, val: null, dataSplit: 'all', augment: { color: true, occlusion: true } });

    const again = await run('--resume', '--run-dir', runDir, '--threads', '1');
    expect(again.code).toBe(0);
    expect(again.errText).toContain(`train: resuming ${runDir} at step 3 of 3`);
    const conflict = await run('--resume', '--run-dir', runDir, '--batch', '4');
    expect(conflict.code).toBe(1);
    expect(conflict.errText).toMatch(/^error: The run being resumed was started with batch 2, not 4; drop the option or start a new run folder\n$/);
    const occupied = await run('--data', spec, '--out', out, '--run-dir', runDir, '--steps', '3', ...TINY);
    expect(occupied.errText).toMatch(/^error: .*already holds a training run; continue it with resume \(--resume\)/);
  });

  it.each([
    [['--arch', 'big', '--data', 'synth:', '--out', 'x.onnx'], /^error: Expected student or teacher for --arch but received/],
    [['--data', 'synth:', '--out', 'x.onnx', '--crop', '256'], /--crop/],
    [['--data', 'synth:', '--out', 'x.onnx', '--steps', '10', '--time', '5m'], /either --steps or --time/],
    [['--data', 'synth:', '--out', 'x.onnx', '--time', 'soon'], /--time/],
    [['--data', 'synth:', '--out', 'x.onnx', '--lr', 'fast'], /--lr/],
    [['--data', 'synth:', '--out', 'x.onnx', '--max-disp', '30'], /--max-disp/],
    [['--data', 'synth:', '--out', 'x.onnx', '--schedule', 'step'], /--schedule/],
    [['--data', 'synth:', '--out', 'x.onnx', '--augment', 'flip'], /--augment/],
    [['--out', 'x.onnx'], /train needs --data SPEC and --out/],
    [['--data', 'nope:/x', '--out', 'x.onnx'], /Unknown dataset scheme 'nope'/],
    [['--data', 'synth:?width=48&height=32', '--out', 'x.onnx', '--crop', '32x64', '--max-disp', '16'], /crop 32x64 \(HxW\) is larger than sample/],
    [['--data', 'synth:', '--out', 'x.onnx', '--crop', '40x64'], /multiple of the student's stride 16/],
    [['--data', 'synth:', '--out', 'x.onnx', '--net', 'tiny'], /one of fast for --net/],
    [['--arch', 'teacher', '--data', 'synth:', '--out', 'x.onnx', '--net', 'fast'], /--net fast is a student variant/],
    [['--net', 'fast', '--data', 'synth:', '--out', 'x.onnx', '--crop', '48x64'], /multiple of the student's stride 32/],
  ])('%j → one-line typed error', async (args, message) => {
    const r = await run(...(args as string[]).map((a) => (a === 'x.onnx' ? path.join(tmp, 'bad', 'x.onnx') : a)));
    expect(r.code).toBe(1);
    expect(r.errText.trim().split('\n')).toHaveLength(1);
    expect(r.errText).toMatch(message);
  });

  it('refuses training data without ground truth in one line', async () => {
    const { writeImage } = await import('@stereo-sdk/core');
    const { generateSyntheticPair } = await import('@stereo-sdk/stereo');
    const dir = path.join(tmp, 'pairs');
    const p = generateSyntheticPair({ width: 64, height: 32, maxDisparity: 8 }, 0);
    await writeImage(path.join(dir, 'a_left.png'), p.left);
    await writeImage(path.join(dir, 'a_right.png'), p.right);
    const r = await run('--data', `pairs:${dir}`, '--no-val', '--out', path.join(tmp, 'nogt.onnx'), ...TINY);
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: pairs:.*: sample 'pairs\/a' has no ground-truth disparity; supervised training needs ground truth/);
  });

  it('parses durations and crops', () => {
    expect(parseDuration('--time', '30m')).toBe(1800);
    expect(parseDuration('--time', '1h30m')).toBe(5400);
    expect(parseDuration('--time', '90')).toBe(90);
    expect(parseDuration('--time', '1.5h')).toBe(5400);
    expect(() => parseDuration('--time', '0s')).toThrow(/--time/);
    expect(() => parseDuration('--time', '5 minutes')).toThrow(/--time/);
    expect(parseCrop('--crop', '256x512')).toEqual({ height: 256, width: 512 });
  });
});
