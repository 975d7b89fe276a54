/**
 * Typed errors shared by every stereo-sdk package that depends on core.
 *
 * Each error carries a stable `code` so callers (and the CLI) can branch on the kind of failure
 * without parsing messages, and messages always name the offending file or parameter.
 */

/** Base class of every error stereo-sdk throws on purpose. */
export class StereoSdkError extends Error {
  /** Stable machine-readable code, e.g. `ERR_FILE_FORMAT`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A public API received an argument outside its documented domain. */
export class InvalidParameterError extends StereoSdkError {
  constructor(message: string) {
    super('ERR_INVALID_PARAMETER', message);
  }
}

/** A file is missing, unreadable, truncated or not in the format its name or caller implies. */
export class FileFormatError extends StereoSdkError {
  /** The path of the offending file (or a description such as `<buffer>`). */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_FILE_FORMAT', `${file}: ${problem}`, options);
    this.file = file;
  }
}

/** A file that should exist does not. */
export class FileNotFoundError extends StereoSdkError {
  readonly file: string;
  constructor(file: string, what = 'file') {
    super('ERR_FILE_NOT_FOUND', `${file}: ${what} not found`);
    this.file = file;
  }
}

/** A dataset spec or dataset tree is malformed (unknown scheme, missing folder, inconsistent pair). */
export class DatasetError extends StereoSdkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DATASET', message, options);
  }
}

/** Two inputs that must agree (left/right sizes, prediction/ground-truth sizes) do not. */
export class ShapeMismatchError extends StereoSdkError {
  constructor(message: string) {
    super('ERR_SHAPE_MISMATCH', message);
  }
}
