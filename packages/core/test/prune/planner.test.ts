/**
 * The planner on hand-written groups: local and global scope, rounding to multiples and units,
 * minimum counts, per-group overrides, the global cap, determinism and argument checks.
 */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/errors.js';
import { planPruning } from '../../src/prune/index.js';
import type { ChannelGroup, DependencyGraph } from '../../src/prune/types.js';

const group = (id: number, size: number, extra: Partial<ChannelGroup> = {}): ChannelGroup => ({ id, size, unit: 1, params: [], values: [], prunable: true, ...extra });
const dep = (...groups: ChannelGroup[]): DependencyGraph => ({ groups, fixed: [] });
/** Scores from a function of the channel. */
const scores = (entries: [number, number, (k: number) => number][]): Map<number, Float32Array> => new Map(entries.map(([id, n, f]) => [id, Float32Array.from({ length: n }, (_, k) => f(k))]));
/** A fixed pseudo-random permutation-ish score (distinct values). */
const mixed = (k: number): number => ((k * 37) % 101) / 101 + 0.001 * k;
const topK = (s: Float32Array, n: number): number[] =>
  Array.from(s.keys())
    .sort((a, b) => s[b]! - s[a]!)
    .slice(0, n)
    .sort((a, b) => a - b);

describe('local scope', () => {
  it('keeps the highest-scoring channels, sorted, about (1 − ratio) of each group', () => {
    const d = dep(group(0, 32), group(1, 64));
    const s = scores([
      [0, 32, mixed],
      [1, 64, (k) => 64 - k],
    ]);
    const plan = planPruning(d, s, { ratio: 0.5 });
    expect(Array.from(plan.get(0)!)).toEqual(topK(s.get(0)!, 16));
    expect(Array.from(plan.get(1)!)).toEqual(Array.from({ length: 32 }, (_, k) => k));
    expect(Array.from(planPruning(d, s, { ratio: 0.3 }).get(1)!)).toHaveLength(48); // 44.8 → 48
  });

  it('rounds kept counts to the nearest multiple (or all channels) and never below one step', () => {
    const d = dep(group(0, 12), group(1, 4), group(2, 10));
    const s = scores([
      [0, 12, mixed],
      [1, 4, mixed],
      [2, 10, mixed],
    ]);
    // 12 · 0.9 = 10.8: nearer to 12 (keep all) than to 8.
    expect(planPruning(d, s, { ratio: 0.1 }).has(0)).toBe(false);
    // 12 · 0.6 = 7.2 → 8; 12 · 0.05 = 0.6 → 0 → clamped to one step (8).
    expect(planPruning(d, s, { ratio: 0.4 }).get(0)).toHaveLength(8);
    expect(planPruning(d, s, { ratio: 0.95 }).get(0)).toHaveLength(8);
    // A group smaller than the step cannot shrink.
    expect(planPruning(d, s, { ratio: 0.95 }).has(1)).toBe(false);
    // multiple 1: the exact count, at least one channel.
    expect(planPruning(d, s, { ratio: 0.3, multiple: 1 }).get(2)).toHaveLength(7);
    expect(planPruning(d, s, { ratio: 0.95, multiple: 1 }).get(2)).toHaveLength(1);
    expect(planPruning(d, s, { ratio: 0 }).size).toBe(0);
  });

  it('keeps at least minChannels, rounded up to the step', () => {
    const d = dep(group(0, 32));
    const s = scores([[0, 32, mixed]]);
    expect(planPruning(d, s, { ratio: 0.95, minChannels: 12 }).get(0)).toHaveLength(16);
    expect(planPruning(d, s, { ratio: 0.95, minChannels: 40 }).has(0)).toBe(false);
  });

  it('removes whole units, ranked by the sum of their channels, in steps of lcm(multiple, unit)', () => {
    // 4 units of 3 channels. Unit 1 has the single best channel but the lowest sum.
    const values = [1, 1, 1, 0, 2.5, 0, 2, 2, 2, 1.5, 1.5, 1.5];
    const d = dep(group(0, 12, { unit: 3 }));
    const s = new Map([[0, Float32Array.from(values)]]);
    expect(Array.from(planPruning(d, s, { ratio: 0.5, multiple: 1 }).get(0)!)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(Array.from(planPruning(d, s, { ratio: 0.25, multiple: 1 }).get(0)!)).toEqual([0, 1, 2, 6, 7, 8, 9, 10, 11]);
    // multiple 2 with unit 3: steps of 6 channels.
    expect(planPruning(d, s, { ratio: 0.25, multiple: 2 }).has(0)).toBe(false);
    expect(planPruning(d, s, { ratio: 0.4, multiple: 2 }).get(0)).toHaveLength(6);
  });

  it('uses per-group ratios where given, and leaves fixed or unscored groups alone', () => {
    const d = dep(group(0, 32), group(1, 32), group(2, 32, { prunable: false, fixedReason: 'output' }), group(3, 32));
    const s = scores([
      [0, 32, mixed],
      [1, 32, mixed],
      [2, 32, mixed],
    ]);
    const plan = planPruning(d, s, { ratio: 0.25, groupRatios: new Map([[1, 0.75]]) });
    expect(plan.get(0)).toHaveLength(24);
    expect(plan.get(1)).toHaveLength(8);
    expect(plan.has(2) || plan.has(3)).toBe(false);
  });

  it('breaks ties by channel index, so plans are deterministic', () => {
    const d = dep(group(0, 16));
    const plan = planPruning(d, scores([[0, 16, () => 1]]), { ratio: 0.5 });
    expect(Array.from(plan.get(0)!)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });
});

describe('global scope', () => {
  it('removes the lowest normalized scores across groups, ~ratio of all channels, in multiples', () => {
    // Group 0 is uniformly important; group 1 has half its channels near zero.
    const d = dep(group(0, 32), group(1, 32), group(2, 16));
    const s = scores([
      [0, 32, (k) => 1 + 0.001 * k],
      [1, 32, (k) => (k % 2 ? 1.9 : 0.1) + 0.001 * k],
      [2, 16, (k) => 1.2 + 0.001 * k],
    ]);
    const plan = planPruning(d, s, { ratio: 0.2, scope: 'global' });
    // 80 channels · 0.2 = 16 removed, all from group 1's weak half.
    expect(plan.has(0) || plan.has(2)).toBe(false);
    expect(Array.from(plan.get(1)!)).toEqual([...Array.from({ length: 16 }, (_, i) => 2 * i + 1)]);
    const more = planPruning(d, s, { ratio: 0.5, scope: 'global' });
    let removed = 0;
    for (const g of d.groups) {
      const kept = more.get(g.id)?.length ?? g.size;
      expect(kept % 8 === 0 || kept === g.size).toBe(true);
      removed += g.size - kept;
    }
    expect(Math.abs(removed - 40)).toBeLessThanOrEqual(8);
    // Local scope at the same ratio cuts every group.
    expect(planPruning(d, s, { ratio: 0.5 }).size).toBe(3);
  });

  it('caps what one group may lose and keeps at least minChannels', () => {
    const d = dep(group(0, 80), group(1, 80));
    const s = scores([
      [0, 80, (k) => 1e-6 * (k + 1)],
      [1, 80, (k) => 1 + 0.001 * k],
    ]);
    const kept = (o: object): number => planPruning(d, s, { ratio: 0.6, scope: 'global', multiple: 1, ...o }).get(0)!.length;
    expect(kept({})).toBe(8); // ≤ 90 % removed
    expect(kept({ maxGroupRatio: 0.5 })).toBe(40);
    expect(kept({ minChannels: 20 })).toBe(20);
    expect(planPruning(d, s, { ratio: 0.6, scope: 'global', multiple: 1 }).get(1)!.length).toBe(80 - (96 - 72));
  });

  it('plans overridden groups on their own', () => {
    const d = dep(group(0, 32), group(1, 32));
    const s = scores([
      [0, 32, () => 0.01],
      [1, 32, (k) => 1 + 0.01 * k],
    ]);
    const plan = planPruning(d, s, { ratio: 0.25, scope: 'global', groupRatios: new Map([[0, 0]]) });
    expect(plan.has(0)).toBe(false);
    expect(Array.from(plan.get(1)!)).toEqual(Array.from({ length: 24 }, (_, k) => k + 8));
  });
});

describe('arguments', () => {
  it('rejects bad options, scores and overrides with typed errors', () => {
    const d = dep(group(0, 8), group(1, 8, { prunable: false }), group(2, 9, { unit: 2 }));
    const s = scores([[0, 8, mixed]]);
    const bad = (o: object, sc: Map<number, Float32Array> = s, dd: DependencyGraph = dep(group(0, 8))) => () => planPruning(dd, sc, { ratio: 0.5, ...o });
    expect(bad({ ratio: 0.96 })).toThrow(InvalidParameterError);
    expect(bad({ ratio: -0.1 })).toThrow(InvalidParameterError);
    expect(bad({ scope: 'layer' })).toThrow(InvalidParameterError);
    expect(bad({ multiple: 0 })).toThrow(InvalidParameterError);
    expect(bad({ minChannels: 1.5 })).toThrow(InvalidParameterError);
    expect(bad({ maxGroupRatio: 1 })).toThrow(InvalidParameterError);
    expect(bad({}, scores([[0, 7, mixed]]))).toThrow(/needs 8 scores/);
    expect(bad({}, scores([[5, 8, mixed]]))).toThrow(/group 5 is not/);
    expect(bad({}, scores([[0, 8, () => Number.NaN]]))).toThrow(/NaN/);
    expect(bad({ groupRatios: new Map([[1, 0.5]]) }, s, dep(group(0, 8), group(1, 8, { prunable: false })))).toThrow(/fixed/);
    expect(bad({ groupRatios: new Map([[0, 2]]) })).toThrow(InvalidParameterError);
    expect(bad({ groupRatios: new Map([[7, 0.5]]) })).toThrow(/not in the dependency graph/);
    expect(bad({}, s, d)).toThrow(/unit 2 does not divide its 9/);
    expect(() => planPruning(d, s, undefined as never)).toThrow(InvalidParameterError);
  });
});
