/**
 * Validation scores are `evaluateDisparity` on the predictions of the deployable model: the same
 * numbers as scoring the returned predictions, and as scoring what the edge runtime predicts with
 * the exported file (so training feeds the network exactly as deployment does).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateDisparity, summarizeScenes, type Graph } from '@stereo-sdk/core';
import { createStereoMatcher } from '@stereo-sdk/edge-runtime';
import { buildStudent, createValidator, exportStereoModel, openTrainingSource } from '@stereo-sdk/stereo';

/** A student with non-trivial BN statistics, so its predictions vary and folding matters. */
function student(): Graph {
  const g = buildStudent({ height: 32, width: 64, seed: 11, config: { widthMultiplier: 0.25, maxDisparity: 16 } }).graph;
  let k = 0;
  for (const [name, t] of g.initializers) {
    if (!/_bn\.(running_mean|running_var)$/.test(name)) continue;
    const data = Float32Array.from(t.data as Float32Array, () => (name.endsWith('var') ? 0.5 + ((++k * 0.37) % 1) : (((++k * 0.61) % 1) - 0.5) * 0.2));
    g.setInitializer(name, { ...t, data });
  }
  return g;
}

describe('createValidator', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stereo-val-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports scene means of evaluateDisparity, equal to the edge runtime run on the exported model', async () => {
    // 72 × 40 is not a multiple of the stride 16: the padding path is exercised.
    const source = await openTrainingSource('synth:?count=3&width=72&height=40&maxDisparity=14&seed=4');
    const validator = await createValidator(source, { threads: 1 });
    expect(validator.length).toBe(3);
    const graph = student();
    const result = await validator.run(graph, { predictions: true });
    expect(result.scenes).toBe(3);
    expect(result.perScene.map((s) => s.name)).toEqual(['synth/4/0', 'synth/4/1', 'synth/4/2']);

    const samples = await Promise.all([0, 1, 2].map((i) => source.get(i)));
    const own = summarizeScenes(samples.map((s, i) => ({ name: s.name, metrics: evaluateDisparity(result.predictions![i]!, s.disparity!).all })));
    expect(result.epe).toBe(own.mean.epe);
    expect(result.bad2).toBe(own.mean.bad2);
    expect(result.d1).toBe(own.mean.d1);

    const file = join(dir, 'student.onnx');
    await exportStereoModel(file, graph, { logits: false });
    const matcher = await createStereoMatcher(file, { intraOpNumThreads: 1 });
    const runtime = [];
    try {
      for (const s of samples) {
        const raw = (img: typeof s.left) => ({ data: img.data as Uint8Array, width: img.width, height: img.height, channels: img.channels });
        const r = await matcher.disparity(raw(s.left), raw(s.right));
        runtime.push({ name: s.name, metrics: evaluateDisparity({ data: r.disparity, width: r.width, height: r.height }, s.disparity!).all });
      }
    } finally {
      await matcher.dispose();
    }
    const rt = summarizeScenes(runtime).mean;
    expect(result.epe).toBeCloseTo(rt.epe, 5);
    expect(result.bad2).toBeCloseTo(rt.bad2, 2);
    expect(result.epe).toBeGreaterThan(0);
  });

  it('needs a scene count for an unbounded generator and ground truth on every sample', async () => {
    const unbounded = await openTrainingSource('synth:?width=64&height=32&maxDisparity=8');
    await expect(createValidator(unbounded)).rejects.toThrow(/limit/);
    expect((await createValidator(unbounded, { limit: 2 })).length).toBe(2);
    const noGt = { spec: 'pairs:/x', length: 1, get: async () => ({ ...(await unbounded.get(0)), disparity: undefined, name: 'p' }) };
    await expect(createValidator(noGt)).rejects.toThrow(/pairs:\/x: sample 'p' has no ground-truth disparity/);
  });
});
