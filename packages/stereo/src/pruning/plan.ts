/**
 * How much to prune in one step so that latency moves towards the target (NetAdapt's per-step
 * latency budget). The path to the target is geometric over the remaining steps, so the work is
 * spread over the fine-tuning rounds as Distill-then-prune spreads it. Two predictors:
 * - without a latency table, latency is modelled from the MACs of each candidate cut: fixed
 *   pre/postprocessing time plus inference time linear in MACs, refitted on every measured model
 *   (one point: proportional; more: least squares), and the step ratio is found by bisection;
 * - with a latency table, each group's channels cost its measured ms per channel, and channels are
 *   removed greedily by importance per millisecond saved (per-group ratios, HALP style).
 */
import { is, type ChannelGroup, type DependencyGraph, type GroupScores } from '@stereo-sdk/core';
import type { LatencyLookup } from './lut.js';

/**
 * The latency this step should reach: the geometric path from `currentMs` to `targetMs` in
 * `remaining` steps (the whole way when one step remains).
 * @param currentMs - latency now, > 0.
 * @param targetMs - target, > 0.
 * @param remaining - steps left including this one, ≥ 1.
 * @example stepGoalMs(60, 30, 2) // ≈ 42.4
 */
export function stepGoalMs(currentMs: number, targetMs: number, remaining: number): number {
  is.assertNumber('currentMs', currentMs, Number.MIN_VALUE);
  is.assertNumber('targetMs', targetMs, Number.MIN_VALUE);
  is.assertInteger('remaining', remaining, 1);
  if (currentMs <= targetMs) return currentMs;
  return currentMs * (targetMs / currentMs) ** (1 / remaining);
}

/** A measured model: its MACs, total p50, and the inference part of it. */
export interface MeasuredPoint {
  macs: number;
  p50Ms: number;
  inferenceMs: number;
}

/**
 * Predicts the p50 of a candidate from its MACs, fitted on the models measured so far.
 * The non-inference time (pre/postprocessing, which pruning does not change) is the mean over the
 * points; inference time is proportional to MACs through the latest point when there is one point
 * (or the fit is not increasing), else the least-squares line.
 * @param points - at least one measured model.
 * @returns macs → predicted p50 ms (never below the fixed time).
 * @example const predict = macsLatencyModel([{ macs: 2e9, p50Ms: 60, inferenceMs: 52 }]); predict(1e9) // 34
 */
export function macsLatencyModel(points: readonly MeasuredPoint[]): (macs: number) => number {
  if (!Array.isArray(points) || points.length === 0) throw is.invalidParameterError('points', 'at least one measured model', points);
  const fixed = points.reduce((a, p) => a + Math.max(0, p.p50Ms - p.inferenceMs), 0) / points.length;
  const last = points.at(-1)!;
  const proportional = (m: number) => fixed + (last.macs > 0 ? (last.inferenceMs * m) / last.macs : last.inferenceMs);
  const distinct = new Set(points.map((p) => p.macs)).size;
  if (distinct < 2) return proportional;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.macs, 0) / n;
  const my = points.reduce((a, p) => a + p.inferenceMs, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.macs - mx) * (p.inferenceMs - my);
    sxx += (p.macs - mx) ** 2;
  }
  const slope = sxy / sxx;
  if (!(slope > 0)) return proportional;
  const intercept = my - slope * mx;
  return (m) => fixed + Math.max(0, intercept + slope * m);
}

/**
 * Smallest ratio in [0, maxRatio] whose candidate is predicted at or below `goalMs`, by bisection
 * (latency falls as the ratio grows, in steps, since channel counts round to a multiple); maxRatio
 * when even that is not enough.
 * @param predictAt - predicted p50 of the candidate cut at a ratio (may be memoized by the caller).
 * @param goalMs - latency this step should reach.
 * @param maxRatio - largest ratio allowed in one step, in (0, 0.95].
 * @param iterations - bisection steps; default 8 (ratio resolution maxRatio / 256).
 */
