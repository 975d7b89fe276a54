/**
 * `profileLatency`: measures a model's latency table on this device. For every prunable channel
 * group the model is cut by each fraction (25 % and 50 % by default; the least important channels
 * by L2 norm, rounded to the multiple) with every other group intact, and the cut model is timed
 * with the edge runtime's harness at the target resolution, right after the unpruned model. The
 * slope of saved time over removed channels is that group's cost per channel on this device.
 */
import os from 'node:os';
import { applyPrunePlan, Graph, is, planPruning, scoreGroups } from '@stereo-sdk/core';
import type { ProviderName } from '@stereo-sdk/edge-runtime';
import { measureLatency, openCandidate, resolveLatencyOptions, timeMatcher, type LatencyMeasurement } from './latency.js';
import { fitMsPerChannel, groupKey, type LatencyPoint, type LatencyTable, type LatencyTableGroup } from './lut.js';
import { combStereo, costAt, loadStereoModel } from './model.js';
import type { TargetResolution } from './types.js';

/** Options of {@link profileLatency}. */
export interface ProfileOptions {
  /** Resolution to profile at (the table holds for this resolution only). */
  resolution: TargetResolution;
  /** Fractions of each group to cut, each in (0, 0.95]; default [0.25, 0.5]. */
  fractions?: number[];
  /** Kept channel counts are multiples of this, as in pruning, integer in [1, 256]; default 8. */
  multiple?: number;
  /** Timed calls per measurement; default 20. */
  runs?: number;
  /** Warm-up calls per measurement; default 3. */
  warmup?: number;
  /** onnxruntime intra-op threads (0 = onnxruntime's choice); default 0. */
  threads?: number;
  providers?: ProviderName[];
  /** Called after each cut is timed: `done` counts to `total` = groups × fractions. */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link profileLatency}. */
export const PROFILE_DEFAULTS = Object.freeze({ fractions: Object.freeze([0.25, 0.5]), multiple: 8 });

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The device this process runs on, with the provider and threads a measurement used. */
function deviceOf(m: LatencyMeasurement): LatencyTable['device'] {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    arch: os.arch(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    provider: m.provider,
    threads: m.threads,
    node: process.version,
  };
}

/**
 * Measures the latency table of a stereo model on this device.
 * @param model - path or inference Graph of the stereo contract (the model you will prune).
 * @param options - resolution (required), fractions (default [0.25, 0.5]), multiple (default 8),
 *   runs (default 20), warmup (default 3), threads (default 0), providers (default cpu), onProgress.
 * @returns the table: device, preset, baseline p50, and per prunable group its key, size,
 *   measured points and ms per channel. Groups too small to cut at any fraction are left out.
 * @throws InvalidParameterError for bad options; FileNotFoundError / FileFormatError for a model
 *   that is missing or not a stereo inference model.
 * @example
 * const lut = await profileLatency('student.onnx', { resolution: { name: 'kitti', width: 1242, height: 375 }, threads: 2 });
 * await writeLatencyTable('lut.json', lut);
 */
export async function profileLatency(model: string | Graph, options: ProfileOptions): Promise<LatencyTable> {
  is.assertObject('profile options', options);
  const { resolution } = options;
  is.assertObject('resolution', resolution);
  const fractions = [...(options.fractions ?? PROFILE_DEFAULTS.fractions)];
  if (!Array.isArray(fractions) || fractions.length === 0) throw is.invalidParameterError('fractions', 'a non-empty array of fractions in (0, 0.95]', options.fractions);
  for (const f of fractions) is.assertNumber('fractions[]', f, Number.MIN_VALUE, 0.95);
  const multiple = options.multiple ?? PROFILE_DEFAULTS.multiple;
  is.assertInteger('multiple', multiple, 1, 256);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw is.invalidParameterError('onProgress', 'a function', options.onProgress);
  const latency = resolveLatencyOptions({ ...resolution, runs: options.runs, warmup: options.warmup, threads: options.threads, providers: options.providers });

  const loaded = await loadStereoModel(model);
  const graph = loaded.graph;
  const dep = combStereo(graph);
  const scores = scoreGroups(graph, dep, 'l2');
  const prunable = dep.groups.filter((g) => g.prunable && scores.has(g.id));
  const total = prunable.length * fractions.length;
  let done = 0;
  const tick = () => options.onProgress?.(++done, total);

  // The unpruned model stays loaded and is re-timed right before every cut model (paired
  // measurements), so drift in the machine's load between cuts does not read as saved time.
  const baseline = await openCandidate(graph, latency);
  const baselines: number[] = [];
  let first: LatencyMeasurement | undefined;
  const groups: LatencyTableGroup[] = [];
  try {
    for (const g of prunable) {
      const points: LatencyPoint[] = [];
      const seen = new Set<number>();
      for (const f of fractions) {
        const plan = planPruning(dep, scores, { ratio: 0, multiple, groupRatios: new Map([[g.id, f]]) });
        const removed = g.size - (plan.get(g.id)?.length ?? g.size);
        if (removed > 0 && !seen.has(removed)) {
          seen.add(removed);
          const before = await timeMatcher(baseline, latency);
          first ??= before;
          baselines.push(before.p50Ms);
          const m = await measureLatency(applyPrunePlan(graph, dep, plan), latency);
          points.push({ removed, p50Ms: m.p50Ms, savedMs: before.p50Ms - m.p50Ms });
        }
        tick();
      }
      if (points.length > 0) groups.push({ id: g.id, key: groupKey(g), size: g.size, unit: g.unit, points, msPerChannel: fitMsPerChannel(points) });
    }
    if (!first) {
      first = await timeMatcher(baseline, latency);
      baselines.push(first.p50Ms);
    }
  } finally {
    await baseline.dispose();
  }
  const baselineMs = median(baselines);
  const { params } = costAt(graph, resolution, loaded.stride);
  return {
    format: 'stereo-sdk/latency-table',
    version: 1,
    date: new Date().toISOString(),
    device: deviceOf(first),
    preset: { name: resolution.name, width: resolution.width, height: resolution.height },
    model: { name: loaded.label, params, groups: groups.length },
    baselineMs,
    runs: latency.runs,
    warmup: latency.warmup,
    fractions,
    groups,
  };
}
