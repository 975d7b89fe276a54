import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, it, expect, vi } from 'vitest';
import { createStereoMatcher, disparity, writeContract, type ModelContractInit, type StereoMatcher } from '../src/index.js';
import { buildBlockMatchingModel, type BlockMatchingOptions } from './fixtures/stereo-model.js';
import { median, region, shiftedPair } from './fixtures/pairs.js';

const pairContract: ModelContractInit = {
  inputs: { layout: 'pair', left: 'left', right: 'right' },
  channels: 3,
  stride: 8,
  outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 1 } },
};

function model(contract: ModelContractInit | null, options: BlockMatchingOptions = {}): Uint8Array {
  const metadata = contract ? Object.fromEntries([Object.values(writeContract(contract))]) : undefined;
  return buildBlockMatchingModel({ ...options, metadata });
}

/** Interior away from the occluded left border, the image border and the box filter's reach. */
const interior = (d: Float32Array, w: number, h: number) => region(d, w, 10, w - 3, 2, h - 2);

describe('StereoMatcher on a block-matching model', () => {
  let matcher: StereoMatcher;
  beforeAll(async () => {
    matcher = await createStereoMatcher(model(pairContract));
  });
  afterAll(() => matcher.dispose());

  it('reports its provider, contract and I/O', () => {
    expect(matcher.provider).toBe('cpu');
    expect(matcher.contractOrigin).toBe('metadata');
    expect(matcher.contract.stride).toBe(8);
    expect(matcher.inputNames).toEqual(['left', 'right']);
    expect(matcher.outputNames).toEqual(['disparity', 'logits']);
    expect(matcher.model).toBe('<model buffer>');
  });

  it('recovers a known shift at an odd size (padded to the stride, cropped back)', async () => {
    const { left, right } = shiftedPair({ width: 45, height: 23, shift: 3 });
    const r = await matcher.disparity(left, right);
    expect([r.width, r.height, r.disparity.length]).toEqual([45, 23, 45 * 23]);
    const inner = interior(r.disparity, 45, 23);
    expect(inner.every((d) => Math.abs(d - 3) < 0.05)).toBe(true);
    expect(r.disparity.every(Number.isFinite)).toBe(true);
    for (const t of Object.values(r.timings)) expect(t).toBeGreaterThanOrEqual(0);
    expect(Object.keys(r.timings).sort()).toEqual(['inferenceMs', 'postprocessMs', 'preprocessMs']);
  });

  it('returns confidence: high on texture, ≈ 1/D on a textureless patch', async () => {
    const { left, right } = shiftedPair({ width: 60, height: 30, shift: 2, flat: [30, 10, 8] });
    const r = await matcher.disparity(left, right);
    const conf = r.confidence!;
    expect(conf.length).toBe(60 * 30);
    expect(conf.every((c) => c > 0 && c <= 1 + 1e-6)).toBe(true);
    expect(median(region(conf, 60, 10, 20, 3, 27))).toBeGreaterThan(0.95);
    for (const c of region(conf, 60, 31, 37, 11, 17)) expect(c).toBeCloseTo(1 / 8, 3);
    const none = await matcher.disparity(left, right, { confidence: false });
    expect(none.confidence).toBeUndefined();
    expect(none.disparity).toEqual(r.disparity);
  });

  it('invalidates disparities above maxDisparity with NaN', async () => {
    const { left, right } = shiftedPair({ width: 40, height: 20, shift: 3 });
    const r = await matcher.disparity(left, right, { maxDisparity: 2.5 });
    expect(interior(r.disparity, 40, 20).every(Number.isNaN)).toBe(true);
    const kept = await matcher.disparity(left, right, { maxDisparity: 3.5 });
    expect(interior(kept.disparity, 40, 20).every((d) => Math.abs(d - 3) < 0.05)).toBe(true);
  });

  it('downscale runs at lower resolution and scales size and values back', async () => {
    const { left, right } = shiftedPair({ width: 64, height: 32, shift: 4, seed: 7 });
    const r = await matcher.disparity(left, right, { downscale: 2 });
    expect([r.width, r.height]).toEqual([64, 32]);
    const inner = region(r.disparity, 64, 16, 58, 4, 28);
    expect(Math.abs(median(inner) - 4)).toBeLessThan(0.1);
    expect(inner.filter((d) => Math.abs(d - 4) < 0.5).length / inner.length).toBeGreaterThan(0.9);
  });

  it('lrCheck marks the occluded left border invalid and keeps consistent pixels', async () => {
    const { left, right } = shiftedPair({ width: 48, height: 24, shift: 3, seed: 3 });
    const plain = await matcher.disparity(left, right);
    const checked = await matcher.disparity(left, right, { lrCheck: true });
    expect(plain.disparity.every(Number.isFinite)).toBe(true);
    // Columns 0..2 of the left view have no match in the right view.
    const border = region(checked.disparity, 48, 0, 3, 0, 24);
    expect(border.filter(Number.isNaN).length / border.length).toBeGreaterThan(0.9);
    const inner = interior(checked.disparity, 48, 24);
    expect(inner.every((d) => Math.abs(d - 3) < 0.05)).toBe(true);
    expect(checked.timings.inferenceMs).toBeGreaterThan(0);
    // A huge threshold only rejects pixels that land outside the right image.
    const loose = await matcher.disparity(left, right, { lrCheck: { threshold: 100 } });
    expect(interior(loose.disparity, 48, 24).every(Number.isFinite)).toBe(true);
  });

  it('queues concurrent calls: Promise.all gives the sequential results', async () => {
    const pairs = [1, 2, 3, 4, 5].map((shift) => shiftedPair({ width: 40 + shift, height: 20, shift, seed: shift }));
    const sequential = [];
    for (const p of pairs) sequential.push(await matcher.disparity(p.left, p.right, { lrCheck: p.right.width % 2 === 0 }));
    const concurrent = await Promise.all(pairs.map((p) => matcher.disparity(p.left, p.right, { lrCheck: p.right.width % 2 === 0 })));
    concurrent.forEach((r, i) => {
      expect(r.width).toBe(sequential[i].width);
      expect(r.disparity).toEqual(sequential[i].disparity);
      expect(r.confidence).toEqual(sequential[i].confidence);
    });
  });
});

