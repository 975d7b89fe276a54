/**
 * Per-scene results and dataset means. Benchmarks report the mean over scenes (each scene weighs
 * the same, whatever its size or GT density), which is what the project's targets are stated in.
 */
import type { DisparityMetrics } from './disparity-metrics.js';

/** One scene's scores. */
export interface SceneResult {
  name: string;
  metrics: DisparityMetrics;
}

/** Per-scene results plus their unweighted mean. */
export interface DatasetSummary {
  scenes: SceneResult[];
  mean: DisparityMetrics;
}

const KEYS = ['epe', 'bad05', 'bad1', 'bad2', 'bad3', 'd1'] as const;

/**
 * Averages metrics over scenes. Scenes with no scored pixel are left out of the mean; `count` is
 * the total number of scored pixels.
 * @param scenes - per-scene results.
 * @returns the scenes unchanged and their mean (all NaN when no scene has a scored pixel).
 * @example
 * const { mean } = summarizeScenes([{ name: 'a', metrics: m1 }, { name: 'b', metrics: m2 }]);
 */
export function summarizeScenes(scenes: SceneResult[]): DatasetSummary {
  const scored = scenes.filter((s) => s.metrics.count > 0);
  const mean = { count: 0 } as DisparityMetrics;
  for (const k of KEYS) mean[k] = scored.length ? scored.reduce((acc, s) => acc + s.metrics[k], 0) / scored.length : NaN;
  mean.count = scored.reduce((acc, s) => acc + s.metrics.count, 0);
  return { scenes, mean };
}
