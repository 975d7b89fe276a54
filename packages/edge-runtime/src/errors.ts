/**
 * Typed errors of the edge runtime. The runtime must install on a robot without `@stereo-sdk/core`,
 * so it keeps its own small hierarchy; the codes match core's where the meaning is the same, so a
 * caller can branch on `err.code` whichever package threw.
 */

/** Base class of every error the edge runtime throws on purpose. */
export class EdgeRuntimeError extends Error {
  /** Stable machine-readable code, e.g. `ERR_FILE_FORMAT`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A public API received an argument outside its documented domain. */
export class InvalidParameterError extends EdgeRuntimeError {
  constructor(message: string) {
    super('ERR_INVALID_PARAMETER', message);
  }
}

/** A file (or buffer) is empty, truncated or not in the format the caller implies. */
export class FileFormatError extends EdgeRuntimeError {
  /** The offending file's path, or a label such as `<left buffer>`. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_FILE_FORMAT', `${file}: ${problem}`, options);
    this.file = file;
  }
}

/** A file that should exist does not; `hint` says how to fix it. */
export class FileNotFoundError extends EdgeRuntimeError {
  readonly file: string;
  constructor(file: string, what = 'file', hint?: string) {
    super('ERR_FILE_NOT_FOUND', `${file}: ${what} not found${hint ? `. ${hint}` : ''}`);
    this.file = file;
  }
}

/** Left and right inputs (or a result and its consumer) disagree in size or channels. */
export class ShapeMismatchError extends EdgeRuntimeError {
  constructor(message: string) {
    super('ERR_SHAPE_MISMATCH', message);
  }
}

/**
 * An ONNX model is valid ONNX but cannot be used as a stereo model: its `stereo_sdk.contract`
 * metadata is malformed, or it has none and its inputs/outputs do not look like a stereo model.
 */
export class ModelContractError extends EdgeRuntimeError {
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
export class ProviderUnavailableError extends EdgeRuntimeError {
  /** One entry per provider tried, in order. */
  readonly failures: readonly ProviderFailure[];
  constructor(failures: readonly ProviderFailure[], hint: string) {
    const list = failures.map((f) => `  - ${f.provider}: ${f.reason}`).join('\n');
    super('ERR_PROVIDER_UNAVAILABLE', `no execution provider could start:\n${list}\n${hint}`);
    this.failures = failures;
  }
}

/** `session.run` failed on inputs that passed validation (a model/runtime problem, not the caller's). */
export class InferenceError extends EdgeRuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INFERENCE', message, options);
  }
}

/** A matcher was used after `dispose()`. */
export class DisposedError extends EdgeRuntimeError {
  constructor(what: string) {
    super('ERR_DISPOSED', `${what} was disposed; create a new one with createStereoMatcher()`);
  }
}
