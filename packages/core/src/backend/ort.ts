/**
 * The only module that imports onnxruntime-node. It is loaded lazily, so importing the SDK does
 * not load the native runtime until a session is created.
 */
import { FileNotFoundError } from '../errors.js';
import { existsSync } from 'node:fs';
import * as is from '../is.js';
import { dataMatches } from '../graph/tensor.js';
import type { DType } from '../graph/types.js';
import { BackendError, type BackendTensor, type Session, type SessionOptions } from './types.js';

type Ort = typeof import('onnxruntime-node');
type OrtSession = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | undefined;

function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').catch((e: unknown) => {
    ortModule = undefined;
    throw new BackendError(
      `onnxruntime-node failed to load (${(e as Error).message}). Reinstall it with 'npm i onnxruntime-node' on a supported platform (linux/darwin/win32, x64/arm64).`,
      { cause: e },
    );
  });
  return ortModule;
}

const DEFAULTS = { threads: 0, providers: ['cpu'] as readonly string[], optimization: 'all' as const };

function toBackend(t: { type: string; dims: readonly number[]; data: unknown }, name: string): BackendTensor {
  const type = t.type as DType;
  const data = t.data as BackendTensor['data'];
  if (!ArrayBuffer.isView(data) || !dataMatches(type, data)) {
    throw new BackendError(`Output '${name}' has type ${t.type}, which the SDK does not read`);
  }
  return { type, dims: [...t.dims], data };
}

class OrtBackedSession implements Session {
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtSession,
    readonly provider: string,
    private readonly source: string,
  ) {}
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }
  async run(feeds: Readonly<Record<string, BackendTensor>>, fetches?: readonly string[]): Promise<Record<string, BackendTensor>> {
    const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const name of this.session.inputNames) {
      const f = feeds[name];
      if (!f) throw new BackendError(`${this.source}: missing input '${name}' (inputs: ${this.session.inputNames.join(', ')})`);
      if (!dataMatches(f.type, f.data)) {
        throw new BackendError(`${this.source}: input '${name}' of type ${f.type} cannot hold a ${f.data.constructor.name}`);
      }
      ortFeeds[name] = new this.ort.Tensor(f.type, f.data as never, [...f.dims]);
    }
    let out: Record<string, { type: string; dims: readonly number[]; data: unknown }>;
    try {
      out = fetches ? await this.session.run(ortFeeds, [...fetches]) : await this.session.run(ortFeeds);
    } catch (e) {
      throw new BackendError(`${this.source}: run failed: ${(e as Error).message}`, { cause: e });
    }
    const result: Record<string, BackendTensor> = {};
    for (const [name, t] of Object.entries(out)) result[name] = toBackend(t, name);
    return result;
  }
  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * Loads a model into onnxruntime-node.
 * @param model ONNX bytes or a path to an .onnx file
 * @param opts threads (default 0 = runtime's choice, range [0, 64]), providers tried in order
 *   (default `['cpu']`), optimization level (default `'all'`)
 * @returns a session; `provider` says which execution provider loaded the model
 * @throws FileNotFoundError when a path does not exist
 * @throws BackendError listing why each provider failed, or when onnxruntime-node cannot load
 * @example
 * const s = await createSession(encodeOnnx(graph), { threads: 2 });
 * const out = await s.run({ x: { type: 'float32', dims: [1, 3], data: new Float32Array(3) } });
 */
export async function createSession(model: Uint8Array | string, opts: SessionOptions = {}): Promise<Session> {
  const threads = opts.threads ?? DEFAULTS.threads;
  is.assertInteger('threads', threads, 0, 64);
  const providers = opts.providers ?? DEFAULTS.providers;
  if (!Array.isArray(providers) || providers.length === 0 || !providers.every(is.string)) {
    throw is.invalidParameterError('providers', 'a non-empty array of provider names', providers);
  }
  const optimization = opts.optimization ?? DEFAULTS.optimization;
  is.assertOneOf('optimization', optimization, ['disabled', 'basic', 'extended', 'all']);
  const source = typeof model === 'string' ? model : '<model bytes>';
  if (typeof model === 'string') {
    is.assertString('model', model);
    if (!existsSync(model)) throw new FileNotFoundError(model, 'ONNX model');
  } else if (!(model instanceof Uint8Array)) {
    throw is.invalidParameterError('model', 'ONNX bytes (Uint8Array) or a file path', model);
  }
  const ort = await loadOrt();
  const failures: string[] = [];
  for (const provider of providers) {
    // Severity 3 = errors only: ORT's shape-merge warnings are noise to users.
    const options = { executionProviders: [provider], intraOpNumThreads: threads, graphOptimizationLevel: optimization, logSeverityLevel: 3 as const };
    try {
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
      return new OrtBackedSession(ort, session, provider, source);
    } catch (e) {
      failures.push(`${provider}: ${(e as Error).message}`);
    }
  }
  throw new BackendError(`${source}: no execution provider could load the model:\n  ${failures.join('\n  ')}`);
}
