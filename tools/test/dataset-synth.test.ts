import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readImage, readMask, readPfm } from '@stereo-sdk/core';
import { main } from '../src/program.js';

function capture() {
  const io = { outText: '', errText: '', out: (s: string) => void (io.outText += s), err: (s: string) => void (io.errText += s) };
  return io;
}

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'synth-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const synth = (...args: string[]) => ['node', 'stereo-sdk', 'dataset', 'synth', ...args];

describe('stereo-sdk dataset synth', () => {
  it('writes the synthetic tree with --size as HEIGHTxWIDTH', async () => {
    const out = path.join(tmp, 'ds');
    const io = capture();
    const code = await main(synth('--out', out, '--count', '3', '--size', '40x72', '--max-disp', '20', '--seed', '7'), io);
    expect(io.errText).toContain('synth: 3/3 (100%)');
    expect(code).toBe(0);
    expect(io.outText).toMatch(/3 pairs .*40x72.*wrote 3, kept 0 existing/);
    const meta = JSON.parse(await fsp.readFile(path.join(out, 'meta.json'), 'utf8'));
    expect(meta).toEqual({ generator: 'stereo-sdk-synth', version: 1, count: 3, width: 72, height: 40, maxDisparity: 20, seed: 7 });
    for (let i = 0; i < 3; i++) {
      const name = String(i).padStart(6, '0');
      const left = await readImage(path.join(out, 'left', `${name}.png`));
      expect(left).toMatchObject({ width: 72, height: 40, channels: 3, bitDepth: 8 });
      const right = await readImage(path.join(out, 'right', `${name}.png`));
      expect(right).toMatchObject({ width: 72, height: 40, channels: 3 });
      const disp = await readPfm(path.join(out, 'disparity', `${name}.pfm`));
      expect(disp).toMatchObject({ width: 72, height: 40, channels: 1 });
      expect(disp.data.every((d) => d > 0 && d < 20)).toBe(true);
      const occ = await readMask(path.join(out, 'occlusion', `${name}.png`));
      expect(occ).toMatchObject({ width: 72, height: 40 });
      expect(occ.data.some((v) => v === 1)).toBe(true);
    }
  });

  it('resumes: a rerun skips complete samples and rewrites missing files', async () => {
    const out = path.join(tmp, 'ds');
    const before = await fsp.readFile(path.join(out, 'right', '000001.png'));
    await fsp.rm(path.join(out, 'right', '000001.png'));
    const io = capture();
    const code = await main(synth('--out', out, '--count', '3', '--size', '40x72', '--max-disp', '20', '--seed', '7'), io);
    expect(code).toBe(0);
    expect(io.outText).toContain('wrote 1, kept 2 existing');
    expect((await fsp.readFile(path.join(out, 'right', '000001.png'))).equals(before)).toBe(true);
  });

  it('refuses to mix a different seed into an existing tree', async () => {
    const io = capture();
    const code = await main(synth('--out', path.join(tmp, 'ds'), '--count', '3', '--size', '40x72', '--max-disp', '20', '--seed', '8'), io);
    expect(code).toBe(1);
    expect(io.errText).toMatch(/^error: .*meta\.json: existing dataset has seed 7 but this run asks for 8/m);
  });

  it.each([
    [['--count', '0'], /--count/],
    [['--count', 'ten'], /--count/],
    [['--size', '256by512'], /HEIGHTxWIDTH.*--size.*'256by512'/],
    [['--size', '8x512'], /--size height/],
    [['--size', '64x64', '--max-disp', '96'], /--max-disp/],
    [['--max-disp', '1'], /--max-disp/],
    [['--seed', '-1'], /--seed/],
    [['--seed', '4294967296'], /--seed/],
  ])('rejects %j with a one-line error naming the option', async (args, msg) => {
    const out = path.join(tmp, 'never');
    const io = capture();
    const code = await main(synth('--out', out, ...(args as string[])), io);
    expect(code).toBe(1);
    expect(io.errText).toMatch(/^error: Expected /);
    expect(io.errText).toMatch(msg);
    expect(io.errText).not.toContain('    at ');
    await expect(fsp.access(out)).rejects.toThrow();
  });

  it('requires --out', async () => {
    const io = capture();
    const code = await main(['node', 'stereo-sdk', 'dataset', 'synth', '--count', '2'], io);
    expect(code).not.toBe(0);
    expect(io.errText).toContain("required option '--out <dir>' not specified");
  });

  it('documents HxW in its help', async () => {
    const io = capture();
    await main(['node', 'stereo-sdk', 'dataset', 'synth', '--help'], io);
    expect(io.outText).toContain('HEIGHTxWIDTH: 256x512 is 256 rows by 512');
  });
});