export async function searchStepRatio(predictAt: (ratio: number) => Promise<number>, goalMs: number, maxRatio: number, iterations = 8): Promise<number> {
  is.assertNumber('maxRatio', maxRatio, Number.MIN_VALUE, 0.95);
  is.assertInteger('iterations', iterations, 1, 30);
  if ((await predictAt(maxRatio)) > goalMs) return maxRatio;
  let lo = 0;
  let hi = maxRatio;
  for (let i = 0; i < iterations; i++) {
    const mid = (lo + hi) / 2;
    if ((await predictAt(mid)) <= goalMs) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Options of {@link allocateByLatency}. */
export interface AllocateOptions {
  /** Keep counts are multiples of this (and of the group's unit); default 8. */
  multiple?: number;
  /** Largest fraction of a group removed in one step, in (0, 0.95]; default 0.5. */
  maxGroupRatio?: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Keep counts a group may step down through: multiples of lcm(multiple, unit), at least one step of it. */
function keepLadder(g: ChannelGroup, multiple: number, maxRatio: number): number[] {
  const unit = Math.max(1, g.unit);
  const step = (multiple * unit) / gcd(multiple, unit);
  const floor = Math.max(step, Math.ceil((g.size * (1 - maxRatio)) / step) * step);
  const ladder: number[] = [];
  for (let k = Math.floor((g.size - 1) / step) * step; k >= floor; k -= step) ladder.push(k);
  return ladder;
}

/**
 * Per-group pruning ratios that save `savingMs` on the table's device at the least importance:
 * channels are removed in rungs of the keep-count ladder (multiples of `multiple`), cheapest first
 * by (sum of the removed channels' scores) / (ms saved), until the predicted saving is reached or
 * nothing more may be removed. Groups the table does not know, or that save nothing, are left alone.
 * @param dep - dependency graph of the current model.
 * @param scores - importance per group (normalized per group, so groups compare).
 * @param lookup - the latency table.
 * @param savingMs - latency to save in this step, ≥ 0.
 * @param options - multiple (default 8), maxGroupRatio (default 0.5).
 * @returns ratios by group id for `planPruning`'s `groupRatios`, and the predicted saving.
 * @example const { ratios } = allocateByLatency(dep, scores, lookup, 4.2);
 */
export function allocateByLatency(
  dep: DependencyGraph,
  scores: GroupScores,
  lookup: LatencyLookup,
  savingMs: number,
  options: AllocateOptions = {},
): { ratios: Map<number, number>; savedMs: number } {
  is.assertNumber('savingMs', savingMs, 0);
  const multiple = options.multiple ?? 8;
  const maxGroupRatio = options.maxGroupRatio ?? 0.5;
  is.assertInteger('multiple', multiple, 1, 1024);
  is.assertNumber('maxGroupRatio', maxGroupRatio, Number.MIN_VALUE, 0.95);
  interface Lane {
    group: ChannelGroup;
    ms: number;
    sorted: Float32Array;
    ladder: number[];
    /** Index of the next rung; the group keeps `size` before the first. */
    next: number;
  }
  const lanes: Lane[] = [];
  for (const g of dep.groups) {
    const ms = g.prunable ? lookup.msPerChannel(g) : undefined;
    const s = scores.get(g.id);
    if (!ms || ms <= 0 || !s) continue;
    const ladder = keepLadder(g, multiple, maxGroupRatio);
    if (ladder.length > 0) lanes.push({ group: g, ms, sorted: Float32Array.from(s).sort(), ladder, next: 0 });
  }
  const keepOf = (l: Lane) => (l.next === 0 ? l.group.size : l.ladder[l.next - 1]!);
  // Cost of the lane's next rung: the scores of the channels it would remove, per ms it saves.
  const cost = (l: Lane): number => {
    const from = l.group.size - keepOf(l);
    const to = l.group.size - l.ladder[l.next]!;
    let sum = 0;
    for (let i = from; i < to; i++) sum += l.sorted[i]!;
    return sum / ((to - from) * l.ms);
  };
  let saved = 0;
  while (saved < savingMs) {
    let best: Lane | undefined;
    let bestCost = Infinity;
    for (const l of lanes) {
      if (l.next >= l.ladder.length) continue;
      const c = cost(l);
      if (c < bestCost) {
        bestCost = c;
        best = l;
      }
    }
    if (!best) break;
    saved += (keepOf(best) - best.ladder[best.next]!) * best.ms;
    best.next++;
  }
  const ratios = new Map<number, number>();
  for (const l of lanes) if (l.next > 0) ratios.set(l.group.id, (l.group.size - keepOf(l)) / l.group.size);
  return { ratios, savedMs: saved };
}
