/**
 * Typed errors specific to the edge runtime. They extend `StereoSdkError` from `@stereo-sdk/common`
 * (a zero-dependency internal package, so the runtime still installs on a robot without
 * `@stereo-sdk/core`); the general errors (InvalidParameterError, FileFormatError, FileNotFoundError,
 * ShapeMismatchError) come from there too, so `err.code` and `instanceof` agree whichever package threw.
 */
import { StereoSdkError } from '@stereo-sdk/common';

/**
 * An ONNX model is valid ONNX but cannot be used as a stereo model: its `stereo_sdk.contract`
 * metadata is malformed, or it has none and its inputs/outputs do not look like a stereo model.
 */
export class ModelContractError extends StereoSdkError {
  /** Path or label of the model. */
  readonly model: string;
  constructor(model: string, problem: string) {
    super('ERR_MODEL_CONTRACT', `${model}: ${problem}`);
    this.model = model;
  }
}

/** Why one execution provider could not start. */
export interface ProviderFailure {
  provider: string;
  reason: string;
}

/** None of the requested execution providers could create a session. */
export class ProviderUnavailableError extends StereoSdkError {
  /** One entry per provider tried, in order. */
  readonly failures: readonly ProviderFailure[];
  constructor(failures: readonly ProviderFailure[], hint: string) {
    const list = failures.map((f) => `  - ${f.provider}: ${f.reason}`).join('\n');
    super('ERR_PROVIDER_UNAVAILABLE', `no execution provider could start:\n${list}\n${hint}`);
    this.failures = failures;
  }
}

/** `session.run` failed on inputs that passed validation (a model/runtime problem, not the caller's). */
export class InferenceError extends StereoSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INFERENCE', message, options);
  }
}

/** A matcher was used after `dispose()`. */
export class DisposedError extends StereoSdkError {
  constructor(what: string) {
    super('ERR_DISPOSED', `${what} was disposed; create a new one with createStereoMatcher()`);
  }
}
