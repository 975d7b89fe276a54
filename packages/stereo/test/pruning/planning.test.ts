/**
 * The pieces of the latency pipeline that need no pruning engine: latency measured through the
 * edge runtime, the latency table format and lookup, and the step planners.
 */
import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelGroup, DependencyGraph } from '@stereo-sdk/core';
import { BENCHMARK_PRESETS } from '@stereo-sdk/edge-runtime';
import {
  allocateByLatency,
  buildStudent,
  fitMsPerChannel,
  groupKey,
  latencyLookup,
  macsLatencyModel,
  measureLatency,
  parseLatencyTable,
  PRUNE_DEFAULTS,
  readLatencyTable,
  searchStepRatio,
  stepGoalMs,
  toInferenceModel,
  writeLatencyTable,
  type LatencyTable,
} from '@stereo-sdk/stereo';

const group = (id: number, size: number, producer: string, prunable = true): ChannelGroup => ({
  id,
  size,
  unit: 1,
  params: [{ param: producer, axis: 0, indices: Int32Array.from({ length: size }, (_, i) => i), role: 'producer', opType: 'Conv' }],
  values: [],
  prunable,
});

function table(groups: { key: string; size: number; ms: number }[], baselineMs = 10): LatencyTable {
  return {
    format: 'stereo-sdk/latency-table',
    version: 1,
    date: '2025-01-01T00:00:00.000Z',
    device: { hostname: 'h', platform: 'linux', arch: 'x64', cpu: 'cpu', cores: 2, provider: 'cpu', threads: 1, node: 'v20' },
    preset: { name: '64x128', width: 128, height: 64 },
    model: { name: 'm.onnx', params: 1000, groups: groups.length },
    baselineMs,
    runs: 5,
    warmup: 1,
    fractions: [0.25, 0.5],
    groups: groups.map((g, id) => ({ id, key: g.key, size: g.size, unit: 1, points: [], msPerChannel: g.ms })),
  };
}

