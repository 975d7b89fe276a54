/**
 * Every default of the runtime, in one object, so docs and code cannot drift apart.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { is } from '@stereo-sdk/common';
import type { BundledModel, ProviderName } from './types.js';

/** The value the runtime writes for an invalid disparity (and depth). `NaN`, not `Infinity`,
 * so that a naive `focal * baseline / d` stays invalid instead of becoming a depth of 0. */
export const INVALID_DISPARITY = Number.NaN;

/** The ONNX `metadata_props` key under which the model contract is stored. */
export const CONTRACT_METADATA_KEY = 'stereo_sdk.contract';

/** Providers onnxruntime-node knows by name (whether they start depends on the installed build). */
export const PROVIDER_NAMES: readonly ProviderName[] = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml', 'qnn'];

export const DEFAULTS = {
  providers: ['cpu'] as ProviderName[],
  deviceId: 0,
  tensorrtFp16: true,
  tensorrtCacheDir: (): string => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stereo-sdk', 'tensorrt'),
  downscale: 1,
  lrThreshold: 1,
  confidence: true,
  /** Contract fields that may be left out of the metadata. */
  colorOrder: 'rgb' as const,
  padding: 'replicate' as const,
  normalization: { scale: 1, mean: [0], std: [1] },
  /** Stride assumed for a model without a contract: 32 covers every common encoder depth. */
  inferredStride: 32,
} as const;

/**
 * Checks a bundled-model table: unique lower-case names, each file `<name>.onnx` directly in
 * `models/`, exactly one general default (no `bestFor`), sizes and tolerances in range.
 * @returns the table, frozen.
 * @throws InvalidParameterError naming the entry and field at fault.
 */
export function checkBundledModels(table: readonly BundledModel[]): readonly BundledModel[] {
  const names = new Set<string>();
  table.forEach((m, i) => {
    const at = `BUNDLED_MODELS[${i}]`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(m.name) || names.has(m.name)) throw is.invalidParameterError(`${at}.name`, 'a unique lower-case name', m.name);
    // File named after the model, so a path tells which bundled model it is.
    if (m.file !== `${m.name}.onnx`) throw is.invalidParameterError(`${at}.file`, `'${m.name}.onnx'`, m.file);
    is.assertString(`${at}.description`, m.description);
    if (m.bestFor) {
      is.assertInteger(`${at}.bestFor.width`, m.bestFor.width, 1, 16384);
      is.assertInteger(`${at}.bestFor.height`, m.bestFor.height, 1, 16384);
      // Below 1, so the band never reaches a size of 0.
      is.assertNumber(`${at}.bestFor.tolerance`, m.bestFor.tolerance, 0, 0.99);
    }
    names.add(m.name);
  });
  const general = table.filter((m) => !m.bestFor);
  if (general.length !== 1) {
    throw is.invalidParameterError('BUNDLED_MODELS', 'exactly one general default (an entry without bestFor)', `${general.length} of them`);
  }
  return Object.freeze(table.map((m) => Object.freeze({ ...m, ...(m.bestFor ? { bestFor: Object.freeze({ ...m.bestFor }) } : {}) })));
}

/**
 * The models shipped in `models/` and the frame sizes each is meant for; `defaultModelFor` picks
 * from it. A build may lack a file (a model not trained yet): that entry is then skipped.
 * @example
 * for (const m of BUNDLED_MODELS) console.log(m.name, m.bestFor ?? 'any size', m.description);
 */
export const BUNDLED_MODELS: readonly BundledModel[] = checkBundledModels([
  {
    name: 'student',
    file: 'student.onnx',
    description: 'General-purpose student for any frame size (dynamic H×W); loaded when no size is known.',
  },
  {
    name: 'student-kitti30',
    file: 'student-kitti30.onnx',
    description: 'The fast student variant pruned to a 30 ms p50 target at KITTI size (1242×375, 2-core CPU): about 4× faster than student.onnx there, less accurate; see models/README.md.',
    // ±25 %: covers KITTI's rectified sizes (1224–1242 × 370–376), crops and similar wide automotive
    // cameras. Much larger frames lose the latency the pruning bought; much smaller ones do not need it.
    bestFor: { width: 1242, height: 375, tolerance: 0.25 },
  },
]);