describe('model variants', () => {
  const { left, right } = shiftedPair({ width: 37, height: 21, shift: 2, seed: 11 });
  const check = (d: Float32Array, shift = 2) => expect(interior(d, 37, 21).every((v) => Math.abs(v - shift) < 0.05)).toBe(true);

  it('works without metadata when the I/O can be inferred', async () => {
    const m = await createStereoMatcher(model(null));
    expect(m.contractOrigin).toBe('inferred');
    expect(m.contract.stride).toBe(32);
    expect(m.contract.outputs.logits?.name).toBe('logits');
    const r = await m.disparity(left, right);
    check(r.disparity);
    expect(r.confidence).toBeDefined();
    await m.dispose();
  });

  it('feeds a stacked-input model and one with a [N,H,W] disparity output', async () => {
    const stacked = await createStereoMatcher(model({ ...pairContract, inputs: { layout: 'stacked', name: 'stereo' } }, { layout: 'stacked', outputRank: 3 }));
    const ref = await createStereoMatcher(model(pairContract));
    const a = await stacked.disparity(left, right);
    const b = await ref.disparity(left, right);
    check(a.disparity);
    expect(a.disparity).toEqual(b.disparity);
    await Promise.all([stacked.dispose(), ref.dispose()]);
  });

  it('zero padding (stride 16) also recovers the shift', async () => {
    const zero = await createStereoMatcher(model({ ...pairContract, padding: 'zero', stride: 16 }));
    const r = await zero.disparity(left, right);
    check(r.disparity);
    await zero.dispose();
  });

  it('upsamples logits pooled by 2 into a full-resolution confidence', async () => {
    const m = await createStereoMatcher(model({ ...pairContract, outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 2 } } }, { logits: 2 }));
    const p = shiftedPair({ width: 60, height: 30, shift: 2, flat: [30, 10, 8] });
    const r = await m.disparity(p.left, p.right);
    expect(r.confidence!.length).toBe(60 * 30);
    expect(median(region(r.confidence!, 60, 10, 20, 3, 27))).toBeGreaterThan(0.9);
    expect(median(region(r.confidence!, 60, 32, 36, 12, 16))).toBeCloseTo(1 / 8, 2);
    await m.dispose();
  });

  it('resizes to a fixed-size model and scales the disparity back', async () => {
    const m = await createStereoMatcher(model({ ...pairContract, stride: 1 }, { fixedSize: { width: 48, height: 16 } }));
    expect(m.contract.size).toEqual({ dynamic: false, width: 48, height: 16 });
    const p = shiftedPair({ width: 96, height: 32, shift: 4, seed: 5 });
    const r = await m.disparity(p.left, p.right);
    expect([r.width, r.height]).toEqual([96, 32]);
    expect(Math.abs(median(region(r.disparity, 96, 24, 90, 4, 28)) - 4)).toBeLessThan(0.1);
    await m.dispose();
  });

  it('converts color input to luminance for a gray model, and normalizes with mean/std', async () => {
    const gray = await createStereoMatcher(model({ ...pairContract, channels: 1, normalization: { scale: 255, mean: 128, std: 64 } }, { channels: 1, beta: 30 }));
    const r = await gray.disparity(left, right);
    // One gray channel matches less sharply than three color ones.
    const inner = interior(r.disparity, 37, 21);
    expect(median(inner)).toBeCloseTo(2, 2);
    expect(inner.filter((d) => Math.abs(d - 2) < 0.1).length / inner.length).toBeGreaterThan(0.95);
    await gray.dispose();
  });

  it('the one-call disparity() loads, runs and releases', async () => {
    const r = await disparity(left, right, { model: model(pairContract), maxDisparity: 10, providers: ['cpu'], intraOpNumThreads: 1 });
    check(r.disparity);
  });
});