describe('measureLatency', () => {
  it('defaults to the runtime\'s KITTI preset', () => {
    expect(PRUNE_DEFAULTS.resolution).toEqual({ name: 'kitti', ...BENCHMARK_PRESETS.kitti });
  });

  it('times an in-memory candidate through the edge runtime at the requested size', async () => {
    const net = buildStudent({ height: 64, width: 128, config: { widthMultiplier: 0.25, maxDisparity: 16 } });
    const m = await measureLatency(toInferenceModel(net.graph), { width: 96, height: 40, runs: 3, warmup: 1, threads: 1 });
    expect(m).toMatchObject({ width: 96, height: 40, runs: 3, warmup: 1, threads: 1, provider: 'cpu' });
    expect(m.p50Ms).toBeGreaterThan(0);
    expect(m.minMs).toBeLessThanOrEqual(m.p50Ms);
    expect(m.p50Ms).toBeLessThanOrEqual(m.p90Ms);
    expect(m.inferenceMs).toBeGreaterThan(0);
  });

  it('rejects bad options and models with typed errors', async () => {
    await expect(measureLatency(new Uint8Array([1, 2, 3]), { width: 4, height: 64 })).rejects.toThrow(/width/);
    await expect(measureLatency('/nonexistent/model.onnx', { width: 64, height: 64 })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});

describe('latency table', () => {
  it('fits ms per channel through the origin and never below zero', () => {
    expect(fitMsPerChannel([{ removed: 8, p50Ms: 0, savedMs: 0.8 }, { removed: 16, p50Ms: 0, savedMs: 1.6 }])).toBeCloseTo(0.1, 10);
    expect(fitMsPerChannel([{ removed: 8, p50Ms: 0, savedMs: -0.5 }])).toBe(0);
    expect(fitMsPerChannel([])).toBe(0);
  });

  it('keys a group by its producer initializers', () => {
    const g: ChannelGroup = { ...group(0, 4, 'b.weight'), params: [...group(0, 4, 'b.weight').params, { ...group(0, 4, 'a.weight').params[0]!, param: 'a.weight' }, { ...group(0, 4, 'c.weight').params[0]!, param: 'c.weight', role: 'consumer' }] };
    expect(groupKey(g)).toBe('a.weight@0|b.weight@0');
  });

  it('predicts latency from the channels each known group lost, and counts matches', () => {
    const lookup = latencyLookup(table([{ key: 'a@0', size: 32, ms: 0.1 }, { key: 'b@0', size: 16, ms: 0.05 }]));
    const dep: DependencyGraph = { groups: [group(0, 24, 'a'), group(1, 16, 'b'), group(2, 8, 'unknown')], fixed: [] };
    expect(lookup.predict(dep)).toBeCloseTo(10 - 8 * 0.1, 10);
    expect(lookup.matched(dep)).toEqual({ known: 2, prunable: 3 });
    expect(lookup.msPerChannel(dep.groups[2]!)).toBeUndefined();
  });

  it('round-trips through a file and rejects what is not a table, naming the file', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lut-'));
    try {
      const file = path.join(dir, 'lut.json');
      const t = table([{ key: 'a', size: 32, ms: 0.1 }]);
      await writeLatencyTable(file, t);
      expect(await readLatencyTable(file)).toEqual(t);
      await fsp.writeFile(file, JSON.stringify({ ...t, format: 'other' }));
      await expect(readLatencyTable(file)).rejects.toThrow(new RegExp(`${file}.*not a latency table.*stereo-sdk profile`));
      await fsp.writeFile(file, '{ nope');
      await expect(readLatencyTable(file)).rejects.toThrow(/invalid JSON/);
      await expect(readLatencyTable(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
      expect(() => parseLatencyTable({ ...t, groups: [{ ...t.groups[0], msPerChannel: -1 }] })).toThrow(/msPerChannel/);
      expect(() => parseLatencyTable({ ...t, groups: [t.groups[0], t.groups[0]] })).toThrow(/appears twice/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('step planning', () => {
  it('aims each step along the geometric path to the target', () => {
    expect(stepGoalMs(60, 30, 1)).toBeCloseTo(30, 10);
    expect(stepGoalMs(60, 30, 2)).toBeCloseTo(Math.sqrt(60 * 30), 10);
    expect(stepGoalMs(20, 30, 3)).toBe(20);
  });

  it('predicts latency from MACs: proportional from one model, a fitted line from more', () => {
    const one = macsLatencyModel([{ macs: 100, p50Ms: 12, inferenceMs: 10 }]);
    expect(one(50)).toBeCloseTo(2 + 5, 10);
    const two = macsLatencyModel([{ macs: 100, p50Ms: 12, inferenceMs: 10 }, { macs: 50, p50Ms: 9, inferenceMs: 7 }]);
    // inference = 4 + 0.06·MACs; fixed part = 2.
    expect(two(0)).toBeCloseTo(2 + 4, 10);
    expect(two(75)).toBeCloseTo(2 + 4 + 4.5, 10);
    // A fit that does not fall with MACs (noise) falls back to proportional through the last point.
    const noisy = macsLatencyModel([{ macs: 100, p50Ms: 10, inferenceMs: 8 }, { macs: 50, p50Ms: 12, inferenceMs: 10 }]);
    expect(noisy(25)).toBeCloseTo(2 + 5, 10);
  });

  it('finds the smallest step ratio predicted to reach the goal', async () => {
    // Latency 100·(1 − r)² in steps of 1/32 in r (channel rounding).
    const predict = async (r: number) => 100 * (1 - Math.floor(r * 32) / 32) ** 2;
    const r = await searchStepRatio(predict, 64, 0.5, 12);
    expect(await predict(r)).toBeLessThanOrEqual(64);
    expect(await predict(r - 1 / 32)).toBeGreaterThan(64);
    expect(await searchStepRatio(predict, 1, 0.5)).toBe(0.5);
  });

  it('allocates removals to the groups that save the most time per unit of importance', () => {
    const dep: DependencyGraph = { groups: [group(0, 32, 'fast'), group(1, 32, 'slow'), group(2, 32, 'fixed', false)], fixed: [] };
    const lookup = latencyLookup(table([{ key: 'fast@0', size: 32, ms: 0.01 }, { key: 'slow@0', size: 32, ms: 0.2 }, { key: 'fixed@0', size: 32, ms: 1 }]));
    const ones = new Float32Array(32).fill(1);
    const scores = new Map([[0, ones], [1, ones], [2, ones]]);
    const small = allocateByLatency(dep, scores, lookup, 1, { multiple: 8 });
    expect([...small.ratios]).toEqual([[1, 0.25]]);
    expect(small.savedMs).toBeCloseTo(8 * 0.2, 10);
    // More than the costly group can give within maxGroupRatio spills over to the cheap one.
    const big = allocateByLatency(dep, scores, lookup, 3.3, { multiple: 8, maxGroupRatio: 0.5 });
    expect(big.ratios.get(1)).toBe(0.5);
    expect(big.ratios.get(0)).toBeGreaterThan(0);
    expect(big.ratios.has(2)).toBe(false);
    expect(allocateByLatency(dep, scores, lookup, 0).ratios.size).toBe(0);
  });
});
