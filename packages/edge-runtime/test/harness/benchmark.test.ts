import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCHMARK_PRESETS,
  benchmarkMatcher,
  createStereoMatcher,
  DisposedError,
  InvalidParameterError,
  median,
  percentile,
  summarizeLatency,
  syntheticPair,
  writeContract,
  type StereoMatcher,
} from '../../src/index.js';
import { buildBlockMatchingModel } from '../fixtures/stereo-model.js';
import { region } from '../fixtures/pairs.js';

const contract = writeContract({
  inputs: { layout: 'pair', left: 'left', right: 'right' },
  channels: 3,
  stride: 8,
  outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 1 } },
});
const model = buildBlockMatchingModel({ maxDisp: 12, metadata: { [contract.key]: contract.value } });

describe('latency statistics', () => {
  it('nearest-rank percentiles return measured samples', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(s, 0), percentile(s, 50), percentile(s, 90), percentile(s, 99), percentile(s, 100)]).toEqual([1, 50, 90, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(() => percentile([1, 2], 101)).toThrow(InvalidParameterError);
  });

  it('summarizes unsorted samples without reordering the input', () => {
    const samples = [12, 10, 11, 30];
    expect(summarizeLatency(samples)).toEqual({ p50: 11, p90: 30, p99: 30, mean: 15.75, min: 10, max: 30 });
    expect(samples).toEqual([12, 10, 11, 30]);
    expect(median([3, 1, 4, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });

  it('rejects empty and non-finite samples', () => {
    expect(() => summarizeLatency([])).toThrow(/at least one/);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('syntheticPair', () => {
  it('is a valid rectified pair: right(x) = left(x + shift)', () => {
    const { left, right } = syntheticPair(50, 7, { shift: 5, seed: 3 });
    expect([left.width, left.height, left.channels, left.data.length]).toEqual([50, 7, 3, 50 * 7 * 3]);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 45; x++) {
        for (let c = 0; c < 3; c++) expect(right.data[(y * 50 + x) * 3 + c]).toBe(left.data[(y * 50 + x + 5) * 3 + c]);
      }
    }
  });

  it('is deterministic per seed, textured, and supports gray', () => {
    const a = syntheticPair(32, 16, { seed: 9 });
    const b = syntheticPair(32, 16, { seed: 9 });
    const c = syntheticPair(32, 16, { seed: 10 });
    expect(a.left.data).toEqual(b.left.data);
    expect(a.left.data).not.toEqual(c.left.data);
    expect(new Set(a.left.data).size).toBeGreaterThan(200);
    const gray = syntheticPair(32, 16, { channels: 1 });
    expect(gray.left.channels).toBe(1);
    expect(gray.left.data.length).toBe(32 * 16);
  });

  it('validates its arguments', () => {
    expect(() => syntheticPair(0, 10)).toThrow(InvalidParameterError);
    expect(() => syntheticPair(10, 10, { shift: 10 })).toThrow(/shift/);
    expect(() => syntheticPair(10, 10, { channels: 2 as 1 })).toThrow(/channels/);
  });
});

describe('benchmarkMatcher', () => {
  let matcher: StereoMatcher;
  beforeAll(async () => {
    matcher = await createStereoMatcher(model, { intraOpNumThreads: 1 });
  });
  afterAll(() => matcher.dispose());

  it('reports the documented fields with consistent values', async () => {
    const calls: [number, number][] = [];
    const r = await benchmarkMatcher(matcher, { width: 70, height: 33, runs: 6, warmup: 2, threads: 1, onProgress: (d, t) => calls.push([d, t]) });
    expect(Object.keys(r).sort()).toEqual(
      ['breakdownMs', 'fps', 'height', 'latencyMs', 'options', 'peakRssMb', 'provider', 'runs', 'samplesMs', 'threads', 'warmup', 'width'].sort(),
    );
    expect([r.width, r.height, r.runs, r.warmup, r.threads, r.provider]).toEqual([70, 33, 6, 2, 1, 'cpu']);
    expect(r.samplesMs).toHaveLength(6);
    const { p50, p90, p99, mean, min, max } = r.latencyMs;
    expect(min).toBeGreaterThan(0);
    expect(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max).toBe(true);
    expect(mean).toBeGreaterThanOrEqual(min);
    expect(mean).toBeLessThanOrEqual(max);
    // fps is runs over the summed latencies, so it is exactly 1000 / mean.
    expect(r.fps).toBeCloseTo(1000 / mean, 6);
    expect(r.peakRssMb).toBeGreaterThan(10);
    // Each step is timed inside the call, so no step's median can exceed the slowest call.
    for (const k of ['preprocess', 'inference', 'postprocess'] as const) {
      expect(r.breakdownMs[k]).toBeGreaterThanOrEqual(0);
      expect(r.breakdownMs[k]).toBeLessThanOrEqual(max);
    }
    expect(r.breakdownMs.inference).toBeGreaterThan(0);
    expect(r.options).toEqual({ confidence: false });
    expect(calls).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1, 8]));
  });

  it('forwards per-call options (lrCheck doubles the inferences it times)', async () => {
    const r = await benchmarkMatcher(matcher, { width: 40, height: 24, runs: 2, warmup: 0, disparity: { lrCheck: true, confidence: true } });
    expect(r.options).toEqual({ confidence: true, lrCheck: true });
    expect(r.samplesMs).toHaveLength(2);
    expect(r.threads).toBe(0);
  });

  it('feeds a pair the model can actually match', async () => {
    const { left, right } = syntheticPair(64, 32);
    const d = (await matcher.disparity(left, right)).disparity;
    expect(region(d, 64, 12, 61, 2, 30).every((v) => Math.abs(v - 8) < 0.05)).toBe(true);
  });

  it.each([
    [{ width: 4, height: 32 }, /width/],
    [{ width: 32, height: 32.5 }, /height/],
    [{ width: 32, height: 32, runs: 0 }, /runs/],
    [{ width: 32, height: 32, warmup: -1 }, /warmup/],
    [{ width: 32, height: 32, channels: 4 }, /channels/],
    [{ width: 32, height: 32, threads: 'two' }, /threads/],
    [{ width: 32, height: 32, onProgress: 3 }, /onProgress/],
  ])('rejects %j', async (options, message) => {
    await expect(benchmarkMatcher(matcher, options as never)).rejects.toThrow(message);
    await expect(benchmarkMatcher(matcher, options as never)).rejects.toBeInstanceOf(InvalidParameterError);
  });

  it('rejects something that is not a matcher, and a disposed one', async () => {
    await expect(benchmarkMatcher({} as StereoMatcher, { width: 32, height: 32 })).rejects.toThrow(/StereoMatcher/);
    const m = await createStereoMatcher(model);
    await m.dispose();
    await expect(benchmarkMatcher(m, { width: 32, height: 32, runs: 1 })).rejects.toBeInstanceOf(DisposedError);
  });

  it('exposes the KITTI and SceneFlow presets', () => {
    expect(BENCHMARK_PRESETS.kitti).toEqual({ width: 1242, height: 375 });
    expect(BENCHMARK_PRESETS.sceneflow).toEqual({ width: 960, height: 540 });
  });
});
