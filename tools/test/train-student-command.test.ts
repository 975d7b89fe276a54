/**
 * `stereo-sdk train-student` driven through `main`: a tiny student distilled from a tiny exported
 * teacher on an unlabeled folder of pairs (teacher-referenced validation), the outputs (model, run
 * folder, JSON lines, summary), `--resume` checks, one-line errors for bad input, and `train --init`.
 */
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnx, writeImage, writeOnnx } from '@stereo-sdk/core';
import { buildStudent, buildTeacher, exportStereoModel, generateSyntheticPair, toInferenceModel } from '@stereo-sdk/stereo';
import { parseTemperature } from '../src/commands/train-student.js';
import { runCli } from './helpers/fixtures.js';

const NET = { widthMultiplier: 0.25, maxDisparity: 16 };
let tmp: string;
let teacher: string;
let pairs: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'train-student-cli-'));
  teacher = path.join(tmp, 'teacher.onnx');
  const net = buildTeacher({ height: 32, width: 64, seed: 1, config: NET });
  await exportStereoModel(teacher, net.graph);
  const stripped = toInferenceModel(net.graph);
  stripped.setOutputs(['logits']);
  stripped.removeDeadCode();
  await writeOnnx(path.join(tmp, 'no-disp.onnx'), stripped);
  await exportStereoModel(path.join(tmp, 'student.onnx'), buildStudent({ height: 32, width: 64, seed: 2, config: NET }).graph);
  pairs = path.join(tmp, 'pairs');
  for (let i = 0; i < 2; i++) {
    const p = generateSyntheticPair({ width: 64, height: 32, maxDisparity: 12 }, 7 + i);
    await writeImage(path.join(pairs, `cam${i}_left.png`), p.left);
    await writeImage(path.join(pairs, `cam${i}_right.png`), p.right);
  }
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});


