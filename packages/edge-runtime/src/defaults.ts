/**
 * Every default of the runtime, in one object, so docs and code cannot drift apart.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProviderName } from './types.js';

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