describe('confidence computed by the model (outputs.confidence)', () => {
  const withConfidence = (downsample: 1 | 2, logits?: { name: string; downsample: number }): ModelContractInit => ({
    ...pairContract,
    outputs: { disparity: 'disparity', confidence: { name: 'confidence', downsample }, ...(logits ? { logits } : {}) },
  });
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  const pair = shiftedPair({ width: 61, height: 29, shift: 2, flat: [30, 10, 8], seed: 4 });

  it.each([1, 2] as const)('equals the confidence computed from the logits (downsample %i)', async (factor) => {
    const fromGraph = await createStereoMatcher(model(withConfidence(factor), { logits: false, confidence: factor }));
    const fromLogits = await createStereoMatcher(model({ ...pairContract, outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: factor } } }, { logits: factor }));
    try {
      const [a, b] = [await fromGraph.disparity(pair.left, pair.right), await fromLogits.disparity(pair.left, pair.right)];
      expect(a.confidence!.length).toBe(61 * 29);
      expect(maxDiff(a.confidence!, b.confidence!)).toBeLessThan(1e-5);
      // Not a trivial comparison: confident texture and a ≈ 1/D flat patch.
      expect(Math.max(...a.confidence!)).toBeGreaterThan(0.9);
      expect(Math.min(...a.confidence!)).toBeLessThan(0.2);
      expect(a.disparity).toEqual(b.disparity);
    } finally {
      await Promise.all([fromGraph.dispose(), fromLogits.dispose()]);
    }
  });

  it('fetches the confidence output, not the logits, when both are declared', async () => {
    const logits = { name: 'logits', downsample: 1 };
    const m = await createStereoMatcher(model(withConfidence(1, logits), { logits: 1, confidence: 1 }));
    const fallback = await createStereoMatcher(model({ ...pairContract, outputs: { disparity: 'disparity', logits } }, { logits: 1, confidence: 1 }));
    const run = vi.spyOn(ort.InferenceSession.prototype, 'run');
    try {
      const r = await m.disparity(pair.left, pair.right, { lrCheck: true });
      expect(r.confidence!.length).toBe(61 * 29);
      await m.disparity(pair.left, pair.right, { confidence: false });
      await fallback.disparity(pair.left, pair.right);
      // Main and mirrored pass, then no confidence, then the logits-only contract.
      expect(run.mock.calls.map((c) => c[1])).toEqual([['disparity', 'confidence'], ['disparity'], ['disparity'], ['disparity', 'logits']]);
    } finally {
      run.mockRestore();
      await Promise.all([m.dispose(), fallback.dispose()]);
    }
  });

  it('is inferred from an output named like "confidence" when the model has no metadata', async () => {
    const m = await createStereoMatcher(model(null, { logits: false, confidence: 2 }));
    try {
      expect(m.contractOrigin).toBe('inferred');
      expect(m.contract.outputs).toEqual({ disparity: 'disparity', confidence: { name: 'confidence', downsample: 1 } });
      const r = await m.disparity(pair.left, pair.right);
      expect(r.confidence!.length).toBe(61 * 29);
      expect(r.confidence!.every((c) => c > 0 && c <= 1 + 1e-6)).toBe(true);
    } finally {
      await m.dispose();
    }
  });

  it('refuses a contract whose confidence output is missing from the graph', async () => {
    await expect(createStereoMatcher(model(withConfidence(1), { logits: 1 }))).rejects.toThrow(/output 'confidence' not found \(graph outputs: disparity .*logits/);
  });
});
