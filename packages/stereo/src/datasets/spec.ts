/**
 * Dataset spec strings (`<scheme>:<path>[?key=value&…]`) and `openDataset`, the one entry point
 * that indexes a dataset of any supported layout.
 */
import path from 'node:path';
import { DatasetError, InvalidParameterError, is } from '@stereo-sdk/core';
import { createDataset } from './dataset.js';
import type { ReaderOptions } from './entry.js';
import { byCodeUnit, isDirectory, isFile } from './fs.js';
import { READERS, type DatasetScheme } from './readers/index.js';
import type { OpenDatasetOptions, StereoDataset } from './sample.js';
import { selectSplit } from './split.js';

/** Every option's default, in one place. */
const DEFAULTS: Required<OpenDatasetOptions> = {
  split: 'all',
  valFraction: 0.1,
  seed: 0,
  pass: 'cleanpass',
  part: 'TRAIN',
  divisor: 3,
};

const PARAM_KEYS = Object.keys(DEFAULTS) as (keyof OpenDatasetOptions)[];
const NUMERIC_KEYS: readonly string[] = ['valFraction', 'seed', 'divisor'];

/** A parsed dataset spec. */
export interface DatasetSpec {
  scheme: DatasetScheme;
  /** The path as written (not resolved). */
  path: string;
  /** Options given in the spec's `?key=value` suffix. */
  params: OpenDatasetOptions;
}

/** Spec schemes `openDataset` understands. */
export const DATASET_SCHEMES = Object.keys(READERS) as readonly DatasetScheme[];

/**
 * Splits a spec string into scheme, path and options.
 * @param spec - `<scheme>:<path>`, optionally followed by `?key=value&…` with keys among
 *   `split`, `valFraction`, `seed`, `pass`, `part`, `divisor` (see `OpenDatasetOptions`)
 * @throws DatasetError for a missing or unknown scheme, an empty path or an unknown option key
 * @example
 * parseDatasetSpec('sceneflow:/data/SceneFlow?pass=finalpass&part=TEST');
 * // { scheme: 'sceneflow', path: '/data/SceneFlow', params: { pass: 'finalpass', part: 'TEST' } }
 */
export function parseDatasetSpec(spec: string): DatasetSpec {
  is.assertString('spec', spec);
  // Two or more letters, so a Windows drive letter (`C:\data`) is never taken for a scheme.
  const m = /^([A-Za-z][A-Za-z0-9]+):(.*)$/s.exec(spec);
  const expected = `expected <scheme>:<path> with scheme one of ${DATASET_SCHEMES.join(', ')}`;
  if (!m) throw new DatasetError(`Dataset spec '${spec}' has no scheme; ${expected}`);
  const scheme = m[1].toLowerCase();
  if (!(scheme in READERS)) throw new DatasetError(`Unknown dataset scheme '${m[1]}' in '${spec}'; ${expected}`);
  let rest = m[2];
  const params: Record<string, string | number> = {};
  const q = rest.lastIndexOf('?');
  if (q >= 0 && /^[A-Za-z]+=[^&=]*(&[A-Za-z]+=[^&=]*)*$/.test(rest.slice(q + 1))) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const [key, value] = pair.split('=');
      if (!PARAM_KEYS.includes(key as keyof OpenDatasetOptions)) {
        throw new DatasetError(`Unknown option '${key}' in dataset spec '${spec}'; expected one of ${PARAM_KEYS.join(', ')}`);
      }
      params[key] = NUMERIC_KEYS.includes(key) && value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    }
    rest = rest.slice(0, q);
  }
  if (rest === '') throw new DatasetError(`Dataset spec '${spec}' has an empty path; ${expected}`);
  return { scheme: scheme as DatasetScheme, path: rest, params: params as OpenDatasetOptions };
}

function resolveOptions(params: OpenDatasetOptions, options: OpenDatasetOptions): Required<OpenDatasetOptions> {
  const o = { ...DEFAULTS };
  for (const key of PARAM_KEYS) {
    const v = options[key] ?? params[key];
    if (v !== undefined) Object.assign(o, { [key]: v });
  }
  is.assertOneOf('split', o.split, ['train', 'val', 'all'] as const);
  is.assertNumber('valFraction', o.valFraction, 0, 1);
  is.assertInteger('seed', o.seed, 0, 2 ** 32 - 1);
  is.assertOneOf('pass', o.pass, ['cleanpass', 'finalpass'] as const);
  is.assertOneOf('part', o.part, ['TRAIN', 'TEST', 'all'] as const);
  if (!is.number(o.divisor) || o.divisor <= 0) throw is.invalidParameterError('divisor', 'a positive number', o.divisor);
  return o;
}

/**
 * Opens a dataset: indexes its files now, reads them on `get()`.
 * @param spec - `<scheme>:<path>[?key=value&…]`; schemes: `sceneflow`, `kitti2012`, `kitti2015`,
 *   `middlebury`, `eth3d`, `manifest` (path of a manifest.json or its folder), `pairs`
 *   (unlabeled folder), `synthetic`
 * @param options - split and reader options, see `OpenDatasetOptions`; they override the spec's
 *   `?key=value` options. Defaults: split `'all'`, valFraction 0.1, seed 0, pass `'cleanpass'`,
 *   part `'TRAIN'`, divisor 3.
 * @returns the samples of the chosen split, sorted by name (the split part may be empty)
 * @throws DatasetError for a malformed spec, a missing folder, a tree with no samples, or two samples with one name
 * @throws FileFormatError for a malformed manifest or meta.json
 * @throws InvalidParameterError for an out-of-range option
 * @example
 * const train = await openDataset('kitti2015:/data/kitti2015', { split: 'train', valFraction: 0.2 });
 * for await (const s of train) console.log(s.name, s.disparity?.width);
 */
export async function openDataset(spec: string, options: OpenDatasetOptions = {}): Promise<StereoDataset> {
  if (!is.plainObject(options)) throw new InvalidParameterError(`Expected an options object but received ${typeof options}`);
  const parsed = parseDatasetSpec(spec);
  const o = resolveOptions(parsed.params, options);
  const reader = READERS[parsed.scheme];
  let root = path.resolve(parsed.path);
  if (parsed.scheme === 'manifest' && (await isDirectory(root))) root = path.join(root, 'manifest.json');
  if (reader.rootIsDirectory ? !(await isDirectory(root)) : !(await isFile(root))) {
    const kind = reader.rootIsDirectory ? 'folder' : 'file';
    const problem = (await isFile(root)) || (await isDirectory(root)) ? `is not a ${kind}` : `${kind} not found`;
    throw new DatasetError(`${root}: dataset ${problem} (spec '${spec}')`);
  }
  const readerOptions: ReaderOptions = { pass: o.pass, part: o.part, divisor: o.divisor };
  const entries = (await reader.index(root, readerOptions)).sort((a, b) => byCodeUnit(a.name, b.name));
  if (entries.length === 0) {
    throw new DatasetError(`${root}: no stereo pairs found for '${parsed.scheme}' (expected ${reader.layout})`);
  }
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].name === entries[i - 1].name) {
      throw new DatasetError(`${root}: two samples named '${entries[i].name}' (${entries[i - 1].left} and ${entries[i].left})`);
    }
  }
  const keep = new Set(selectSplit(entries.map((e) => e.name), o.split, o.valFraction, o.seed));
  return createDataset(parsed.scheme, root, o.split === 'all' ? entries : entries.filter((e) => keep.has(e.name)));
}
