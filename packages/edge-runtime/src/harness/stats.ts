/**
 * Order statistics of latency samples. Percentiles use the nearest-rank definition (the smallest
 * sample with at least q % of the samples at or below it), so every reported value is a latency
 * that was actually measured.
 */
import { InvalidParameterError } from '@stereo-sdk/common';
import type { LatencyStats } from './types.js';

function checkSamples(samples: readonly number[]): void {
  if (samples.length === 0) throw new InvalidParameterError('Expected at least one latency sample but received none');
  if (!samples.every(Number.isFinite)) throw new InvalidParameterError('Expected finite latency samples but received a non-finite value');
}

/**
 * Nearest-rank percentile of ascending-sorted samples.
 * @param sorted - ascending, non-empty.
 * @param q - percentile in [0, 100]; 0 gives the minimum, 100 the maximum.
 * @throws InvalidParameterError for no samples, a non-finite one, or q outside [0, 100].
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(sorted: readonly number[], q: number): number {
  checkSamples(sorted);
  if (!(q >= 0 && q <= 100)) throw new InvalidParameterError(`Expected a percentile in [0, 100] but received ${q}`);
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Median (mean of the two middle values for an even count).
 * @param samples - at least one, all finite.
 * @throws InvalidParameterError for no samples or a non-finite one.
 * @example
 * median([3, 1, 4, 2]); // 2.5
 */
export function median(samples: readonly number[]): number {
  checkSamples(samples);
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * p50 / p90 / p99 / mean / min / max of latency samples.
 * @param samples - milliseconds, at least one, all finite.
 * @throws InvalidParameterError for no samples or a non-finite one.
 * @example
 * summarizeLatency([12, 10, 11]); // { p50: 11, p90: 12, p99: 12, mean: 11, min: 10, max: 12 }
 */
export function summarizeLatency(samples: readonly number[]): LatencyStats {
  checkSamples(samples);
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    min: s[0],
    max: s[s.length - 1],
  };
}