const TINY = ['--crop', '32x64', '--batch', '1', '--threads', '1', '--seed', '3'];
const jsonLines = async (file: string) => (await fsp.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

describe('stereo-sdk train-student', () => {
  it('distills on unlabeled pairs and writes the model, the JSON lines log and the summary', async () => {
    const out = path.join(tmp, 'kd', 'student.onnx');
    const r = await runCli('train-student', '--teacher', teacher, '--data', `pairs:${pairs}`, '--val', `pairs:${pairs}`, '--val-limit', '1', '--val-every', '0', '--out', out, '--steps', '2',
      '--kd', 'dist-l1=1,disp-l1=0.5', '--temperature', '0.5,1', '--width-mult', '0.25', '--max-disp', '16', ...TINY);
    expect(r.errText).not.toContain('error');
    expect(r.code).toBe(0);
    const lines = r.outText.trim().split('\n');
    expect(lines[0]).toMatch(/^train-student: student \([\d,]+ parameters\) from .*teacher\.onnx \(dist-l1=1, disp-l1=0\.5, teacher only\) on pairs:.*, batch 1, crop 32x64$/);
    expect(lines[1]).toMatch(/^distilled 2 steps in [\d.]+s; last loss \d+\.\d{3}, EPE to the teacher \d+\.\d{3}$/);
    // The validation sample's whole-image entry serves its training crop too.
    expect(lines[2]).toMatch(/^teacher: 2 runs, 1 cache hits \(cache .*teacher-cache/);
    expect(lines[3]).toMatch(/^best validation at step 2: EPE \d+\.\d{3}, bad-2 [\d.]+% \(1 scenes of pairs:.*, against the teacher's disparity\)$/);
    expect(lines[4]).toMatch(/^wrote .*student\.onnx \(weights of step 2, BN folded, model contract embedded\)$/);
    expect(r.errText).toMatch(/train-student: 2\/2 \(100%\)/);
    const runDir = path.join(tmp, 'kd', 'student.run');
    for (const f of ['run.json', 'checkpoint.onnx', 'best.onnx', 'log.jsonl', 'summary.json', 'summary.md', 'curves.png']) expect(existsSync(path.join(runDir, f)), f).toBe(true);
    const log = await jsonLines(path.join(runDir, 'log.jsonl'));
    expect(log.filter((l) => l.type === 'train').map((l) => [l.step, Object.keys(l.terms)])).toEqual([[1, ['dist-l1', 'disp-l1']], [2, ['dist-l1', 'disp-l1']]]);
    const summary = JSON.parse(await fsp.readFile(path.join(runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ steps: 2, gtWeight: 0, valReference: 'teacher', kd: { 'dist-l1': 1, 'disp-l1': 0.5 }, temperature: { start: 0.5, end: 1 }, teacherWork: { runs: 2, cacheHits: 1 } });
    expect(await fsp.readFile(path.join(runDir, 'summary.md'), 'utf8')).toContain('| distillation | dist-l1=1, disp-l1=0.5; temperature 0.5 → 1 |');
    expect((await readOnnx(out)).outputs).toEqual(['disparity', 'logits', 'confidence']);

    const conflict = await runCli('train-student', '--resume', '--run-dir', runDir, '--kd', 'dist-kl');
    expect(conflict.code).toBe(1);
    expect(conflict.errText).toMatch(/^error: The run being resumed was started with kd .*; drop the option or start a new run folder\n$/);
  });

  it.each([
    [['--teacher', 'MISSING', '--data', 'PAIRS', '--out', 'x.onnx'], /^error: .*missing\.onnx: teacher model not found/],
    [['--teacher', 'NODISP', '--data', 'PAIRS', '--out', 'x.onnx'], /^error: .*no-disp\.onnx: has no disparity output 'disparity'/],
    [['--teacher', 'TEACHER', '--data', 'PAIRS', '--out', 'x.onnx', '--gt-weight', '1', '--width-mult', '0.25', '--max-disp', '16'], /^error: pairs:.*: sample 'pairs\/cam\d' has no ground-truth disparity, so the ground-truth term \(gtWeight > 0\) cannot be used; distill unlabeled data with gtWeight 0/],
    [['--teacher', 'TEACHER', '--data', 'PAIRS', '--out', 'x.onnx', '--kd', 'dist-l3'], /^error: Expected terms among dist-l1, dist-kl, disp-l1, feature .* for --kd but received/],
    [['--teacher', 'TEACHER', '--data', 'PAIRS', '--out', 'x.onnx', '--temperature', '0,1'], /--temperature start/],
    [['--teacher', 'TEACHER', '--data', 'PAIRS', '--out', 'x.onnx', '--kd', 'feature'], /exposes no features/],
    [['--data', 'PAIRS', '--out', 'x.onnx'], /train-student needs --teacher T\.onnx, --data SPEC and --out student\.onnx/],
  ])('%j → one-line typed error', async (args, message) => {
    const files: Record<string, string> = { MISSING: path.join(tmp, 'missing.onnx'), NODISP: path.join(tmp, 'no-disp.onnx'), TEACHER: teacher, PAIRS: `pairs:${pairs}`, 'x.onnx': path.join(tmp, 'bad', 'x.onnx') };
    const r = await runCli('train-student', ...(args as string[]).map((a) => files[a] ?? a), ...TINY);
    expect(r.code).toBe(1);
    expect(r.errText.trim().split('\n')).toHaveLength(1);
    expect(r.errText).toMatch(message);
  });

  it('parses temperatures', () => {
    expect(parseTemperature('0.5,1')).toEqual([0.5, 1]);
    expect(parseTemperature('2')).toBe(2);
    expect(() => parseTemperature('1,2,3')).toThrow(/--temperature/);
  });
});

describe('stereo-sdk train --init', () => {
  it('fine-tunes an existing student', async () => {
    const out = path.join(tmp, 'tuned.onnx');
    const r = await runCli('train', '--init', path.join(tmp, 'student.onnx'), '--data', 'synth:?maxDisparity=12', '--no-val', '--out', out, '--steps', '1', ...TINY);
    expect(r.errText).not.toContain('error');
    expect(r.code).toBe(0);
    const config = JSON.parse(await fsp.readFile(path.join(tmp, 'tuned.run', 'run.json'), 'utf8'));
    expect(config).toMatchObject({ init: path.join(tmp, 'student.onnx'), arch: 'student', net: {} });
    expect(JSON.parse((await readOnnx(out)).metadata.get('stereo_sdk.contract')!).maxDisparity).toBe(16);
    const both = await runCli('train', '--init', path.join(tmp, 'student.onnx'), '--width-mult', '0.5', '--data', 'synth:', '--out', path.join(tmp, 'y.onnx'));
    expect(both.errText).toMatch(/^error: init takes the network from the model/);
  });
});
