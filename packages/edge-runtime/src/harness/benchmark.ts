/**
 * The latency harness: time `matcher.disparity()` on synthetic frames of a given size and report
 * latency percentiles, throughput, peak memory and the preprocess / inference / postprocess split.
 * It lives in the runtime (not the CLI) so a robot with only this package can measure itself, and
 * so the pruning engine can ask for the latency of a candidate on the device (NetAdapt style).
 */
import { DisposedError } from '../errors.js';
import { is } from '@stereo-sdk/common';
import type { StereoMatcher } from '../matcher.js';
import type { DisparityOptions } from '../types.js';
import { syntheticPair } from './inputs.js';
import { median, summarizeLatency } from './stats.js';
import type { BenchmarkOptions, BenchmarkResult, ResolutionPreset } from './types.js';

/** Resolutions the project's targets are stated at: KITTI (1242×375) and SceneFlow (960×540). */
export const BENCHMARK_PRESETS: Readonly<Record<'kitti' | 'sceneflow', ResolutionPreset>> = Object.freeze({
  kitti: Object.freeze({ width: 1242, height: 375 }),
  sceneflow: Object.freeze({ width: 960, height: 540 }),
});

/** Defaults of {@link benchmarkMatcher}, in one place. */
export const BENCHMARK_DEFAULTS = Object.freeze({ runs: 50, warmup: 5, channels: 3 as const, seed: 1, threads: 0 });

const MIB = 1024 * 1024;

/** Peak resident set size so far, in MiB: the kernel's high-water mark, or the current RSS if larger. */
function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage.rss()) / MIB;
}

interface Resolved {
  width: number;
  height: number;
  runs: number;
  warmup: number;
  channels: 1 | 3;
  seed: number;
  threads: number;
  disparity: DisparityOptions;
}

function resolve(options: BenchmarkOptions): Resolved {
  is.assertObject('options', options);
  const d = BENCHMARK_DEFAULTS;
  const o = {
    width: options.width,
    height: options.height,
    runs: options.runs ?? d.runs,
    warmup: options.warmup ?? d.warmup,
    channels: options.channels ?? d.channels,
    seed: options.seed ?? d.seed,
    threads: options.threads ?? d.threads,
    // Unlike matcher.disparity(), confidence is opt-in here; see BenchmarkOptions.disparity.
    disparity: { confidence: false, ...(options.disparity ?? {}) },
  };
  is.assertInteger('width', o.width, 8, 16384);
  is.assertInteger('height', o.height, 8, 16384);
  is.assertInteger('runs', o.runs, 1, 1e6);
  is.assertInteger('warmup', o.warmup, 0, 1e6);
  is.assertInteger('seed', o.seed, 0, 2 ** 32 - 1);
  is.assertInteger('threads', o.threads, 0, 1024);
  if (o.channels !== 1 && o.channels !== 3) throw is.invalidParameterError('channels', '1 or 3', o.channels);
  if (is.defined(options.disparity)) is.assertObject('disparity', options.disparity);
  if (is.defined(options.onProgress) && typeof options.onProgress !== 'function') throw is.invalidParameterError('onProgress', 'a function', options.onProgress);
  return o;
}

/**
 * Measures a matcher's latency on synthetic random-texture frames of one size. Calls run one after
 * another (no overlap), first `warmup` untimed ones, then `runs` timed ones; the per-step breakdown
 * is the median of each step over the timed runs. Images are fed as raw pixels, so decoding is not
 * timed. Timings depend on the machine and its load: compare numbers measured in one session.
 * @param matcher - a matcher from `createStereoMatcher`; it is used, not disposed.
 * @param options - width and height (integers in [8, 16384]), runs (default 50), warmup (default 5),
 *   channels (default 3), seed (default 1), per-call `disparity` options (default `{ confidence: false }`),
 *   threads (reported as given, default 0 = onnxruntime's default), onProgress.
 * @returns latency p50/p90/p99/mean/min/max, fps, peak RSS, step medians, provider, threads, size.
 * @throws InvalidParameterError for an out-of-range option.
 * @throws DisposedError when the matcher was disposed.
 * @throws whatever `matcher.disparity()` throws for these options (e.g. a model that fails at this size).
 * @example
 * const matcher = await createStereoMatcher('student.onnx', { intraOpNumThreads: 2 });
 * const r = await benchmarkMatcher(matcher, { ...BENCHMARK_PRESETS.kitti, runs: 100, threads: 2 });
 * console.log(`${r.latencyMs.p50.toFixed(1)} ms p50 on ${r.provider}`);
 */
export async function benchmarkMatcher(matcher: StereoMatcher, options: BenchmarkOptions): Promise<BenchmarkResult> {
  if (typeof matcher !== 'object' || matcher === null || typeof matcher.disparity !== 'function') {
    throw is.invalidParameterError('matcher', 'a StereoMatcher from createStereoMatcher()', matcher);
  }
  const o = resolve(options);
  const { left, right } = syntheticPair(o.width, o.height, { channels: o.channels, seed: o.seed });
  const total = o.warmup + o.runs;
  const samples: number[] = [];
  const pre: number[] = [];
  const inf: number[] = [];
  const post: number[] = [];
  let timedMs = 0;
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    let result;
    try {
      result = await matcher.disparity(left, right, o.disparity);
    } catch (err) {
      if (err instanceof DisposedError) throw new DisposedError('the StereoMatcher passed to benchmarkMatcher()');
      throw err;
    }
    const ms = performance.now() - t0;
    if (i >= o.warmup) {
      samples.push(ms);
      timedMs += ms;
      pre.push(result.timings.preprocessMs);
      inf.push(result.timings.inferenceMs);
      post.push(result.timings.postprocessMs);
    }
    options.onProgress?.(i + 1, total);
  }
  return {
    latencyMs: summarizeLatency(samples),
    fps: (1000 * o.runs) / timedMs,
    peakRssMb: peakRssMb(),
    breakdownMs: { preprocess: median(pre), inference: median(inf), postprocess: median(post) },
    provider: matcher.provider,
    threads: o.threads,
    width: o.width,
    height: o.height,
    runs: o.runs,
    warmup: o.warmup,
    options: o.disparity,
    samplesMs: samples,
  };
}
