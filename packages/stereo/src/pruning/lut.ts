/**
 * The latency table (HALP style): how many milliseconds each prunable channel group costs on one
 * device at one resolution. `stereo-sdk profile` measures it on the target device (a Jetson, say);
 * `prune --lut` then plans for that device from any machine. The model is linear per group: the
 * latency saved by removing k channels of group g is k × `msPerChannel[g]`, a slope fitted through
 * the origin to cuts of 25 % and 50 % of the group. Groups are matched across pruning steps by a
 * key built from their initializer names, which the cut keeps, not by id, which it renumbers.
 */
import { readFile } from 'node:fs/promises';
import { FileFormatError, FileNotFoundError, is, writeFileAtomic, type ChannelGroup, type DependencyGraph } from '@stereo-sdk/core';

/** The device and runtime a table was measured with. */
export interface LatencyDevice {
  hostname: string;
  platform: string;
  arch: string;
  /** CPU model name. */
  cpu: string;
  cores: number;
  /** Execution provider that ran the model. */
  provider: string;
  /** Intra-op threads asked for (0 = onnxruntime's choice). */
  threads: number;
  node: string;
}

/** One group's measurements: latency with `removed` channels cut from the group. */
export interface LatencyPoint {
  removed: number;
  /** p50 of the cut model. */
  p50Ms: number;
  /** p50 of the unpruned model timed just before, minus this p50 (noise can make it negative). */
  savedMs: number;
}

/** One prunable group of the profiled model. */
export interface LatencyTableGroup {
  /** Group id in the profiled model's dependency graph. */
  id: number;
  /** Stable key: the group's producer initializers (see {@link groupKey}). */
  key: string;
  /** Channels of the group in the profiled model. */
  size: number;
  /** Channels are removed in whole units of this many. */
  unit: number;
  points: LatencyPoint[];
  /** Least-squares slope of savedMs over removed through the origin, clamped at ≥ 0. */
  msPerChannel: number;
}

/** The latency table file (`lut.json`). */
export interface LatencyTable {
  format: 'stereo-sdk/latency-table';
  version: 1;
  /** ISO date of the measurement. */
  date: string;
  device: LatencyDevice;
  /** Resolution the table holds for. */
  preset: { name: string; width: number; height: number };
  /** What was profiled: file name (or label), parameter count and prunable group count. */
  model: { name: string; params: number; groups: number };
  /** p50 of the unpruned model: the median of its timings, one before each cut. */
  baselineMs: number;
  /** Timed calls and warm-up calls per measurement. */
  runs: number;
  warmup: number;
  /** Fractions of each group that were cut, e.g. [0.25, 0.5]. */
  fractions: number[];
  groups: LatencyTableGroup[];
}

/**
 * A key naming a channel group independently of its id: its producer initializers and their
 * channel axes (or, without any, all its initializer slices, then its value slices), sorted. Pruning keeps initializer names, so the key
 * of a group is the same before and after a cut.
 * @example groupKey(dep.groups[3]) // 'feature.conv1.weight@0'
 */
export function groupKey(group: ChannelGroup): string {
  const producers = group.params.filter((p) => p.role === 'producer');
  const slices: { name: string; axis: number }[] = producers.length > 0 ? producers.map((p) => ({ name: p.param, axis: p.axis })) : group.params.length > 0 ? group.params.map((p) => ({ name: p.param, axis: p.axis })) : group.values.map((v) => ({ name: v.value, axis: v.axis }));
  // With the axis, a key names one (initializer, axis) pair, which belongs to exactly one group.
  return [...new Set(slices.map((x) => `${x.name}@${x.axis}`))].sort().join('|');
}

/**
 * Least-squares slope through the origin of savedMs over removed, clamped at ≥ 0 (removing
 * channels never costs time; a negative slope is measurement noise).
 */
export function fitMsPerChannel(points: readonly LatencyPoint[]): number {
  let xy = 0;
  let xx = 0;
  for (const p of points) {
    xy += p.removed * p.savedMs;
    xx += p.removed * p.removed;
  }
  return xx > 0 ? Math.max(0, xy / xx) : 0;
}

const fail = (file: string, problem: string): FileFormatError => new FileFormatError(file, `not a latency table: ${problem}`);

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks a parsed latency table.
 * @param value - the parsed JSON.
 * @param file - named in errors.
 * @throws FileFormatError naming the file and the first problem found.
 */
