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
  STUDENT_VARIANTS,
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

/** Sharper logits (× `gain`): with random BN, the untrained network's confidences then spread over (0, 1]. */
function sharpenLogits(graph: Graph, gain: number): void {
  const w = graph.initializer('head.logits.weight')!;
  graph.setInitializer('head.logits.weight', { ...w, data: Float32Array.from(w.data as Float32Array, (v) => v * gain) });
}

/** Max softmax probability over axis 1 of [N, D, h, w] logits, in float64: the independent oracle. */
function maxProbability(logits: Float32Array, dims: readonly number[]): Float64Array {
  const [n, d, h, w] = dims as [number, number, number, number];
  const plane = h * w;
  const out = new Float64Array(n * plane);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < plane; i++) {
      let max = -Infinity;
      for (let k = 0; k < d; k++) max = Math.max(max, logits[(b * d + k) * plane + i]!);
      let sum = 0;
      for (let k = 0; k < d; k++) sum += Math.exp(logits[(b * d + k) * plane + i]! - max);
      out[b * plane + i] = 1 / sum;
    }
  }
  return out;
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
    expect(model.outputs).toEqual(['disparity', 'logits', 'confidence']);
    expect(model.shape('left')).toEqual(['N', 3, 'H', 'W']);
    expect(model.shape('disparity')).toEqual(['N', 1, 'H', 'W']);
    expect(model.shape('confidence')).toEqual(['N', 1, 'H_4', 'W_4']);
    expect(CONTRACT_KEY).toBe(CONTRACT_METADATA_KEY);
    const contract = parseContract(model.metadata.get(CONTRACT_KEY)!);
    expect(contract).toMatchObject({
      inputs: { layout: 'pair', left: 'left', right: 'right' },
      channels: 3,
      stride: 16,
      maxDisparity: 192,
      size: { dynamic: true },
      outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 4 }, confidence: { name: 'confidence', downsample: 4 } },
      normalization: { scale: 1, mean: [...INPUT_NORMALIZATION.mean], std: [...INPUT_NORMALIZATION.std] },
    });
    // Same numbers as the unfolded network at the build size.
    const feeds = { left: randomTensor([1, 3, 64, 128], 8), right: randomTensor([1, 3, 64, 128], 9) };
    const [ref, got] = [await runGraph(net.graph, feeds), await runGraph(model, feeds)];
    expect(maxAbsDiff(got.logits!.data as Float32Array, ref.logits!.data as Float32Array)).toBeLessThan(1e-3);
    expect(maxAbsDiff(got.disparity!.data as Float32Array, ref.disparity!.data as Float32Array)).toBeLessThan(1e-2);
  });

  it('computes confidence in the graph from the softmax it already has, leaving the network graph as it was', async () => {
    const net = buildStudent({ height: 64, width: 128, seed: 2 });
    randomizeBatchNorm(net.graph);
    sharpenLogits(net.graph, 100);
    const before = { nodes: net.graph.nodes.length, outputs: [...net.graph.outputs] };
    const model = toInferenceModel(net.graph);
    const plain = toInferenceModel(net.graph, { confidence: false });
    expect({ nodes: net.graph.nodes.length, outputs: [...net.graph.outputs] }).toEqual(before);
    expect(net.graph.hasValue('confidence')).toBe(false);
    // One Reciprocal more than without confidence: no second softmax.
    expect(plain.outputs).toEqual(['disparity', 'logits']);
    expect(parseContract(plain.metadata.get(CONTRACT_KEY)!).outputs.confidence).toBeUndefined();
    const ops = (g: Graph) => g.nodes.map((n) => n.opType).sort();
    expect(model.nodes.length).toBe(plain.nodes.length + 1);
    expect(ops(model)).toEqual([...ops(plain), 'Reciprocal'].sort());
    const out = await runGraph(model, { left: randomTensor([2, 3, 64, 128], 3), right: randomTensor([2, 3, 64, 128], 4) });
    expect(out.confidence!.dims).toEqual([2, 1, 16, 32]);
    const conf = out.confidence!.data as Float32Array;
    const ref = maxProbability(out.logits!.data as Float32Array, out.logits!.dims);
    expect(maxAbsDiff(conf, ref)).toBeLessThan(1e-5);
    // A real spread of confidences, so the comparison means something.
    expect(Math.min(...conf)).toBeLessThan(0.3);
    expect(Math.max(...conf)).toBeGreaterThan(0.6);
  });

  it('the runtime reads the in-graph confidence and it equals its JS confidence from the logits', async () => {
    const net = buildStudent({ height: 64, width: 128, seed: 6, config: { maxDisparity: 64 } });
    randomizeBatchNorm(net.graph);
    sharpenLogits(net.graph, 100);
    const [inGraph, fromLogits] = [join(dir, 'conf-graph.onnx'), join(dir, 'conf-logits.onnx')];
    await exportStereoModel(inGraph, net.graph);
    await exportStereoModel(fromLogits, net.graph, { confidence: false });
    const pair = generateSyntheticPair({ width: 150, height: 70, maxDisparity: 32 }, 5);
    const raw = (img: typeof pair.left): RawImage => ({ data: img.data as Uint8Array, width: img.width, height: img.height, channels: img.channels });
    const [a, b] = await Promise.all([createStereoMatcher(inGraph, { intraOpNumThreads: 1 }), createStereoMatcher(fromLogits, { intraOpNumThreads: 1 })]);
    try {
      expect(a.contract.outputs.confidence).toEqual({ name: 'confidence', downsample: 4 });
      expect(b.contract.outputs.confidence).toBeUndefined();
      const [ra, rb] = [await a.disparity(raw(pair.left), raw(pair.right)), await b.disparity(raw(pair.left), raw(pair.right))];
      expect(ra.confidence!.length).toBe(150 * 70);
      expect(maxAbsDiff(ra.confidence!, rb.confidence!)).toBeLessThan(1e-4);
      expect(Math.max(...ra.confidence!) - Math.min(...ra.confidence!)).toBeGreaterThan(0.2);
      expect(maxAbsDiff(ra.disparity.map((d) => (Number.isFinite(d) ? d : -1)), rb.disparity.map((d) => (Number.isFinite(d) ? d : -1)))).toBeLessThan(1e-3);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
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
    expect(out.confidence!.dims).toEqual([1, 1, 24, 40]);
    expect(maxAbsDiff(out.confidence!.data as Float32Array, maxProbability(out.logits!.data as Float32Array, out.logits!.dims))).toBeLessThan(1e-5);
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

  it('exports the fast variant with logits and confidence at 1/8, and the runtime runs it end to end', async () => {
    const path = join(dir, 'student-fast.onnx');
    await exportStereoModel(path, buildStudent({ height: 64, width: 128, seed: 4, config: { ...STUDENT_VARIANTS.fast, maxDisparity: 64 } }).graph);
    const contract = parseContract((await readOnnx(path)).metadata.get(CONTRACT_KEY)!);
    expect(contract.stride).toBe(32);
    expect(contract.outputs.logits).toEqual({ name: 'logits', downsample: 8 });
    expect(contract.outputs.confidence).toEqual({ name: 'confidence', downsample: 8 });
    const pair = generateSyntheticPair({ width: 150, height: 70, maxDisparity: 32 }, 4);
    const raw = (img: typeof pair.left): RawImage => ({ data: img.data as Uint8Array, width: img.width, height: img.height, channels: img.channels });
    const matcher = await createStereoMatcher(path, { intraOpNumThreads: 1 });
    try {
      const result = await matcher.disparity(raw(pair.left), raw(pair.right));
      expect(result.disparity.length).toBe(150 * 70);
      expect(result.confidence?.length).toBe(150 * 70);
      expect(result.confidence!.every((c) => c > 0 && c <= 1)).toBe(true);
    } finally {
      await matcher.dispose();
    }
  });

  it('can export a fixed-size model without logits (and without confidence)', () => {
    const net = buildStudent({ height: 32, width: 64 });
    const model = toInferenceModel(net.graph, { dynamic: false, logits: false });
    expect(model.outputs).toEqual(['disparity', 'confidence']);
    expect(model.shape('left')).toEqual([1, 3, 32, 64]);
    expect(model.shape('confidence')).toEqual([1, 1, 8, 16]);
    const contract = parseContract(model.metadata.get(CONTRACT_KEY)!);
    expect(contract.size).toEqual({ dynamic: false, width: 64, height: 32 });
    expect(contract.outputs).toEqual({ disparity: 'disparity', confidence: { name: 'confidence', downsample: 4 } });
    const bare = toInferenceModel(net.graph, { dynamic: false, logits: false, confidence: false });
    expect(bare.outputs).toEqual(['disparity']);
    expect(parseContract(bare.metadata.get(CONTRACT_KEY)!).outputs).toEqual({ disparity: 'disparity' });
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
    expect(() => toInferenceModel(buildStudent({ height: 32, width: 64 }).graph, { confidence: 1 as never })).toThrow(/confidence/);
  });

  it('asks for confidence: false when the graph has no softmax regression over its logits', () => {
    const net = buildStudent({ height: 32, width: 64 });
    // Replace the regression's Σ exp weights (ones) by twos: the pattern no longer sums the softmax.
    const conv = net.graph.nodes.find((n) => n.opType === 'Conv' && n.name.startsWith('/regression/'))!;
    const w = net.graph.initializer(conv.inputs[1]!)!;
    net.graph.setInitializer(conv.inputs[1]!, { ...w, data: (w.data as Float32Array).map(() => 2) });
    expect(() => toInferenceModel(net.graph)).toThrow(/no softArgmin .* reads 'logits'/);
    expect(toInferenceModel(net.graph, { confidence: false }).outputs).toEqual(['disparity', 'logits']);
  });
});
