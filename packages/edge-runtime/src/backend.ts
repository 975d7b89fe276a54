/**
 * The only module that imports onnxruntime-node. Everything else talks to a {@link BackendSession}:
 * float32 tensors in, float32 tensors out. Keeping the runtime behind this seam (transformers.js
 * `backends/onnx.js`) means a different runtime build, or a mock, changes one file.
 */
import { mkdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { FileFormatError } from '@stereo-sdk/common';
import { InferenceError } from './errors.js';
import { shortReason, tryProviders } from './providers.js';
import type { ProviderName } from './types.js';

/** A dense float32 tensor, row-major. */
export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

/** A loaded model on one execution provider. */
export interface BackendSession {
  /** The provider the session was created with (the first in the list that started). */
  readonly provider: ProviderName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model; returns only the `fetch`ed outputs, in fresh buffers the caller owns and may
   * modify or hand on (onnxruntime-node copies each output into a new ArrayBuffer).
   */
  run(feeds: Record<string, TensorData>, fetch: readonly string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** Resolved session settings (defaults already applied by the caller). */
export interface SessionSettings {
  providers: readonly ProviderName[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  /** Intra-op spin-waiting; onnxruntime's default (on) when undefined. */
  spinning?: boolean;
  deviceId: number;
  tensorrt: { engineCacheDir: string; fp16: boolean };
}

type EpConfig = ort.InferenceSession.ExecutionProviderConfig;

/**
 * TensorRT's engine cache and fp16 switches. onnxruntime-node 1.30's binding forwards only
 * `deviceId` for TensorRT, so the named options below are for bindings that read them; builds that
 * create the provider without options read the ORT_TENSORRT_* environment variables instead. Both
 * are set (the variables only when the user has not set them) so the cache works on either.
 */
function tensorrtConfig(s: SessionSettings): EpConfig[] {
  mkdirSync(s.tensorrt.engineCacheDir, { recursive: true });
  const env: Record<string, string> = {
    ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1',
    ORT_TENSORRT_CACHE_PATH: s.tensorrt.engineCacheDir,
    ORT_TENSORRT_FP16_ENABLE: s.tensorrt.fp16 ? '1' : '0',
  };
  for (const [k, v] of Object.entries(env)) process.env[k] ??= v;
  const trt = {
    name: 'tensorrt',
    deviceId: s.deviceId,
    trtEngineCacheEnable: true,
    trtEngineCachePath: s.tensorrt.engineCacheDir,
    trtFp16Enable: s.tensorrt.fp16,
  };
  // CUDA behind TensorRT runs the nodes TensorRT cannot take, instead of silently using the CPU.
  return [trt, { name: 'cuda', deviceId: s.deviceId }];
}

function providerConfig(provider: ProviderName, s: SessionSettings): EpConfig[] {
  switch (provider) {
    case 'cpu':
      return ['cpu'];
    case 'tensorrt':
      return tensorrtConfig(s);
    case 'cuda':
    case 'dml':
      return [{ name: provider, deviceId: s.deviceId }];
    default:
      return [provider];
  }
}

class OrtSession implements BackendSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: ProviderName,
    private readonly source: string,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, TensorData>, fetch: readonly string[]): Promise<Record<string, TensorData>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, t.dims);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(ortFeeds, fetch as string[]);
    } catch (err) {
      const shapes = Object.entries(feeds).map(([n, t]) => `${n} [${t.dims.join(',')}]`).join(', ');
      throw new InferenceError(`${this.source}: session.run failed on ${shapes}: ${shortReason(err)}`, { cause: err });
    }
    const result: Record<string, TensorData> = {};
    for (const name of fetch) {
      const t = out[name];
      if (!t || t.type !== 'float32') {
        throw new InferenceError(`${this.source}: output '${name}' is ${t ? t.type : 'missing'}, expected float32`);
      }
      result[name] = { data: t.data as Float32Array, dims: t.dims };
    }
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * Creates an inference session on the first requested provider that starts.
 * @param model - model path (lets onnxruntime resolve external weight files) or bytes.
 * @param source - path or label for error messages.
 * @param settings - providers in order, thread counts, device, TensorRT options.
 * @throws FileFormatError when the CPU provider cannot load the model (the model is at fault).
 * @throws ProviderUnavailableError when no provider starts; it lists each provider's reason.
 */
export async function openSession(model: string | Uint8Array, source: string, settings: SessionSettings): Promise<BackendSession> {
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };
  if (settings.intraOpNumThreads !== undefined) base.intraOpNumThreads = settings.intraOpNumThreads;
  if (settings.interOpNumThreads !== undefined) base.interOpNumThreads = settings.interOpNumThreads;
  if (settings.spinning !== undefined) base.extra = { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } };
  const { value, provider } = await tryProviders(settings.providers, async (p) => {
    const options = { ...base, executionProviders: providerConfig(p, settings) };
    try {
      return typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options);
    } catch (err) {
      // The CPU provider is always built in, so a CPU failure means onnxruntime rejects the model.
      if (p === 'cpu') throw new FileFormatError(source, `onnxruntime cannot load this model: ${shortReason(err)}`, { cause: err });
      throw err;
    }
  });
  return new OrtSession(value, provider, source);
}
