/**
 * Latency of a candidate network on this device, measured the way a robot runs it: the candidate
 * is encoded to ONNX in memory and loaded by the edge runtime (`createStereoMatcher`), and the
 * runtime's own harness (`benchmarkMatcher`) times whole `disparity()` calls at the target
 * resolution, pre- and postprocessing included. This is NetAdapt's "measure, don't model" loop:
 * MACs alone do not predict latency.
 */
import { encodeOnnx, Graph, InvalidParameterError, is } from '@stereo-sdk/core';
import type { ProviderName, StereoMatcher } from '@stereo-sdk/edge-runtime';

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /** Frame width in pixels, integer in [8, 16384]. */
  width: number;
  /** Frame height in pixels, integer in [8, 16384]. */
  height: number;
  /** Timed calls, integer in [1, 10000]; the p50 is their median. Default 20. */
  runs?: number;
  /** Untimed calls first (session warm-up, buffer allocation), integer in [0, 1000]. Default 3. */
  warmup?: number;
  /** onnxruntime intra-op threads, integer in [0, 1024]; 0 = onnxruntime's choice. Default 0. */
  threads?: number;
  /** Execution providers tried in order. Default `['cpu']`. */
  providers?: ProviderName[];
}

/** Latency of one model at one resolution, in milliseconds. */
export interface LatencyMeasurement {
  /** Median wall time of one `disparity()` call. */
  p50Ms: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  /** Medians of the call's steps: building the inputs, `session.run`, postprocessing. */
  preprocessMs: number;
  inferenceMs: number;
  postprocessMs: number;
  /** Execution provider that ran the model. */
  provider: ProviderName;
  threads: number;
  width: number;
  height: number;
  runs: number;
  warmup: number;
}

/** Defaults of {@link measureLatency}, in one place. */
export const LATENCY_DEFAULTS = Object.freeze({ runs: 20, warmup: 3, threads: 0 });

/** Options with defaults filled and every value checked. */
export type ResolvedLatencyOptions = Required<Omit<LatencyOptions, 'providers'>> & { providers?: ProviderName[] };

/**
 * Checks latency options and fills the defaults.
 * @throws InvalidParameterError for an out-of-range value.
 */
export function resolveLatencyOptions(options: LatencyOptions): ResolvedLatencyOptions {
  is.assertObject('latency options', options);
  const o = {
    width: options.width,
    height: options.height,
    runs: options.runs ?? LATENCY_DEFAULTS.runs,
    warmup: options.warmup ?? LATENCY_DEFAULTS.warmup,
    threads: options.threads ?? LATENCY_DEFAULTS.threads,
    ...(options.providers ? { providers: options.providers } : {}),
  };
  is.assertInteger('width', o.width, 8, 16384);
  is.assertInteger('height', o.height, 8, 16384);
  is.assertInteger('runs', o.runs, 1, 10000);
  is.assertInteger('warmup', o.warmup, 0, 1000);
  is.assertInteger('threads', o.threads, 0, 1024);
  if (o.providers !== undefined && (!Array.isArray(o.providers) || o.providers.length === 0)) {
    throw is.invalidParameterError('providers', 'a non-empty array of provider names', o.providers);
  }
  return o;
}

/** The bytes the runtime loads: a Graph is encoded in memory, a path or bytes are passed through. */
function modelSource(model: Graph | Uint8Array | string): Uint8Array | string {
  if (model instanceof Graph) return encodeOnnx(model);
  if (model instanceof Uint8Array || (typeof model === 'string' && model.length > 0)) return model;
  throw is.invalidParameterError('model', 'a Graph, ONNX bytes or a path to an .onnx file', model);
}

/**
 * Loads a candidate in the edge runtime (CPU unless `providers` says otherwise).
 * @throws the runtime's typed errors: ModelContractError for a graph without the stereo model
 *   contract, FileFormatError for bytes onnxruntime rejects, FileNotFoundError for a missing path.
 */
export async function openCandidate(model: Graph | Uint8Array | string, options: Pick<LatencyOptions, 'threads' | 'providers'> = {}): Promise<StereoMatcher> {
  const source = modelSource(model);
  const { createStereoMatcher } = await import('@stereo-sdk/edge-runtime');
  const threads = options.threads ?? 0;
  return createStereoMatcher(source, { ...(options.providers ? { providers: options.providers } : {}), ...(threads > 0 ? { intraOpNumThreads: threads } : {}) });
}

/**
 * Times an open matcher with the runtime's harness.
 * @param matcher - from {@link openCandidate} or `createStereoMatcher` (not disposed here).
 * @param options - resolved options (see {@link resolveLatencyOptions}).
 */
export async function timeMatcher(matcher: StereoMatcher, options: ResolvedLatencyOptions): Promise<LatencyMeasurement> {
  const { benchmarkMatcher } = await import('@stereo-sdk/edge-runtime');
  const r = await benchmarkMatcher(matcher, {
    width: options.width,
    height: options.height,
    runs: options.runs,
    warmup: options.warmup,
    threads: options.threads,
    disparity: { confidence: false },
  });
  return {
    p50Ms: r.latencyMs.p50,
    p90Ms: r.latencyMs.p90,
    meanMs: r.latencyMs.mean,
    minMs: r.latencyMs.min,
    preprocessMs: r.breakdownMs.preprocess,
    inferenceMs: r.breakdownMs.inference,
    postprocessMs: r.breakdownMs.postprocess,
    provider: r.provider,
    threads: options.threads,
    width: options.width,
    height: options.height,
    runs: options.runs,
    warmup: options.warmup,
  };
}

/**
 * Measures the latency of a stereo model on this device at one resolution: warm-up calls, then the
 * median (and p90, mean, min) of `runs` timed `disparity()` calls on a synthetic pair, through the
 * edge runtime exactly as a deployed model runs. Compare numbers measured in one session: they
 * depend on the machine and its load.
 * @param model - an in-memory Graph (a pruning candidate; it must carry the model contract, as
 *   inference graphs of the stereo family do), ONNX bytes, or a path.
 * @param options - width and height, runs (default 20), warmup (default 3), threads (default 0 =
 *   onnxruntime's choice), providers (default cpu).
 * @returns p50/p90/mean/min and the per-step medians, in ms.
 * @throws InvalidParameterError for bad options; the runtime's typed errors for a model it cannot run.
 * @example
 * const { p50Ms } = await measureLatency(candidate, { width: 1242, height: 375, threads: 2 });
 */
export async function measureLatency(model: Graph | Uint8Array | string, options: LatencyOptions): Promise<LatencyMeasurement> {
  const o = resolveLatencyOptions(options);
  const matcher = await openCandidate(model, o);
  try {
    return await timeMatcher(matcher, o);
  } finally {
    await matcher.dispose();
  }
}

/** Checks a latency target in milliseconds. */
export function assertTargetMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidParameterError(`Expected a latency in milliseconds > 0 for ${name} but received ${String(value)}`);
  }
}
