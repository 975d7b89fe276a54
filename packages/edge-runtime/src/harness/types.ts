/**
 * Public types of the latency harness, kept apart from its implementation.
 */
import type { DisparityOptions, ProviderName } from '../types.js';

/** Latency distribution of a benchmark, in milliseconds. */
export interface LatencyStats {
  /** Median. */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Median time of each pipeline step over the timed runs, in milliseconds. */
export interface LatencyBreakdown {
  /** Building the input tensors (no decoding: the harness feeds raw pixels, as a camera driver does). */
  preprocess: number;
  /** `session.run` (twice with `lrCheck`). */
  inference: number;
  /** Cropping, resizing, invalidation, confidence, consistency check. */
  postprocess: number;
}

/** Options of {@link benchmarkMatcher}. */
export interface BenchmarkOptions {
  /** Input width in pixels, integer in [8, 16384]. */
  width: number;
  /** Input height in pixels, integer in [8, 16384]. */
  height: number;
  /** Timed calls, integer in [1, 1e6]. Default 50. */
  runs?: number;
  /** Untimed calls first (session warm-up, buffer allocation, JIT), integer in [0, 1e6]. Default 5. */
  warmup?: number;
  /** Channels of the synthetic views: 1 (gray) or 3 (RGB). Default 3. */
  channels?: 1 | 3;
  /** Seed of the synthetic texture, integer in [0, 2^32). Default 1. */
  seed?: number;
  /**
   * Per-call options. Default `{ confidence: false }`: confidence is opt-in here because it is an
   * extra pass over the logits that a caller who only needs disparity can skip; pass
   * `{ confidence: true }` to time it.
   */
  disparity?: DisparityOptions;
  /**
   * Intra-op threads the matcher was created with, copied into the result for the report (the
   * matcher does not expose it). Integer ≥ 0; 0 means onnxruntime's default. Default 0.
   */
  threads?: number;
  /** Called after each call, warm-up included: `done` counts up to `total` = warmup + runs. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link benchmarkMatcher} returns. */
export interface BenchmarkResult {
  /** Wall-clock latency of one `matcher.disparity()` call. */
  latencyMs: LatencyStats;
  /** Sequential throughput: timed runs per second of total timed wall-clock. */
  fps: number;
  /** Highest resident set size of the process so far, in MiB (includes everything loaded before). */
  peakRssMb: number;
  breakdownMs: LatencyBreakdown;
  /** Execution provider that ran the model. */
  provider: ProviderName;
  threads: number;
  width: number;
  height: number;
  runs: number;
  warmup: number;
  /** Per-call options the calls used. */
  options: DisparityOptions;
  /** Every timed call's latency in ms, in call order (for histograms). */
  samplesMs: number[];
}

/** A named benchmark resolution. */
export interface ResolutionPreset {
  width: number;
  height: number;
}
