/**
 * The planner: from importance scores, how many channels each group keeps and which. A group loses
 * its lowest-scoring channels in whole units (a unit = `group.unit` consecutive channels, scored
 * by the sum of its channels), and keeps a count that is a multiple of the step
 * lcm(`multiple`, `unit`), or all of its channels. Local scope removes about `ratio` of every
 * group; global scope removes about `ratio` of all prunable channels, lowest normalized scores
 * first, wherever they are (Torch-Pruning's `global_pruning`), with each group capped.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import type { ChannelGroup, DependencyGraph, GroupScores, PrunePlan } from './types.js';

/** Options of `planPruning`. */
export interface PlanOptions {
  /** Fraction of the prunable channels to remove, in [0, 0.95]. */
  ratio: number;
  /** `'local'` (default): each group loses ~`ratio`; `'global'`: one threshold across groups. */
  scope?: 'local' | 'global';
  /** Kept channel counts are multiples of this (and of the group's unit), >= 1; default 8. */
  multiple?: number;
  /** No group keeps fewer channels than this (rounded up to the step), >= 1; default 1. */
  minChannels?: number;
  /** Global scope: most a group may lose, in (0, 1); default 0.9. */
  maxGroupRatio?: number;
  /**
   * Per-group ratios in [0, 0.95] by group id, overriding `ratio` (the latency planner's output).
   * Listed groups are planned on their own in both scopes; a global threshold covers the rest.
   */
  groupRatios?: ReadonlyMap<number, number>;
}

const DEFAULTS = { scope: 'local' as const, multiple: 8, minChannels: 1, maxGroupRatio: 0.9 };
const MAX_RATIO = 0.95;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A group ready to plan: its units ranked from least to most important. */
interface Candidate {
  readonly group: ChannelGroup;
  /** Kept counts go in multiples of this many channels. */
  readonly step: number;
  /** Fewest channels the group may keep (a multiple of `step`, or `size` when it cannot shrink). */
  readonly minKeep: number;
  /** Unit indices, least important first. */
  readonly order: Int32Array;
  /** Per-channel mean score of each unit (comparable across groups after normalization). */
  readonly unitScore: Float64Array;
}

function candidate(group: ChannelGroup, scores: Float32Array, multiple: number, minChannels: number): Candidate {
  const unit = group.unit;
  const step = (multiple / gcd(multiple, unit)) * unit;
  const units = group.size / unit;
  const unitScore = new Float64Array(units);
  for (let k = 0; k < group.size; k++) unitScore[Math.floor(k / unit)]! += scores[k]! / unit;
  // Stable on ties: the lower unit index is removed first, so plans are deterministic.
  const order = Int32Array.from({ length: units }, (_, u) => u).sort((a, b) => unitScore[a]! - unitScore[b]! || a - b);
  const minKeep = Math.ceil(Math.max(minChannels, 1) / step) * step;
  return { group, step, minKeep: minKeep < group.size ? minKeep : group.size, order, unitScore };
}

/** The kept count nearest to `target`: a multiple of the step in [minKeep, size], or size. */
function roundKeep(c: Candidate, target: number): number {
  const { size } = c.group;
  const below = Math.floor(target / c.step) * c.step;
  const above = Math.min(size, below + c.step);
  // Ties keep more channels: pruning is the lossy direction.
  const nearest = target - below < above - target ? below : above;
  return Math.min(size, Math.max(c.minKeep, nearest));
}

/** The kept channels (ascending) when the group keeps `keep` channels: its best units. */
function keptChannels(c: Candidate, keep: number): Int32Array {
  const { unit } = c.group;
  const drop = new Uint8Array(c.order.length);
  for (let i = 0; i < (c.group.size - keep) / unit; i++) drop[c.order[i]!] = 1;
  const out = new Int32Array(keep);
  let n = 0;
  for (let k = 0; k < c.group.size; k++) if (!drop[Math.floor(k / unit)]) out[n++] = k;
  return out;
}

/**
 * Global scope: removal happens in blocks (the channels between two allowed kept counts), taken
 * cheapest first by mean channel score until ~`ratio` of the pooled channels are gone. Within a
 * group the blocks' means never decrease, so taking them in global order keeps each group's
 * removals lowest-first.
 */
function planGlobal(pool: readonly Candidate[], ratio: number, maxGroupRatio: number): Map<Candidate, number> {
  const keep = new Map(pool.map((c) => [c, c.group.size]));
  const blocks: { c: Candidate; size: number; score: number; index: number }[] = [];
  for (const c of pool) {
    const { size, unit } = c.group;
    const floor = Math.max(c.minKeep, Math.ceil(((1 - maxGroupRatio) * size) / c.step) * c.step);
    let kept = size;
    let next = Math.floor((size - 1) / c.step) * c.step;
    let removedUnits = 0;
    for (let index = 0; next >= floor && next > 0; index++, next -= c.step) {
      const units = (kept - next) / unit;
      let sum = 0;
      for (let i = removedUnits; i < removedUnits + units; i++) sum += c.unitScore[c.order[i]!]!;
      blocks.push({ c, size: kept - next, score: sum / units, index });
      removedUnits += units;
      kept = next;
    }
  }
  blocks.sort((a, b) => a.score - b.score || a.c.group.id - b.c.group.id || a.index - b.index);
  const target = Math.round(ratio * pool.reduce((s, c) => s + c.group.size, 0));
  const closed = new Set<Candidate>();
  let removed = 0;
  for (const b of blocks) {
    if (removed >= target) break;
    if (closed.has(b.c)) continue;
    // Take a block only when it brings the total closer to the target; a group whose block is
    // skipped takes no later (more important) block either.
    if (removed + b.size - target > target - removed) {
      closed.add(b.c);
      continue;
    }
    keep.set(b.c, keep.get(b.c)! - b.size);
    removed += b.size;
  }
  return keep;
}

