/**
 * Fixtures for the CLI tests: the edge runtime's hand-built block-matching ONNX model written to a
 * file, shifted random-texture pairs as PNGs, and a small manifest dataset with exact ground truth.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeImage, writePfm } from '@stereo-sdk/core';
import { writeContract } from '@stereo-sdk/edge-runtime';
import { main } from '../../src/program.js';
import { buildBlockMatchingModel, buildSingleInputModel, type BlockMatchingOptions } from '../../../packages/edge-runtime/test/fixtures/stereo-model.js';
import { shiftedPair } from '../../../packages/edge-runtime/test/fixtures/pairs.js';

/** Captures what a command writes, for `main(argv, io)`. */
export function capture() {
  const io = { outText: '', errText: '', out: (s: string) => void (io.outText += s), err: (s: string) => void (io.errText += s) };
  return io;
}

/** `['node', 'stereo-sdk', ...args]`, as `main` expects. */
export const argv = (...args: string[]): string[] => ['node', 'stereo-sdk', ...args];

/** Runs `stereo-sdk ...args` in process and returns its exit code and what it wrote. */
export async function runCli(...args: string[]): Promise<{ code: number } & ReturnType<typeof capture>> {
  const io = capture();
  const code = await main(argv(...args), io);
  return { code, ...io };
}

/**
 * Writes the block-matching model (8 disparities by default) with a contract in its metadata
 * (stride 8, logits at full resolution), or without one when `contract` is false.
 */
export async function writeModel(file: string, options: BlockMatchingOptions & { contract?: boolean } = {}): Promise<string> {
  const { contract = true, ...model } = options;
  const c = writeContract({
    inputs: { layout: 'pair', left: 'left', right: 'right' },
    channels: 3,
    stride: 8,
    maxDisparity: (model.maxDisp ?? 8) - 1,
    outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 1 } },
  });
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, buildBlockMatchingModel({ ...model, metadata: contract ? { [c.key]: c.value } : undefined }));
  return file;
}

/** Writes a valid ONNX model that is not a stereo model. */
export async function writeNonStereoModel(file: string): Promise<string> {
  await fsp.writeFile(file, buildSingleInputModel());
  return file;
}

/** Writes a shifted pair (`right(x) = left(x + shift)`) as two RGB PNGs. */
export async function writePair(dir: string, o: { width: number; height: number; shift: number; seed?: number; prefix?: string }) {
  const { left, right } = shiftedPair(o);
  const prefix = o.prefix ?? '';
  const l = path.join(dir, `${prefix}left.png`);
  const r = path.join(dir, `${prefix}right.png`);
  await writeImage(l, { data: left.data as Uint8Array, width: o.width, height: o.height, channels: 3, bitDepth: 8 });
  await writeImage(r, { data: right.data as Uint8Array, width: o.width, height: o.height, channels: 3, bitDepth: 8 });
  return { left: l, right: r, raw: { left, right } };
}

/**
 * A manifest dataset of shifted pairs with exact ground truth (the shift; the occluded left
 * columns are Infinity). With `withoutGt`, one more scene has no ground truth.
 */
export async function writeManifestDataset(dir: string, scenes: { name: string; width: number; height: number; shift: number }[], withoutGt = false): Promise<string> {
  const items = [];
  for (const [i, s] of scenes.entries()) {
    const sceneDir = path.join(dir, s.name);
    await writePair(sceneDir, { ...s, seed: 100 + i });
    const gt = new Float32Array(s.width * s.height).fill(s.shift);
    for (let y = 0; y < s.height; y++) for (let x = 0; x < s.shift; x++) gt[y * s.width + x] = Infinity;
    await writePfm(path.join(sceneDir, 'disp.pfm'), { data: gt, width: s.width, height: s.height });
    items.push({ family: 'fixture', scene: s.name, dir: s.name, left: 'left.png', right: 'right.png', gt: 'disp.pfm', gtFormat: 'pfm', gtDivisor: 1, invalid: 'inf' });
  }
  if (withoutGt) {
    await writePair(path.join(dir, 'nogt'), { width: 40, height: 20, shift: 2 });
    items.push({ family: 'fixture', scene: 'nogt', dir: 'nogt', left: 'left.png', right: 'right.png' });
  }
  const file = path.join(dir, 'manifest.json');
  await fsp.writeFile(file, JSON.stringify(items, null, 1));
  return file;
}
