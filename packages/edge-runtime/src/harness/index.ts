/** The latency harness: timing a matcher on synthetic frames. */
export { benchmarkMatcher, BENCHMARK_DEFAULTS, BENCHMARK_PRESETS } from './benchmark.js';
export { syntheticPair, type SyntheticPairOptions } from './inputs.js';
export { median, percentile, summarizeLatency } from './stats.js';
export type { BenchmarkOptions, BenchmarkResult, LatencyBreakdown, LatencyStats, ResolutionPreset } from './types.js';
