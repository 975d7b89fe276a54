/**
 * The backend interface: everything in the SDK that runs a model goes through these types, and
 * only `ort.ts` implements them with onnxruntime-node.
 */
import { StereoSdkError } from '../errors.js';
import type { DType, TensorData } from '../graph/types.js';

/** A tensor crossing the backend boundary. float16 travels as Uint16Array bits, bool as Uint8Array. */
export interface BackendTensor {
  readonly type: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** Options of `createSession`. */
export interface SessionOptions {
  /** Intra-op threads; default 0 lets onnxruntime choose (one per core). Range [0, 64]. */
  threads?: number;
  /**
   * Execution providers to try in order, e.g. `['cuda', 'cpu']`; the first that loads is used.
   * Default `['cpu']`.
   */
  providers?: readonly string[];
  /** Graph optimization level; default `'all'`. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** A loaded model ready to run. */
export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The execution provider that loaded the model. */
  readonly provider: string;
  /**
   * Runs the model.
   * @param feeds one tensor per input name
   * @param fetches output names to compute; default all outputs
   */
  run(feeds: Readonly<Record<string, BackendTensor>>, fetches?: readonly string[]): Promise<Record<string, BackendTensor>>;
  /** Frees native resources. The session must not be used afterwards. */
  release(): Promise<void>;
}

/** The runtime failed to load a model or to run it. The message says which input or provider. */
export class BackendError extends StereoSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BACKEND', message, options);
  }
}
