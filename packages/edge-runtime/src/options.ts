/**
 * Boundary validation of the matcher and per-call options: every check goes through `is.ts`, every
 * default comes from `DEFAULTS`.
 */
import type { SessionSettings } from './backend.js';
import { DEFAULTS } from './defaults.js';
import { is } from '@stereo-sdk/common';
import { normalizeProviders } from './providers.js';
import type { DisparityOptions, FrameSize, StereoMatcherOptions } from './types.js';

/** Per-call options with defaults applied. */
export interface ResolvedDisparityOptions {
  maxDisparity?: number;
  downscale: number;
  /** Consistency threshold in pixels, or undefined when the check is off. */
  lrThreshold?: number;
  confidence: boolean;
}

/**
 * Validates matcher options and applies defaults.
 * @throws InvalidParameterError naming the offending option.
 */
export function resolveMatcherOptions(options: StereoMatcherOptions | undefined): SessionSettings {
  const o = options ?? {};
  is.assertObject('options', o);
  const providers = normalizeProviders(o.providers ?? DEFAULTS.providers);
  const settings: SessionSettings = {
    providers,
    deviceId: DEFAULTS.deviceId,
    tensorrt: { engineCacheDir: DEFAULTS.tensorrtCacheDir(), fp16: DEFAULTS.tensorrtFp16 },
  };
  if (is.defined(o.intraOpNumThreads)) {
    is.assertInteger('intraOpNumThreads', o.intraOpNumThreads, 0, 1024);
    settings.intraOpNumThreads = o.intraOpNumThreads;
  }
  if (is.defined(o.interOpNumThreads)) {
    is.assertInteger('interOpNumThreads', o.interOpNumThreads, 0, 1024);
    settings.interOpNumThreads = o.interOpNumThreads;
  }
  if (is.defined(o.spinning)) {
    is.assertBoolean('spinning', o.spinning);
    settings.spinning = o.spinning;
  }
  if (is.defined(o.deviceId)) {
    is.assertInteger('deviceId', o.deviceId, 0, 64);
    settings.deviceId = o.deviceId;
  }
  if (is.defined(o.tensorrt)) {
    is.assertObject('tensorrt', o.tensorrt);
    if (is.defined(o.tensorrt.engineCacheDir)) {
      is.assertString('tensorrt.engineCacheDir', o.tensorrt.engineCacheDir);
      settings.tensorrt.engineCacheDir = o.tensorrt.engineCacheDir;
    }
    if (is.defined(o.tensorrt.fp16)) {
      is.assertBoolean('tensorrt.fp16', o.tensorrt.fp16);
      settings.tensorrt.fp16 = o.tensorrt.fp16;
    }
  }
  return settings;
}

/**
 * Validates per-call options and applies defaults.
 * @throws InvalidParameterError naming the offending option.
 */
export function resolveDisparityOptions(options: DisparityOptions | undefined): ResolvedDisparityOptions {
  const o = options ?? {};
  is.assertObject('options', o);
  const resolved: ResolvedDisparityOptions = { downscale: DEFAULTS.downscale, confidence: DEFAULTS.confidence };
  if (is.defined(o.maxDisparity)) {
    is.assertNumber('maxDisparity', o.maxDisparity, 0, 1e6);
    resolved.maxDisparity = o.maxDisparity;
  }
  if (is.defined(o.downscale)) {
    is.assertNumber('downscale', o.downscale, 1, 64);
    resolved.downscale = o.downscale;
  }
  if (is.defined(o.confidence)) {
    is.assertBoolean('confidence', o.confidence);
    resolved.confidence = o.confidence;
  }
  const lr = o.lrCheck;
  if (lr === true) resolved.lrThreshold = DEFAULTS.lrThreshold;
  else if (is.plainObject(lr)) {
    const t = lr.threshold ?? DEFAULTS.lrThreshold;
    is.assertNumber('lrCheck.threshold', t, 0, 1e6);
    resolved.lrThreshold = t;
  } else if (is.defined(lr) && lr !== false) {
    throw is.invalidParameterError('lrCheck', 'a boolean or { threshold }', lr);
  }
  return resolved;
}

/**
 * Validates the `frameSize` matcher option.
 * @returns the size, or undefined when not given.
 * @throws InvalidParameterError naming `frameSize` or the side at fault.
 */
export function resolveFrameSize(options: StereoMatcherOptions | undefined): FrameSize | undefined {
  const f = options?.frameSize;
  if (!is.defined(f)) return undefined;
  is.assertObject('frameSize', f);
  is.assertInteger('frameSize.width', f.width, 1, 1 << 20);
  is.assertInteger('frameSize.height', f.height, 1, 1 << 20);
  return { width: f.width, height: f.height };
}
