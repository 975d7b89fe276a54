import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnx, GraphBuilder, readOnnx, validateGraph, type Graph } from '@stereo-sdk/core';
import { CONTRACT_METADATA_KEY, createStereoMatcher, parseContract, type RawImage } from '@stereo-sdk/edge-runtime';
import {
  buildStudent,
  buildTeacher,
  CONTRACT_KEY,
  exportStereoModel,
  generateSyntheticPair,
  INPUT_NORMALIZATION,
  toInferenceModel,
} from '@stereo-sdk/stereo';
import { maxAbsDiff, randomTensor, runGraph } from './helpers.js';

/** Non-trivial BN statistics, so that folding them into the convs is actually exercised. */
function randomizeBatchNorm(graph: Graph): void {
  let k = 0;
  for (const [name, t] of graph.initializers) {
    const kind = /\.(weight|bias|running_mean|running_var)$/.exec(name)?.[1];
    if (!kind || !name.split('.').at(-2)!.endsWith('_bn')) continue;
    const data = Float32Array.from(t.data as Float32Array, (_, i) => {
      const u = Math.sin(++k * 12.9898 + i) * 0.5;
      return kind === 'running_var' ? 0.5 + u * u : kind === 'weight' ? 1 + u * 0.3 : u * 0.2;
    });
    graph.setInitializer(name, { ...t, data });
  }
}

describe('inference export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stereo-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('folds BN, keeps the outputs, declares a dynamic size and embeds a contract the edge runtime parses', async () => {
    const net = buildStudent({ height: 64, width: 128, seed: 5 });
    randomizeBatchNorm(net.graph);
    const model = toInferenceModel(net.graph);
    expect(model.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(model.outputs).toEqual(['disparity', 'logits']);
    expect(model.shape('left')).toEqual(['N', 3, 'H', 'W']);
    expect(model.shape('disparity')).toEqual(['N', 1, 'H', 'W']);
    expect(CONTRACT_KEY).toBe(CONTRACT_METADATA_KEY);
    const contract = parseContract(model.metadata.get(CONTRACT_KEY)!);
    expect(contract).toMatchObject({
      inputs: { layout: 'pair', left: 'left', right: 'right' },
      channels: 3,
      stride: 16,
      maxDisparity: 192,
      size: { dynamic: true },
      outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 4 } },
      normalization: { scale: 1, mean: [...INPUT_NORMALIZATION.mean], std: [...INPUT_NORMALIZATION.std] },
    });
    // Same numbers as the unfolded network at the build size.
    const feeds = { left: randomTensor([1, 3, 64, 128], 8), right: randomTensor([1, 3, 64, 128], 9) };
    const [ref, got] = [await runGraph(net.graph, feeds), await runGraph(model, feeds)];
    expect(maxAbsDiff(got.logits!.data as Float32Array, ref.logits!.data as Float32Array)).toBeLessThan(1e-3);
    expect(maxAbsDiff(got.disparity!.data as Float32Array, ref.disparity!.data as Float32Array)).toBeLessThan(1e-2);
  });

  it('writes a file that readOnnx loads and validates, and that runs at another size and batch', async () => {
    const path = join(dir, 'student.onnx');
    await exportStereoModel(path, buildStudent({ height: 64, width: 128 }).graph);
    const loaded = await readOnnx(path);
    validateGraph(loaded);
    expect(JSON.parse(loaded.metadata.get(CONTRACT_KEY)!).size).toEqual({ dynamic: true });
    const out = await runGraph(encodeOnnx(loaded), { left: randomTensor([2, 3, 96, 176], 1), right: randomTensor([2, 3, 96, 176], 2) });
    expect(out.disparity!.dims).toEqual([2, 1, 96, 176]);
    expect(out.logits!.dims).toEqual([2, 48, 24, 44]);
    expect((out.disparity!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('exports the teacher (3D stage, group-wise volume) so that it also runs at another size', async () => {
    const model = toInferenceModel(buildTeacher({ height: 64, width: 64, config: { widthMultiplier: 0.25 } }).graph);
    expect(parseContract(model.metadata.get(CONTRACT_KEY)!).stride).toBe(32);
    const out = await runGraph(encodeOnnx(model), { left: randomTensor([1, 3, 96, 160], 3), right: randomTensor([1, 3, 96, 160], 4) });
    expect(out.disparity!.dims).toEqual([1, 1, 96, 160]);
    expect(out.logits!.dims).toEqual([1, 48, 24, 40]);
    expect((out.disparity!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('runs end to end through createStereoMatcher on an image pair of a size the stride does not divide', async () => {
    const path = join(dir, 'student-e2e.onnx');
    await exportStereoModel(path, buildStudent({ height: 64, width: 128, config: { maxDisparity: 64 } }).graph);
    const pair = generateSyntheticPair({ width: 150, height: 70, maxDisparity: 32 }, 3);
    const raw = (img: typeof pair.left): RawImage => ({ data: img.data as Uint8Array, width: img.width, height: img.height, channels: img.channels });
    const matcher = await createStereoMatcher(path, { intraOpNumThreads: 2 });
    try {
      expect(matcher.contractOrigin).toBe('metadata');
      expect(matcher.contract.stride).toBe(16);
      const result = await matcher.disparity(raw(pair.left), raw(pair.right));
      expect([result.width, result.height]).toEqual([150, 70]);
      expect(result.disparity.length).toBe(150 * 70);
      expect(result.confidence?.length).toBe(150 * 70);
      // Untrained weights: only check that values are disparities a 64-disparity model can give.
      const finite = result.disparity.filter(Number.isFinite);
      expect(finite.length).toBeGreaterThan(0);
      expect(finite.every((d) => d >= 0 && d <= 64 + 4)).toBe(true);
    } finally {
      await matcher.dispose();
    }
  });

  it('can export a fixed-size model without logits', () => {
    const model = toInferenceModel(buildStudent({ height: 32, width: 64 }).graph, { dynamic: false, logits: false });
    expect(model.outputs).toEqual(['disparity']);
    expect(model.shape('left')).toEqual([1, 3, 32, 64]);
    const contract = parseContract(model.metadata.get(CONTRACT_KEY)!);
    expect(contract.size).toEqual({ dynamic: false, width: 64, height: 32 });
    expect(contract.outputs.logits).toBeUndefined();
  });

  it('keeps the student under 2 MB and the teacher under 30 MB (float32)', () => {
    expect(encodeOnnx(toInferenceModel(buildStudent({ height: 32, width: 64 }).graph)).length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(encodeOnnx(toInferenceModel(buildTeacher({ height: 32, width: 64 }).graph)).length).toBeLessThanOrEqual(30 * 1024 * 1024);
  });

  it('refuses graphs that are not networks of the family', () => {
    const b = new GraphBuilder();
    b.output(b.relu(b.input('left', 'float32', [1, 3, 4, 4])), 'disparity');
    expect(() => toInferenceModel(b.build())).toThrow(/stereo_sdk.net/);
    expect(() => toInferenceModel(buildStudent({ height: 32, width: 64 }).graph, { dynamic: 'yes' as never })).toThrow(/dynamic/);
  });
});