function checkRatio(name: string, r: unknown): asserts r is number {
  is.assertNumber(name, r, 0, MAX_RATIO);
}

function checkScores(dep: DependencyGraph, scores: GroupScores): Map<number, ChannelGroup> {
  const byId = new Map(dep.groups.map((g) => [g.id, g]));
  if (!(scores instanceof Map)) throw is.invalidParameterError('scores', 'a Map of Float32Array by group id (scoreGroups)', scores);
  for (const [id, s] of scores) {
    const g = byId.get(id);
    if (!g) throw new InvalidParameterError(`scores: group ${id} is not in the dependency graph`);
    if (!(s instanceof Float32Array) || s.length !== g.size) throw new InvalidParameterError(`scores: group ${id} needs ${g.size} scores, got ${(s as { length?: number })?.length ?? typeof s}`);
    const bad = s.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InvalidParameterError(`scores: channel ${bad} of group ${id} is ${s[bad]}`);
  }
  for (const g of dep.groups) {
    if (!Number.isInteger(g.unit) || g.unit < 1 || g.size % g.unit !== 0) throw new InvalidParameterError(`Group ${g.id}: unit ${g.unit} does not divide its ${g.size} channels`);
  }
  return byId;
}

/**
 * Plans which channels each prunable group keeps.
 * @param dep the comb's dependency graph
 * @param scores per-channel scores from `scoreGroups` (normalized per group for global scope);
 *   prunable groups without scores keep all their channels
 * @param options ratio in [0, 0.95] (required); scope `'local'` (default) or `'global'`; multiple
 *   (>= 1, default 8); minChannels (>= 1, default 1); maxGroupRatio (global, in (0, 1), default
 *   0.9); groupRatios (per-group ratio overrides in [0, 0.95])
 * @returns kept channels (ascending) of each group that loses channels; other groups keep all.
 *   A group keeps a multiple of lcm(multiple, unit), at least minChannels rounded up to it, or
 *   all its channels when it is smaller than that
 * @throws InvalidParameterError on bad options, scores that do not fit the groups, or a group
 *   ratio for a group that is missing or not prunable
 * @example
 * const plan = planPruning(dep, scoreGroups(graph, dep, 'l2'), { ratio: 0.3, scope: 'global' });
 * const pruned = applyPrunePlan(graph, dep, plan);
 */
export function planPruning(dep: DependencyGraph, scores: GroupScores, options: PlanOptions): PrunePlan {
  if (!dep || !Array.isArray(dep.groups)) throw is.invalidParameterError('dep', 'a DependencyGraph from buildDependencyGraph', dep);
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('plan options', 'an object with a ratio', options);
  checkRatio('ratio', options.ratio);
  const scope = options.scope ?? DEFAULTS.scope;
  is.assertOneOf('scope', scope, ['local', 'global']);
  const multiple = options.multiple ?? DEFAULTS.multiple;
  is.assertInteger('multiple', multiple, 1);
  const minChannels = options.minChannels ?? DEFAULTS.minChannels;
  is.assertInteger('minChannels', minChannels, 1);
  const maxGroupRatio = options.maxGroupRatio ?? DEFAULTS.maxGroupRatio;
  is.assertNumber('maxGroupRatio', maxGroupRatio, Number.MIN_VALUE, 1 - Number.EPSILON);
  const byId = checkScores(dep, scores);
  const overrides = options.groupRatios ?? new Map<number, number>();
  if (!(overrides instanceof Map)) throw is.invalidParameterError('groupRatios', 'a Map of ratio by group id', overrides);
  for (const [id, r] of overrides) {
    const g = byId.get(id);
    if (!g) throw new InvalidParameterError(`groupRatios: group ${id} is not in the dependency graph`);
    if (!g.prunable) throw new InvalidParameterError(`groupRatios: group ${id} is fixed (${g.fixedReason ?? 'not prunable'})`);
    checkRatio(`groupRatios[${id}]`, r);
  }

  const keep = new Map<Candidate, number>();
  const pool: Candidate[] = [];
  for (const g of dep.groups) {
    const s = scores.get(g.id);
    if (!g.prunable || !s) continue;
    const c = candidate(g, s, multiple, minChannels);
    const own = overrides.get(g.id);
    if (own !== undefined || scope === 'local') keep.set(c, roundKeep(c, g.size * (1 - (own ?? options.ratio))));
    else pool.push(c);
  }
  if (pool.length) for (const [c, k] of planGlobal(pool, options.ratio, maxGroupRatio)) keep.set(c, k);

  const plan = new Map<number, Int32Array>();
  for (const [c, k] of keep) if (k < c.group.size) plan.set(c.group.id, keptChannels(c, k));
  return plan;
}
