import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readImage, readKittiDisparity, readPfm } from '@stereo-sdk/core';
import { runCli, writeModel, writeNonStereoModel, writePair } from './helpers/fixtures.js';

const W = 64;
const H = 32;
const SHIFT = 3;
let tmp: string;
let model: string;
let left: string;
let right: string;

/** Interior pixels: away from the occluded left border, the image border and the box filter's reach. */
function interior(data: Float32Array): number[] {
  const out: number[] = [];
  for (let y = 2; y < H - 2; y++) for (let x = 10; x < W - 3; x++) out.push(data[y * W + x]);
  return out;
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'disparity-cli-'));
  model = await writeModel(path.join(tmp, 'bm.onnx'));
  ({ left, right } = await writePair(tmp, { width: W, height: H, shift: SHIFT, seed: 4 }));
  await fsp.writeFile(path.join(tmp, 'empty.png'), '');
  const png = await fsp.readFile(left);
  await fsp.writeFile(path.join(tmp, 'truncated.png'), png.subarray(0, png.length >> 1));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli('disparity', ...args);

describe('stereo-sdk disparity', () => {
  it('writes colorized PNG, PFM and KITTI PNG that hold the known shift, and prints one summary line', async () => {
    const out = path.join(tmp, 'a');
    const r = await run(left, right, '--model', model, '-o', `${out}/vis.png`, '--pfm', `${out}/d.pfm`, '--kitti', `${out}/k.png`, '--threads', '1');
    expect(r.errText).toBe('');
    expect(r.code).toBe(0);
    expect(r.outText.trim().split('\n')).toHaveLength(1);
    expect(r.outText).toMatch(/^disparity: left\.png 64x32 on cpu, 1 thread: preprocess [\d.]+ ms, inference [\d.]+ ms, postprocess [\d.]+ ms; [\d.]+% valid/);
    const pfm = await readPfm(`${out}/d.pfm`);
    expect([pfm.width, pfm.height]).toEqual([W, H]);
    expect(interior(pfm.data).every((d) => Math.abs(d - SHIFT) < 0.05)).toBe(true);
    const kitti = await readKittiDisparity(`${out}/k.png`);
    expect(interior(kitti.data).every((d) => Math.abs(d - SHIFT) < 0.01)).toBe(true);
    const vis = await readImage(`${out}/vis.png`);
    expect(vis).toMatchObject({ width: W, height: H, channels: 3, bitDepth: 8 });
  });

  it('writes depth (focal × baseline / (d + doffs)) and a PLY coloured from the left image', async () => {
    const out = path.join(tmp, 'b');
    const r = await run(left, right, '--model', model, '--depth', `${out}/z.pfm`, '--ply', `${out}/c.ply`, '--focal', '100', '--baseline', '0.5', '--doffs', '1');
    expect(r.errText).toBe('');
    expect(r.code).toBe(0);
    expect(r.outText).toContain('depth from --focal/--baseline');
    const z = await readPfm(`${out}/z.pfm`);
    // d = 3, doffs = 1: 100 * 0.5 / 4
    expect(interior(z.data).every((v) => Math.abs(v - 12.5) < 0.25)).toBe(true);
    const ply = await fsp.readFile(`${out}/c.ply`);
    const headerEnd = ply.indexOf('end_header\n') + 'end_header\n'.length;
    const header = ply.subarray(0, headerEnd).toString('latin1');
    const count = Number(/element vertex (\d+)/.exec(header)![1]);
    expect(count).toBe(z.data.filter((v) => v > 0 && Number.isFinite(v)).length);
    expect(header).toContain('property uchar red');
    expect(ply.length).toBe(headerEnd + count * 15);
    // The first point is pixel (0, 0) when it is valid: its colour is the left image's first pixel.
    const leftImg = await readImage(left);
    if (Number.isFinite(z.data[0])) expect([...ply.subarray(headerEnd + 12, headerEnd + 15)]).toEqual([...leftImg.data.subarray(0, 3)]);
    expect(r.outText).toMatch(/c\.ply \(\d+ points\)/);
  });

  it('reads a Middlebury calib.txt for depth (baseline mm → m)', async () => {
    const calib = path.join(tmp, 'calib.txt');
    await fsp.writeFile(calib, 'cam0=[200 0 32; 0 200 16; 0 0 1]\ncam1=[200 0 32; 0 200 16; 0 0 1]\ndoffs=0\nbaseline=150\nwidth=64\nheight=32\n');
    const out = path.join(tmp, 'c');
    const r = await run(left, right, '--model', model, '--depth', `${out}/z.pfm`, '--calib', calib);
    expect(r.code).toBe(0);
    const z = await readPfm(`${out}/z.pfm`);
    expect(interior(z.data).every((v) => Math.abs(v - (200 * 0.15) / 3) < 0.1)).toBe(true);
  });

  it('--lr-check marks the occluded left border invalid (inf in the PFM)', async () => {
    const out = path.join(tmp, 'd');
    const r = await run(left, right, '--model', model, '--pfm', `${out}/d.pfm`, '--lr-check');
    expect(r.code).toBe(0);
    const d = (await readPfm(`${out}/d.pfm`)).data;
    let invalid = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < SHIFT; x++) if (!Number.isFinite(d[y * W + x])) invalid++;
    expect(invalid / (SHIFT * H)).toBeGreaterThan(0.9);
    expect(interior(d).every((v) => Math.abs(v - SHIFT) < 0.05)).toBe(true);
  });

  it('says which provider really runs when the first choice does not start', async () => {
    const r = await run(left, right, '--model', model, '--pfm', path.join(tmp, 'f', 'd.pfm'), '--providers', 'cuda,cpu');
    expect(r.code).toBe(0);
    expect(r.outText).toContain('on cpu (cuda did not start), default threads:');
  });

  it('--max-disparity and --downscale reach the runtime', async () => {
    const out = path.join(tmp, 'e');
    expect((await run(left, right, '--model', model, '--pfm', `${out}/m.pfm`, '--max-disparity', '2.5')).code).toBe(0);
    expect(interior((await readPfm(`${out}/m.pfm`)).data).every((v) => v === Infinity)).toBe(true);
    expect((await run(left, right, '--model', model, '--pfm', `${out}/s.pfm`, '--downscale', '2')).code).toBe(0);
    const s = await readPfm(`${out}/s.pfm`);
    expect([s.width, s.height]).toEqual([W, H]);
  });
});