export function parseLatencyTable(value: unknown, file = '<latency table>'): LatencyTable {
  if (!is.plainObject(value)) throw fail(file, 'expected a JSON object');
  const t = value as Partial<LatencyTable>;
  if (t.format !== 'stereo-sdk/latency-table') throw fail(file, `format is ${JSON.stringify(t.format)}, expected "stereo-sdk/latency-table" (make one with \`stereo-sdk profile\`)`);
  if (t.version !== 1) throw fail(file, `version ${JSON.stringify(t.version)} is not supported (expected 1)`);
  const p = t.preset;
  if (!p || !Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width <= 0 || p.height <= 0) throw fail(file, 'preset needs integer width and height');
  if (!finite(t.baselineMs) || t.baselineMs <= 0) throw fail(file, 'baselineMs must be a positive number');
  if (!is.plainObject(t.device)) throw fail(file, 'device is missing');
  if (!Array.isArray(t.groups)) throw fail(file, 'groups must be an array');
  const keys = new Set<string>();
  t.groups.forEach((g, i) => {
    if (!is.plainObject(g) || typeof g.key !== 'string' || g.key === '') throw fail(file, `groups[${i}] has no key`);
    if (!Number.isInteger(g.size) || g.size <= 0) throw fail(file, `groups[${i}].size must be a positive integer`);
    if (!finite(g.msPerChannel) || g.msPerChannel < 0) throw fail(file, `groups[${i}].msPerChannel must be a number ≥ 0`);
    if (keys.has(g.key)) throw fail(file, `groups[${i}]: key '${g.key}' appears twice`);
    keys.add(g.key);
  });
  return t as LatencyTable;
}

/**
 * Reads a latency table written by `stereo-sdk profile` / `writeLatencyTable`.
 * @param file - path of `lut.json`.
 * @throws FileNotFoundError when it does not exist; FileFormatError when it is not a latency table.
 * @example const lut = await readLatencyTable('jetson-kitti.lut.json');
 */
export async function readLatencyTable(file: string): Promise<LatencyTable> {
  is.assertString('file', file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(file, 'latency table', 'make one on the target device with `stereo-sdk profile --model M --preset kitti --out lut.json`');
    throw new FileFormatError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw fail(file, `invalid JSON (${(e as Error).message})`);
  }
  return parseLatencyTable(parsed, file);
}

/**
 * Writes a latency table as indented JSON, atomically.
 * @param file - destination; parent folders are created.
 * @example await writeLatencyTable('lut.json', await profileLatency(model, { width: 1242, height: 375 }));
 */
export async function writeLatencyTable(file: string, table: LatencyTable): Promise<void> {
  is.assertString('file', file);
  parseLatencyTable(table, file);
  await writeFileAtomic(file, `${JSON.stringify(table, null, 2)}\n`);
}

/** A table looked up by group key. */
export interface LatencyLookup {
  readonly table: LatencyTable;
  /** ms per channel of a group of the current graph; undefined when the table does not know it. */
  msPerChannel(group: ChannelGroup): number | undefined;
  /** The group's size in the profiled model, for the latency of the current model. */
  profiledSize(group: ChannelGroup): number | undefined;
  /**
   * Predicted latency of a model on the table's device: the baseline minus every prunable
   * group's saving for the channels it lost since profiling. Groups the table does not know add
   * nothing.
   */
  predict(dep: DependencyGraph): number;
  /** How many of the graph's prunable groups the table knows. */
  matched(dep: DependencyGraph): { known: number; prunable: number };
}

/**
 * Indexes a table by group key for planning.
 * @example const lookup = latencyLookup(lut); const ms = lookup.predict(buildDependencyGraph(g));
 */
export function latencyLookup(table: LatencyTable): LatencyLookup {
  const byKey = new Map(table.groups.map((g) => [g.key, g]));
  const entry = (group: ChannelGroup) => byKey.get(groupKey(group));
  return {
    table,
    msPerChannel: (group) => entry(group)?.msPerChannel,
    profiledSize: (group) => entry(group)?.size,
    predict(dep) {
      let ms = table.baselineMs;
      for (const g of dep.groups) {
        const e = g.prunable ? entry(g) : undefined;
        if (e) ms -= e.msPerChannel * Math.max(0, e.size - g.size);
      }
      return ms;
    },
    matched(dep) {
      const prunable = dep.groups.filter((g) => g.prunable);
      return { known: prunable.filter((g) => entry(g) !== undefined).length, prunable: prunable.length };
    },
  };
}