describe('stereo-sdk disparity: bad input ends in one error line and exit code 1', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no output', () => [left, right, '--model', model], /nothing to write: give at least one of -o/],
    ['--depth without calibration', () => [left, right, '--model', model, '--depth', 'z.pfm'], /--depth needs calibration: --calib FILE/],
    ['--ply with --focal only', () => [left, right, '--model', model, '--ply', 'c.ply', '--focal', '100'], /--ply needs calibration/],
    ['--calib and --focal together', () => [left, right, '--model', model, '-o', 'x.png', '--calib', 'c.txt', '--focal', '1', '--baseline', '1'], /either --calib FILE or --focal/],
    ['missing calibration file', () => [left, right, '--model', model, '--depth', path.join(tmp, 'z.pfm'), '--calib', path.join(tmp, 'nope.txt')], /nope\.txt: calibration file not found/],
    ['missing left image', () => [path.join(tmp, 'missing.png'), right, '--model', model, '-o', path.join(tmp, 'x.png')], /missing\.png: left image not found/],
    ['a non-image file', () => [model, right, '--model', model, '-o', path.join(tmp, 'x.png')], /bm\.onnx: not an image/],
    ['an empty image file', () => [path.join(tmp, 'empty.png'), right, '--model', model, '-o', path.join(tmp, 'x.png')], /empty\.png: empty file, not an image/],
    ['a truncated image file', () => [path.join(tmp, 'truncated.png'), right, '--model', model, '-o', path.join(tmp, 'x.png')], /truncated\.png: corrupt or truncated image/],
    ['missing model', () => [left, right, '--model', path.join(tmp, 'none.onnx'), '-o', path.join(tmp, 'x.png')], /none\.onnx: model not found/],
    ['a model that is not ONNX', () => [left, right, '--model', left, '-o', path.join(tmp, 'x.png')], /left\.png: not an ONNX model/],
    ['unknown provider', () => [left, right, '--model', model, '-o', path.join(tmp, 'x.png'), '--providers', 'cpu,gpu'], /for --providers but received 'gpu'/],
    ['unavailable provider', () => [left, right, '--model', model, '-o', path.join(tmp, 'x.png'), '--providers', 'cuda'], /no execution provider could start \(cuda: .*\); add cpu to --providers/],
    ['bad --threads', () => [left, right, '--model', model, '-o', path.join(tmp, 'x.png'), '--threads', '0'], /--threads/],
    ['bad --downscale', () => [left, right, '--model', model, '-o', path.join(tmp, 'x.png'), '--downscale', '0.5'], /--downscale/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await run(...args());
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: /);
    expect(r.errText.trim().split('\n')).toHaveLength(1);
    expect(r.errText).toMatch(message);
    expect(r.outText).toBe('');
  });

  it('left and right of different sizes', async () => {
    const other = await writePair(path.join(tmp, 'small'), { width: 40, height: 20, shift: 2 });
    const r = await run(left, other.right, '--model', model, '-o', path.join(tmp, 'x.png'));
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: left image is 64x32 but right image is 40x20/);
  });

  it('a valid ONNX model that is not a stereo model', async () => {
    const bad = await writeNonStereoModel(path.join(tmp, 'relu.onnx'));
    const r = await run(left, right, '--model', bad, '-o', path.join(tmp, 'x.png'));
    expect(r.code).toBe(1);
    expect(r.errText).toMatch(/^error: .*relu\.onnx: /);
  });
});
